// Row-level security on its own, as the API's database role sees it, with no application code:
// every tenant table is enabled + forced with a policy, the app role can't bypass it, and
// with one tenant pinned the other tenant's rows can be neither read nor written.
import type { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { APP_ROLE } from '../support/test-env';
import { asTenant, connect, isolationProblems, seedOrg, tenantTables, type SeededOrg, type TenantTable } from '../support/rls-probe';

let database: TestDatabase;
let owner: Client;
let app: Client;
let a: SeededOrg;
let b: SeededOrg;
let tables: TenantTable[];

beforeAll(async () => {
  database = await createTestDatabase('rls');
  owner = await connect(database.ownerUrl);
  app = await connect(database.appUrl);
  a = await seedOrg(owner, 'alpha');
  b = await seedOrg(owner, 'bravo');
  tables = await tenantTables(owner);
});

afterAll(async () => {
  await Promise.all([owner?.end(), app?.end()]);
  await database?.drop();
});

test('the app role is no superuser, cannot bypass RLS, owns nothing and cannot create or re-secure tables', async () => {
  const { rows: [role] } = await owner.query(`SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = $1`, [APP_ROLE]);
  expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false });
  const { rows: owned } = await owner.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND pg_has_role($1, c.relowner, 'MEMBER')`,
    [APP_ROLE],
  );
  expect(owned).toEqual([]);
  const { rows: [rights] } = await owner.query(
    `SELECT has_schema_privilege($1, 'public', 'CREATE') AS can_create,
            has_function_privilege($1, 'app_enable_tenant_rls(regclass)', 'EXECUTE') AS can_enable_rls,
            has_table_privilege($1, '_prisma_migrations', 'SELECT') AS can_read_migrations`,
    [APP_ROLE],
  );
  expect(rights).toEqual({ can_create: false, can_enable_rls: false, can_read_migrations: false });
  const { rows: [me] } = await app.query(`SELECT current_user AS name`);
  expect(me.name).toBe(APP_ROLE);
});

test('every table with an org_id column (and organizations) has RLS enabled, forced and a policy', () => {
  expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['organizations', 'memberships', 'projects', 'issues', 'comments']));
  const unprotected = tables.filter((table) => !table.isEnabled || !table.isForced || table.policies === 0).map((table) => table.name);
  expect(unprotected).toEqual([]);
});

test('with no app.org_id set, every tenant table reads as empty', async () => {
  for (const table of tables) {
    const count = await asTenant(app, {}, async () => (await app.query(`SELECT count(*)::int AS n FROM "${table.name}"`)).rows[0].n);
    expect({ table: table.name, count }).toEqual({ table: table.name, count: 0 });
  }
});

test('with org A pinned, no table shows a row of org B and every row of A is there', async () => {
  expect(await isolationProblems(database.ownerUrl, database.appUrl, a, b)).toEqual([]);
});

/** Rows a statement touched, or the SQLSTATE it failed with (42501: the role may not). */
async function touchedOrCode(statement: () => Promise<{ rowCount: number | null }>): Promise<number | string | null> {
  try {
    return (await statement()).rowCount;
  } catch (error) {
    return (error as { code?: string }).code ?? 'no code';
  }
}

test("with org A pinned, updating or deleting org B's rows touches none", async () => {
  // Append-only tables refuse the statement outright (42501), which touches nothing either.
  const { rows: appendOnly } = await app.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c WHERE c.relname = ANY($1) AND NOT has_table_privilege(current_user, c.oid, 'UPDATE')`,
    [tables.map((table) => table.name)],
  );
  expect(appendOnly.map((row) => row.name)).toEqual(['audit_entries']);
  for (const { name, column } of tables) {
    const nothing = appendOnly.some((row) => row.name === name) ? '42501' : 0;
    const touched = await asTenant(app, { orgId: a.orgId }, async () => ({
      updated: await touchedOrCode(() => app.query(`UPDATE "${name}" SET "${column}" = "${column}" WHERE "${column}" = $1`, [b.orgId])),
    }));
    const deleted = await asTenant(app, { orgId: a.orgId }, () => touchedOrCode(() => app.query(`DELETE FROM "${name}" WHERE "${column}" = $1`, [b.orgId])));
    expect({ table: name, ...touched, deleted }).toEqual({ table: name, updated: nothing, deleted: nothing });
  }
});

test('the audit log is append-only for the app role: it inserts and reads its own entries, never updates or deletes them', async () => {
  const outcome = await asTenant(app, { orgId: a.orgId, userId: a.userId }, async () => {
    await app.query(`INSERT INTO audit_entries (id, org_id, actor_id, action) VALUES (gen_random_uuid(), $1, $2, 'project.created')`, [a.orgId, a.userId]);
    const read = (await app.query(`SELECT count(*)::int AS n FROM audit_entries`)).rows[0].n as number;
    await app.query('SAVEPOINT before_update');
    const updated = await touchedOrCode(() => app.query(`UPDATE audit_entries SET action = 'forged' WHERE org_id = $1`, [a.orgId]));
    await app.query('ROLLBACK TO SAVEPOINT before_update');
    const deleted = await touchedOrCode(() => app.query(`DELETE FROM audit_entries WHERE org_id = $1`, [a.orgId]));
    return { read, updated, deleted };
  });
  expect(outcome).toEqual({ read: 2, updated: '42501', deleted: '42501' });
});

test("with org A pinned, inserting a row of org B or moving A's rows into B is refused by the policy", async () => {
  for (const table of tables) {
    const { rows: [sample] } = await owner.query(`SELECT row_to_json(t) AS row FROM "${table.name}" t WHERE "${table.column}" = $1 LIMIT 1`, [b.orgId]);
    const columns = await insertableColumns(table.name);
    // A fresh uuid primary key, so the refusal can only come from the policy, not a duplicate.
    const values = columns.map((column) => (column.name === 'id' && column.isUuid ? 'gen_random_uuid()' : `r."${column.name}"`));
    const list = columns.map((column) => `"${column.name}"`).join(', ');
    const insert = await sqlState(() => app.query(`INSERT INTO "${table.name}" (${list}) SELECT ${values.join(', ')} FROM json_populate_record(NULL::"${table.name}", $1) r`, [sample.row]));
    const move = await sqlState(() => app.query(`UPDATE "${table.name}" SET "${table.column}" = $1 WHERE "${table.column}" = $2`, [b.orgId, a.orgId]));
    // 42501: "new row violates row-level security policy"
    expect({ table: table.name, insert, move }).toEqual({ table: table.name, insert: '42501', move: '42501' });
  }
});

test("a user's own memberships in other organizations are readable (for `organizations`), nothing else of those organizations", async () => {
  await asTenant(app, { orgId: a.orgId, userId: b.userId }, async () => {
    const { rows: memberships } = await app.query(`SELECT org_id FROM memberships WHERE org_id = $1`, [b.orgId]);
    expect(memberships).toEqual([{ org_id: b.orgId }]);
    const { rows: orgs } = await app.query(`SELECT id FROM organizations ORDER BY id`);
    expect(orgs.map((row) => row.id).sort()).toEqual([a.orgId, b.orgId].sort());
    const { rows: projects } = await app.query(`SELECT org_id FROM projects WHERE org_id = $1`, [b.orgId]);
    expect(projects).toEqual([]);
  });
  const join = () => app.query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'OWNER')`, [b.orgId, a.userId]);
  expect(await sqlState(join, { orgId: a.orgId, userId: b.userId })).toBe('42501');
});

test('the isolation check reports a table whose policy was dropped, or whose RLS was turned off', async () => {
  const broken = await createTestDatabase('rlsbroken');
  try {
    const brokenOwner = await connect(broken.ownerUrl);
    const [x, y] = [await seedOrg(brokenOwner, 'xray'), await seedOrg(brokenOwner, 'yankee')];
    await brokenOwner.query(`DROP POLICY tenant_isolation ON labels`);
    await brokenOwner.query(`ALTER TABLE comments DISABLE ROW LEVEL SECURITY`);
    await brokenOwner.end();
    const problems = await isolationProblems(broken.ownerUrl, broken.appUrl, x, y);
    expect([...new Set(problems.map((problem) => problem.split(':')[0]))]).toEqual(['comments', 'labels']);
    expect(problems).toEqual(expect.arrayContaining(['labels: has no policy', "comments: another tenant's rows are visible", 'comments: rows are visible with no app.org_id set']));
  } finally {
    await broken.drop();
  }
});

/** Columns a plain INSERT may name: not generated, not filled by a sequence. */
async function insertableColumns(table: string): Promise<{ name: string; isUuid: boolean }[]> {
  const { rows } = await owner.query(
    `SELECT a.attname AS name, a.atttypid = 'uuid'::regtype AS "isUuid"
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
       AND coalesce(pg_get_expr(d.adbin, d.adrelid), '') NOT LIKE 'nextval(%'
     ORDER BY a.attnum`,
    [`"${table}"`],
  );
  return rows;
}

/** The SQLSTATE a statement fails with, in a rolled-back transaction as tenant A; null if it succeeds. */
async function sqlState(statement: () => Promise<unknown>, settings: { orgId?: string; userId?: string } = { orgId: a.orgId }): Promise<string | null> {
  return asTenant(app, settings, async () => {
    try {
      await statement();
      return null;
    } catch (error) {
      return (error as { code?: string }).code ?? 'unknown';
    }
  });
}
