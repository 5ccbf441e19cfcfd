// Every connection of the schema pages both ways (Relay's first/after and last/before), and
// walking it backward in small pages visits exactly what one forward page shows, in order.
import { getNamedType, isObjectType, type GraphQLField } from 'graphql';
import { buildAppSchema } from '../../src/graphql-server/schema';
import { startTestApi, type TestApi } from '../support/test-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { addQuickMember } from '../support/quick-members';
import { clientAs, refusal, type RoleClient } from '../support/tracker-api';

let api: TestApi;
let org: TestOrg;
let owner: RoleClient;

/** How to reach each connection: a document with $page standing for the paging arguments, and the path to it. */
interface Walk {
  readonly document: (page: string) => string;
  readonly path: readonly string[];
}

const walks: Record<string, Walk> = {};
const NODE = 'edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

beforeAll(async () => {
  api = await startTestApi('connections', { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_WORKER_CONCURRENCY: '0' });
  org = await createOrg(api.client, 'conn');
  owner = clientAs(api, org, 'OWNER');
  for (const key of ['CA', 'CB', 'CC', 'CD', 'CE']) await createProject(api.client, org, key);
  await owner.ok(`mutation { createWebhook(projectKey: "CA", url: "http://127.0.0.1:9/h", events: ["*"]) { webhook { id } } }`);
  const sprint = (await owner.ok(`mutation { createSprint(input: { projectKey: "CA", name: "S" }) { id } }`)).createSprint.id;
  const keys: string[] = [];
  for (let i = 0; i < 7; i++) keys.push((await createIssue(api.client, org, { projectKey: 'CA', title: `Issue ${i}`, sprintId: sprint })).key);
  for (let i = 0; i < 5; i++) await owner.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: keys[0], b: `Comment ${i}` });
  for (let i = 0; i < 5; i++) await owner.ok(`mutation($k: String!, $t: String!) { updateIssue(key: $k, input: { title: $t }) { key } }`, { k: keys[0], t: `Title ${i}` });
  for (const role of ['VIEWER', 'MEMBER', 'ADMIN'] as const) await addQuickMember(api, org, role, `extra${role.toLowerCase()}`);
  // Notifications of the OWNER: a member mentions them on five issues.
  const mentioning = await addQuickMember(api, org, 'MEMBER', 'mentioning');
  for (const key of keys.slice(0, 5)) await api.client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: key, b: `<@${org.owner.id}>` }, { token: mentioning.token, orgId: org.id });
  const webhookId = (await owner.ok(`{ webhooks(projectKey: "CA") { id } }`)).webhooks[0].id;

  Object.assign(walks, {
    'Query.projects': { document: (p) => `{ projects(${p}) { ${NODE} } }`, path: ['projects'] },
    'Query.issues': { document: (p) => `{ issues(${p}) { ${NODE} } }`, path: ['issues'] },
    'Query.auditLog': { document: (p) => `{ auditLog(${p}) { ${NODE} } }`, path: ['auditLog'] },
    'Query.notifications': { document: (p) => `{ notifications(${p}) { ${NODE} } }`, path: ['notifications'] },
    'Query.webhookDeliveries': { document: (p) => `{ webhookDeliveries(webhookId: "${webhookId}", ${p}) { ${NODE} } }`, path: ['webhookDeliveries'] },
    'Project.issues': { document: (p) => `{ project(key: "CA") { issues(${p}) { ${NODE} } } }`, path: ['project', 'issues'] },
    'Sprint.issues': { document: (p) => `{ node(id: "${sprint}") { ... on Sprint { issues(${p}) { ${NODE} } } } }`, path: ['node', 'issues'] },
    'Issue.comments': { document: (p) => `{ issue(key: "${keys[0]}") { comments(${p}) { ${NODE} } } }`, path: ['issue', 'comments'] },
    'Issue.history': { document: (p) => `{ issue(key: "${keys[0]}") { history(${p}) { ${NODE} } } }`, path: ['issue', 'history'] },
    'Organization.members': { document: (p) => `{ organization { members(${p}) { ${NODE} } } }`, path: ['organization', 'members'] },
  } satisfies Record<string, Walk>);
});
afterAll(() => api?.stop());

/** Every field of the schema whose type is a connection. */
function connectionFields(): { name: string; field: GraphQLField<unknown, unknown> }[] {
  const schema = buildAppSchema();
  return Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('__'))
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ name: `${type.name}.${field.name}`, field })))
    .filter(({ field }) => getNamedType(field.type).name.endsWith('Connection'));
}

type Page = { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } };

async function page(walk: Walk, args: string, variables: Record<string, unknown> = {}): Promise<Page> {
  const params = Object.keys(variables).map((name) => `$${name}: String`).join(', ');
  const document = walk.document(args);
  let data = await owner.ok(params ? `query(${params}) ${document}` : document, variables);
  for (const key of walk.path) data = data[key];
  return data as Page;
}

test('every connection of the schema takes first/after and last/before, and the test walks each one', () => {
  const fields = connectionFields();
  for (const { name, field } of fields) expect([name, field.args.map((arg) => arg.name).filter((arg) => ['first', 'after', 'last', 'before'].includes(arg)).sort()]).toEqual([name, ['after', 'before', 'first', 'last']]);
  expect(fields.map(({ name }) => name).sort()).toEqual(Object.keys(walks).sort());
});

test.each(['Query.projects', 'Query.issues', 'Query.auditLog', 'Query.notifications', 'Query.webhookDeliveries', 'Project.issues', 'Sprint.issues', 'Issue.comments', 'Issue.history', 'Organization.members'])(
  '%s: backward pages of 2 and forward pages of 2 visit exactly one full page, in order',
  async (name) => {
    const walk = walks[name]!;
    const all = (await page(walk, 'first: 50')).edges.map((edge) => edge.node.id);
    expect(all.length).toBeGreaterThanOrEqual(4);

    const backward: string[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const current: Page = before ? await page(walk, 'last: 2, before: $before', { before }) : await page(walk, 'last: 2');
      backward.unshift(...current.edges.map((edge) => edge.node.id));
      if (before) expect(current.pageInfo.hasNextPage).toBe(true);
      if (!current.pageInfo.hasPreviousPage) break;
      before = current.pageInfo.startCursor;
    }
    expect(backward).toEqual(all);

    const forward: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const current: Page = after ? await page(walk, 'first: 2, after: $after', { after }) : await page(walk, 'first: 2');
      forward.push(...current.edges.map((edge) => edge.node.id));
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    expect(forward).toEqual(all);
  },
);

test('paging both ways at once, more than 100, and a forged before cursor are BAD_USER_INPUT', async () => {
  expect(refusal(await owner.request(`{ projects(first: 2, last: 2) { edges { cursor } } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'last' });
  expect(refusal(await owner.request(`{ issues(last: 101) { edges { cursor } } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'last' });
  expect(refusal(await owner.request(`{ issues(last: 2, before: "bm9wZQ") { edges { cursor } } }`))).toEqual({ code: 'BAD_USER_INPUT', field: 'before' });
  const comments = await owner.request(`{ organization { members(before: "garbage") { edges { cursor } } } }`);
  expect(refusal(comments)).toEqual({ code: 'BAD_USER_INPUT', field: 'before' });
});
