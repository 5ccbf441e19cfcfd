// Builds the per-request context (its shape: graphql/context.ts) once per request: who calls,
// which tenant, one database transaction for the whole request and fresh DataLoaders. Nothing
// else reads headers. createContextInner has no HTTP in it, so tests (and the WebSocket
// server) build contexts directly.
import { randomUUID } from 'node:crypto';
import { AppError, badInput } from '../errors/app-error';
import { RequestScopes } from '../tenancy/request-scopes';
import { createLoaders } from '../graphql/request-loaders';
import { fromGlobalId } from '../graphql/global-id';
import type { Context, ContextInput, Tenant } from '../graphql/context';

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

export function createContextInner(input: ContextInput): Context {
  const { services } = input;
  const optionalCaller = memo(() => services.callers.resolve(input.authorization));
  const caller = memo(async () => {
    const found = await optionalCaller();
    if (!found) throw new AppError('UNAUTHENTICATED', 'Sign in: send Authorization: Bearer <token>');
    return found;
  });
  let passwordChecks = 0;
  // The request's one transaction, for the user's scope and the tenant's alike. Its pin names
  // the x-org-id tenant when the header is a well-formed Organization id (a malformed one is
  // answered by tenant() below, and the user-scoped fields still run).
  const scopes = new RequestScopes({ tenancy: services.tenancy, userId: async () => (await caller()).userId, orgId: wellFormedOrgId(input.orgId) });
  const viewerDb = () => scopes.userScope();
  const tenant = memo(async (): Promise<Tenant> => {
    await caller();
    // A missing or malformed x-org-id is BAD_USER_INPUT here (the transaction then pinned no tenant).
    orgIdFrom(input.orgId);
    const scope = await scopes.tenantScope();
    return { ...scope, loaders: createLoaders(scope.db) };
  });
  return {
    requestId: input.requestId ?? randomUUID(),
    services,
    idempotencyKey: input.idempotencyKey,
    clientAddress: input.clientAddress,
    claimPasswordCheck() {
      passwordChecks += 1;
      if (passwordChecks > 1) throw badInput('password', 'One logIn or signUp per request: each checks a password, which is deliberately slow');
    },
    caller,
    optionalCaller,
    viewerDb,
    tenant,
    declareMutation: () => scopes.declareMutation(),
    hasWritten: () => scopes.hasWritten,
    finish: (commit = true) => scopes.finish(commit),
  };
}

/** The x-org-id header as an organization's row id, or undefined when it is missing or malformed. */
function wellFormedOrgId(header: string | undefined): string | undefined {
  try {
    return orgIdFrom(header);
  } catch {
    return undefined;
  }
}

/** The x-org-id header as an organization's row id, or BAD_USER_INPUT. */
function orgIdFrom(header: string | undefined): string {
  const value = header?.trim();
  if (!value) throw badInput('x-org-id', 'This field is scoped to an organization: send the x-org-id header with an Organization.id');
  return fromGlobalId('Organization', value, 'x-org-id');
}
