// Builders for the people and organizations a test needs, made through the public API.
import { randomBytes } from 'node:crypto';
import type { GraphqlClient } from './graphql-client';

export const PASSWORD = 'correct horse battery staple';

export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
  readonly refreshToken: string;
}

export type RoleName = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';

export interface TestOrg {
  readonly id: string;
  readonly slug: string;
  readonly owner: TestUser;
  /** One user per role (the OWNER is `owner`). */
  readonly users: Readonly<Record<RoleName, TestUser>>;
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

export async function signUp(client: GraphqlClient, label = 'user'): Promise<TestUser> {
  const email = `${label}-${uniqueSuffix()}@example.com`;
  const data = await client.ok<{ signUp: { accessToken: string; refreshToken: string; user: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken user { id } } }`,
    { input: { email, name: label, password: PASSWORD } },
  );
  return { id: data.signUp.user.id, email, token: data.signUp.accessToken, refreshToken: data.signUp.refreshToken };
}

/** An organization with an OWNER, an ADMIN, a MEMBER and a VIEWER. */
export async function createOrg(client: GraphqlClient, label = 'org'): Promise<TestOrg> {
  const owner = await signUp(client, `${label}-owner`);
  const slug = `${label}-${uniqueSuffix()}`.toLowerCase();
  const org = await client.ok<{ createOrganization: { id: string } }>(
    `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }`,
    { input: { name: label, slug } },
    { token: owner.token },
  );
  const id = org.createOrganization.id;
  const users = { OWNER: owner } as Record<RoleName, TestUser>;
  for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
    const user = await signUp(client, `${label}-${role.toLowerCase()}`);
    await joinByInvitation(client, { id, owner }, user, role);
    users[role] = user;
  }
  return { id, slug, owner, users };
}

/** `user` joins `org` with `role` the only way there is: the OWNER invites, the user accepts. */
export async function joinByInvitation(client: GraphqlClient, org: Pick<TestOrg, 'id' | 'owner'>, user: TestUser, role: RoleName): Promise<void> {
  const invited = await client.ok<{ inviteMember: { token: string } }>(
    `mutation($email: String!, $role: Role!) { inviteMember(email: $email, role: $role) { token } }`,
    { email: user.email, role },
    { token: org.owner.token, orgId: org.id },
  );
  await client.ok(`mutation($t: String!) { acceptInvitation(token: $t) { role } }`, { t: invited.inviteMember.token }, { token: user.token });
}

export async function createProject(client: GraphqlClient, org: TestOrg, key: string): Promise<{ id: string; workflow: { id: string; name: string }[] }> {
  const data = await client.ok<{ createProject: { id: string; workflow: { id: string; name: string }[] } }>(
    `mutation($input: CreateProjectInput!) { createProject(input: $input) { id workflow { id name } } }`,
    { input: { key, name: `Project ${key}` } },
    { token: org.owner.token, orgId: org.id },
  );
  return data.createProject;
}

export async function createIssue(client: GraphqlClient, org: TestOrg, input: Record<string, unknown>, as: TestUser = org.owner): Promise<{ id: string; key: string; version: number }> {
  const data = await client.ok<{ createIssue: { id: string; key: string; version: number } }>(
    `mutation($input: CreateIssueInput!) { createIssue(input: $input) { id key version } }`,
    { input },
    { token: as.token, orgId: org.id },
  );
  return data.createIssue;
}
