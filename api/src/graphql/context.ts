// The per-request context as resolvers see it: who calls, which tenant, one database
// transaction for the whole request (user- and tenant-scoped fields share it) and the request's
// DataLoaders. Only the shape lives here; graphql-server/create-context.ts builds it.
import type { Caller } from '../auth/caller';
import type { UserDb } from '../tenancy/tenant-db';
import type { TenantScope } from '../tenancy/scope';
import type { AppServices } from '../app-services';
import type { Loaders } from './request-loaders';

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
