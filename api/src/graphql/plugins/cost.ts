// Reports each operation's computed cost in the response as `extensions.cost` (and in the
// request record for the log). Apollo caches validated documents, so the armor rule does not run
// on every request: the cost is computed here once per operation node and remembered.
import type { ApolloServerPlugin } from '@apollo/server';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { Kind, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Context } from '../context';
import { COST_WEIGHTS } from './limits';
import { recordOf } from './request-record';

function computeCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): number {
  let cost = 0;
  // Only this operation and the fragments, so the rule's single callback is about it.
  const single: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  const rule = costLimitRule({
    ...COST_WEIGHTS,
    maxCost: Number.POSITIVE_INFINITY,
    propagateOnRejection: false,
    onAccept: [(_context, details: { n: number }) => (cost = details.n)],
  });
  validate(schema, single, [rule]);
  return cost;
}

export function costPlugin(): ApolloServerPlugin<Context> {
  const costs = new WeakMap<OperationDefinitionNode, number>();
  return {
    async requestDidStart({ contextValue }) {
      let cost: number | undefined;
      return {
        async didResolveOperation({ schema, document, operation }) {
          if (!operation) return;
          cost = costs.get(operation);
          if (cost === undefined) {
            cost = computeCost(schema, document, operation);
            costs.set(operation, cost);
          }
          const record = recordOf(contextValue);
          if (record) record.cost = cost;
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
