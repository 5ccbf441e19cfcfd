// The index plan of a custom field filter over 200,000 issues, as the tenant sends it: the
// values index, never a scan of issues. Slow tier: it writes 200,000 issues and their values.
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, type RoleClient } from '../support/tracker-api';
import { connect } from '../support/rls-probe';

let api: TestApi;
let org: TestOrg;
let admin: RoleClient;
let member: RoleClient;

const CREATE = `mutation($k: String!, $n: String!, $t: CustomFieldType!, $o: [String!]) {
  createCustomField(projectKey: $k, name: $n, type: $t, options: $o) { id } }`;
const LIST = `query($f: IssueFilter) { issues(filter: $f, first: 100) { totalCount edges { node { key } } } }`;

beforeAll(async () => {
  api = await startTestApi('cfplan');
  org = await createOrg(api.client, 'cfplan');
  admin = clientAs(api, org, 'ADMIN');
  member = clientAs(api, org, 'MEMBER');
  await createProject(api.client, org, 'CFBIG');
});
afterAll(async () => {
  await api?.stop();
});

test('a custom field filter over 200,000 issues uses the values index, not a scan of issues', async () => {
  const sel = (await admin.ok(CREATE, { k: 'CFBIG', n: 'Bucket', t: 'SELECT', o: ['hot', 'cold'] })).createCustomField.id as string;
  const client = await connect(api.database.ownerUrl);
  try {
    const orgRow = (await client.query(`SELECT o.id FROM organizations o WHERE o.slug = (SELECT slug FROM organizations WHERE id = (SELECT org_id FROM custom_fields WHERE name = 'Bucket' LIMIT 1))`)).rows[0];
    const orgId = orgRow.id as string;
    const [{ projectId, statusId, reporterId }] = (
      await client.query(
        `SELECT f.project_id AS "projectId", (SELECT id FROM workflow_states s WHERE s.project_id = f.project_id ORDER BY position LIMIT 1) AS "statusId",
                (SELECT user_id FROM memberships m WHERE m.org_id = f.org_id AND role = 'OWNER' LIMIT 1) AS "reporterId"
         FROM custom_fields f WHERE f.name = 'Bucket'`,
      )
    ).rows;
    await client.query(
      `INSERT INTO issues (id, org_id, project_id, number, type, title, status_id, reporter_id, rank, updated_at)
       SELECT gen_random_uuid(), $1, $2, 1000 + n, 'TASK', 'bulk ' || n, $3, $4, lpad(n::text, 8, '0'), now() FROM generate_series(1, 200000) AS n`,
      [orgId, projectId, statusId, reporterId],
    );
    await client.query(
      `INSERT INTO custom_field_values (org_id, issue_id, field_id, value)
       SELECT org_id, id, $2, CASE WHEN number % 1000 = 0 THEN 'hot' ELSE 'cold' END FROM issues WHERE project_id = $1`,
      [projectId, (await client.query(`SELECT id FROM custom_fields WHERE name = 'Bucket'`)).rows[0].id],
    );
    await client.query('ANALYZE issues; ANALYZE custom_field_values');
    const fieldRowId = (await client.query(`SELECT id FROM custom_fields WHERE name = 'Bucket'`)).rows[0].id;
    // The statement issues(filter: { customFields }) sends (issue-list.ts), as the tenant.
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.org_id', $1, true)`, [orgId]);
    const plan = await client.query(
      `EXPLAIN (FORMAT JSON) SELECT i.id FROM issues i
       WHERE i.org_id = $1::uuid AND i.deleted_at IS NULL
         AND i.id IN (SELECT v.issue_id FROM custom_field_values v WHERE v.org_id = $1::uuid AND v.field_id = $2::uuid AND v.value = $3)
       ORDER BY i.rank ASC, i.id ASC LIMIT 51`,
      [orgId, fieldRowId, 'hot'],
    );
    await client.query('ROLLBACK');
    const nodes: Record<string, unknown>[] = [];
    const walk = (node: Record<string, unknown>) => {
      nodes.push(node);
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(plan.rows[0]['QUERY PLAN'][0].Plan);
    console.log(`Plan of a custom field filter over 200,000 issues: ${nodes.map((node) => [node['Node Type'], node['Index Name'] && `using ${node['Index Name']}`, node['Relation Name'] && `on ${node['Relation Name']}`].filter(Boolean).join(' ')).join(' > ')}`);
    expect(nodes.map((node) => node['Index Name'])).toContain('custom_field_values_org_id_field_id_value_issue_id_idx');
    expect(nodes.filter((node) => node['Relation Name'] === 'issues').map((node) => node['Node Type'])).not.toContain('Seq Scan');
    expect(nodes.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    // And the API answers it: 200 hot issues of 200,000.
    expect((await member.ok(LIST, { f: { customFields: [{ fieldId: sel, equals: 'hot' }] } })).issues.totalCount).toBe(200);
  } finally {
    await client.end();
  }
}, 300_000);
