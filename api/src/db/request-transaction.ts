// One database transaction per GraphQL request: opened on first use with the tenant pinned,
// shared by every read and write of the request, committed before the response leaves.
// It saves a BEGIN/set_config/COMMIT round trip per DataLoader batch, and a request's reads
// all see the same tenant setting. Writes run inside a savepoint each, so a refused mutation
// leaves nothing behind while the others in the same document still commit.
import type { PrismaClient } from '../generated/prisma/client';
import { AppError } from '../errors/app-error';
import { translateDatabaseError } from './database-errors';
import type { TransactionLimits } from './transaction-limits';
import type { Tx } from './tx';

/** Thrown inside the interactive transaction to make Prisma roll it back. */
class Rollback extends Error {}

export class RequestTransaction {
  private opened: Promise<Tx> | undefined;
  private settled: Promise<void> | undefined;
  private finishWith: ((commit: boolean) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private broken: unknown;
  private pinResult: unknown;
  private hasWritten = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly pin: (tx: Tx) => Promise<unknown>,
    private readonly limits: TransactionLimits,
  ) {}

  /** Runs `fn` on the request's transaction; calls run one at a time, in call order. */
  use<T>(fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
    const result = this.queue.then(() => this.execute(fn, isWrite));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** What the pinning statement returned (it runs when the transaction opens). */
  async pinned<T>(): Promise<T> {
    return this.use(async () => this.pinResult as T, false);
  }

  /**
   * Commits (or rolls back) once the queued work is done; a no-op if nothing ran. When a
   * failed statement broke the transaction after a write succeeded, that write is lost with
   * the rollback: this throws, so the response can't claim it happened.
   */
  async finish(commit: boolean): Promise<void> {
    await this.queue;
    if (!this.opened) return;
    await this.opened.catch(() => undefined);
    const isBroken = this.broken !== undefined;
    this.finishWith?.(commit && !isBroken);
    await this.settled;
    if (commit && isBroken && this.hasWritten) throw this.broken;
  }

  private async execute<T>(fn: (tx: Tx) => Promise<T>, isWrite: boolean): Promise<T> {
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
      this.hasWritten = true;
      return result;
    } catch (error) {
      await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT request_write').catch((rollbackError: unknown) => {
        this.broken = translateDatabaseError(rollbackError);
      });
      throw translateDatabaseError(error);
    }
  }

  private open(): Promise<Tx> {
    this.opened ??= new Promise<Tx>((resolveTx, rejectTx) => {
      const settled = this.prisma
        .$transaction(
          async (tx) => {
            this.pinResult = await this.pin(tx);
            const commit = await new Promise<boolean>((resolve) => {
              this.finishWith = resolve;
              resolveTx(tx);
            });
            if (!commit) throw new Rollback();
          },
          { maxWait: this.limits.acquireTimeoutMs, timeout: this.limits.transactionTimeoutMs },
        )
        .catch((error: unknown) => {
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
    return this.opened;
  }
}
