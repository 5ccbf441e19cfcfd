// node(id) for every Node type, null for what the caller may not see; deleteIssue hides an
// issue everywhere a client could look and its key is never reused.
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { clientAs, refusal, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let other: TestOrg;
let member: RoleClient;

const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on Issue { key } ... on Project { key } ... on Sprint { name } ... on Comment { body }
  ... on Organization { slug } ... on User { email } } }`;

beforeAll(async () => {
  api = await startTestApi('nodes');
  [org, other] = await Promise.all([createOrg(api.client, 'node'), createOrg(api.client, 'else')]);
  member = clientAs(api, org, 'MEMBER');
  await createProject(api.client, org, 'NOD');
  await createProject(api.client, other, 'FAR');
});
afterAll(() => api?.stop());

test('node(id) returns each Node type of the organization', async () => {
  const owner = clientAs(api, org);
  const issue = await createIssue(api.client, org, { projectKey: 'NOD', title: 'Find me' });
  const comment = (await member.ok(`mutation { addComment(issueKey: "${issue.key}", body: "hello") { id } }`)).addComment.id;
  const sprint = (await owner.ok(`mutation { createSprint(input: { projectKey: "NOD", name: "Node sprint" }) { id } }`)).createSprint.id;
  const project = (await owner.ok(`{ project(key: "NOD") { id } }`)).project.id;
  const expected: [string, Record<string, unknown>][] = [
    [issue.id, { __typename: 'Issue', key: issue.key }],
    [project, { __typename: 'Project', key: 'NOD' }],
    [sprint, { __typename: 'Sprint', name: 'Node sprint' }],
    [comment, { __typename: 'Comment', body: 'hello' }],
    [org.id, { __typename: 'Organization', slug: org.slug }],
    [org.users.VIEWER.id, { __typename: 'User', email: org.users.VIEWER.email }],
  ];
  for (const [id, shape] of expected) expect((await member.ok(NODE, { id })).node).toEqual({ id, ...shape });
});

test('node(id) is null for another organization\'s records, unknown ids and non-node ids; malformed ids are BAD_USER_INPUT', async () => {
  const theirIssue = await createIssue(api.client, other, { projectKey: 'FAR', title: 'Secret' });
  const theirProject = (await clientAs(api, other).ok(`{ project(key: "FAR") { id workflow { id } } }`)).project;
  for (const id of [theirIssue.id, theirProject.id, other.id, other.owner.id, Buffer.from('Issue:00000000-0000-7000-8000-000000000000').toString('base64url'), theirProject.workflow[0].id]) {
    const response = await member.request(NODE, { id });
    expect(response.errors).toBeUndefined();
    expect(response.data!.node).toBeNull();
  }
  expect(refusal(await member.request(NODE, { id: 'definitely not an id' }))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
});

test('a deleted issue is gone from issue(key), lists, children, parent, links and node, and its number is not reused', async () => {
  const epic = await createIssue(api.client, org, { projectKey: 'NOD', title: 'Epic', type: 'EPIC' });
  const story = await createIssue(api.client, org, { projectKey: 'NOD', title: 'Doomed story', type: 'STORY', parentKey: epic.key });
  const subtask = await createIssue(api.client, org, { projectKey: 'NOD', title: 'Doomed subtask', type: 'SUBTASK', parentKey: story.key });
  const neighbour = await createIssue(api.client, org, { projectKey: 'NOD', title: 'Neighbour' });
  await member.ok(`mutation { linkIssues(fromKey: "${neighbour.key}", toKey: "${story.key}", type: RELATES_TO) { id } }`);
  expect((await member.ok(`mutation($key: String!) { deleteIssue(key: $key) }`, { key: story.key })).deleteIssue).toBe(true);

  const read = await member.ok(
    `query($story: String!, $sub: String!, $epic: String!, $n: String!, $id: ID!) {
      story: issue(key: $story) { key } sub: issue(key: $sub) { key } node(id: $id) { id }
      epic: issue(key: $epic) { children { key } } neighbour: issue(key: $n) { links { issue { key } } }
      list: issues(first: 100) { totalCount edges { node { key } } }
      search: issues(filter: { text: "doomed" }) { totalCount } }`,
    { story: story.key, sub: subtask.key, epic: epic.key, n: neighbour.key, id: story.id },
  );
  expect(read).toMatchObject({ story: null, sub: null, node: null, epic: { children: [] }, neighbour: { links: [] }, search: { totalCount: 0 } });
  expect(read.list.edges.map((e: any) => e.node.key)).not.toContain(story.key);
  expect(read.list.totalCount).toBe(read.list.edges.length);
  expect(refusal(await member.request(`mutation($key: String!) { deleteIssue(key: $key) }`, { key: story.key })).code).toBe('NOT_FOUND');
  expect(refusal(await member.request(`mutation($key: String!) { updateIssue(key: $key, input: { title: "x" }) { key } }`, { key: story.key })).code).toBe('NOT_FOUND');
  const next = await createIssue(api.client, org, { projectKey: 'NOD', title: 'After the delete' });
  expect(next.key).toBe(`NOD-${Number(neighbour.key.split('-')[1]) + 1}`);
  expect(refusal(await clientAs(api, org, 'VIEWER').request(`mutation { deleteIssue(key: "${next.key}") }`)).code).toBe('FORBIDDEN');
});
