// Keys and references that stay inside one tenant, checked in the database itself: every
// unique key over tenant rows leads with org_id, and every column naming a user accepts only
// members of the row's own organization. Both are read from the catalog, so a new table or
// column joins the checks without editing this file.
import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { asTenant, connect, seedOrg, tenantTables, type SeededOrg } from '../support/rls-probe';

let database: TestDatabase;
let owner: Client;
let a: SeededOrg;
let b: SeededOrg;

beforeAll(async () => {
  database = await createTestDatabase('tenantrefs');
  owner = await connect(database.ownerUrl);
  a = await seedOrg(owner, 'alpha');
  b = await seedOrg(owner, 'bravo');
});

afterAll(async () => {
  await owner?.end();
  await database?.drop();
});

/** Unique indexes of tenant tables that neither include org_id nor are a lone surrogate id. */
async function keysWithoutTenant(client: Client): Promise<string[]> {
  const tables = (await tenantTables(client)).filter((table) => table.column === 'org_id').map((table) => table.name);
  const { rows } = await client.query<{ index: string; columns: string[] }>(
    `SELECT i.indexrelid::regclass::text AS index, array_agg(a.attname::text ORDER BY a.attnum) AS columns
     FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indisunique AND i.indrelid::regclass::text = ANY($1)
     GROUP BY i.indexrelid`,
    [tables],
  );
  return rows.filter((row) => !row.columns.includes('org_id') && !(row.columns.length === 1 && row.columns[0] === 'id')).map((row) => `${row.index} (${row.columns.join(', ')})`);
}

/** uuid columns of tenant tables that no foreign key holds: the ones naming users. */
async function userColumns(): Promise<{ table: string; column: string }[]> {
  const { rows } = await owner.query<{ table: string; column: string }>(
    `SELECT c.relname AS table, a.attname AS column
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = 'uuid'::regtype
       AND a.attname NOT IN ('org_id', 'id')
       AND EXISTS (SELECT 1 FROM pg_attribute o WHERE o.attrelid = c.oid AND o.attname = 'org_id')
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY(k.conkey))
     ORDER BY 1, 2`,
  );
  return rows;
}

async function sqlState(fn: () => Promise<unknown>): Promise<string | null> {
  try {
    await fn();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  }
}

test('every unique and primary key of a tenant table includes org_id (a lone surrogate id aside)', async () => {
  expect(await keysWithoutTenant(owner)).toEqual([]);
});

test('the key check reports a unique key without org_id', async () => {
  await owner.query('BEGIN');
  try {
    await owner.query('CREATE UNIQUE INDEX leaky_issue_numbers ON issues (project_id, number)');
    expect(await keysWithoutTenant(owner)).toEqual(['leaky_issue_numbers (project_id, number)']);
  } finally {
    await owner.query('ROLLBACK');
  }
});

test('the columns that name users are exactly the ones the membership trigger guards', async () => {
  const columns = await userColumns();
  expect(columns.map(({ table, column }) => `${table}.${column}`)).toEqual([
    'attachments.uploader_id',
    'audit_entries.actor_id',
    'comments.author_id',
    'custom_field_values.user_id',
    'idempotency_keys.user_id',
    'invitations.invited_by_id',
    'issue_events.actor_id',
    'issue_watchers.user_id',
    'issues.assignee_id',
    'issues.reporter_id',
    'notifications.actor_id',
    'notifications.user_id',
    'projects.lead_id',
    'webhooks.created_by_id',
  ]);
});

test("no user column accepts a user from another organization, and each accepts the tenant's own member", async () => {
  // As the owner with org A pinned: the trigger applies to every role, and the owner may
  // update every table, so each column is tried the same way.
  for (const { table, column } of await userColumns()) {
    const set = (userId: string) => asTenant(owner, { orgId: a.orgId }, () => owner.query(`UPDATE "${table}" SET "${column}" = $1 WHERE org_id = $2`, [userId, a.orgId]));
    expect({ table, column, foreign: await sqlState(() => set(b.userId)) }).toEqual({ table, column, foreign: '23503' });
    expect({ table, column, own: await sqlState(() => set(a.userId)) }).toEqual({ table, column, own: null });
  }
});

test('a row written as the app role that names a non-member is refused, and nothing is written', async () => {
  const app = await connect(database.appUrl);
  try {
    const insert = () =>
      asTenant(app, { orgId: a.orgId, userId: a.userId }, () =>
        app.query(`INSERT INTO comments (org_id, issue_id, author_id, body) SELECT org_id, id, $2, 'from outside' FROM issues WHERE org_id = $1 LIMIT 1`, [a.orgId, b.userId]),
      );
    expect(await sqlState(insert)).toBe('23503');
    const { rows } = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM comments WHERE body = 'from outside'`);
    expect(rows[0]!.n).toBe(0);
  } finally {
    await app.end();
  }
});
