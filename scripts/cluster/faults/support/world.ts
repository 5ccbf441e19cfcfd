// The people the load generator acts as: two or more organizations, each with an owner and
// members who hold real access tokens, and one project per organization. Made through the
// balancer, like any client would.
import { randomBytes } from 'node:crypto';

export interface VirtualUser {
  readonly token: string;
  readonly orgId: string;
  readonly projectKey: string;
  readonly label: string;
}

const PASSWORD = 'correct horse battery staple';

export async function gql<T = any>(baseUrl: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<T> {
  // Setup runs while the cluster is healthy; a retry covers a balancer hiccup all the same.
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors?.length) throw new Error(`setup failed: ${JSON.stringify(body.errors)}`);
      return body.data as T;
    } catch (error) {
      if (attempt >= 5 || /setup failed/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function signUp(baseUrl: string, label: string): Promise<{ token: string; email: string }> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const data = await gql<{ signUp: { accessToken: string } }>(
    baseUrl,
    'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
    { input: { email, name: label, password: PASSWORD } },
  );
  return { token: data.signUp.accessToken, email };
}

/** `tenants` organizations with `membersPerTenant` users each (the owner included). */
export async function buildWorld(baseUrl: string, scenario: string, tenants = 2, membersPerTenant = 3): Promise<VirtualUser[]> {
  const users: VirtualUser[] = [];
  for (let t = 0; t < tenants; t++) {
    const tag = `${scenario}-${t}-${randomBytes(3).toString('hex')}`.toLowerCase();
    const owner = await signUp(baseUrl, `${tag}-owner`);
    const org = await gql<{ createOrganization: { id: string } }>(
      baseUrl,
      'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id } }',
      { input: { name: tag, slug: tag } },
      { authorization: `Bearer ${owner.token}` },
    );
    const orgId = org.createOrganization.id;
    const asOwner = { authorization: `Bearer ${owner.token}`, 'x-org-id': orgId };
    // A project per user: writers then contend only where real users would, not all on the one
    // project row that hands out issue numbers.
    const project = async (m: number) => {
      const key = `P${scenario.replace(/\W/g, '').toUpperCase()}${t}${m}`.slice(0, 10);
      await gql(baseUrl, 'mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }', { input: { key, name: `Faults ${tag} ${m}` } }, asOwner);
      return key;
    };
    users.push({ token: owner.token, orgId, projectKey: await project(0), label: `${tag}-owner` });
    for (let m = 1; m < membersPerTenant; m++) {
      const member = await signUp(baseUrl, `${tag}-m${m}`);
      const invited = await gql(baseUrl, 'mutation($email: String!) { inviteMember(email: $email, role: MEMBER) { token } }', { email: member.email }, asOwner);
      await gql(baseUrl, 'mutation($t: String!) { acceptInvitation(token: $t) { role } }', { t: invited.inviteMember.token }, { authorization: `Bearer ${member.token}` });
      users.push({ token: member.token, orgId, projectKey: await project(m), label: `${tag}-m${m}` });
    }
  }
  return users;
}
