// Subscription.issueEvents across two API instances on one database: a change made through
// one instance reaches a subscriber on the other through PostgreSQL, and the WebSocket is
// authenticated and scoped exactly like HTTP.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { signAccessToken } from '../../src/auth/access-token';
import { decodeGlobalId } from '../../src/graphql/global-id';
import { createIssue, type TestOrg } from '../support/fixtures';
import { insertUser } from '../support/quick-members';
import { twoTenantPair } from '../support/realtime-fixtures';
import type { Cluster, Instance } from '../support/realtime-cluster';
import { ISSUE_EVENTS, connectWhenFree, connectWs, connectionParams, eventsOf, pings, type Closed } from '../support/realtime-client';

let cluster: Cluster;
let a: Instance;
let b: Instance;
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  ({ cluster, a, b, org, other } = await twoTenantPair('rtfanout', ['fan', 'fanother'], ['FAN', 'OTH'], {
    REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
    REALTIME_MAX_CONNECTIONS_PER_USER: '3',
    REALTIME_KEEPALIVE_SECONDS: '1',
    REALTIME_API_TOKEN_RECHECK_SECONDS: '1',
  }));
});

afterAll(async () => {
  await cluster?.stop();
});

const comment = (key: string, body: string, as = org.owner) =>
  b.client.ok(`mutation($k: String!, $b: String!) { addComment(issueKey: $k, body: $b) { id } }`, { k: key, b: body }, { token: as.token, orgId: org.id });

test('a change committed through instance B reaches a subscriber on instance A, each event once', async () => {
  const issue = await createIssue(b.client, org, { projectKey: 'FAN', title: 'watched' });
  const history = await b.client.ok(`query($k: String!) { issue(key: $k) { history(first: 1) { edges { node { id } } } } }`, { k: issue.key }, { token: org.owner.token, orgId: org.id });
  const ws = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN', after: history.issue.history.edges[0].node.id });
  await comment(issue.key, 'warm-up');
  await subscription.waitFor(1);
  const latencies: number[] = [];
  const mutations: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await comment(issue.key, `change ${i}`);
    mutations.push(performance.now() - started);
    await subscription.waitFor(2 + i);
    latencies.push(performance.now() - started);
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1]!.toFixed(1);
  console.log(`mutation sent on B -> event received on A: median ${median(latencies)} ms, max ${Math.max(...latencies).toFixed(1)} ms (the mutation's own round trip: median ${median(mutations)} ms)`);
  const events = eventsOf(subscription);
  expect(events.map((event) => event.kind)).toEqual(Array(21).fill('COMMENTED'));
  expect(new Set(events.map((event) => event.id)).size).toBe(21);
  expect(events.every((event) => event.issue.key === issue.key && event.actor.id === org.owner.id)).toBe(true);
  await ws.close();
});

test('a member of another tenant naming this project gets NOT_FOUND and never an event', async () => {
  const issue = await createIssue(b.client, org, { projectKey: 'FAN', title: 'private' });
  const ws = await connectWs(a.wsUrl, connectionParams(other.owner.token, other.id));
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN' });
  await subscription.waitFor(1);
  expect(subscription.results[0]!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(subscription.isComplete).toBe(true);
  // A member's subscription on the same instance hears the comment, so it was delivered
  // while the outsider's socket stayed open.
  const history = await b.client.ok(`query($k: String!) { issue(key: $k) { history(first: 1) { edges { node { id } } } } }`, { k: issue.key }, { token: org.owner.token, orgId: org.id });
  const control = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const heard = control.subscribe(ISSUE_EVENTS, { projectKey: 'FAN', after: history.issue.history.edges[0].node.id });
  await comment(issue.key, 'not for them');
  await heard.waitFor(1);
  expect(eventsOf(subscription)).toEqual([]);
  expect(subscription.results).toHaveLength(1);
  await Promise.all([ws.close(), control.close()]);
});

test('a non-member is refused at connection_init with 4403 FORBIDDEN, a missing token with 4401', async () => {
  const outsider = await insertUser(b, 'outsider');
  await expect(connectWs(a.wsUrl, connectionParams(outsider.token, org.id))).rejects.toMatchObject({ code: 4403, reason: expect.stringContaining('FORBIDDEN') });
  await expect(connectWs(a.wsUrl, connectionParams(undefined, org.id))).rejects.toMatchObject({ code: 4401 });
  await expect(connectWs(a.wsUrl, connectionParams('not-a-token', org.id))).rejects.toMatchObject({ code: 4401 });
});

test('the socket closes with 4401 when the access token expires, so the client re-authenticates', async () => {
  const userId = decodeGlobalId(org.users.MEMBER.id, 'id').rowId;
  const shortLived = await signAccessToken(a.server.services.tokens, userId, 2);
  const ws = await connectWs(a.wsUrl, connectionParams(shortLived, org.id));
  ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN' });
  const closed: Closed = await ws.closed;
  expect(closed).toEqual({ code: 4401, reason: 'Access token expired' });
});

test('a socket opened with an API token stays open while the token is valid and closes with 4401 once it is revoked', async () => {
  const created = await b.client.ok(`mutation { createApiToken(name: "board") { token apiToken { id } } }`, {}, { token: org.users.MEMBER.token });
  // A subscribe is not acknowledged, so the subscription starts from a known event and the
  // issue created next is delivered whether it commits before or after the subscribe lands.
  const anchor = await createIssue(b.client, org, { projectKey: 'FAN', title: 'anchor for the API token' });
  const history = await b.client.ok(`query($k: String!) { issue(key: $k) { history(first: 1) { edges { node { id } } } } }`, { k: anchor.key }, { token: org.owner.token, orgId: org.id });
  const ws = await connectWs(a.wsUrl, connectionParams(created.createApiToken.token, org.id));
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN', after: history.issue.history.edges[0].node.id });
  const issue = await createIssue(b.client, org, { projectKey: 'FAN', title: 'seen through an API token' });
  await subscription.waitFor(1);
  // Several re-checks (every second) pass while the token is valid; keepalive pings (also
  // every second) mark the time passing.
  await pings(ws, 3);
  expect(ws.socket.readyState).toBe(WebSocket.OPEN);
  expect(eventsOf(subscription).map((event) => event.issue.key)).toEqual([issue.key]);
  await b.client.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: created.createApiToken.apiToken.id }, { token: org.users.MEMBER.token });
  const closed: Closed = await ws.closed;
  expect(closed).toEqual({ code: 4401, reason: 'API token revoked or expired' });
});

test('only subscriptions run over the socket, and subscriptions per connection and connections per user are capped', async () => {
  const ws = await connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id));
  const query = ws.subscribe('query { viewer { id } }');
  await query.ended();
  expect(query.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN' });
  ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN' });
  const third = ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN' });
  await third.ended();
  expect(third.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
  const more = [await connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id)), await connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id))];
  await expect(connectWs(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id))).rejects.toMatchObject({ code: 4429 });
  // The cap is per user: another member still gets in, and a freed slot is reusable.
  await (await connectWs(a.wsUrl, connectionParams(org.users.ADMIN.token, org.id))).close();
  await more[0]!.close();
  // The server frees the slot when it sees the close, a moment after the client does.
  await (await connectWhenFree(a.wsUrl, connectionParams(org.users.MEMBER.token, org.id), 4429)).close();
  await Promise.all([ws.close(), more[1]!.close()]);
});

test("the graphql-ws client of docs/using/realtime.md resumes after a dropped socket with no gap and no duplicate", async () => {
  const issue = await createIssue(b.client, org, { projectKey: 'FAN', title: 'readme client' });
  const history = await b.client.ok(`query($k: String!) { issue(key: $k) { history(first: 1) { edges { node { id } } } } }`, { k: issue.key }, { token: org.owner.token, orgId: org.id });
  // As in docs/using/realtime.md: variables.after follows every event, so a reconnect resumes.
  const variables: { projectKey: string; after: string | null } = { projectKey: 'FAN', after: history.issue.history.edges[0].node.id };
  const client = createClient({
    url: a.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: () => ({ authorization: `Bearer ${org.users.VIEWER.token}`, 'x-org-id': org.id }),
    retryAttempts: Infinity,
    retryWait: () => new Promise((resolve) => setTimeout(resolve, 100)),
  });
  let connects = 0;
  client.on('connected', () => (connects += 1));
  const seen: string[] = [];
  client.subscribe<{ issueEvents: { id: string; kind: string } }>(
    { query: 'subscription($projectKey: String!, $after: String) { issueEvents(projectKey: $projectKey, after: $after) { id kind } }', variables },
    {
      next: ({ data }) => {
        variables.after = data!.issueEvents.id;
        seen.push(data!.issueEvents.id);
      },
      error: (error) => seen.push(`error ${JSON.stringify(error)}`),
      complete: () => undefined,
    },
  );
  const waitSeen = async (count: number) => {
    while (seen.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  for (let i = 0; i < 3; i++) await comment(issue.key, `readme ${i}`);
  await waitSeen(3);
  client.terminate();
  for (let i = 3; i < 6; i++) await comment(issue.key, `readme ${i}`);
  await waitSeen(6);
  // Events arrive in order, so once a seventh has arrived no duplicate of the first six can follow.
  await comment(issue.key, 'readme 6');
  await waitSeen(7);
  const history2 = await b.client.ok(`query($k: String!) { issue(key: $k) { history(first: 7) { edges { node { id } } } } }`, { k: issue.key }, { token: org.owner.token, orgId: org.id });
  expect(seen).toEqual(history2.issue.history.edges.map((edge: { node: { id: string } }) => edge.node.id).reverse());
  expect(connects).toBe(2);
  await client.dispose();
});

test('the server pings every REALTIME_KEEPALIVE_SECONDS, so an idle socket never meets the load balancer idle timeout', async () => {
  const ws = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  // Resolves only if two pings arrive (the socket is idle: nothing else is sent).
  await pings(ws, 2);
  expect(ws.socket.readyState).toBe(WebSocket.OPEN);
  await ws.close();
});

test('an instance shutting down closes its sockets with 1001, and the client resumes on another with after', async () => {
  const issue = await createIssue(b.client, org, { projectKey: 'FAN', title: 'moving' });
  const ws = await connectWs(a.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const history = await b.client.ok(`query($k: String!) { issue(key: $k) { history(first: 1) { edges { node { id } } } } }`, { k: issue.key }, { token: org.owner.token, orgId: org.id });
  const first = ws.subscribe(ISSUE_EVENTS, { projectKey: 'FAN', after: history.issue.history.edges[0].node.id });
  await comment(issue.key, 'before');
  await first.waitFor(1);
  await a.stop();
  expect(await ws.closed).toMatchObject({ code: 1001 });
  await comment(issue.key, 'while moving');
  const moved = await connectWs(b.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const resumed = moved.subscribe(ISSUE_EVENTS, { projectKey: 'FAN', after: eventsOf(first).at(-1)!.id });
  await comment(issue.key, 'after');
  await resumed.waitFor(2);
  expect(eventsOf(resumed).map((event) => event.kind)).toEqual(['COMMENTED', 'COMMENTED']);
  await moved.close();
});
