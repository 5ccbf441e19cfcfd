// Who may do what. Services ask `requireRole(actor, action)`; the role matrix of docs/using/roles.md is
// this table written out.
import type { Role } from '../generated/prisma/enums';
import { forbidden } from '../errors/app-error';

const RANK: Readonly<Record<Role, number>> = { VIEWER: 0, MEMBER: 1, ADMIN: 2, OWNER: 3 };

/** The least role each kind of action needs. */
export const ACTION_MIN_ROLE = {
  read: 'VIEWER',
  subscribe: 'VIEWER',
  'issue:write': 'MEMBER',
  'comment:write': 'MEMBER',
  'project:manage': 'ADMIN',
  'project:delete': 'OWNER',
  'label:manage': 'ADMIN',
  'sprint:manage': 'ADMIN',
  'member:manage': 'ADMIN',
  'webhook:manage': 'ADMIN',
  'owner:manage': 'OWNER',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof ACTION_MIN_ROLE;

export function hasRoleAtLeast(role: Role, least: Role): boolean {
  return RANK[role] >= RANK[least];
}

export function can(role: Role, action: Action): boolean {
  return hasRoleAtLeast(role, ACTION_MIN_ROLE[action]);
}

export function requireRole(actor: { readonly role: Role }, action: Action): void {
  if (!can(actor.role, action)) throw forbidden(`Your role (${actor.role}) does not allow this; it needs ${ACTION_MIN_ROLE[action]} or above`);
}
