// The per-request context, built once: who calls, which tenant, a tenant-scoped database
// handle and fresh DataLoaders. Nothing else reads headers. createContextInner has no HTTP
// in it, so tests (and the WebSocket server) build contexts directly.
import { randomUUID } from 'node:crypto';
import type { Role } from '../generated/prisma/enums';
import { AppError, badInput } from '../errors/app-error';
import type { Caller } from '../auth/caller';
import { TenantDb, UserDb } from '../db/tenant-db';
import type { AppServices } from '../app-services';
import { createLoaders, type Loaders } from './loaders';
import { fromGlobalId } from './global-id';

export interface Tenant {
  readonly orgId: string;
  readonly userId: string;
  readonly role: Role;
  readonly db: TenantDb;
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
  /** Ends the request's database transaction, committing what succeeded; before the response leaves. */
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
  const viewerDb = memo(async () => new UserDb(services.database.prisma, (await caller()).userId, services.transactionLimits));
  let tenantDb: TenantDb | undefined;
  let passwordChecks = 0;
  const tenant = memo(async (): Promise<Tenant> => {
    const { userId } = await caller();
    const header = input.orgId?.trim();
    if (!header) throw badInput('x-org-id', 'This field is scoped to an organization: send the x-org-id header with an Organization.id');
    const orgId = fromGlobalId('Organization', header, 'x-org-id');
    const db = new TenantDb(services.database.prisma, orgId, userId, services.transactionLimits, { perRequest: true });
    tenantDb = db;
    const role = await db.memberRole();
    if (!role) throw new AppError('FORBIDDEN', 'You are not a member of this organization');
    return { orgId, userId, role, db, loaders: createLoaders(db) };
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
    finish: (commit = true) => tenantDb?.finish(commit) ?? Promise.resolve(),
  };
}
