// Reads straight on the request transaction's connection (db/connection-reads.ts): they run in
// that transaction under its pin, go out as named prepared statements, answer the rows Prisma's
// raw query would, and refuse once the connection went back to the pool, so a read that comes
// late (after Prisma's transaction timeout) never runs on a connection another request holds.
import { once } from 'node:events';
import type { Client } from 'pg';
import type { CountingProxy } from '../../../scripts/bench/count-proxy';
import type { Database } from '../../src/db/prisma-client';
import { RequestTransaction } from '../../src/tenancy/request-transaction';
import { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from '../../src/db/transaction-limits';
import { Prisma } from '../../src/generated/prisma/client';
import type { SeededOrg } from '../support/rls-probe';
import { openProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database';

let world: ProxiedDatabase;
let owner: Client;
let proxy: CountingProxy;
let db: Database;
let a: SeededOrg;
let b: SeededOrg;

beforeAll(async () => {
  world = await openProxiedDatabase('connreads', 10_000);
  ({ owner, proxy, db, a, b } = world);
});

afterAll(async () => {
  await world?.close();
});

const request = (org: SeededOrg, limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS) =>
  new RequestTransaction(db.prisma, { userId: org.userId, orgId: org.orgId, locksMembership: () => false }, limits, db.pool);

const projectsOf = (transaction: RequestTransaction, orgId: string) =>
  transaction.rowsIn<{ org_id: string; created_at: Date }>(orgId, Prisma.sql`SELECT org_id::text, created_at FROM projects WHERE name <> ${'-'} ORDER BY id`);

test('a read on the connection runs inside the pinned transaction: its tenant only, BEGIN carrying the pin, the reads, COMMIT, each read a named statement', async () => {
  await db.pool.query('SELECT 1'); // the connection exists before counting
  proxy.reset();
  const transaction = request(a);
  await transaction.tenantRole();
  const rows = await projectsOf(transaction, a.orgId);
  // Parsed once under a name on this connection, then only bound and executed.
  const prepared = await transaction.rowsIn<{ name: string }>(a.orgId, Prisma.sql`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%FROM projects WHERE name <>%'`);
  await transaction.finish(true);
  expect(prepared.map((row) => row.name)).toEqual([expect.stringMatching(/^r_/)]);
  expect(rows.length).toBeGreaterThan(0);
  expect(new Set(rows.map((row) => row.org_id))).toEqual(new Set([a.orgId]));
  // The same values Prisma's raw query hands back for these columns.
  expect(proxy.counts.roundTrips).toBe(4);
  const prismaRead = request(a);
  const viaPrisma = await prismaRead.use((tx) => tx.$queryRaw<{ org_id: string; created_at: Date }[]>`SELECT org_id::text, created_at FROM projects WHERE name <> ${'-'} ORDER BY id`, false);
  await prismaRead.finish(true);
  expect(rows).toEqual(viaPrisma);
  expect(rows[0]!.created_at).toBeInstanceOf(Date);
});

test('a read after the transaction timed out is refused, and never runs on the next request’s connection', async () => {
  const late = request(a, { ...DEFAULT_TRANSACTION_LIMITS, transactionTimeoutMs: 200 });
  await late.tenantRole();
  // Prisma rolls the expired transaction back and returns the connection.
  await once(db.pool, 'release');
  const next = request(b);
  await next.tenantRole();
  proxy.reset();
  await expect(projectsOf(late, a.orgId)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  expect(proxy.counts.roundTrips).toBe(0);
  // The other request's transaction is untouched and still sees its own tenant alone.
  const rows = await projectsOf(next, b.orgId);
  expect(new Set(rows.map((row) => row.org_id))).toEqual(new Set([b.orgId]));
  await next.finish(true);
  await late.finish(false);
});

test('a connection lost under the transaction fails its reads with SERVICE_UNAVAILABLE, not the process, and the pool carries on', async () => {
  const lost = request(a);
  const [{ pid }] = await lost.rowsIn<{ pid: number }>(a.orgId, Prisma.sql`SELECT pg_backend_pid() AS pid WHERE ${'x'} = 'x'`);
  await owner.query('SELECT pg_terminate_backend($1)', [pid]);
  await expect(projectsOf(lost, a.orgId)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  await lost.finish(false).catch(() => undefined);
  // The dead connection left the pool; the next request gets a fresh one.
  const next = request(b);
  const rows = await projectsOf(next, b.orgId);
  expect(new Set(rows.map((row) => row.org_id))).toEqual(new Set([b.orgId]));
  await next.finish(true);
});
