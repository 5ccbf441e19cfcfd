// One database transaction per GraphQL request, whatever the document selects: opened on first
// use with the caller and (with x-org-id) the tenant pinned in one statement, shared by every
// read and write of the request, user-scoped (viewer, organizations) and tenant-scoped alike,
// and ended exactly once. A request therefore never holds two pooled connections (on a pool or
// database of one session it used to wait for itself), and its reads all see one tenant setting.
// Writes run inside a savepoint each, so a refused mutation leaves nothing of its own behind;
// whether the others commit is the request-transaction plugin's decision (all or nothing when
// the response would hide a write).
//
// A query's transaction opens on the connection directly (db/open-transaction.ts) and its
// compiled reads run there; Prisma's interactive transaction takes it over only when a read
// needs Prisma's client. A mutation's opens as Prisma's from the start.
import type { Pool } from 'pg';
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Role } from '../generated/prisma/enums';
import { AppError } from '../errors/app-error';
import { translateDatabaseError } from '../errors/database-errors';
import type { TransactionLimits } from '../db/transaction-limits';
import type { Tx } from '../db/tx';
import { literalSafe, pinnedTransaction, type Pin } from '../db/pinned-begin';
import { rowReader, type RowReader } from '../db/connection-reads';
import { OpenTransaction } from '../db/open-transaction';

/** Thrown inside the interactive transaction to make Prisma roll it back. */
class Rollback extends Error {}

export interface RequestCaller {
  readonly userId: string;
  /** The tenant named by x-org-id, if any. */
  readonly orgId: string | undefined;
  /**
   * Asked when the transaction opens: true for mutations, whose pin share-locks the caller's
   * membership row until the commit, so the role checked is still the role when writes land.
   */
  readonly locksMembership: () => boolean;
}

export class RequestTransaction {
  /** Settles once the transaction is open (or could not be opened). */
  private opened: Promise<void> | undefined;
  /** A query's transaction on its connection, until Prisma takes it over. */
  private direct: OpenTransaction | undefined;
  /** Prisma's interactive transaction: a mutation's from the start, a query's once taken over. */
  private prismaTx: Promise<Tx> | undefined;
  private settled: Promise<void> | undefined;
  private finishWith: ((commit: boolean) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private broken: unknown;
  private refusal: unknown;
  private role: Role | null = null;
  /** Reads on the transaction's connection, past Prisma's client; none if the pin did not fold. */
  private reader: RowReader | undefined;
  private wrote = false;
  /** finish() was called: later calls only wait for the outcome. */
  private ended = false;
  /** The transaction is over: work queued after finish() is refused. */
  private closed = false;

  constructor(
    private readonly prisma: PrismaClient,
    readonly scope: RequestCaller,
    private readonly limits: TransactionLimits,
    /** The pool under `prisma`: with it, a query's transaction opens on a connection directly. */
    private readonly pool?: Pool,
  ) {}

  /** Runs `fn` on the request's transaction; calls run one at a time, in call order. */
  use<T>(fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
    return this.enqueue(() => this.execute(fn, isWrite));
  }

  /**
   * The rows of one read statement, in call order with use(), for `orgId`'s scope as useIn()
   * ('' for the caller's own). Under the pinned tenant it goes straight to the connection where
   * the connection is known (db/connection-reads.ts), without Prisma's client.
   */
  rowsIn<T>(orgId: string, sql: Prisma.Sql): Promise<T[]> {
    if (orgId !== '' && orgId !== this.pinnedOrg()) return this.useIn(orgId, (tx) => tx.$queryRaw<T[]>(sql), false);
    return this.enqueue(() => this.readRows<T>(sql));
  }

  /**
   * Like use(), with app.org_id set to another organization for the duration of `fn` (an
   * organization the caller just created, or the members of one of their organizations), and
   * set back to the request's tenant afterwards. Calls never interleave, so nothing else runs
   * under the borrowed scope.
   */
  useIn<T>(orgId: string, fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
    if (orgId === this.pinnedOrg()) return this.use(fn, isWrite);
    const setOrg = (tx: Tx, value: string) => tx.$executeRaw`SELECT set_config('app.org_id', ${value}, true)`;
    return this.use(async (tx) => {
      await setOrg(tx, orgId);
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        // A refusal of ours leaves the transaction usable: the scope must come back. (After a
        // failed statement it can't run, and the transaction is given up anyway.)
        await setOrg(tx, this.pinnedOrg()).catch(() => undefined);
        throw error;
      }
      await setOrg(tx, this.pinnedOrg());
      return result;
    }, isWrite);
  }

  /** Whether a write (a mutation's savepoint) has succeeded in this transaction. */
  get hasWritten(): boolean {
    return this.wrote;
  }

  /** The caller's role in the x-org-id tenant, checked (and for mutations locked) by the pin. */
  async tenantRole(): Promise<Role> {
    await this.open();
    if (this.refusal !== undefined) throw this.refusal;
    // The pin raises for a non-member; no role means no tenant was pinned (no x-org-id): a bug.
    if (this.role === null) throw new Error('tenantRole() on a request without a tenant');
    return this.role;
  }

  /**
   * Commits (or rolls back) once the queued work is done; a no-op if nothing ran, and after the
   * first call. When a failed statement broke the transaction after a write succeeded, that
   * write is lost with the rollback: this throws, so the response can't claim it happened.
   */
  async finish(commit: boolean): Promise<void> {
    if (this.ended) return this.settled?.catch(() => undefined);
    this.ended = true;
    await this.queue;
    this.closed = true;
    if (!this.opened) return;
    await this.opened.catch(() => undefined);
    const isBroken = this.broken !== undefined;
    if (this.direct && !this.direct.adopted) {
      this.settled = this.direct.end(commit && !isBroken).catch((error: unknown) => {
        throw translateDatabaseError(error);
      });
      return this.settled;
    }
    this.finishWith?.(commit && !isBroken);
    await this.settled;
    if (commit && isBroken && this.wrote) throw this.broken;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private pinnedOrg(): string {
    return this.refusal === undefined ? (this.scope.orgId ?? '') : '';
  }

  /** A failed statement aborts the transaction in PostgreSQL: later work in this request can't run on it. */
  private breakOn(error: unknown): unknown {
    // A refusal of ours (not found, forbidden) leaves the transaction usable.
    if (error instanceof AppError) return error;
    this.broken = translateDatabaseError(error);
    return this.broken;
  }

  private async readRows<T>(sql: Prisma.Sql): Promise<T[]> {
    if (this.closed) throw new AppError('SERVICE_UNAVAILABLE', 'The request has already ended');
    if (this.broken !== undefined) throw this.broken;
    await this.open();
    try {
      if (this.direct && !this.direct.adopted) return await this.direct.rows<T>(sql);
      if (this.reader) return await this.reader<T>(sql);
      const tx = await this.transactionClient();
      return await tx.$queryRaw<T[]>(sql);
    } catch (error) {
      throw this.breakOn(error);
    }
  }

  private async execute<T>(fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
    if (this.closed) throw new AppError('SERVICE_UNAVAILABLE', 'The request has already ended');
    if (this.broken !== undefined) throw this.broken;
    await this.open();
    const tx = await this.transactionClient();
    if (!isWrite) {
      try {
        return await fn(tx);
      } catch (error) {
        throw this.breakOn(error);
      }
    }
    await tx.$executeRawUnsafe('SAVEPOINT request_write');
    try {
      const result = await fn(tx);
      await tx.$executeRawUnsafe('RELEASE SAVEPOINT request_write');
      this.wrote = true;
      return result;
    } catch (error) {
      await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT request_write').catch((rollbackError: unknown) => {
        this.broken = translateDatabaseError(rollbackError);
      });
      throw translateDatabaseError(error);
    }
  }

  private open(): Promise<void> {
    this.opened ??= this.begin(this.scope.orgId ?? '').catch((error: unknown) => {
      // Not a member of the x-org-id tenant: tenant() answers FORBIDDEN, and the caller's own
      // fields (viewer, organizations) still run, in a transaction pinned to the caller alone.
      if (this.scope.orgId === undefined || !(error instanceof AppError && error.code === 'FORBIDDEN')) throw error;
      this.refusal = error;
      return this.begin('');
    });
    return this.opened;
  }

  /** Prisma's transaction client: the mutation's, or Prisma taking the query's open transaction over. */
  private transactionClient(): Promise<Tx> {
    if (!this.prismaTx) {
      const direct = this.direct!;
      this.prismaTx = this.hold((hold) => direct.adopt(this.prisma, hold));
    }
    return this.prismaTx;
  }

  private async begin(orgId: string): Promise<void> {
    const pin: Pin = { orgId, userId: this.scope.userId, lock: orgId !== '' && this.scope.locksMembership() };
    if (this.pool && !pin.lock && literalSafe(pin)) {
      try {
        this.direct = await OpenTransaction.open(this.pool, pin, this.limits.transactionTimeoutMs);
      } catch (error) {
        throw translateDatabaseError(error);
      }
      this.role = this.direct.role;
      return;
    }
    // The pin travels with BEGIN (pinned-begin.ts): one round trip opens and pins.
    this.prismaTx = this.hold((hold) =>
      pinnedTransaction(
        this.prisma,
        pin,
        (tx, role, connection) => {
          this.role = role;
          this.reader = connection && rowReader(connection);
          return hold(tx);
        },
        { maxWait: this.limits.acquireTimeoutMs, timeout: this.limits.transactionTimeoutMs },
      ),
    );
    await this.prismaTx;
  }

  /**
   * Starts a Prisma transaction with `start` and keeps it open until finish(): resolves with its
   * client as soon as it runs; its outcome (commit, rollback, failure) is `settled`.
   */
  private hold(start: (hold: (tx: Tx) => Promise<void>) => Promise<void>): Promise<Tx> {
    return new Promise<Tx>((resolveTx, rejectTx) => {
      const settled = start(async (tx) => {
        const commit = await new Promise<boolean>((resolve) => {
          this.finishWith = resolve;
          resolveTx(tx);
        });
        if (!commit) throw new Rollback();
      }).catch((error: unknown) => {
        if (error instanceof Rollback) return;
        const translated = translateDatabaseError(error);
        rejectTx(translated);
        throw translated;
      });
      // finish() awaits the outcome; this branch only keeps an unawaited failure from
      // becoming an unhandled rejection.
      settled.catch(() => undefined);
      this.settled = settled;
    });
  }
}
