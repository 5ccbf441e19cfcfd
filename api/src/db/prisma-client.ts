// Builds the one Prisma client (and the pg pool under it) a process uses. The pool is ours,
// not the adapter's, so metrics and shutdown can see it.
import { PrismaPg } from '@prisma/adapter-pg';
import type { Pool } from 'pg';
import { BoundedPool } from './bounded-pool';
import { readOnConnections } from './connection-reads';
import { foldPinsIntoBegin } from './pinned-begin';
import { readStatementNames, type NamedQuery } from './statement-names';
import { PrismaClient } from '../generated/prisma/client';

export interface DatabaseOptions {
  readonly url: string;
  readonly poolMax: number;
  /** How long a request may wait for a pooled connection before failing fast. */
  readonly acquireTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Requests that may queue for a connection when all are busy; more are refused at once. */
  readonly maxWaiting?: number;
  readonly applicationName?: string;
  /** Parameterized reads as named prepared statements (statement-names.ts); default true. */
  readonly preparedStatements?: boolean;
}

export interface Database {
  readonly prisma: PrismaClient;
  readonly pool: Pool;
  readonly options: DatabaseOptions;
  close(): Promise<void>;
}

export function openDatabase(options: DatabaseOptions): Database {
  const pool = new BoundedPool({
    maxWaiting: options.maxWaiting ?? 100,
    connectionString: options.url,
    max: options.poolMax,
    connectionTimeoutMillis: options.acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    application_name: options.applicationName ?? 'tracker-api',
    keepAlive: true,
  });
  // An idle client's socket error (database restart, network cut) must not crash the process;
  // the pool drops that client and the next checkout opens a fresh one.
  pool.on('error', () => undefined);
  // A checked-out connection has no listener of the pool's, and an 'error' event without one
  // ends the process: a connection lost under a transaction opened on it directly
  // (open-transaction.ts) must fail its statement, not the process. pg marks the client
  // unusable and the pool drops it when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  foldPinsIntoBegin(pool);
  // The adapter's type promises a name for every query; it hands the value straight to pg,
  // where no name means an unnamed statement, which is what statement-names.ts answers for
  // everything but parameterized reads.
  const statementNameGenerator = options.preparedStatements === false ? undefined : (readStatementNames() as (query: NamedQuery) => string);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator }) });
  readOnConnections(pool, statementNameGenerator);
  let closing: Promise<void> | undefined;
  return {
    prisma,
    pool,
    options,
    close() {
      closing ??= (async () => {
        await prisma.$disconnect();
        if (!pool.ended) await pool.end();
      })();
      return closing;
    },
  };
}
