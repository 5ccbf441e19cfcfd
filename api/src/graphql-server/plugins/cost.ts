// Prices each operation before it runs (cost-model.ts), refuses it past GRAPHQL_MAX_COST with
// GRAPHQL_VALIDATION_FAILED (HTTP 400, before any resolver or SQL), holds it in the instance's
// in-flight budget (GRAPHQL_COST_IN_FLIGHT) while it runs, and reports the cost in
// `extensions.cost` and the request record. It runs after validation rather than as a
// validation rule because the price depends on the variables (`first: $n`), and Apollo caches
// validation per document.
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { AppError } from '../../errors/app-error';
import { RETRY_AFTER_SECONDS } from '../../errors/error-code';
import type { Context } from '../../graphql/context';
import { CostInFlight } from '../cost-in-flight';
import { operationCost, type Variables } from '../cost-model';
import { currentReservation } from '../response-budget';
import { recordOf } from '../../observability/request-record';

/**
 * The cost of a request's document (its named operation, or its only one) with these
 * variables; 0 when no operation matches (the request fails before running anything).
 * The rate limiter charges this number.
 */
export function documentCost(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Variables): number {
  const operation = getOperationAST(document, operationName);
  return operation ? operationCost(schema, document, operation, variables) : 0;
}

/** The operation's cost is held from its start until its result is complete (then the response budget takes over). */
export function costPlugin(maxCost: number, inFlight: CostInFlight): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      let cost: number | undefined;
      let release: (() => void) | undefined;
      let busy = false;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          cost = operationCost(schema, document, operation, request.variables);
          const record = recordOf(contextValue);
          if (record) record.cost = cost;
          if (cost > maxCost) {
            throw new AppError('GRAPHQL_VALIDATION_FAILED', `Query cost limit of ${maxCost} exceeded, found ${cost}.`, { details: { cost, maxCost } });
          }
          try {
            release = await inFlight.acquire(cost);
          } catch (error) {
            busy = true;
            throw error;
          }
          // Also when the client goes away and no response is sent.
          currentReservation()?.onRelease(release);
        },
        async willSendResponse({ response }) {
          release?.();
          if (busy) response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
          if (cost === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
}
