// The one database-error classifier, fed errors that real PostgreSQL raised through the layers
// the API uses (pg, the Prisma driver adapter, Prisma), and what a client is told for each.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/db/prisma-client';
import { AppError } from '../../src/errors/app-error';
import { classifyDatabaseError, isDatabaseUnavailable, translateDatabaseError } from '../../src/errors/database-errors';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
let db: Database;

const open = (url: string, statementTimeoutMs = 30_000) => openDatabase({ url, poolMax: 4, acquireTimeoutMs: 5_000, statementTimeoutMs });

/** What the statement threw (it must throw). */
async function thrown(statement: () => Promise<unknown>): Promise<unknown> {
  try {
    await statement();
  } catch (error) {
    return error;
  }
  throw new Error('the statement did not fail');
}

beforeAll(async () => {
  database = await createTestDatabase('dberrors');
  db = open(database.ownerUrl);
});

afterAll(async () => {
  await db?.close();
  await database?.drop();
});

test('a duplicate key is a unique constraint, told to the client as CONFLICT', async () => {
  const email = `${randomUUID()}@example.test`;
  const create = () => db.prisma.user.create({ data: { email, name: 'A', passwordHash: 'x' } });
  await create();
  const error = await thrown(create);
  expect(classifyDatabaseError(error)).toEqual({ kind: 'constraint', constraint: 'unique', sqlState: '23505' });
  expect(translateDatabaseError(error)).toMatchObject({ code: 'CONFLICT' });
});

test('a foreign key violation is a constraint too, but stays a bug for the client', async () => {
  const error = await thrown(() => db.prisma.$executeRaw`INSERT INTO memberships (org_id, user_id, role) VALUES (${randomUUID()}::uuid, ${randomUUID()}::uuid, 'MEMBER')`);
  expect(classifyDatabaseError(error)).toMatchObject({ kind: 'constraint', constraint: 'foreign-key', sqlState: '23503' });
  expect(translateDatabaseError(error)).toBe(error);
});

test('a value that does not cast is invalid data', async () => {
  const error = await thrown(() => db.prisma.$queryRaw`SELECT ${'not-a-uuid'}::uuid`);
  expect(classifyDatabaseError(error)).toEqual({ kind: 'invalid-data', sqlState: '22P02' });
});

test("the pin's refusal of a non-member is not-member, told as FORBIDDEN", async () => {
  const error = await thrown(() => db.prisma.$queryRaw`SELECT app_pin_tenant(${randomUUID()}, ${randomUUID()})`);
  expect(classifyDatabaseError(error)).toEqual({ kind: 'not-member', sqlState: 'TN403' });
  expect(translateDatabaseError(error)).toMatchObject({ code: 'FORBIDDEN' });
});

test('a deadlock is a retryable conflict, told as CONFLICT with retryAfterSeconds', async () => {
  // Each transaction takes one advisory lock, waits until the other holds its own, then asks
  // for the other's: PostgreSQL breaks the cycle by failing one of them with 40P01.
  let release!: () => void;
  const bothHold = new Promise<void>((resolve) => (release = resolve));
  let holding = 0;
  const cross = (mine: number, theirs: number) =>
    db.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${mine}::bigint)`;
      if (++holding === 2) release();
      await bothHold;
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${theirs}::bigint)`;
    }, { timeout: 60_000 });
  const outcomes = await Promise.allSettled([cross(71, 72), cross(72, 71)]);
  const failed = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  expect(failed).toHaveLength(1);
  const error = failed[0]!.reason;
  expect(classifyDatabaseError(error)).toEqual({ kind: 'conflict-retryable', sqlState: '40P01' });
  const told = translateDatabaseError(error);
  expect(told).toBeInstanceOf(AppError);
  expect((told as AppError).extensions).toMatchObject({ code: 'CONFLICT', retryAfterSeconds: 1 });
});

test('a serialization failure from plain pg is a retryable conflict as well', async () => {
  const client = new Client({ connectionString: database.ownerUrl });
  await client.connect();
  try {
    const error = await thrown(() => client.query(`DO $$ BEGIN RAISE EXCEPTION 'could not serialize' USING ERRCODE = '40001'; END $$`));
    expect(classifyDatabaseError(error)).toEqual({ kind: 'conflict-retryable', sqlState: '40001' });
  } finally {
    await client.end();
  }
});

test('a statement past its timeout is a timeout, told as SERVICE_UNAVAILABLE', async () => {
  const slow = open(database.ownerUrl, 50);
  try {
    const error = await thrown(() => slow.prisma.$queryRaw`SELECT pg_sleep(30)`);
    expect(classifyDatabaseError(error)).toEqual({ kind: 'timeout', sqlState: '57014' });
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(translateDatabaseError(error)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  } finally {
    await slow.close();
  }
});

test('a server that refuses connections is unavailable, told as SERVICE_UNAVAILABLE', async () => {
  // Port 1 on loopback: nothing listens there.
  const url = new URL(database.ownerUrl);
  url.port = '1';
  const away = open(url.toString());
  try {
    const error = await thrown(() => away.prisma.$queryRaw`SELECT 1`);
    expect(classifyDatabaseError(error).kind).toBe('unavailable');
    expect(translateDatabaseError(error)).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  } finally {
    await away.close();
  }
});

test('a connection the server ends is unavailable', async () => {
  const client = new Client({ connectionString: database.ownerUrl });
  await client.connect();
  client.on('error', () => undefined);
  const error = await thrown(() => client.query('SELECT pg_terminate_backend(pg_backend_pid())'));
  expect(classifyDatabaseError(error)).toMatchObject({ kind: 'unavailable' });
  await client.end().catch(() => undefined);
});

test('anything else is unknown and passes through untranslated', async () => {
  const syntax = await thrown(() => db.prisma.$queryRawUnsafe('SELEC 1'));
  expect(classifyDatabaseError(syntax)).toEqual({ kind: 'unknown', sqlState: '42601' });
  expect(translateDatabaseError(syntax)).toBe(syntax);
  const plain = new Error('boom');
  expect(classifyDatabaseError(plain)).toEqual({ kind: 'unknown' });
  expect(translateDatabaseError(plain)).toBe(plain);
});
