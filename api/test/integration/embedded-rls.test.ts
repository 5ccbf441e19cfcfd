// Row-level security in the embedded database too: PGlite's only login is a superuser (which
// bypasses RLS), so the API becomes the app role on every connection, and the same isolation
// checks as on the server must hold there. PGlite serves all its connections from a single
// session, so one client plays both parts: the owner first, then (SET ROLE) the app.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Client } from 'pg';
import { openDatabase } from '../../src/db/prisma-client';
import { PROJECT_ROOT } from '../../src/project-root';
import { APP_ROLE } from '../../src/server/start';
import { asTenant, connect, isolationProblemsOn, seedOrg, type SeededOrg } from '../support/rls-probe';

jest.setTimeout(180_000);

const dataDir = mkdtempSync(path.join(tmpdir(), 'tracker-embedded-rls-'));
let child: ChildProcess;
let url: string;
let client: Client;
let a: SeededOrg;
let b: SeededOrg;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'api/test/support/embedded-postgres-child.ts', dataDir], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error('the embedded database exited before it was ready');
  url = (JSON.parse(first.value as string) as { url: string }).url;
  client = await connect(url);
  a = await seedOrg(client, 'alpha');
  b = await seedOrg(client, 'bravo');
});

afterAll(async () => {
  await client?.end();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => client.query('RESET ROLE'));

test('every tenant table isolates tenants in the embedded database as on the server', async () => {
  expect(await isolationProblemsOn(client, client, a, b, () => client.query(`SET ROLE ${APP_ROLE}`))).toEqual([]);
});

test("as the app role with one tenant pinned, the other tenant's rows can't be changed", async () => {
  await client.query(`SET ROLE ${APP_ROLE}`);
  const touched = await asTenant(client, { orgId: a.orgId }, async () => (await client.query(`UPDATE issues SET title = 'taken' WHERE org_id = $1`, [b.orgId])).rowCount);
  expect(touched).toBe(0);
  await client.query('RESET ROLE');
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM issues WHERE org_id = $1 AND title = 'taken'`, [b.orgId]);
  expect(rows[0]!.n).toBe(0);
});

test("the API's own connection to the embedded database runs as the app role, which cannot bypass RLS", async () => {
  // The session was reset to the superuser after the last test: only the API's SET ROLE changes that.
  const database = openDatabase({ url, poolMax: 1, acquireTimeoutMs: 5_000, statementTimeoutMs: 5_000, setRole: APP_ROLE });
  try {
    const [me] = await database.prisma.$queryRaw<{ name: string; bypasses: boolean; superuser: boolean }[]>`
      SELECT current_user AS name, rolbypassrls AS bypasses, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`;
    expect(me).toEqual({ name: APP_ROLE, bypasses: false, superuser: false });
    const [untenanted] = await database.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM issues`;
    expect(untenanted!.n).toBe(0);
  } finally {
    await database.close();
  }
});
