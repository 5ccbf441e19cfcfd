// The tenant pin folded into BEGIN (db/pinned-begin.ts), seen on the wire through the bench's
// counting proxy: one round trip opens and pins, the pin ends with the transaction, a refused
// pin gives the connection back clean, and values that are not UUIDs never become literals.
import type { CountingProxy } from '../../../scripts/bench/count-proxy';
import type { Database } from '../../src/db/prisma-client';
import { pinnedTransaction } from '../../src/db/pinned-begin';
import { RequestTransaction } from '../../src/tenancy/request-transaction';
import { DEFAULT_TRANSACTION_LIMITS } from '../../src/db/transaction-limits';
import { AppError } from '../../src/errors/app-error';
import type { SeededOrg } from '../support/rls-probe';
import { openProxiedDatabase, type ProxiedDatabase } from '../support/proxied-database';

let world: ProxiedDatabase;
let proxy: CountingProxy;
let db: Database;
let a: SeededOrg;
let b: SeededOrg;

beforeAll(async () => {
  world = await openProxiedDatabase('pinbegin', 5_000);
  ({ proxy, db, a, b } = world);
});

afterAll(async () => {
  await world?.close();
});

const request = (orgId: string, userId: string) => new RequestTransaction(db.prisma, { userId, orgId, locksMembership: () => false }, DEFAULT_TRANSACTION_LIMITS);

/** What the pooled connection carries between transactions (outside any transaction). */
async function idleSettings(): Promise<{ org: string | null; user: string | null }> {
  const { rows } = await db.pool.query(`SELECT current_setting('app.org_id', true) AS org, current_setting('app.user_id', true) AS user`);
  return rows[0];
}

const visibleOrgs = (transaction: RequestTransaction) =>
  transaction.use((tx) => tx.$queryRaw<{ org_id: string }[]>`SELECT DISTINCT org_id::text FROM projects`, false).then((rows) => rows.map((row) => row.org_id));

test('a request transaction opens and pins in one round trip: BEGIN with the pin, the read, COMMIT', async () => {
  await idleSettings(); // the connection exists before counting
  proxy.reset();
  const transaction = request(a.orgId, a.userId);
  expect(await transaction.tenantRole()).toBe('OWNER');
  expect(await visibleOrgs(transaction)).toEqual([a.orgId]);
  await transaction.finish(true);
  expect(proxy.counts.roundTrips).toBe(3);
  const sent = [...proxy.counts.texts.keys()];
  expect(sent[0]).toMatch(/^BEGIN; SELECT app_pin_tenant\('…', '…', false\)/);
  expect(sent).toContain('COMMIT');
  expect(await idleSettings()).toEqual({ org: '', user: '' });
  expect(db.pool.totalCount).toBe(1);
});

test('a refused pin (not a member) answers FORBIDDEN, pins nobody, and hands the connection on clean', async () => {
  proxy.reset();
  const refused = request(b.orgId, a.userId);
  await expect(refused.tenantRole()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  // Refused in the BEGIN's own round trip; the retry pinned to no organization is folded too.
  expect([...proxy.counts.texts.keys()].filter((text) => text.startsWith('BEGIN') || text.includes('ROLLBACK'))).toEqual([
    "BEGIN; SELECT app_pin_tenant('…', '…', false) AS role",
    'ROLLBACK; BEGIN',
    'ROLLBACK',
  ]);
  // The caller's own fields still run, in a transaction pinned to no organization.
  expect(await visibleOrgs(refused)).toEqual([]);
  await refused.finish(true);
  expect(await idleSettings()).toEqual({ org: '', user: '' });
  // Same connection, the next caller sees their own tenant and nothing else.
  const next = request(b.orgId, b.userId);
  expect(await visibleOrgs(next)).toEqual([b.orgId]);
  await next.finish(true);
  expect(await idleSettings()).toEqual({ org: '', user: '' });
  expect(db.pool.totalCount).toBe(1);
});

test('alternating tenants on one connection never see each other, committed or rolled back', async () => {
  for (let n = 0; n < 20; n++) {
    const self = n % 2 === 0 ? a : b;
    const transaction = request(self.orgId, self.userId);
    expect(await visibleOrgs(transaction)).toEqual([self.orgId]);
    await transaction.finish(n % 3 !== 0);
  }
  expect(await idleSettings()).toEqual({ org: '', user: '' });
});

test('values that are not UUIDs are never written into SQL: the pin goes as a parameterized statement', async () => {
  proxy.reset();
  const forged = `${a.orgId}', '${a.userId}', false); SELECT set_config('app.org_id', '${b.orgId}', false); --`;
  const outcome = pinnedTransaction(db.prisma, { orgId: forged, userId: a.userId, lock: false }, async () => 'ran', { maxWait: 5_000, timeout: 5_000 });
  await expect(outcome).rejects.toBeDefined();
  await expect(outcome).rejects.not.toBeInstanceOf(AppError);
  const sent = [...proxy.counts.texts.keys()];
  expect(sent).toContain('BEGIN');
  expect(sent).toContain('SELECT app_pin_tenant($1, $2, $3) AS role');
  expect(sent.some((text) => text.includes('set_config'))).toBe(false);
  expect(await idleSettings()).toEqual({ org: '', user: '' });
});
