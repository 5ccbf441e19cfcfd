// Builds the per-request context (its shape: graphql/context.ts) once per request: who calls,
// which tenant, one database transaction for the whole request and fresh DataLoaders. Nothing
// else reads headers. createContextInner has no HTTP in it, so tests (and the WebSocket
// server) build contexts directly.
import { randomUUID } from 'node:crypto';
import { AppError, badInput } from '../errors/app-error';
import { TenantDb, UserDb } from '../db/tenant-db';
import { RequestTransaction } from '../db/request-transaction';
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
  let mutating = false;
  let passwordChecks = 0;
  // The request's one transaction, for the user's scope and the tenant's alike. Its pin names
  // the x-org-id tenant when the header is a well-formed Organization id (a malformed one is
  // answered by tenant() below, and the user-scoped fields still run).
  let request: Promise<RequestTransaction> | undefined;
  let opened: RequestTransaction | undefined;
  let ended = false;
  const transaction = (): Promise<RequestTransaction> => (request ??= openTransaction());
  const openTransaction = async (): Promise<RequestTransaction> => {
    const { userId } = await caller();
    // finish() came first (the client hung up): nothing may open a transaction after it.
    if (ended) throw new AppError('SERVICE_UNAVAILABLE', 'The request has already ended');
    let orgId: string | undefined;
    try {
      orgId = orgIdFrom(input.orgId);
    } catch {
      orgId = undefined;
    }
    opened = new RequestTransaction(services.database.prisma, { userId, orgId, locksMembership: () => mutating }, services.transactionLimits);
    return opened;
  };
  const viewerDb = memo(async () => new UserDb(services.database.prisma, (await caller()).userId, services.transactionLimits, { request: await transaction() }));
  const tenant = memo(async (): Promise<Tenant> => {
    const { userId } = await caller();
    const orgId = orgIdFrom(input.orgId);
    const shared = await transaction();
    const db = new TenantDb(services.database.prisma, orgId, userId, services.transactionLimits, { request: shared });
    // The pin checks the membership (and for a mutation locks it) as the transaction opens.
    const role = await shared.tenantRole();
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
    declareMutation: () => {
      mutating = true;
    },
    hasWritten: () => opened?.hasWritten ?? false,
    finish: async (commit = true) => {
      ended = true;
      const shared = await request?.catch(() => undefined);
      await shared?.finish(commit);
    },
  };
}

/** The x-org-id header as an organization's row id, or BAD_USER_INPUT. */
function orgIdFrom(header: string | undefined): string {
  const value = header?.trim();
  if (!value) throw badInput('x-org-id', 'This field is scoped to an organization: send the x-org-id header with an Organization.id');
  return fromGlobalId('Organization', value, 'x-org-id');
}
