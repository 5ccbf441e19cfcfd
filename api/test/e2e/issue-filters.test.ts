// The issues query over HTTP: every IssueFilter field takes the contract's ids and enums,
// fields combine with AND, and text search sees a write made just before.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, ownerSql, refusal, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let member: RoleClient;
let inProgress: string;
let label: string;
let sprint: string;

const LIST = `query($filter: IssueFilter) { issues(filter: $filter, orderBy: { field: NUMBER, direction: ASC }) { totalCount edges { node { key } } } }`;

beforeAll(async () => {
  api = await startTestApi('filters');
  org = await createOrg(api.client, 'flt');
  member = clientAs(api, org, 'MEMBER');
  const owner = clientAs(api, org);
  const project = await createProject(api.client, org, 'FLT');
  inProgress = project.workflow[1]!.id;
  label = (await owner.ok(`mutation { createLabel(projectKey: "FLT", name: "hot", color: "#FF0000") { id } }`)).createLabel.id;
  sprint = (await owner.ok(`mutation { createSprint(input: { projectKey: "FLT", name: "S" }) { id } }`)).createSprint.id;
  await createIssue(api.client, org, { projectKey: 'FLT', title: 'Epic of filters', type: 'EPIC' }); // FLT-1
  await createIssue(api.client, org, { projectKey: 'FLT', title: 'Kitchen sink bug', type: 'BUG', priority: 'HIGH', assigneeId: org.users.ADMIN.id, labelIds: [label], sprintId: sprint, parentKey: 'FLT-1' }, org.users.MEMBER); // FLT-2
  await createIssue(api.client, org, { projectKey: 'FLT', title: 'Plain task', priority: 'LOW' }); // FLT-3
  await createIssue(api.client, org, { projectKey: 'FLT', title: 'Another bug', type: 'BUG', priority: 'HIGH', assigneeId: org.users.MEMBER.id }); // FLT-4
  await member.ok(`mutation($to: ID!) { transitionIssue(key: "FLT-3", toStateId: $to) { key } }`, { to: inProgress });
  const sql = ownerSql(api);
  await sql.query(`UPDATE issues SET created_at = TIMESTAMPTZ '2030-01-01' + number * INTERVAL '1 day', updated_at = TIMESTAMPTZ '2030-03-01' + number * INTERVAL '1 day'`);
  await sql.end();
});
afterAll(() => api?.stop());

async function keys(filter: Record<string, unknown>): Promise<string[]> {
  const data = await member.ok(LIST, { filter });
  expect(data.issues.totalCount).toBe(data.issues.edges.length);
  return data.issues.edges.map((e: any) => e.node.key);
}

test('every filter field works through the API with the contract\'s ids', async () => {
  const cases: [Record<string, unknown>, string[]][] = [
    [{ statusIds: [inProgress] }, ['FLT-3']],
    [{ statusCategories: ['TODO'] }, ['FLT-1', 'FLT-2', 'FLT-4']],
    [{ assigneeIds: [org.users.ADMIN.id] }, ['FLT-2']],
    [{ unassigned: true }, ['FLT-1', 'FLT-3']],
    [{ reporterIds: [org.users.MEMBER.id] }, ['FLT-2']],
    [{ types: ['BUG'] }, ['FLT-2', 'FLT-4']],
    [{ priorities: ['LOW', 'HIGH'] }, ['FLT-2', 'FLT-3', 'FLT-4']],
    [{ labelIds: [label] }, ['FLT-2']],
    [{ sprintId: sprint }, ['FLT-2']],
    [{ parentKey: 'FLT-1' }, ['FLT-2']],
    [{ text: 'bugs' }, ['FLT-2', 'FLT-4']],
    [{ createdAfter: '2030-01-03T00:00:00Z' }, ['FLT-3', 'FLT-4']],
    [{ createdBefore: '2030-01-03T12:00:00Z' }, ['FLT-1', 'FLT-2']],
    [{ createdAfter: '2030-01-02T00:00:00Z', createdBefore: '2030-01-04T00:00:00Z' }, ['FLT-2']],
    [{ updatedAfter: '2030-03-04T00:00:00Z' }, ['FLT-4']],
  ];
  for (const [filter, expected] of cases) expect({ filter, keys: await keys(filter) }).toEqual({ filter, keys: expected });
});

test('filter fields combine with AND', async () => {
  expect(await keys({ types: ['BUG'], priorities: ['HIGH'], unassigned: false, labelIds: [label] })).toEqual(['FLT-2']);
  expect(await keys({ types: ['BUG'], statusCategories: ['IN_PROGRESS'] })).toEqual([]);
  expect(await keys({ text: 'bug', assigneeIds: [org.users.MEMBER.id], createdAfter: '2030-01-01T00:00:00Z' })).toEqual(['FLT-4']);
});

test('a search right after an update finds the new words and not the old ones', async () => {
  await member.ok(`mutation { updateIssue(key: "FLT-3", input: { title: "Renamed giraffe", description: "with a long neck" }) { key } }`);
  expect(await keys({ text: 'giraffe' })).toEqual(['FLT-3']);
  expect(await keys({ text: 'neck' })).toEqual(['FLT-3']);
  expect(await keys({ text: 'plain' })).toEqual([]);
});

test('ids of the wrong kind or malformed are refused naming the filter field', async () => {
  expect(refusal(await member.request(LIST, { filter: { labelIds: ['garbage'] } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'labelIds' });
  expect(refusal(await member.request(LIST, { filter: { assigneeIds: ['garbage'] } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'assigneeIds' });
  expect(refusal(await member.request(LIST, { filter: { sprintId: 'garbage' } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'sprintId' });
  expect(refusal(await member.request(LIST, { filter: { statusIds: ['garbage'] } }))).toEqual({ code: 'BAD_USER_INPUT', field: 'statusIds' });
});

test('another organization sees none of these issues', async () => {
  const stranger = await createOrg(api.client, 'flt-other');
  const data = await clientAs(api, stranger).ok(`{ issues { totalCount } issue(key: "FLT-2") { key } }`);
  expect(data).toEqual({ issues: { totalCount: 0 }, issue: null });
});
