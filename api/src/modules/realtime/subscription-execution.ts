// Runs a subscription's source stream and executes its events with contexts of their own.
// graphql-js would reuse the subscription's context, and with it the DataLoader caches, for
// every event: an issue renamed an hour into the subscription would keep its old title.
// Instead each batch of events gets fresh loaders on a fresh (never request-scoped) TenantDb,
// and the membership is looked up again first: a member removed since subscribing gets no
// further event (the connection closes instead). Events already waiting
// when the client is ready for more run as one batch, so their issue and actor lookups share
// one query each instead of two queries per event.
import { GraphQLError, createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { RealtimeContext } from './realtime.resolver';

/** Events executed together at most; bounds what sits executed but unsent. */
const BATCH = 100;

type Execution = ExecutionResult | AsyncIterableIterator<ExecutionResult>;

interface BatchingSource {
  takeQueued?(max: number): unknown[];
  /** What was handed out has been sent (its memory may be counted as free). */
  settle?(): void;
}

/** The batch's context: the tenant as of now (membership and role read again), or the refusal. */
async function freshContext(base: RealtimeContext): Promise<RealtimeContext> {
  const membership = base.realtime?.membership;
  if (!membership) return base;
  const tenant = Promise.resolve(await membership.current());
  return { ...base, tenant: () => tenant };
}

/**
 * Errors with no path come from before the subscribe resolver ran: variables that do not
 * coerce. They are the client's mistake (BAD_USER_INPUT, as over HTTP), not ours.
 */
function requestErrorsAsInput(result: ExecutionResult): ExecutionResult {
  if (!result.errors) return result;
  return {
    ...result,
    errors: result.errors.map((error) =>
      error.path === undefined && error.extensions.code === undefined && (error.originalError === undefined || error.originalError instanceof GraphQLError)
        ? new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'BAD_USER_INPUT' } })
        : error,
    ),
  };
}

export function subscribeWithFreshContexts() {
  return async (args: ExecutionArgs): Promise<Execution> => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return requestErrorsAsInput(stream as ExecutionResult);
    const base = args.contextValue as RealtimeContext;
    const source = stream as AsyncIterable<unknown> & BatchingSource;
    const events = source[Symbol.asyncIterator]();
    let executed: ExecutionResult[] = [];
    const mapped: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        const ready = executed.shift();
        if (ready) return { value: ready, done: false };
        // graphql-ws asks for the next result only once the previous one is sent.
        source.settle?.();
        const first = await events.next();
        if (first.done) return { value: undefined, done: true };
        const batch = [first.value, ...(source.takeQueued?.(BATCH - 1) ?? [])];
        let contextValue: RealtimeContext;
        try {
          contextValue = await freshContext(base);
        } catch (error) {
          // Fail closed: nothing of the batch is sent without a membership behind it.
          base.realtime?.onAccessLost(error);
          await events.return?.();
          return { value: undefined, done: true };
        }
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
