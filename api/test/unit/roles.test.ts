// The role table is the spec of who may do what; this pins it, so a change is deliberate.
import { AppError } from '../../src/errors/app-error';
import { ACTION_MIN_ROLE, can, hasRoleAtLeast, requireRole, type Action } from '../../src/auth/roles';
import type { Role } from '../../src/generated/prisma/enums';

const ROLES: Role[] = ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'];

/** Which roles may take each action (the role matrix of docs/using/roles.md, by action). */
const EXPECTED: Record<Action, Role[]> = {
  read: ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'],
  subscribe: ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'],
  'issue:write': ['MEMBER', 'ADMIN', 'OWNER'],
  'comment:write': ['MEMBER', 'ADMIN', 'OWNER'],
  'project:manage': ['ADMIN', 'OWNER'],
  'project:delete': ['OWNER'],
  'label:manage': ['ADMIN', 'OWNER'],
  'sprint:manage': ['ADMIN', 'OWNER'],
  'member:manage': ['ADMIN', 'OWNER'],
  'webhook:manage': ['ADMIN', 'OWNER'],
  'owner:manage': ['OWNER'],
};

test('the table names exactly the expected actions', () => {
  expect(Object.keys(ACTION_MIN_ROLE).sort()).toEqual(Object.keys(EXPECTED).sort());
});

test.each(Object.entries(EXPECTED))('%s is allowed to exactly the expected roles', (action, allowed) => {
  expect(ROLES.filter((role) => can(role, action as Action))).toEqual(allowed);
});

test('roles are ordered VIEWER < MEMBER < ADMIN < OWNER', () => {
  for (const [i, role] of ROLES.entries()) {
    for (const [j, least] of ROLES.entries()) expect(hasRoleAtLeast(role, least)).toBe(i >= j);
  }
});

test('requireRole refuses with FORBIDDEN naming the role needed, and passes silently otherwise', () => {
  expect(() => requireRole({ role: 'ADMIN' }, 'project:manage')).not.toThrow();
  let refusal: unknown;
  try {
    requireRole({ role: 'MEMBER' }, 'project:manage');
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(AppError);
  expect((refusal as AppError).code).toBe('FORBIDDEN');
  expect((refusal as AppError).message).toMatch(/MEMBER.*ADMIN/);
});
