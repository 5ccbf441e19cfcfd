// Organizations and their members. Role rules: OWNER and ADMIN manage members; only an OWNER
// grants, changes or removes OWNER; the last OWNER can neither leave nor be demoted. Members
// join by invitation only (invitation.service.ts).
import type { Membership, Organization } from '../../generated/prisma/client';
import { PUBLIC_USER_COLUMNS, type PublicUser } from '../../auth/public-user';
import type { Role } from '../../generated/prisma/enums';
import { AppError, badInput, notFound } from '../../errors/app-error';
import type { TenantDb, UserDb } from '../../tenancy/tenant-db';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { isRetryableConflict } from '../../errors/database-errors';
import { connectionOfPage, keysetCursorOf, type ConnectionShape, type PageRequest } from '../../graphql/pagination';
import { keysetQuery } from '../../db/keyset';
import { releaseDepartingMember } from './member-departure';
import { recordAudit } from '../audit/audit.service';
import { toGlobalId } from '../../graphql/global-id';
import type { TenantScope } from '../../tenancy/scope';

export type MembershipWithUser = Membership & { user: PublicUser };
export type OrganizationForViewer = Organization & { viewerRole: Role };

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export async function createOrganization(viewer: UserDb, input: { name: string; slug: string }): Promise<OrganizationForViewer> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw badInput('name', 'Name must be 1 to 100 characters long');
  if (!SLUG.test(input.slug)) throw badInput('slug', 'Slug must be 1-40 lower-case letters, digits or dashes, not starting or ending with a dash');
  const orgId = crypto.randomUUID();
  try {
    return await viewer.forOrgWithoutMembership(orgId).run(async (tx) => {
      const org = await tx.organization.create({ data: { id: orgId, name, slug: input.slug } });
      await tx.membership.create({ data: { orgId, userId: viewer.userId, role: 'OWNER' } });
      return { ...org, viewerRole: 'OWNER' as const };
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT' && !isRetryableConflict(error)) throw new AppError('CONFLICT', 'This slug is taken', { field: 'slug' });
    throw error;
  }
}

export async function listMyOrganizations(viewer: UserDb): Promise<OrganizationForViewer[]> {
  const memberships = await viewer.read((tx) =>
    tx.membership.findMany({ where: { userId: viewer.userId }, include: { organization: true }, orderBy: { joinedAt: 'asc' } }),
  );
  return memberships.map((m) => ({ ...m.organization, viewerRole: m.role }));
}

export async function currentOrganization(scope: TenantScope): Promise<OrganizationForViewer> {
  const org = await scope.db.read((tx) => tx.organization.findUnique({ where: { id: scope.orgId } }));
  if (!org) throw notFound('Organization');
  return { ...org, viewerRole: scope.role };
}

/** In the order they joined. */
export async function listMembers(db: TenantDb, page: PageRequest): Promise<ConnectionShape<MembershipWithUser>> {
  const cursor = keysetCursorOf(page, ['timestamp', 'uuid']);
  const where = { orgId: db.orgId };
  const keyset = keysetQuery(['joinedAt', 'userId'], 'asc', page, cursor && [new Date(cursor[0]!), cursor[1]]);
  const rows = await db.read((tx) => tx.membership.findMany({ where: { AND: [where, keyset.where ?? {}] }, include: { user: { select: PUBLIC_USER_COLUMNS } }, orderBy: keyset.orderBy, take: keyset.take }));
  return connectionOfPage(rows, page, (m) => [m.joinedAt.toISOString(), m.userId], () => db.read((tx) => tx.membership.count({ where })));
}

async function findMembership(tx: Tx, orgId: string, userId: string): Promise<MembershipWithUser> {
  const membership = await tx.membership.findUnique({ where: { orgId_userId: { orgId, userId } }, include: { user: { select: PUBLIC_USER_COLUMNS } } });
  if (!membership) throw notFound('Member');
  return membership;
}

/**
 * Serializes membership changes per organization so "the last OWNER" checks can't race. NO KEY
 * UPDATE, not UPDATE: it still excludes itself, but not the key-share locks of foreign-key
 * checks, so an in-flight mutation of the member being removed (which holds its membership row,
 * see app_pin_tenant) can still insert its rows, commit, and let the removal through instead of
 * deadlocking with it.
 */
export async function lockOrganization(tx: Tx, orgId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM organizations WHERE id = ${orgId}::uuid FOR NO KEY UPDATE`;
}

async function ownerCount(tx: Tx, orgId: string): Promise<number> {
  return tx.membership.count({ where: { orgId, role: 'OWNER' } });
}

export async function updateMemberRole(scope: TenantScope, userId: string, role: Role): Promise<MembershipWithUser> {
  requireRole(scope, 'member:manage');
  return scope.db.run(async (tx) => {
    await lockOrganization(tx, scope.orgId);
    const membership = await findMembership(tx, scope.orgId, userId);
    if (role === 'OWNER' || membership.role === 'OWNER') requireRole(scope, 'owner:manage');
    if (membership.role === 'OWNER' && role !== 'OWNER' && (await ownerCount(tx, scope.orgId)) === 1) {
      throw new AppError('BAD_USER_INPUT', 'The last OWNER cannot be demoted; make someone else OWNER first', { field: 'role' });
    }
    const updated = await tx.membership.update({ where: { orgId_userId: { orgId: scope.orgId, userId } }, data: { role }, include: { user: { select: PUBLIC_USER_COLUMNS } } });
    if (membership.role !== role) await recordAudit(tx, scope, { action: 'member.role_changed', targetId: toGlobalId('User', userId), data: { from: membership.role, to: role } });
    return updated;
  });
}

export async function removeMember(scope: TenantScope, userId: string): Promise<boolean> {
  // Anyone may leave; removing someone else needs member:manage.
  if (userId !== scope.userId) requireRole(scope, 'member:manage');
  return scope.db.run(async (tx) => {
    await lockOrganization(tx, scope.orgId);
    const membership = await findMembership(tx, scope.orgId, userId);
    if (membership.role === 'OWNER' && userId !== scope.userId) requireRole(scope, 'owner:manage');
    if (membership.role === 'OWNER' && (await ownerCount(tx, scope.orgId)) === 1) {
      throw new AppError('BAD_USER_INPUT', 'The last OWNER cannot leave; make someone else OWNER first', { field: 'userId' });
    }
    // Written first: a member who leaves is still a member when their own entry is written.
    await recordAudit(tx, scope, { action: 'member.removed', targetId: toGlobalId('User', userId), data: { role: membership.role, left: userId === scope.userId } });
    await releaseDepartingMember(tx, scope.orgId, scope.userId, userId);
    await tx.membership.delete({ where: { orgId_userId: { orgId: scope.orgId, userId } } });
    return true;
  });
}
