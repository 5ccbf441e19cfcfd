// An organization with one user per role, made without argon2 sign-ups (see quick-members):
// the realtime and webhook suites need several tenants and no logins.
import { uniqueSuffix, type RoleName, type TestOrg, type TestUser } from './fixtures';
import { addQuickMember, insertUser } from './quick-members';
import type { TestApi } from './test-server';

export async function quickOrg(api: TestApi, label: string): Promise<TestOrg> {
  const owner = await insertUser(api, `${label}-owner`);
  const slug = `${label}-${uniqueSuffix()}`.toLowerCase();
  const created = await api.client.ok<{ createOrganization: { id: string } }>(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
    { input: { name: label, slug } },
    { token: owner.token },
  );
  const org: TestOrg = { id: created.createOrganization.id, slug, owner, users: { OWNER: owner } as Record<RoleName, TestUser> };
  for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) (org.users as Record<RoleName, TestUser>)[role] = await addQuickMember(api, org, role, `${label}-${role.toLowerCase()}`);
  return org;
}
