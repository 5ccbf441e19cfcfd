// The Apollo Server for our schema: errors mapped to the contract's codes, hardening on.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { mapError } from '../errors/error-mapper';
import { currentRequestId } from '../server/request-scope';
import type { Context } from './context';

export interface ApolloOptions {
  readonly schema: GraphQLSchema;
  readonly config: Config;
  readonly logger: Logger;
  readonly plugins?: readonly ApolloServerPlugin<Context>[];
}

export function createApollo(options: ApolloOptions): ApolloServer<Context> {
  const { config, logger } = options;
  return new ApolloServer<Context>({
    schema: options.schema,
    introspection: config.graphqlIntrospection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    persistedQueries: false,
    formatError: (formatted, error) => {
      const requestId = currentRequestId();
      const mapped = mapError(formatted, error, requestId);
      if (mapped.unexpected !== undefined) logger.error({ err: mapped.unexpected, requestId }, 'unexpected error in a GraphQL request');
      return mapped.formatted;
    },
    plugins: [ApolloServerPluginLandingPageDisabled(), ...(options.plugins ?? [])],
  });
}
