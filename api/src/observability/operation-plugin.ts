// Notes each GraphQL operation's name, type, outcome and error codes in the request record (for
// the one log line per request) and counts them in the metrics.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Metrics } from './metrics';
import type { Context } from '../graphql/context';
import { recordOf } from './request-record';

export function observabilityPlugin(metrics: Metrics | undefined): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue, request }) {
      const record = recordOf(contextValue);
      let resolved = false;
      if (record && request.operationName) record.operationName = request.operationName;
      return {
        async didResolveOperation({ operationName, operation }) {
          resolved = true;
          if (!record) return;
          record.operationName = operationName ?? undefined;
          record.operationType = operation?.operation;
        },
        async willSendResponse({ response, operationName, operation }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          const outcome = !resolved ? 'rejected' : codes.length > 0 ? 'error' : 'ok';
          if (record) {
            record.outcome = outcome;
            if (codes.length > 0) record.errorCodes = [...new Set(codes)];
          }
          if (!metrics) return;
          metrics.countOperation(operationName ?? undefined, operation?.operation, outcome);
          errors.forEach((error, i) => {
            if (error.path) metrics.countResolverError(codes[i]!);
          });
        },
      };
    },
  };
}
