// Organizations and their members. Role rules: OWNER and ADMIN manage members; only an OWNER
// grants, changes or removes OWNER; the last OWNER can neither leave nor be demoted.
import type { Membership, Organization, User } from '../../generated/prisma/client';
import type { Role } from '../../generated/prisma/enums';
import { AppError, badInput, notFound } from '../../errors/app-error';
import { isUniqueViolation, isRetryableConflict } from '../../db/database-errors';
import type { TenantDb, UserDb } from '../../db/tenant-db';
import type { Tx } from '../../db/tx';
import { requireRole } from '../../auth/roles';
import { normalizeEmail } from '../../auth/email';
import { connectionFrom, decodeKeysetCursor, pageSize, type ConnectionShape } from '../../graphql/pagination';
import { releaseDepartingMember } from './member-departure';

export interface Actor {
  readonly orgId: string;
  readonly userId: string;
  readonly role: Role;
}

export type MembershipWithUser = Membership & { user: User };
export type OrganizationForViewer = Organization & { viewerRole: Role };

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export async function createOrganization(viewer: UserDb, input: { name: string; slug: string }): Promise<OrganizationForViewer> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw badInput('name', 'Name must be 1 to 100 characters long');
  if (!SLUG.test(input.slug)) throw badInput('slug', 'Slug must be 1-40 lower-case letters, digits or dashes, not starting or ending with a dash');
  const orgId = crypto.randomUUID();
  try {
    return await viewer.forNewOrg(orgId).run(async (tx) => {
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

export async function currentOrganization(actor: Actor, db: TenantDb): Promise<OrganizationForViewer> {
  const org = await db.read((tx) => tx.organization.findUnique({ where: { id: db.orgId } }));
  if (!org) throw notFound('Organization');
  return { ...org, viewerRole: actor.role };
}

export async function listMembers(db: TenantDb, first: number | null | undefined, after: string | null | undefined): Promise<ConnectionShape<MembershipWithUser>> {
  const size = pageSize(first);
  const cursor = decodeKeysetCursor(after, ['timestamp', 'uuid']);
  const where = { orgId: db.orgId };
  const rows = await db.read((tx) =>
    tx.membership.findMany({
      where: cursor
        ? { ...where, OR: [{ joinedAt: { gt: new Date(String(cursor[0])) } }, { joinedAt: new Date(String(cursor[0])), userId: { gt: String(cursor[1]) } }] }
        : where,
      include: { user: true },
      orderBy: [{ joinedAt: 'asc' }, { userId: 'asc' }],
      take: size + 1,
    }),
  );
  return connectionFrom(rows, size, (m) => [m.joinedAt.toISOString(), m.userId], cursor !== null, () => db.read((tx) => tx.membership.count({ where })));
}

async function findMembership(tx: Tx, orgId: string, userId: string): Promise<MembershipWithUser> {
  const membership = await tx.membership.findUnique({ where: { orgId_userId: { orgId, userId } }, include: { user: true } });
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
async function lockOrganization(tx: Tx, orgId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM organizations WHERE id = ${orgId}::uuid FOR NO KEY UPDATE`;
}

async function ownerCount(tx: Tx, orgId: string): Promise<number> {
  return tx.membership.count({ where: { orgId, role: 'OWNER' } });
}

export async function addMember(actor: Actor, db: TenantDb, rawEmail: string, role: Role): Promise<MembershipWithUser> {
  requireRole(actor, 'member:manage');
  if (role === 'OWNER') requireRole(actor, 'owner:manage');
  const email = normalizeEmail(rawEmail);
  try {
    return await db.run(async (tx) => {
      const user = await tx.user.findUnique({ where: { email } });
      if (!user) throw new AppError('NOT_FOUND', 'No account with this email; ask them to sign up first', { field: 'email' });
      return tx.membership.create({ data: { orgId: actor.orgId, userId: user.id, role }, include: { user: true } });
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT' && !isRetryableConflict(error)) throw new AppError('CONFLICT', 'This user is already a member', { field: 'email' });
    if (isUniqueViolation(error)) throw new AppError('CONFLICT', 'This user is already a member', { field: 'email' });
    throw error;
  }
}

export async function updateMemberRole(actor: Actor, db: TenantDb, userId: string, role: Role): Promise<MembershipWithUser> {
  requireRole(actor, 'member:manage');
  return db.run(async (tx) => {
    await lockOrganization(tx, actor.orgId);
    const membership = await findMembership(tx, actor.orgId, userId);
    if (role === 'OWNER' || membership.role === 'OWNER') requireRole(actor, 'owner:manage');
    if (membership.role === 'OWNER' && role !== 'OWNER' && (await ownerCount(tx, actor.orgId)) === 1) {
      throw new AppError('BAD_USER_INPUT', 'The last OWNER cannot be demoted; make someone else OWNER first', { field: 'role' });
    }
    return tx.membership.update({ where: { orgId_userId: { orgId: actor.orgId, userId } }, data: { role }, include: { user: true } });
  });
}

export async function removeMember(actor: Actor, db: TenantDb, userId: string): Promise<boolean> {
  // Anyone may leave; removing someone else needs member:manage.
  if (userId !== actor.userId) requireRole(actor, 'member:manage');
  return db.run(async (tx) => {
    await lockOrganization(tx, actor.orgId);
    const membership = await findMembership(tx, actor.orgId, userId);
    if (membership.role === 'OWNER' && userId !== actor.userId) requireRole(actor, 'owner:manage');
    if (membership.role === 'OWNER' && (await ownerCount(tx, actor.orgId)) === 1) {
      throw new AppError('BAD_USER_INPUT', 'The last OWNER cannot leave; make someone else OWNER first', { field: 'userId' });
    }
    await releaseDepartingMember(tx, actor.orgId, actor.userId, userId);
    await tx.membership.delete({ where: { orgId_userId: { orgId: actor.orgId, userId } } });
    return true;
  });
}
