// The server refuses to start while a table with an org_id column lacks forced row-level
// security, and says which tables in one log line; once a migration secures them it starts.
import { Writable } from 'node:stream';
import type { Client } from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startServer } from '../../src/server/start';
import { UnprotectedTenantTablesError } from '../../src/tenancy/rls-guard';
import { connect } from '../support/rls-probe';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testServerEnv } from '../support/test-server';

let database: TestDatabase;
let owner: Client;

beforeAll(async () => {
  database = await createTestDatabase('rlsguard');
  owner = await connect(database.ownerUrl);
});

afterAll(async () => {
  await owner?.end();
  await database?.drop();
});

/** A logger that keeps its JSON lines. */
function capturingLogger(): { logger: pino.Logger; lines: () => { level: number; msg: string; tables?: string[] }[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines: () => lines.map((line) => JSON.parse(line) as { level: number; msg: string; tables?: string[] }) };
}

test('a migrated database passes the check, and the server starts', async () => {
  const server = await startServer(loadConfig(testServerEnv(database)), pino({ level: 'silent' }));
  await server.close();
});

test('a table with org_id and row-level security off, or on but not forced, stops the start with one line naming them', async () => {
  await owner.query(`CREATE TABLE rogue_notes (id int PRIMARY KEY, org_id uuid NOT NULL, body text)`);
  await owner.query(`CREATE TABLE half_guarded (id int PRIMARY KEY, org_id uuid NOT NULL)`);
  await owner.query(`ALTER TABLE half_guarded ENABLE ROW LEVEL SECURITY`);
  // Controls: forced RLS with an org_id, and no org_id at all, are both fine.
  await owner.query(`CREATE TABLE guarded_notes (id int PRIMARY KEY, org_id uuid NOT NULL)`);
  await owner.query(`ALTER TABLE guarded_notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY`);
  await owner.query(`CREATE TABLE global_settings (id int PRIMARY KEY, name text)`);

  const { logger, lines } = capturingLogger();
  const refused = await startServer(loadConfig(testServerEnv(database)), logger).then(
    () => Promise.reject(new Error('the server started')),
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(UnprotectedTenantTablesError);
  expect((refused as UnprotectedTenantTablesError).tables).toEqual(['public.half_guarded', 'public.rogue_notes']);
  const fatal = lines().filter((line) => line.level >= 50);
  expect(fatal).toHaveLength(1);
  expect(fatal[0]!.level).toBe(60);
  expect(fatal[0]!.tables).toEqual(['public.half_guarded', 'public.rogue_notes']);
  expect(fatal[0]!.msg).toContain('public.half_guarded, public.rogue_notes');
  expect(fatal[0]!.msg).not.toContain('guarded_notes,');
  // Nothing else was logged as started: the refusal comes before serving anything.
  expect(lines().some((line) => /ready|listening/i.test(line.msg))).toBe(false);

  await owner.query(`ALTER TABLE rogue_notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY`);
  await owner.query(`ALTER TABLE half_guarded FORCE ROW LEVEL SECURITY`);
  const server = await startServer(loadConfig(testServerEnv(database)), pino({ level: 'silent' }));
  await server.close();
});
