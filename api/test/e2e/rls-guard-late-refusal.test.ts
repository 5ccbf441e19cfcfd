// A process started while the database is unreachable comes up (an outage must not stop a
// start) and runs the row-level security check once the database answers: a tenant table
// without forced RLS found then stops it, with the fatal line naming the table and exit code 1.
import type { Client } from 'pg';
import { DbFaultProxy } from '../../../scripts/cluster/db-proxy';
import { startChildServer, type ChildServer } from '../support/child-server';
import { connect } from '../support/rls-probe';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ADMIN_URL, TEST_JWT_SECRET } from '../support/test-env';

let database: TestDatabase;
let owner: Client;
let proxy: DbFaultProxy;
let child: ChildServer | undefined;

beforeAll(async () => {
  database = await createTestDatabase('rlslate');
  owner = await connect(database.ownerUrl);
  const admin = new URL(ADMIN_URL);
  proxy = new DbFaultProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
  await proxy.start();
});

afterAll(async () => {
  proxy?.restore();
  await child?.stop('SIGKILL');
  await proxy?.close();
  await owner?.end();
  await database?.drop();
});

test('a table without forced RLS, found once the database is back, stops the process with exit code 1', async () => {
  const url = new URL(database.appUrl);
  url.port = String(proxy.port);
  proxy.cut('reset');
  child = await startChildServer({
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    DB_ACQUIRE_TIMEOUT_MS: '1000',
    WEBHOOK_WORKER_CONCURRENCY: '0',
  });
  const exited = new Promise<number | null>((resolve) => child!.process.once('exit', (code) => resolve(code)));
  expect(child.output()).toContain('the row-level security check runs once it answers');

  await owner.query(`CREATE TABLE late_rogue (id int PRIMARY KEY, org_id uuid NOT NULL)`);
  proxy.restore();

  expect(await exited).toBe(1);
  const fatal = child.output().split('\n').filter((line) => line.includes('"level":60'));
  expect(fatal).toHaveLength(1);
  expect(fatal[0]).toContain('public.late_rogue');
});
