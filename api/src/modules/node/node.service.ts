// Looks up a Node by type and row id in the current organization; anything outside it is null.
import { can } from '../../auth/roles';
import type { Tenant } from '../../graphql/context';
import { findVisibleAttachment } from '../attachment/attachment.service';
import { findInvitation } from '../organization/invitation.service';
import { issueLoaders } from '../issue/issue.loaders';
import { PUBLIC_USER_COLUMNS } from '../../auth/public-user';

type Found = (object & { __typename: string }) | null;

function tagged<T extends object>(typename: string, row: T | null): Found {
  return row ? Object.assign(row, { __typename: typename }) : null;
}

export async function findNode(tenant: Tenant, type: string, rowId: string): Promise<Found> {
  const { db, orgId } = tenant;
  switch (type) {
    case 'Issue':
      return tagged('Issue', await tenant.loaders(issueLoaders).issue.load(rowId));
    case 'Project':
      return tagged('Project', await db.read((tx) => tx.project.findFirst({ where: { id: rowId, orgId } })));
    case 'Sprint':
      return tagged('Sprint', await db.read((tx) => tx.sprint.findFirst({ where: { id: rowId, orgId } })));
    case 'Comment':
      return tagged('Comment', await db.read((tx) => tx.comment.findFirst({ where: { id: rowId, orgId, issue: { deletedAt: null } } })));
    case 'Attachment':
      return tagged('Attachment', await findVisibleAttachment(db, rowId));
    case 'Organization':
      return rowId === orgId ? tagged('Organization', await db.read(async (tx) => {
        const org = await tx.organization.findUnique({ where: { id: orgId } });
        return org ? { ...org, viewerRole: tenant.role } : null;
      })) : null;
    case 'User': {
      // Users are visible to fellow members only.
      const member = await db.read((tx) => tx.membership.findUnique({ where: { orgId_userId: { orgId, userId: rowId } }, include: { user: { select: PUBLIC_USER_COLUMNS } } }));
      return tagged('User', member?.user ?? null);
    }
    case 'CustomField':
      return tagged('CustomField', await db.read((tx) => tx.customField.findFirst({ where: { id: rowId, orgId } })));
    case 'Webhook':
      // Webhooks (and their secrets' existence) are for those who manage them.
      if (!can(tenant.role, 'webhook:manage')) return null;
      return tagged('Webhook', await db.read((tx) => tx.webhook.findFirst({ where: { id: rowId, orgId } })));
    case 'Label':
      return tagged('Label', await db.read((tx) => tx.label.findFirst({ where: { id: rowId, orgId } })));
    case 'WorkflowState':
      return tagged('WorkflowState', await db.read((tx) => tx.workflowState.findFirst({ where: { id: rowId, orgId } })));
    case 'IssueLink':
      // A link shows only while both of its issues are live.
      return tagged('IssueLink', await db.read((tx) => tx.issueLink.findFirst({ where: { id: rowId, orgId, from: { deletedAt: null }, to: { deletedAt: null } } })));
    case 'IssueEvent':
      return tagged('IssueEvent', await db.read((tx) => tx.issueEvent.findFirst({ where: { id: BigInt(rowId), orgId, issue: { deletedAt: null } } })));
    case 'WebhookDelivery':
      if (!can(tenant.role, 'webhook:manage')) return null;
      return tagged('WebhookDelivery', await db.read((tx) => tx.webhookDelivery.findFirst({ where: { id: BigInt(rowId), orgId } })));
    case 'Membership': {
      const [memberOrg, userId] = rowId.split(':');
      if (memberOrg !== orgId) return null;
      return tagged('Membership', await db.read((tx) => tx.membership.findUnique({ where: { orgId_userId: { orgId, userId: userId! } }, include: { user: { select: PUBLIC_USER_COLUMNS } } })));
    }
    case 'AuditEntry':
      // The audit log is for those who manage members.
      if (!can(tenant.role, 'member:manage')) return null;
      return tagged('AuditEntry', await db.read((tx) => tx.auditEntry.findFirst({ where: { id: rowId, orgId } })));
    case 'Notification':
      // A notification is its recipient's alone, whatever their role.
      return tagged('Notification', await db.read((tx) => tx.notification.findFirst({ where: { id: rowId, orgId, userId: tenant.userId, issue: { deletedAt: null } } })));
    case 'Invitation':
      // Invitations (an invitee's email) are for those who manage members.
      return tagged('Invitation', await findInvitation(tenant, rowId));
    case 'ApiToken':
      // Not tenant data: only the viewer's own tokens resolve, whatever the organization.
      return tagged('ApiToken', await db.read((tx) => tx.apiToken.findFirst({ where: { id: rowId, userId: tenant.userId, revokedAt: null } })));
    default:
      return null;
  }
}
