// Hourly housekeeping: what can no longer matter is removed, what still counts stays, and a
// running instance has the job on graphile-worker's schedule.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/prisma-client';
import { pruneExpired, PRUNE_TASK } from '../../src/modules/housekeeping/prune-expired.task';
import { startServer } from '../../src/server/start';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testServerEnv } from '../support/test-server';
import { openTestPool } from '../support/test-pool';

let database: TestDatabase;
let store: Database;

beforeAll(async () => {
  database = await createTestDatabase('prune');
  store = openDatabase({ url: database.appUrl, poolMax: 2, acquireTimeoutMs: 5_000, statementTimeoutMs: 5_000 });
});

afterAll(async () => {
  await store?.close();
  await database?.drop();
});

const HOUR = 60 * 60 * 1000;

test('removes failed log-ins older than the counting window and expired refresh tokens, nothing else', async () => {
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  await store.prisma.loginFailure.createMany({ data: [
    { email: 'old@example.com', at: ago(2 * HOUR) },
    { email: 'old@example.com', at: ago(HOUR + 1000) },
    { email: 'recent@example.com', at: ago(10 * 60 * 1000) },
  ] });
  const user = await store.prisma.user.create({ data: { email: `prune-${randomUUID()}@example.com`, name: 'Prune', passwordHash: 'x' } });
  const family = randomUUID();
  await store.prisma.refreshToken.createMany({ data: [
    { userId: user.id, familyId: family, tokenHash: randomUUID(), expiresAt: ago(1000), rotatedAt: ago(HOUR) },
    { userId: user.id, familyId: family, tokenHash: randomUUID(), expiresAt: ago(1000) },
    { userId: user.id, familyId: randomUUID(), tokenHash: randomUUID(), expiresAt: new Date(now.getTime() + HOUR), rotatedAt: ago(HOUR) },
  ] });

  expect(await pruneExpired(store.prisma, now)).toEqual({ loginFailures: 2, refreshTokens: 2 });
  expect((await store.prisma.loginFailure.findMany()).map((f) => f.email)).toEqual(['recent@example.com']);
  // A rotated token of a live family stays: its reuse must still revoke the family.
  expect(await store.prisma.refreshToken.count()).toBe(1);
  expect(await pruneExpired(store.prisma, now)).toEqual({ loginFailures: 0, refreshTokens: 0 });
});

test('a running instance puts the housekeeping on the shared schedule', async () => {
  const server = await startServer(loadConfig(testServerEnv(database)), pino({ level: 'silent' }));
  const owner = openTestPool(database.ownerUrl);
  try {
    // The runner registers its schedule once it has started: poll for it (jest's timeout bounds it).
    const known = async () => (await owner.query<{ identifier: string }>('SELECT identifier FROM graphile_worker._private_known_crontabs')).rows.map((row) => row.identifier);
    while (!(await known()).includes(PRUNE_TASK)) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await known()).toContain(PRUNE_TASK);
  } finally {
    await owner.end();
    await server.close();
  }
});
