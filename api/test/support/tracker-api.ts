// Shortcuts for tracker e2e tests: call the API as one role of an organization, and read the
// database as its owner to check what a refused write left behind.
import { openTestPool } from './test-pool';
import type { GraphqlResponse } from './graphql-client';
import type { RoleName, TestOrg } from './fixtures';
import type { TestApi } from './test-server';

export interface RoleClient {
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  request<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResponse<T>>;
}

export function clientAs(api: TestApi, org: TestOrg, role: RoleName = 'OWNER'): RoleClient {
  const caller = { token: org.users[role].token, orgId: org.id };
  return {
    ok: (query, variables = {}) => api.client.ok(query, variables, caller),
    request: (query, variables = {}) => api.client.request(query, variables, caller),
  };
}

export interface OwnerSql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  end(): Promise<void>;
}

export function ownerSql(api: TestApi): OwnerSql {
  const pool = openTestPool(api.database.ownerUrl);
  const query = async <T>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[];
  return {
    query,
    async count(table, where = 'TRUE', params = []) {
      const [row] = await query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table} WHERE ${where}`, params);
      return row!.count;
    },
    end: () => pool.end(),
  };
}

/** The first error's code and field, for compact assertions. */
export function refusal(response: GraphqlResponse): { code: unknown; field: unknown } {
  const extensions = response.errors?.[0]?.extensions ?? {};
  return { code: extensions.code, field: extensions.field };
}

export const ISSUE_FIELDS = `id key number type title description priority storyPoints dueDate rank version createdAt updatedAt
  status { id name category } assignee { id } reporter { id } labels { id name } parent { key } children { key } sprint { id name } project { key }`;
