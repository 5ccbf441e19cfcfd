// Who acts, and the handle they act through, as one value: a service takes a TenantScope, so
// the actor it checks and the database it writes to cannot name different tenants or users.
import type { Role } from '../generated/prisma/enums';
import type { TenantDb } from './tenant-db';

/** A member of an organization, with their role there as the pin read it. */
export interface Actor {
  readonly orgId: string;
  readonly userId: string;
  readonly role: Role;
}

/** Only Tenancy.requestScope makes one: a type-level mark, so no object literal passes for a scope. */
declare const madeByTenancy: unique symbol;

/** A member's scope: built by Tenancy.requestScope, never by hand (copies by spread keep the mark). */
export interface TenantScope extends Actor {
  readonly db: TenantDb;
  readonly [madeByTenancy]: true;
}
