// Runs a subscription's source stream and executes its events with contexts of their own.
// graphql-js would reuse the subscription's context, and with it the DataLoader caches, for
// every event: an issue renamed an hour into the subscription would keep its old title.
// Instead each batch of events gets fresh loaders on a fresh (never request-scoped) TenantDb;
// the caller and membership checked at subscribe time carry over. Events already waiting
// when the client is ready for more run as one batch, so their issue and actor lookups share
// one query each instead of two queries per event.
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { PrismaClient } from '../../generated/prisma/client';
import { TenantDb, type TransactionLimits } from '../../db/tenant-db';
import type { Tenant } from '../../graphql/context';
import { createLoaders } from '../../graphql/loaders';
import type { RealtimeContext } from './realtime.resolver';

/** Events executed together at most; bounds what sits executed but unsent. */
const BATCH = 100;

type Execution = ExecutionResult | AsyncIterableIterator<ExecutionResult>;

interface BatchingSource {
  takeQueued?(max: number): unknown[];
}

export function freshContext(base: RealtimeContext, prisma: PrismaClient, limits: TransactionLimits): RealtimeContext {
  let tenant: Promise<Tenant> | undefined;
  return {
    ...base,
    tenant: () =>
      (tenant ??= base.tenant().then((shared) => {
        const db = new TenantDb(prisma, shared.orgId, shared.userId, limits);
        return { ...shared, db, loaders: createLoaders(db) };
      })),
  };
}

export function subscribeWithFreshContexts(prisma: PrismaClient, limits: TransactionLimits) {
  return async (args: ExecutionArgs): Promise<Execution> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
    const base = args.contextValue as RealtimeContext;
    const source = stream as AsyncIterable<unknown> & BatchingSource;
    const events = source[Symbol.asyncIterator]();
    let executed: ExecutionResult[] = [];
    const mapped: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const ready = executed.shift();
        if (ready) return { value: ready, done: false };
        const first = await events.next();
        if (first.done) return { value: undefined, done: true };
        const batch = [first.value, ...(source.takeQueued?.(BATCH - 1) ?? [])];
        const contextValue = freshContext(base, prisma, limits);
        executed = await Promise.all(batch.map((event) => execute({ ...args, rootValue: event, contextValue })));
        return { value: executed.shift()!, done: false };
      },
      async return() {
        executed = [];
        await events.return?.();
        return { value: undefined, done: true };
      },
      async throw(error?: unknown) {
        await events.return?.();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return mapped;
      },
    };
    return mapped;
  };
}
