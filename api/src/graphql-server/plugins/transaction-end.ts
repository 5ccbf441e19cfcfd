// Ends the request's database transaction on every path out of a request, exactly once:
// - willSendResponse (the normal path) commits before Apollo sends the response, so a client
//   never sees a write acknowledged that did not commit; a failed commit replaces the response;
// - a mutation document that wrote and whose response would hide a write (data null, or a
//   top-level field null with an error: the contract's non-null mutation fields null out their
//   siblings) is rolled back whole and answered with data: null, so no committed write goes
//   unreported (a document that wrote nothing still commits: an Idempotency-Key keeps its
//   stored refusal);
// - a deadlock or serialization failure anywhere in the document rolls it back whole and is
//   answered as a retryable CONFLICT (never INTERNAL_SERVER_ERROR);
// - Apollo's unexpected-error path (a plugin that threw; Apollo skips willSendResponse there)
//   rolls back here, and the HTTP layer rolls back when the client's socket closes first
//   (server/app.ts), so no path leaves a pooled connection idle in transaction.
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { AppError } from '../../errors/app-error';
import { appErrorEntry } from '../../errors/error-body';
import { httpStatusOf, RETRY_AFTER_SECONDS } from '../../errors/error-code';
import type { Context } from '../../graphql/context';


/** True when the document's response would not show every write that is about to commit. */
function hidesAWrite(data: Record<string, unknown> | null | undefined, errors: readonly unknown[] | undefined): boolean {
  if (!errors?.length) return false;
  if (data === null || data === undefined) return true;
  return Object.values(data).some((value) => value === null);
}

async function endRequest({ contextValue, response, operation }: GraphQLRequestContext<Context>): Promise<void> {
  const body = response.body;
  const single = body?.kind === 'single' ? body.singleResult : undefined;
  if (single && operation?.operation === 'mutation') {
    const conflict = (single.errors ?? []).some((e) => e.extensions?.code === 'CONFLICT' && e.extensions?.retryAfterSeconds !== undefined);
    if (conflict || (contextValue.hasWritten() && hidesAWrite(single.data, single.errors))) {
      await contextValue.finish(false).catch(() => undefined);
      single.data = null;
      if (conflict) response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
      return;
    }
  }
  try {
    await contextValue.finish(true);
  } catch (error) {
    if (body?.kind !== 'single') throw error;
    const failure = error instanceof AppError ? error : new AppError('INTERNAL_SERVER_ERROR', 'The changes could not be committed');
    body.singleResult = { data: null, errors: [appErrorEntry(failure, { requestId: contextValue.requestId })] };
    response.http.status = httpStatusOf(failure.code);
  }
}

export function requestTransactionPlugin(): ApolloServerPlugin<Context> {
  return {
    async unexpectedErrorProcessingRequest({ requestContext }) {
      await (requestContext.contextValue as Partial<Context>).finish?.(false).catch(() => undefined);
    },
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation }) {
          if (operation?.operation === 'mutation') contextValue.declareMutation();
        },
        async willSendResponse(requestContext) {
          await endRequest(requestContext);
        },
      };
    },
  };
}
