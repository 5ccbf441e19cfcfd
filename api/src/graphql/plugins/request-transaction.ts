// Commits the request's database transaction before Apollo sends the response, so a client
// never sees a write acknowledged that did not commit. A failed commit replaces the response.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { AppError } from '../../errors/app-error';
import type { Context } from '../context';

export function requestTransactionPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          try {
            await contextValue.finish(true);
          } catch (error) {
            if (response.body.kind !== 'single') throw error;
            const code = error instanceof AppError ? error.code : 'INTERNAL_SERVER_ERROR';
            const message = error instanceof AppError ? error.message : 'The changes could not be committed';
            response.body.singleResult = {
              data: null,
              errors: [new GraphQLError(message, { extensions: { code, requestId: contextValue.requestId } })],
            };
            response.http.status = code === 'SERVICE_UNAVAILABLE' ? 503 : 500;
          }
        },
      };
    },
  };
}
