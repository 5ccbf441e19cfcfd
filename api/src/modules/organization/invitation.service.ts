// Invitations: membership needs the invited person's consent. An ADMIN invites an email (the
// answer never says whether an account exists); the secret is shown once and stored as a
// digest; only the signed-in user whose email matches accepts it, once, before it expires.
import type { Invitation } from '../../generated/prisma/client';
import type { Role } from '../../generated/prisma/enums';
import { AppError, badInput, notFound } from '../../errors/app-error';
import type { UserDb } from '../../tenancy/tenant-db';
import { can, requireRole } from '../../auth/roles';
import { normalizeEmail } from '../../auth/email';
import { digest, randomSecret } from '../../auth/secret-digest';
import { toGlobalId } from '../../graphql/global-id';
import { recordAudit } from '../audit/audit.service';
import { lockOrganization, type MembershipWithUser } from './organization.service';
import { PUBLIC_USER_COLUMNS } from '../../auth/public-user';
import type { TenantScope } from '../../tenancy/scope';

/** Pending invitations an organization may hold at once (the list is not paginated). */
export const MAX_PENDING_INVITATIONS = 500;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `inv_` + the organization's uuid as 32 hex digits + 43 base64url characters (32 random
 * bytes). The organization in the token lets acceptance look the digest up under that
 * tenant's row-level security; it tells the invitee nothing they are not about to learn.
 */
const TOKEN = /^inv_([0-9a-f]{32})[A-Za-z0-9_-]{43}$/;

/** Every reason an invitation cannot be accepted gets this one answer (no oracle). */
const NO_SUCH_INVITATION = () => new AppError('NOT_FOUND', 'No pending invitation for your account matches this token', { field: 'token' });

function pending(now: Date) {
  return { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } };
}

export async function inviteMember(scope: TenantScope, rawEmail: string, role: Role, ttlDays: number): Promise<{ invitation: Invitation; token: string }> {
  requireRole(scope, 'member:manage');
  if (role === 'OWNER') requireRole(scope, 'owner:manage');
  const email = normalizeEmail(rawEmail);
  const token = `inv_${scope.orgId.replaceAll('-', '')}${randomSecret(32)}`;
  return scope.db.run(async (tx) => {
    // Serializes invitations (and membership changes) per organization, so "one pending
    // invitation per email" and the pending cap hold under concurrent calls.
    await lockOrganization(tx, scope.orgId);
    // Members see each other's emails already: saying "already a member" discloses nothing,
    // and nothing about accounts outside the organization is ever looked at.
    const member = await tx.membership.findFirst({ where: { orgId: scope.orgId, user: { email } }, select: { userId: true } });
    if (member) throw new AppError('CONFLICT', 'This person is already a member', { field: 'email' });
    const now = new Date();
    // A new invitation to the same email replaces the pending one: its link stops working.
    await tx.invitation.updateMany({ where: { orgId: scope.orgId, email, ...pending(now) }, data: { revokedAt: now } });
    const open = await tx.invitation.count({ where: { orgId: scope.orgId, ...pending(now) } });
    if (open >= MAX_PENDING_INVITATIONS) throw badInput('email', `At most ${MAX_PENDING_INVITATIONS} pending invitations; revoke some first`);
    const invitation = await tx.invitation.create({
      data: { orgId: scope.orgId, email, role, tokenHash: digest(token), invitedById: scope.userId, expiresAt: new Date(now.getTime() + ttlDays * DAY_MS) },
    });
    await recordAudit(tx, scope, { action: 'member.invited', targetId: toGlobalId('Invitation', invitation.id), data: { email, role } });
    return { invitation, token };
  });
}

/** The signed-in user accepts: the invitation's email must be theirs; it is spent at once. */
export async function acceptInvitation(viewer: UserDb, token: string): Promise<MembershipWithUser> {
  const match = TOKEN.exec(token);
  if (!match) throw NO_SUCH_INVITATION();
  const hex = match[1]!;
  const orgId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return viewer.forOrgWithoutMembership(orgId).run(async (tx) => {
    const now = new Date();
    const me = await tx.user.findUnique({ where: { id: viewer.userId }, select: { email: true } });
    const invitation = await tx.invitation.findFirst({ where: { orgId, tokenHash: digest(token), ...pending(now) } });
    if (!me || !invitation || invitation.email !== me.email) throw NO_SUCH_INVITATION();
    // Conditional on still pending: of two racing acceptances, exactly one spends it.
    const claimed = await tx.invitation.updateMany({ where: { orgId, id: invitation.id, ...pending(now) }, data: { acceptedAt: now } });
    if (claimed.count === 0) throw NO_SUCH_INVITATION();
    await lockOrganization(tx, orgId);
    const existing = await tx.membership.findUnique({ where: { orgId_userId: { orgId, userId: viewer.userId } }, select: { role: true } });
    if (existing) throw new AppError('CONFLICT', 'You are already a member of this organization', { field: 'token' });
    const membership = await tx.membership.create({ data: { orgId, userId: viewer.userId, role: invitation.role }, include: { user: { select: PUBLIC_USER_COLUMNS } } });
    // After the membership: the entry's actor must be a member when it is written.
    await recordAudit(tx, { orgId, userId: viewer.userId }, { action: 'member.joined', targetId: toGlobalId('Invitation', invitation.id), data: { role: invitation.role } });
    return membership;
  });
}

export async function revokeInvitation(scope: TenantScope, id: string): Promise<boolean> {
  requireRole(scope, 'member:manage');
  return scope.db.run(async (tx) => {
    const now = new Date();
    const invitation = await tx.invitation.findFirst({ where: { orgId: scope.orgId, id, ...pending(now) }, select: { role: true, email: true } });
    if (!invitation) throw notFound('Invitation', 'id');
    // Withdrawing a pending OWNER grant is an OWNER matter, like granting it.
    if (invitation.role === 'OWNER') requireRole(scope, 'owner:manage');
    const revoked = await tx.invitation.updateMany({ where: { orgId: scope.orgId, id, ...pending(now) }, data: { revokedAt: now } });
    if (revoked.count === 0) throw notFound('Invitation', 'id');
    await recordAudit(tx, scope, { action: 'invitation.revoked', targetId: toGlobalId('Invitation', id), data: { email: invitation.email, role: invitation.role } });
    return true;
  });
}

/** The organization's pending invitations, newest first. */
export async function listInvitations(scope: TenantScope): Promise<Invitation[]> {
  requireRole(scope, 'member:manage');
  return scope.db.read((tx) =>
    tx.invitation.findMany({ where: { orgId: scope.orgId, ...pending(new Date()) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: MAX_PENDING_INVITATIONS }),
  );
}

/** node(id:): an invitation of this organization, for those who manage members; else null. */
export async function findInvitation(scope: TenantScope, id: string): Promise<Invitation | null> {
  if (!can(scope.role, 'member:manage')) return null;
  return scope.db.read((tx) => tx.invitation.findFirst({ where: { orgId: scope.orgId, id } }));
}
