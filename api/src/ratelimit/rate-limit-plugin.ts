// Charges every GraphQL request over HTTP before it executes, refuses it with 429 RATE_LIMITED
// when a budget runs out, and puts the RateLimit headers on every response it charged. It runs
// before the Idempotency-Key plugin, so a refused request claims no key and writes nothing.
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import { errorBody } from '../errors/error-body';
import { httpStatusOf } from '../errors/error-code';
import type { Context } from '../graphql/context';
import { rateLimitHeaders, secondsUntilReset } from './rate-limit-headers';
import { selectsOnlyMetaFields } from './meta-only';
import { rateLimitSlotOf, type RateLimitSlot } from './rate-limit-slot';
import type { Charge, RateLimiter, RateLimitSubject } from './rate-limiter';
import { requestCost } from './request-cost';

async function subjectOf(context: Context, slot: RateLimitSlot, withOrganization: boolean): Promise<RateLimitSubject> {
  // Bad credentials are charged like none: a flood of forged tokens spends the address's budget.
  const caller = await context.optionalCaller().catch(() => null);
  if (!caller) return { kind: 'address', address: slot.clientAddress };
  // Only a proven member spends an organization's budget: naming someone else's organization in
  // x-org-id must not drain it. The membership check is the one the resolvers use (memoized).
  if (!withOrganization) return { kind: 'caller', userId: caller.userId };
  const orgId = await context.tenant().then(
    (tenant) => tenant.orgId,
    () => undefined,
  );
  return { kind: 'caller', userId: caller.userId, orgId };
}

function refusal(charge: Charge): GraphQLResponse {
  const retryAfterSeconds = secondsUntilReset(charge.binding.resetMs);
  const { policy } = charge.binding;
  const message = `Rate limit exceeded: this request costs ${charge.cost} points and the ${policy.name} budget of ${policy.points} points per ${policy.windowSeconds} s has ${charge.binding.remaining} left; retry in ${retryAfterSeconds} s`;
  return {
    http: { status: httpStatusOf('RATE_LIMITED'), headers: new HeaderMap() },
    body: { kind: 'single', singleResult: errorBody('RATE_LIMITED', message, { policy: policy.name, retryAfterSeconds }) },
  };
}

export function rateLimitPlugin(limiter: RateLimiter, mutationMinimumCost: number, logger: Logger): ApolloServerPlugin<Context> {
  const charge = async (context: Context, slot: RateLimitSlot, operation: OperationDefinitionNode | undefined): Promise<Charge | undefined> => {
    try {
      // Without an operation (invalid document), no organization: resolving the tenant would open
      // the request transaction after the plugin that closes it has already run. A document of
      // meta fields only ({ __typename }) reads no tenant's data: the caller pays, and no
      // transaction is opened just to prove a membership (no organization's budget is spent).
      const withOrganization = operation !== undefined && !selectsOnlyMetaFields(operation);
      const subject = await subjectOf(context, slot, withOrganization);
      slot.charge = await limiter.charge(subject, requestCost(context, operation?.operation, mutationMinimumCost));
    } catch (error) {
      // The stores do not throw (Redis failures fall back to memory); if one ever does, the
      // request is served uncharged rather than failed for the limiter's sake.
      logger.error({ err: error }, 'rate limits: charging a request failed');
    }
    return slot.charge;
  };
  return {
    async requestDidStart({ contextValue }) {
      const slot = rateLimitSlotOf(contextValue);
      if (!slot) return;
      return {
        async responseForOperation({ contextValue: context, operation }) {
          const made = await charge(context, slot, operation);
          return made?.isExceeded ? refusal(made) : null;
        },
        async willSendResponse({ contextValue: context, response }) {
          // A document that never became an operation (parse or validation error) pays 1 point.
          const made = slot.charge ?? (await charge(context, slot, undefined));
          if (!made) return;
          if (made.isExceeded && response.http.status !== httpStatusOf('RATE_LIMITED') && response.body.kind === 'single') {
            const refused = refusal(made);
            response.http.status = httpStatusOf('RATE_LIMITED');
            response.body = refused.body;
          }
          for (const [name, value] of Object.entries(rateLimitHeaders(made))) response.http.headers.set(name.toLowerCase(), value);
        },
      };
    },
  };
}
