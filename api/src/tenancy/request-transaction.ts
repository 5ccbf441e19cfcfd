// One database transaction per GraphQL request, whatever the document selects: opened on first
// use with the caller and (with x-org-id) the tenant pinned in one statement, shared by every
// read and write of the request, user-scoped (viewer, organizations) and tenant-scoped alike,
// and ended exactly once. A request therefore never holds two pooled connections (on a pool or
// database of one session it used to wait for itself), and its reads all see one tenant setting.
// Writes run inside a savepoint each, so a refused mutation leaves nothing of its own behind;
// whether the others commit is the request-transaction plugin's decision (all or nothing when
// the response would hide a write).
import type { Prisma, PrismaClient } from '../generated/prisma/client';
import type { Role } from '../generated/prisma/enums';
import { AppError } from '../errors/app-error';
import { translateDatabaseError } from '../errors/database-errors';
import type { TransactionLimits } from '../db/transaction-limits';
import type { Tx } from '../db/tx';
import { pinnedTransaction } from '../db/pinned-begin';
import { rowReader, type RowReader } from '../db/connection-reads';

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
  private opened: Promise<Tx> | undefined;
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
  ) {}

  /** Runs `fn` on the request's transaction; calls run one at a time, in call order. */
  use<T>(fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
    const result = this.queue.then(() => this.execute(fn, isWrite));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * The rows of one read statement, in call order with use(), for `orgId`'s scope as useIn()
   * ('' for the caller's own). Under the pinned tenant it goes straight to the connection where
   * the connection is known (db/connection-reads.ts).
   */
  rowsIn<T>(orgId: string, sql: Prisma.Sql): Promise<T[]> {
    if (orgId !== '' && orgId !== this.pinnedOrg()) return this.useIn(orgId, (tx) => tx.$queryRaw<T[]>(sql), false);
    return this.use((tx) => (this.reader ? this.reader<T>(sql) : tx.$queryRaw<T[]>(sql)), false);
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
    this.finishWith?.(commit && !isBroken);
    await this.settled;
    if (commit && isBroken && this.wrote) throw this.broken;
  }

  private pinnedOrg(): string {
    return this.refusal === undefined ? (this.scope.orgId ?? '') : '';
  }

  private async execute<T>(fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
    if (this.closed) throw new AppError('SERVICE_UNAVAILABLE', 'The request has already ended');
    if (this.broken !== undefined) throw this.broken;
    const tx = await this.open();
    if (!isWrite) {
      try {
        return await fn(tx);
      } catch (error) {
        // A refusal of ours (not found, forbidden) leaves the transaction usable; a failed
        // statement makes PostgreSQL abort it, so later work in this request can't run on it.
        if (error instanceof AppError) throw error;
        this.broken = translateDatabaseError(error);
        throw this.broken;
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

  private open(): Promise<Tx> {
    this.opened ??= this.begin(this.scope.orgId ?? '').catch((error: unknown) => {
      // Not a member of the x-org-id tenant: tenant() answers FORBIDDEN, and the caller's own
      // fields (viewer, organizations) still run, in a transaction pinned to the caller alone.
      if (this.scope.orgId === undefined || !(error instanceof AppError && error.code === 'FORBIDDEN')) throw error;
      this.refusal = error;
      return this.begin('');
    });
    return this.opened;
  }

  private begin(orgId: string): Promise<Tx> {
    const { userId } = this.scope;
    const lock = orgId !== '' && this.scope.locksMembership();
    return new Promise<Tx>((resolveTx, rejectTx) => {
      // The pin travels with BEGIN (pinned-begin.ts): one round trip opens and pins.
      const settled = pinnedTransaction(
          this.prisma,
          { orgId, userId, lock },
          async (tx, role, connection) => {
            this.role = role;
            this.reader = connection && rowReader(connection);
            const commit = await new Promise<boolean>((resolve) => {
              this.finishWith = resolve;
              resolveTx(tx);
            });
            if (!commit) throw new Rollback();
          },
          { maxWait: this.limits.acquireTimeoutMs, timeout: this.limits.transactionTimeoutMs },
        ).catch((error: unknown) => {
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
