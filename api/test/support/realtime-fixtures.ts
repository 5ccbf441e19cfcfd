// An organization with one user per role, made without argon2 sign-ups (see quick-members):
// the realtime and webhook suites need several tenants and no logins.
import { createProject, uniqueSuffix, type RoleName, type TestOrg, type TestUser } from './fixtures';
import { addQuickMember, insertUser } from './quick-members';
import { startCluster, type Cluster, type Instance } from './realtime-cluster';
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

export interface TwoTenantPair {
  readonly cluster: Cluster;
  readonly a: Instance;
  readonly b: Instance;
  /** The tenant under test and a second one that must never see its events. */
  readonly org: TestOrg;
  readonly other: TestOrg;
}

/** Two instances on one database, and two tenants with a project each (made through B). */
export async function twoTenantPair(name: string, labels: readonly [string, string], projectKeys: readonly [string, string], env: Record<string, string> = {}): Promise<TwoTenantPair> {
  const cluster = await startCluster(name, 2, env);
  const [a, b] = cluster.instances as [Instance, Instance];
  const org = await quickOrg(b, labels[0]);
  const other = await quickOrg(b, labels[1]);
  await createProject(b.client, org, projectKeys[0]);
  await createProject(b.client, other, projectKeys[1]);
  return { cluster, a, b, org, other };
}
