// GraphQL over HTTP's status codes depend on the media type the client accepts: a request error
// (a document that does not parse or validate, variables that do not coerce) is HTTP 400 with
// application/graphql-response+json, but 200 with application/json, which older clients read as
// "look at `errors`" (the spec's legacy rule; no Accept header counts as application/json).
// Apollo answers 400 to both; this puts application/json back to 200.
import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';
import type { Context } from '../../graphql/context';

/** Codes of the errors that stop a request before execution, as graphql-js and Apollo raise them. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'OPERATION_RESOLUTION_FAILURE']);

/** The response media type Apollo picks: application/json unless the client prefers the newer one. */
export function prefersLegacyJson(accept: string | undefined): boolean {
  if (!accept) return true;
  const preferred = new Negotiator({ headers: { accept } }).mediaType(['application/json', 'application/graphql-response+json']);
  return preferred === 'application/json';
}

export function mediaTypeStatusPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      let isRequestError = false;
      return {
        async didEncounterErrors({ errors }) {
          // Before execution and with no field path: parsing, validation, variable coercion.
          isRequestError = errors.length > 0 && errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)) && !e.path);
        },
        async willSendResponse({ response }) {
          if (!isRequestError || response.http.status !== 400 || response.body.kind !== 'single') return;
          if (response.body.singleResult.data !== undefined) return;
          if (prefersLegacyJson(request.http?.headers.get('accept'))) response.http.status = 200;
        },
      };
    },
  };
}
