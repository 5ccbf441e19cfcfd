// The Apollo Server for our schema: errors mapped to the contract's codes, hardening on.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { mapError } from '../errors/error-mapper';
import type { Metrics } from '../observability/metrics';
import { currentRequestId } from '../observability/request-scope';
import type { Context } from '../graphql/context';
import { onePasswordCheck } from './one-password-check';
import { CostInFlight } from './cost-in-flight';
import { chargeLongTextFields } from './long-text';
import { costPlugin } from './plugins/cost';
import { idempotencyPlugin } from './plugins/idempotency';
import { inputTextPlugin } from './plugins/input-text';
import { limitProtections } from './plugins/limits';
import { observabilityPlugin } from '../observability/operation-plugin';
import { requestTransactionPlugin } from './plugins/transaction-end';
import { mediaTypeStatusPlugin } from './plugins/media-type-status';
import { rateLimitPlugin } from '../ratelimit/rate-limit-plugin';
import type { RateLimiter } from '../ratelimit/rate-limiter';
import { responseSizePlugin } from './plugins/response-size';

export interface ApolloOptions {
  readonly schema: GraphQLSchema;
  readonly config: Config;
  readonly logger: Logger;
  readonly plugins?: readonly ApolloServerPlugin<Context>[];
  /** Where operation and error counts go; none in tests that build Apollo alone. */
  readonly metrics?: Metrics;
  /** Charges each HTTP request its cost; none in tests that build Apollo alone. */
  readonly rateLimiter?: RateLimiter;
}

export function createApollo(options: ApolloOptions): ApolloServer<Context> {
  const { config, logger } = options;
  const limits = limitProtections(config.limits, config.hardening);
  chargeLongTextFields(options.schema);
  return new ApolloServer<Context>({
    schema: options.schema,
    validationRules: [...limits.validationRules, onePasswordCheck],
    parseOptions: limits.parseOptions,
    introspection: config.graphqlIntrospection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: !config.hardening.fieldSuggestions,
    csrfPrevention: config.hardening.csrfPrevention,
    allowBatchedHttpRequests: config.hardening.batchedRequests,
    // Apollo's default APQ cache is in process memory: fine per instance, since a miss only
    // makes the client send the full document once more.
    ...(config.hardening.persistedQueries ? {} : { persistedQueries: false as const }),
    // Apollo's own SIGTERM handler would stop it at once (every request during the drain fails)
    // and then re-raise the signal; server/shutdown.ts stops it after the in-flight work instead.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => {
      const requestId = currentRequestId();
      const mapped = mapError(formatted, error, requestId);
      if (mapped.unexpected !== undefined) logger.error({ err: mapped.unexpected, requestId }, 'unexpected error in a GraphQL request');
      return mapped.formatted;
    },
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo installs cache control by default, which wraps every resolved field to collect
      // cache hints; nothing here caches responses, and on a page of issues it cost ~10% of CPU.
      ApolloServerPluginCacheControlDisabled(),
      ...(limits.plugins as ApolloServerPlugin<Context>[]),
      inputTextPlugin(),
      costPlugin(config.limits.maxCost, new CostInFlight(config.limits.costInFlight, config.limits.costQueueMs)),
      // After the cost (it charges it), before idempotency: a request refused for its rate limit must not claim its key.
      ...(options.rateLimiter ? [rateLimitPlugin(options.rateLimiter, config.rateLimits.mutationMinimumCost, logger)] : []),
      responseSizePlugin(),
      idempotencyPlugin(),
      requestTransactionPlugin(),
      observabilityPlugin(options.metrics),
      mediaTypeStatusPlugin(),
      ...(options.plugins ?? []),
    ],
  });
}
