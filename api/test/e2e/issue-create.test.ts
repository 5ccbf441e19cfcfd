// createIssue over HTTP: every input field, gap-free numbers under truly concurrent requests,
// validation that names the field and writes nothing, and role checks.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ISSUE_FIELDS, ownerSql, refusal, type OwnerSql, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let member: RoleClient;
let sql: OwnerSql;

const CREATE = `mutation($input: CreateIssueInput!) { createIssue(input: $input) { ${ISSUE_FIELDS} } }`;

beforeAll(async () => {
  api = await startTestApi('issuecreate');
  org = await createOrg(api.client, 'cre');
  member = clientAs(api, org, 'MEMBER');
  sql = ownerSql(api);
  await createProject(api.client, org, 'CRE');
  await createProject(api.client, org, 'RACE');
});
afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

test('createIssue stores every field and answers with the issue and its relations', async () => {
  const owner = clientAs(api, org);
  const label = (await owner.ok(`mutation { createLabel(projectKey: "CRE", name: "api", color: "#123456") { id } }`)).createLabel.id;
  const sprint = (await owner.ok(`mutation { createSprint(input: { projectKey: "CRE", name: "S1" }) { id } }`)).createSprint.id;
  const epic = await createIssue(api.client, org, { projectKey: 'CRE', title: 'Epic', type: 'EPIC' });
  const data = await member.ok(CREATE, {
    input: {
      projectKey: 'CRE',
      title: 'Checkout fails',
      description: 'Steps to reproduce',
      type: 'BUG',
      priority: 'URGENT',
      assigneeId: org.users.ADMIN.id,
      labelIds: [label],
      parentKey: epic.key,
      storyPoints: 2.5,
      dueDate: '2031-02-03T04:05:06.000Z',
      sprintId: sprint,
    },
  });
  expect(data.createIssue).toMatchObject({
    key: 'CRE-2',
    number: 2,
    type: 'BUG',
    title: 'Checkout fails',
    description: 'Steps to reproduce',
    priority: 'URGENT',
    storyPoints: 2.5,
    dueDate: '2031-02-03T04:05:06.000Z',
    version: 1,
    status: { name: 'To Do', category: 'TODO' },
    assignee: { id: org.users.ADMIN.id },
    reporter: { id: org.users.MEMBER.id },
    labels: [{ id: label, name: 'api' }],
    parent: { key: epic.key },
    children: [],
    sprint: { id: sprint, name: 'S1' },
    project: { key: 'CRE' },
  });
  const history = await member.ok(`{ issue(key: "CRE-2") { history { edges { node { kind actor { id } to } } } } }`);
  expect(history.issue.history.edges).toEqual([{ node: { kind: 'CREATED', actor: { id: org.users.MEMBER.id }, to: { key: 'CRE-2', title: 'Checkout fails', type: 'BUG' } } }]);
});

test('defaults are TASK and NONE, and a new issue goes to the bottom of the board', async () => {
  const a = await member.ok(CREATE, { input: { projectKey: 'CRE', title: 'Defaults' } });
  expect(a.createIssue).toMatchObject({ type: 'TASK', priority: 'NONE', assignee: null, sprint: null, parent: null });
  const board = await member.ok(`{ project(key: "CRE") { issues { edges { node { key rank } } } } }`);
  expect(board.project.issues.edges.at(-1).node.key).toBe(a.createIssue.key);
});

test('two hundred concurrent createIssue requests on one project get exactly the numbers 1 to 200', async () => {
  const concurrency = 20;
  const numbers: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < 200) {
      const i = next++;
      const data = await member.ok(`mutation($input: CreateIssueInput!) { createIssue(input: $input) { number key } }`, { input: { projectKey: 'RACE', title: `Race ${i}` } });
      expect(data.createIssue.key).toBe(`RACE-${data.createIssue.number}`);
      numbers.push(data.createIssue.number);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  const [row] = await sql.query(`SELECT issue_seq, (SELECT count(DISTINCT rank)::int FROM issues WHERE project_id = p.id) AS ranks FROM projects p WHERE key = 'RACE'`);
  expect(row).toEqual({ issue_seq: 200, ranks: 200 });
});

test('invalid input is BAD_USER_INPUT naming the field, and nothing is written', async () => {
  const before = await sql.count('issues');
  const eventsBefore = await sql.count('issue_events');
  const cases: [Record<string, unknown>, string][] = [
    [{ title: '' }, 'title'],
    [{ title: 't'.repeat(256) }, 'title'],
    [{ title: 'ok', description: 'd'.repeat(100_001) }, 'description'],
    [{ title: 'ok', storyPoints: -3 }, 'storyPoints'],
    [{ title: 'ok', dueDate: '1969-12-31T00:00:00Z' }, 'dueDate'],
    [{ title: 'ok', dueDate: '2201-01-01T00:00:00Z' }, 'dueDate'],
    [{ title: 'ok', type: 'SUBTASK' }, 'parentKey'],
    [{ title: 'ok', assigneeId: 'not-an-id' }, 'assigneeId'],
    [{ title: 'ok', labelIds: ['nope'] }, 'labelIds'],
  ];
  for (const [input, field] of cases) {
    const response = await member.request(CREATE, { input: { projectKey: 'CRE', ...input } });
    expect({ field, got: refusal(response) }).toEqual({ field, got: { code: 'BAD_USER_INPUT', field } });
    expect(response.data).toBeNull();
  }
  expect(await sql.count('issues')).toBe(before);
  expect(await sql.count('issue_events')).toBe(eventsBefore);
  const [seq] = await sql.query(`SELECT issue_seq FROM projects WHERE key = 'CRE'`);
  expect(seq).toEqual({ issue_seq: before - 200 });
});

test('unknown references are NOT_FOUND naming the field', async () => {
  const ghost = Buffer.from('User:00000000-0000-7000-8000-000000000000').toString('base64url');
  expect(refusal(await member.request(CREATE, { input: { projectKey: 'NOPE', title: 'x' } }))).toEqual({ code: 'NOT_FOUND', field: 'projectKey' });
  expect(refusal(await member.request(CREATE, { input: { projectKey: 'CRE', title: 'x', assigneeId: ghost } }))).toEqual({ code: 'NOT_FOUND', field: 'assigneeId' });
  expect(refusal(await member.request(CREATE, { input: { projectKey: 'CRE', title: 'x', parentKey: 'CRE-9999' } }))).toEqual({ code: 'NOT_FOUND', field: 'parentKey' });
});

test('a VIEWER is FORBIDDEN and a caller from another organization is FORBIDDEN by x-org-id', async () => {
  const viewer = await clientAs(api, org, 'VIEWER').request(CREATE, { input: { projectKey: 'CRE', title: 'x' } });
  expect(refusal(viewer).code).toBe('FORBIDDEN');
  const stranger = await createOrg(api.client, 'stranger');
  const response = await api.client.request(CREATE, { input: { projectKey: 'CRE', title: 'x' } }, { token: stranger.owner.token, orgId: org.id });
  expect(refusal(response).code).toBe('FORBIDDEN');
  const own = await clientAs(api, stranger).request(CREATE, { input: { projectKey: 'CRE', title: 'x' } });
  expect(refusal(own)).toEqual({ code: 'NOT_FOUND', field: 'projectKey' });
});
