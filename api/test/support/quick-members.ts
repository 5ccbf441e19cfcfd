// Members made in bulk for matrix tests: the account is written straight into the users table
// (no argon2 sign-up per case), joins by the API's invitation and acceptance, and gets an access token
// signed with the server's own key. They never log in.
import { randomUUID } from 'node:crypto';
import { signAccessToken } from '../../src/auth/access-token';
import { toGlobalId } from '../../src/graphql/global-id';
import { withOwner } from './db-snapshot';
import { joinByInvitation, uniqueSuffix, type RoleName, type TestOrg, type TestUser } from './fixtures';
import type { TestApi } from './test-server';

/** An account that belongs to no organization yet. */
export async function insertUser(api: TestApi, label = 'quick'): Promise<TestUser> {
  const rowId = randomUUID();
  const email = `${label}-${uniqueSuffix()}@example.com`;
  await withOwner(api.database.ownerUrl, (client) =>
    client.query(`INSERT INTO users (id, email, name, password_hash, updated_at) VALUES ($1, $2, $3, 'not-a-hash', now())`, [rowId, email, label]),
  );
  const token = await signAccessToken(api.server.services.tokens, rowId);
  return { id: toGlobalId('User', rowId), email, token, refreshToken: '' };
}

/** A new member of `org` with `role`, added by the org's OWNER. */
export async function addQuickMember(api: TestApi, org: TestOrg, role: RoleName, label = role.toLowerCase()): Promise<TestUser> {
  const user = await insertUser(api, label);
  await joinByInvitation(api.client, org, user, role);
  return user;
}

export async function setRole(api: TestApi, org: TestOrg, user: TestUser, role: RoleName): Promise<void> {
  await api.client.ok(`mutation($id: ID!, $role: Role!) { updateMemberRole(userId: $id, role: $role) { role } }`, { id: user.id, role }, { token: org.owner.token, orgId: org.id });
}
