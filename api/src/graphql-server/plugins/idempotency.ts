// Idempotency-Key for mutations (the Stripe convention, IETF draft "The Idempotency-Key HTTP
// Header Field"). The guarantee rests on the organization's request transaction (one
// transaction per GraphQL request, committed just before the response leaves):
//   1. before execution the key is claimed IN that transaction (advisory lock + row insert);
//   2. the mutation's writes run in it;
//   3. after execution the response is stored IN it, and the commit makes all three durable
//      at once. A process killed at any point before the commit leaves nothing behind (the
//      connection drops, PostgreSQL rolls back and frees the lock), so the retry executes
//      afresh; after the commit the retry finds the stored response and replays it.
// A response carrying a retryable error (ERROR_CODES' retryable: SERVICE_UNAVAILABLE,
// INTERNAL_SERVER_ERROR, RATE_LIMITED) is rolled back whole instead, so "retry with the same key" always means "it did not happen".
import type { ApolloServerPlugin, GraphQLRequestContext, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { AppError } from '../../errors/app-error';
import { appErrorEntry, errorBody, type ErrorExtensions } from '../../errors/error-body';
import { httpStatusOf, isRetryable, requestErrorStatus, RETRY_AFTER_SECONDS, type ErrorCode } from '../../errors/error-code';
import { claimKey, storeResponse, type KeyScope, type StoredResponse } from '../../modules/idempotency/idempotency-store';
import { isValidIdempotencyKey, KEYLESS_MUTATIONS, MAX_FINGERPRINT_DEPTH, nestsDeeperThan, requestFingerprint, topLevelFields, VariablesTooDeep } from '../../modules/idempotency/request-identity';
import type { Context, Tenant } from '../../graphql/context';

function refusal(code: ErrorCode, message: string, extra: ErrorExtensions = {}, status = httpStatusOf(code)): GraphQLResponse {
  const headers = new HeaderMap();
  // A key still in flight is worth retrying (its CONFLICT says when), as is anything retryable.
  if (code === 'CONFLICT' || isRetryable(code)) headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  return { http: { status, headers }, body: { kind: 'single', singleResult: errorBody(code, message, extra) } };
}

function tooDeep(): GraphQLResponse {
  return refusal('BAD_USER_INPUT', `Variables may nest at most ${MAX_FINGERPRINT_DEPTH} levels deep`, { field: 'variables' }, requestErrorStatus('BAD_USER_INPUT'));
}

function replay(stored: StoredResponse): GraphQLResponse {
  const headers = new HeaderMap();
  headers.set('idempotent-replayed', 'true');
  return { http: { status: stored.status, headers }, body: { kind: 'single', singleResult: stored.body } };
}

function unavailable(error: unknown): AppError {
  return error instanceof AppError && error.code === 'SERVICE_UNAVAILABLE'
    ? error
    : new AppError('SERVICE_UNAVAILABLE', 'The database is unavailable; retry later');
}

export function idempotencyPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let claimed: { tenant: Tenant; scope: KeyScope } | undefined;
      let request: GraphQLRequestContext<Context> | undefined;

      return {
        async responseForOperation(requestContext) {
          const { contextValue, operation, document } = requestContext;
          const key = contextValue.idempotencyKey;
          if (key === undefined || operation.operation !== 'mutation') return null;
          if (!isValidIdempotencyKey(key)) {
            return refusal('BAD_USER_INPUT', 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces (a UUID is a good choice)', { field: 'Idempotency-Key' });
          }
          const keyless = topLevelFields(document, operation).filter((name) => KEYLESS_MUTATIONS.has(name));
          if (keyless.length > 0) {
            return refusal('BAD_USER_INPUT', `Idempotency-Key is not supported on ${keyless.join(', ')}: only organization-scoped mutations (sent with x-org-id) can be made idempotent`, { field: 'Idempotency-Key' });
          }
          // Before the request transaction opens: a refusal here holds no connection.
          if (nestsDeeperThan(requestContext.request.variables, MAX_FINGERPRINT_DEPTH)) return tooDeep();
          let fingerprint: string;
          try {
            fingerprint = requestFingerprint(document, operation, requestContext.operationName, requestContext.request.variables);
          } catch (error) {
            if (!(error instanceof VariablesTooDeep)) throw error;
            return tooDeep();
          }
          let tenant: Tenant;
          try {
            tenant = await contextValue.tenant();
          } catch {
            // No caller or no organization: execution fails the same way, before any write.
            return null;
          }
          const scope: KeyScope = { orgId: tenant.orgId, userId: tenant.userId, key };
          const ttlHours = contextValue.services.config.idempotencyTtlHours;
          let claim;
          try {
            // No savepoint (read, not run): if the claim fails, the request fails and its whole
            // transaction is rolled back; nothing of it is kept, so nothing needs protecting.
            claim = await tenant.db.read((tx) => claimKey(tx, scope, fingerprint, ttlHours));
          } catch (error) {
            await contextValue.finish(false).catch(() => undefined);
            const e = unavailable(error);
            return refusal(e.code, e.message);
          }
          switch (claim.kind) {
            case 'busy':
              return refusal('CONFLICT', `A request with this Idempotency-Key is still in progress; retry in ${RETRY_AFTER_SECONDS} s to get its result`, {
                retryAfterSeconds: RETRY_AFTER_SECONDS,
              });
            case 'mismatch':
              return refusal('BAD_USER_INPUT', 'This Idempotency-Key was already used with a different request (operation or variables differ); send a new key for a new request', {
                field: 'Idempotency-Key',
              });
            case 'replay':
              return replay(claim.response);
            case 'claimed':
              claimed = { tenant, scope };
              request = requestContext;
              return null;
          }
        },

        async executionDidStart() {
          return {
            async executionDidEnd(error) {
              if (!claimed || !request) return;
              const { tenant, scope } = claimed;
              const { response } = request;
              const body = response.body;
              if (!body || body.kind !== 'single') return;
              const result = body.singleResult;
              const codes = (result.errors ?? []).map((e) => e.extensions?.code);
              let failure: AppError | undefined;
              if (error || codes.some(isRetryable)) {
                failure = new AppError('SERVICE_UNAVAILABLE', 'The request failed and nothing was applied; retry with the same Idempotency-Key');
              } else {
                const stored: StoredResponse = { status: response.http.status ?? 200, body: { data: result.data ?? null, ...(result.errors ? { errors: result.errors } : {}) } };
                // Queued on the request transaction before the commit plugin's finish(); no
                // savepoint either: a failed store rolls the whole request back below.
                failure = await tenant.db.read((tx) => storeResponse(tx, scope, stored)).then(
                  () => undefined,
                  (e: unknown) => unavailable(e),
                );
              }
              if (!failure) return;
              await request.contextValue.finish(false).catch(() => undefined);
              // Nothing committed, so no part of the result may look applied.
              body.singleResult = {
                data: null,
                errors: [...(result.errors ?? []), appErrorEntry(failure, { requestId: request.contextValue.requestId })],
              };
              response.http.status = httpStatusOf(failure.code);
              response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
            },
          };
        },
      };
    },
  };
}
