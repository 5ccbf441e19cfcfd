// The per-request context, built once: who calls, which tenant, one database transaction for
// the whole request (user- and tenant-scoped fields share it) and fresh DataLoaders. Nothing
// else reads headers. createContextInner has no HTTP in it, so tests (and the WebSocket
// server) build contexts directly.
import { randomUUID } from 'node:crypto';
import { AppError, badInput } from '../errors/app-error';
import type { Caller } from '../auth/caller';
import type { UserDb } from '../tenancy/tenant-db';
import { RequestScopes } from '../tenancy/request-scopes';
import type { TenantScope } from '../tenancy/scope';
import type { AppServices } from '../app-services';
import { createLoaders, type Loaders } from './loaders';
import { fromGlobalId } from './global-id';

/** The member's scope (services take it whole) with the request's DataLoaders. */
export interface Tenant extends TenantScope {
  readonly loaders: Loaders;
}

export interface Context {
  readonly requestId: string;
  readonly services: AppServices;
  readonly idempotencyKey: string | undefined;
  /** The client's address as the trusted proxies saw it (log-in limits key on it). */
  readonly clientAddress: string | undefined;
  /** Allows one password check (logIn, signUp) per request, batches included; a second is refused. */
  claimPasswordCheck(): void;
  /** The caller, or UNAUTHENTICATED. */
  caller(): Promise<Caller>;
  /** The caller if credentials were sent, else null. */
  optionalCaller(): Promise<Caller | null>;
  /** The caller's own scope outside any organization. */
  viewerDb(): Promise<UserDb>;
  /** The organization named by x-org-id, with the caller's role in it. */
  tenant(): Promise<Tenant>;
  /**
   * The operation is a mutation: the pin (when the transaction opens) share-locks the caller's
   * membership, so a removal or role change can't land between the role check and the writes.
   */
  declareMutation(): void;
  /** Whether one of the request's mutations has written (its savepoint was released). */
  hasWritten(): boolean;
  /**
   * Ends the request's database transaction, committing what succeeded (or rolling back); the
   * first call decides, later ones only wait. Called on every path out of a request.
   */
  finish(commit?: boolean): Promise<void>;
}

export interface ContextInput {
  readonly services: AppServices;
  readonly requestId?: string;
  readonly authorization?: string;
  readonly orgId?: string;
  readonly idempotencyKey?: string;
  readonly clientAddress?: string;
}

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
