// Reads straight on a request transaction's connection, for the compiled statements that answer
// the hot root fields. Prisma's raw query path turns every cell into a tagged value of its own
// and then back into the row object; pg's row objects already carry the values Prisma would
// hand back for these statements' columns (uuid and text as strings, int4 and float8 as
// numbers, timestamptz as Date, json parsed), so that round trip through Prisma is pure cost:
// about a tenth of the API's CPU on a board page.
//
// The connection is the one Prisma's interactive transaction checked out, so the statement runs
// inside that transaction, under its pin: row-level security and the tenant are exactly as for
// a Prisma read. A reader is good for one checkout only: once the connection goes back to the
// pool (a commit, a rollback, Prisma's transaction timeout) it refuses, so a late read can
// never run on a connection another request has taken.
import type { Pool, PoolClient } from 'pg';
import type { Prisma } from '../generated/prisma/client';
import type { NamedQuery } from './statement-names';

/** Rows of one read statement, on the connection the reader was made for. */
export type RowReader = <T>(sql: Prisma.Sql) => Promise<T[]>;

type Namer = (query: NamedQuery) => string | undefined;

interface Checkout {
  /** Bumped on every checkout and return: a reader holds the value it was made under. */
  epoch: number;
  readonly name: Namer | undefined;
}

const checkouts = new WeakMap<PoolClient, Checkout>();

/** The transaction the reader belonged to is over: its connection is not ours any more. */
export class ConnectionReturnedError extends Error {
  constructor() {
    super('the request transaction ended before this read (its connection went back to the pool)');
    this.name = 'ConnectionReturnedError';
  }
}

/** Lets rowReader() serve this pool's connections, with reads named as `name` says (statement-names.ts). */
export function readOnConnections(pool: Pool, name?: Namer): void {
  const bump = (client: PoolClient) => {
    const known = checkouts.get(client);
    if (known) known.epoch++;
    else checkouts.set(client, { epoch: 0, name });
  };
  pool.on('acquire', bump);
  pool.on('release', (_error: Error | undefined, client: PoolClient) => bump(client));
}

/** A reader for the transaction now holding `client`; undefined for a pool readOnConnections never saw. */
export function rowReader(client: PoolClient): RowReader | undefined {
  const checkout = checkouts.get(client);
  if (!checkout) return undefined;
  const epoch = checkout.epoch;
  return async <T>(sql: Prisma.Sql): Promise<T[]> => {
    if (checkout.epoch !== epoch) throw new ConnectionReturnedError();
    const text = sql.text;
    const values = sql.values;
    const result = await client.query({ name: checkout.name?.({ sql: text, args: values }), text, values });
    return result.rows as T[];
  };
}
