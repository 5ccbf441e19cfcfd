// Row-level security checked with plain SQL, in the style of graphile/starter: seed two
// tenants as the owner, then open transactions as the app role, pin a tenant with
// set_config(..., true), look, and always roll back. No application code is involved.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

export interface TenantTable {
  readonly name: string;
  /** The column naming the tenant: org_id, or id for organizations itself. */
  readonly column: string;
  readonly isEnabled: boolean;
  readonly isForced: boolean;
  readonly policies: number;
}

export interface SeededOrg {
  readonly orgId: string;
  readonly userId: string;
}

export async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Every table holding tenant rows: each one with an org_id column, and organizations. */
export async function tenantTables(client: Client): Promise<TenantTable[]> {
  const { rows } = await client.query<{ name: string; column: string; is_enabled: boolean; is_forced: boolean; policies: number }>(`
    SELECT c.relname AS name, CASE WHEN c.relname = 'organizations' THEN 'id' ELSE 'org_id' END AS column,
           c.relrowsecurity AS is_enabled, c.relforcerowsecurity AS is_forced,
           (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND (c.relname = 'organizations'
           OR EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND a.attnum > 0 AND NOT a.attisdropped))
    ORDER BY 1`);
  return rows.map((row) => ({ name: row.name, column: row.column, isEnabled: row.is_enabled, isForced: row.is_forced, policies: row.policies }));
}

/** One or more rows in every tenant table for a new organization, written as the owner. */
export async function seedOrg(owner: Client, label: string): Promise<SeededOrg> {
  const [o, u, p, s1, s2, l, sp, i1, i2, w, att, cf] = Array.from({ length: 12 }, () => randomUUID());
  const statements: [string, unknown[]][] = [
    [`INSERT INTO users (id, email, name, password_hash, updated_at) VALUES ($1, $2, $3, 'x', now())`, [u, `${label}-${u}@example.com`, label]],
    [`INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)`, [o, label, `${label}-${o.slice(0, 8)}`]],
    [`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'OWNER')`, [o, u]],
    [`INSERT INTO projects (id, org_id, key, name, updated_at) VALUES ($1, $2, 'WEB', $3, now())`, [p, o, `${label} project`]],
    [`INSERT INTO workflow_states (id, org_id, project_id, name, category, position) VALUES ($1, $3, $4, 'To Do', 'TODO', 0), ($2, $3, $4, 'Done', 'DONE', 1)`, [s1, s2, o, p]],
    [`INSERT INTO workflow_transitions (org_id, from_state_id, to_state_id) VALUES ($1, $2, $3)`, [o, s1, s2]],
    [`INSERT INTO labels (id, org_id, project_id, name, color) VALUES ($1, $2, $3, 'bug', '#FF0000')`, [l, o, p]],
    [`INSERT INTO sprints (id, org_id, project_id, name) VALUES ($1, $2, $3, 'Sprint 1')`, [sp, o, p]],
    [
      `INSERT INTO issues (id, org_id, project_id, number, type, title, status_id, reporter_id, sprint_id, rank, updated_at)
       VALUES ($1, $3, $4, 1, 'TASK', $6, $5, $7, $8, 'a', now()), ($2, $3, $4, 2, 'TASK', $6, $5, $7, NULL, 'b', now())`,
      [i1, i2, o, p, s1, `${label} issue`, u, sp],
    ],
    [`INSERT INTO issue_labels (org_id, issue_id, label_id) VALUES ($1, $2, $3)`, [o, i1, l]],
    [`INSERT INTO issue_links (id, org_id, from_issue_id, to_issue_id, type) VALUES ($1, $2, $3, $4, 'BLOCKS')`, [randomUUID(), o, i1, i2]],
    [`INSERT INTO issue_watchers (org_id, issue_id, user_id) VALUES ($1, $2, $3)`, [o, i1, u]],
    [`INSERT INTO comments (id, org_id, issue_id, author_id, body) VALUES ($1, $2, $3, $4, 'hello')`, [randomUUID(), o, i1, u]],
    [`INSERT INTO attachments (id, org_id, issue_id, uploader_id, file_name, content_type, size, object_key, completed_at) VALUES ($1, $2, $3, $4, 'a.txt', 'text/plain', 1, $5, now())`, [att, o, i1, u, `${o}/${i1}/${att}`]],
    [`INSERT INTO issue_events (org_id, project_id, issue_id, actor_id, kind) VALUES ($1, $2, $3, $4, 'CREATED')`, [o, p, i1, u]],
    [`INSERT INTO idempotency_keys (org_id, user_id, key, fingerprint, expires_at) VALUES ($1, $2, 'k', 'f', now() + interval '1 day')`, [o, u]],
    [`INSERT INTO webhooks (id, org_id, project_id, url, events, secret, created_by_id) VALUES ($1, $2, $3, 'https://example.com/hook', ARRAY['*'], 's', $4)`, [w, o, p, u]],
    [`INSERT INTO webhook_deliveries (org_id, webhook_id, event_id) VALUES ($1, $2, 1)`, [o, w]],
    [`INSERT INTO audit_entries (id, org_id, actor_id, action) VALUES ($1, $2, $3, 'project.created')`, [randomUUID(), o, u]],
    [`INSERT INTO invitations (id, org_id, email, role, token_hash, invited_by_id, expires_at) VALUES ($1, $2, $3, 'MEMBER', $4, $5, now() + interval '7 days')`, [randomUUID(), o, `invitee-${o}@example.com`, `hash-${o}`, u]],
    [`INSERT INTO custom_fields (id, org_id, project_id, name, type, options) VALUES ($1, $2, $3, 'Team', 'USER', '{}')`, [cf, o, p]],
    [`INSERT INTO custom_field_values (org_id, issue_id, field_id, value, user_id) VALUES ($1, $2, $3, $4, $5)`, [o, i1, cf, `user ${u}`, u]],
    [`INSERT INTO notifications (id, org_id, user_id, issue_id, actor_id, kind) VALUES ($1, $2, $3, $4, $3, 'ASSIGNED')`, [randomUUID(), o, u, i1]],
  ];
  for (const [text, values] of statements) await owner.query(text, values);
  return { orgId: o, userId: u };
}

/** Runs `fn` in a transaction as whoever `client` is, with the tenant pinned, and rolls back. */
export async function asTenant<T>(client: Client, settings: { orgId?: string; userId?: string }, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    if (settings.orgId) await client.query(`SELECT set_config('app.org_id', $1, true)`, [settings.orgId]);
    if (settings.userId) await client.query(`SELECT set_config('app.user_id', $1, true)`, [settings.userId]);
    return await fn();
  } finally {
    await client.query('ROLLBACK');
  }
}

async function countRows(client: Client, table: TenantTable, orgId: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table.name}" WHERE "${table.column}" = $1`, [orgId]);
  return rows[0]!.n;
}

/**
 * Everything wrong with the isolation of each tenant table, as "<table>: <problem>" lines
 * (empty when all is well). `a` and `b` must have rows in every table (see seedOrg).
 */
export async function isolationProblems(ownerUrl: string, appUrl: string, a: SeededOrg, b: SeededOrg): Promise<string[]> {
  const owner = await connect(ownerUrl);
  const app = await connect(appUrl);
  try {
    return await isolationProblemsOn(owner, app, a, b);
  } finally {
    await Promise.all([owner.end(), app.end()]);
  }
}

/** The same checks on open connections: the owner's and the app role's. */
export async function isolationProblemsOn(owner: Client, app: Client, a: SeededOrg, b: SeededOrg): Promise<string[]> {
  const problems: string[] = [];
  const seen: { table: TenantTable; ownRows: number; report: (problem: string) => void }[] = [];
  for (const table of await tenantTables(owner)) {
    const report = (problem: string) => problems.push(`${table.name}: ${problem}`);
    if (!table.isEnabled) report('row-level security is not enabled');
    if (!table.isForced) report('row-level security is not forced');
    if (table.policies === 0) report('has no policy');
    const [ownRows, foreignRows] = [await countRows(owner, table, a.orgId), await countRows(owner, table, b.orgId)];
    if (ownRows === 0 || foreignRows === 0) report('has no seeded rows for both tenants: add some to seedOrg');
    seen.push({ table, ownRows, report });
  }
  for (const { table, ownRows, report } of seen) {
    const untenanted = await asTenant(app, {}, async () => (await app.query(`SELECT 1 FROM "${table.name}" LIMIT 1`)).rowCount);
    if (untenanted !== 0) report('rows are visible with no app.org_id set');
    await asTenant(app, { orgId: a.orgId }, async () => {
      if ((await countRows(app, table, b.orgId)) !== 0) report("another tenant's rows are visible");
      if ((await countRows(app, table, a.orgId)) !== ownRows) report("the tenant's own rows are not all visible");
    });
  }
  return problems;
}
