// A request's read transaction on a pooled connection checked out directly: BEGIN with the pin
// in one round trip (pinned-begin.ts folds it), reads straight on the connection
// (connection-reads.ts), then COMMIT and back to the pool. Prisma's interactive transaction
// costs about a tenth of a small read's CPU (its transaction manager, its client proxy, BEGIN
// and COMMIT through its engine) and a read answered by compiled statements never needs it;
// when something does need Prisma's client, Prisma takes this open transaction over
// (adoptTransaction) and ends it as one of its own.
//
// A lost connection fails the statement in flight, never the process: every connection of the
// pool has an error listener from its first checkout on (openDatabase).
//
// Bounded like Prisma's: the checkout waits at most the pool's acquire timeout, and the
// transaction lives at most `timeoutMs`; when that runs out it is rolled back and the connection
// goes back to the pool, and any later read is refused instead of running on a connection
// another request may hold by then.
import type { Pool, PoolClient } from 'pg';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Role } from '../generated/prisma/enums';
import { ConnectionReturnedError, rowReader, type RowReader } from './connection-reads';
import { adoptTransaction, beginPinned, type Pin } from './pinned-begin';
import type { Tx } from './tx';

type State = 'open' | 'adopted' | 'ended';

export class OpenTransaction {
  #state: State = 'open';
  #expired = false;
  readonly #openedAt = Date.now();
  readonly #timer: NodeJS.Timeout;
  readonly #reader: RowReader;

  private constructor(
    private readonly client: PoolClient,
    readonly role: Role | null,
    private readonly timeoutMs: number,
  ) {
    this.#reader = rowReader(client) ?? ((sql) => client.query({ text: sql.text, values: sql.values }).then((result) => result.rows));
    this.#timer = setTimeout(() => void this.expire(), timeoutMs);
    this.#timer.unref();
  }

  /** Checks out a connection and opens the pinned transaction; a refused pin throws (FORBIDDEN once translated). */
  static async open(pool: Pool, pin: Pin, timeoutMs: number): Promise<OpenTransaction> {
    const client = await pool.connect();
    // A refused pin (FORBIDDEN) or a failed BEGIN: roll back, and hand the connection back (closed
    // by the pool if even the ROLLBACK failed).
    const giveUp = async (reason: unknown): Promise<never> => {
      await client.query('ROLLBACK').then(() => client.release(), (error: Error) => client.release(error));
      throw reason;
    };
    const begun = await beginPinned(client, pin).catch(giveUp);
    if (begun.refusal !== undefined) return giveUp(begun.refusal);
    return new OpenTransaction(client, begun.role, timeoutMs);
  }

  /** Whether Prisma has taken the transaction over (it ends it then, not end()). */
  get adopted(): boolean {
    return this.#state === 'adopted';
  }

  /** The rows of one read statement, in this transaction. */
  rows<T>(sql: Prisma.Sql): Promise<T[]> {
    if (this.#state === 'ended') return Promise.reject(new ConnectionReturnedError());
    return this.#reader<T>(sql);
  }

  /** Runs prisma.$transaction(fn) over this transaction; Prisma commits or rolls back and releases. */
  adopt<T>(prisma: PrismaClient, fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.#state !== 'open') return Promise.reject(new ConnectionReturnedError());
    this.#state = 'adopted';
    clearTimeout(this.#timer);
    const left = Math.max(1, this.timeoutMs - (Date.now() - this.#openedAt));
    return adoptTransaction(prisma, this.client, fn, { maxWait: left, timeout: left });
  }

  /** COMMIT (or ROLLBACK) and back to the pool. Committing a transaction that ran out of time throws. */
  async end(commit: boolean): Promise<void> {
    if (this.#state === 'adopted') throw new Error('end() on a transaction Prisma took over');
    if (this.#state === 'ended') {
      if (commit && this.#expired) throw new ConnectionReturnedError();
      return;
    }
    this.#state = 'ended';
    await this.close(commit);
  }

  private async expire(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#state = 'ended';
    this.#expired = true;
    await this.close(false).catch(() => undefined);
  }

  private async close(commit: boolean): Promise<void> {
    clearTimeout(this.#timer);
    try {
      await this.client.query(commit ? 'COMMIT' : 'ROLLBACK');
    } catch (error) {
      this.release(error as Error);
      throw error;
    }
    this.release();
  }

  private release(error?: Error): void {
    // With an error the pool closes the connection instead of handing it out again.
    this.client.release(error);
  }
}
