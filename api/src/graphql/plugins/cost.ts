// Prices each operation before it runs (cost-model.ts), refuses it past GRAPHQL_MAX_COST with
// GRAPHQL_VALIDATION_FAILED (HTTP 400, before any resolver or SQL), and reports the cost in
// `extensions.cost` and the request record. It runs after validation rather than as a
// validation rule because the price depends on the variables (`first: $n`), and Apollo caches
// validation per document.
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { AppError } from '../../errors/app-error';
import type { Context } from '../context';
import { operationCost, type Variables } from '../cost-model';
import { recordOf } from './request-record';

/**
 * The cost of a request's document (its named operation, or its only one) with these
 * variables; 0 when no operation matches (the request fails before running anything).
 * The rate limiter charges this number.
 */
export function documentCost(schema: GraphQLSchema, document: DocumentNode, operationName?: string | null, variables?: Variables): number {
  const operation = getOperationAST(document, operationName);
  return operation ? operationCost(schema, document, operation, variables) : 0;
}

export function costPlugin(maxCost: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      let cost: number | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          cost = operationCost(schema, document, operation, request.variables);
          const record = recordOf(contextValue);
          if (record) record.cost = cost;
          if (cost > maxCost) {
            throw new AppError('GRAPHQL_VALIDATION_FAILED', `Query cost limit of ${maxCost} exceeded, found ${cost}.`, { details: { cost, maxCost } });
          }
        },
        async willSendResponse({ response }) {
          if (cost === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
}
