// "Did you mean …?" maps the schema for someone without introspection. Over graphql-ws the
// same switch as HTTP (GRAPHQL_FIELD_SUGGESTIONS, off by default) decides whether validation
// and variable errors carry suggestions.
import { createProject, type TestOrg } from '../support/fixtures';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, startInstance, type Cluster, type Instance } from '../support/realtime-cluster';
import { connectWs, connectionParams } from '../support/realtime-client';

let cluster: Cluster;
let production: Instance;
let suggesting: Instance;
let org: TestOrg;

beforeAll(async () => {
  cluster = await startCluster('rtsuggest', 1, { NODE_ENV: 'production' });
  production = cluster.instances[0]!;
  suggesting = await startInstance(cluster.database, { GRAPHQL_FIELD_SUGGESTIONS: 'true' });
  org = await quickOrg(production, 'suggest');
  await createProject(production.client, org, 'SUG');
});

afterAll(async () => {
  await suggesting?.stop();
  await cluster?.stop();
});

/** Each document is misspelled somewhere graphql-js would suggest the right name. */
const MISSPELLED: readonly [string, string, Record<string, unknown>][] = [
  ['a root field', 'subscription { issueEvent(projectKey: "SUG") { id } }', {}],
  ['a field of the payload', 'subscription { issueEvents(projectKey: "SUG") { kin } }', {}],
  ['an argument', 'subscription { issueEvents(projectKy: "SUG") { id } }', {}],
  ['a variable type', 'subscription($key: Strin!) { issueEvents(projectKey: $key) { id } }', { key: 'SUG' }],
  ['a variable value field', 'subscription($key: String!, $f: IssueFilter) { issueEvents(projectKey: $key) { id issue { project { issues(filter: $f) { totalCount } } } } }', { key: 'SUG', f: { statu: ['TODO'] } }],
];

async function errorsOf(instance: Instance, query: string, variables: Record<string, unknown>): Promise<{ message: string; extensions?: { code?: string } }[]> {
  const ws = await connectWs(instance.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  try {
    const subscription = ws.subscribe(query, variables);
    while (!subscription.isComplete) await subscription.waitFor(Number.MAX_SAFE_INTEGER).catch(() => undefined);
    return (subscription.error ?? subscription.results.flatMap((result) => result.errors ?? [])) as { message: string }[];
  } finally {
    await ws.close();
  }
}

test.each(MISSPELLED)('in production, %s misspelled over graphql-ws gets an error with no suggestion', async (_what, query, variables) => {
  const errors = await errorsOf(production, query, variables);
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.message).not.toMatch(/did you mean/i);
    expect(error.extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
  }
});

test('with GRAPHQL_FIELD_SUGGESTIONS=true the same mistake over graphql-ws is answered with a suggestion', async () => {
  const errors = await errorsOf(suggesting, MISSPELLED[1]![1], {});
  expect(errors.map((error) => error.message).join(' ')).toMatch(/Did you mean "kind"/);
});
