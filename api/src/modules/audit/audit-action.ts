// The actions the audit log records. Clients filter by these names; they are part of the API.
export const AUDIT_ACTIONS = [
  'member.role_changed',
  'member.removed',
  'member.invited',
  'member.joined',
  'invitation.revoked',
  'token.created',
  'token.revoked',
  'webhook.created',
  'webhook.deleted',
  'project.created',
  'project.updated',
  'project.archived',
  'project.unarchived',
  'project.deleted',
  'workflow.changed',
  'label.deleted',
  'sprint.deleted',
  'custom_field.created',
  'custom_field.updated',
  'custom_field.deleted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
