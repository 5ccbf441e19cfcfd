// Issue event and webhook delivery ids come from global sequences. What a tenant sees of them
// (ids, eventIds, cursors, webhook headers) must not carry those numbers: otherwise the gap
// between two of its own ids is every other tenant's write volume. Paging and replay by these
// ids keep working.
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { startHoldingReceiver, type HoldingReceiver } from '../support/holding-receiver';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, type Cluster, type Instance } from '../support/realtime-cluster';
import { writeChanges } from '../support/realtime-changes';
import { ownerSql, type OwnerSql } from '../support/tracker-api';

let cluster: Cluster;
let api: Instance;
let sql: OwnerSql;
let receiver: HoldingReceiver;
let a: TestOrg;
let b: TestOrg;

beforeAll(async () => {
  cluster = await startCluster('opaqueids', 1, { WEBHOOK_POLL_INTERVAL_MS: '100' });
  api = cluster.instances[0]!;
  sql = ownerSql(api);
  receiver = await startHoldingReceiver(false);
  a = await quickOrg(api, 'opaquea');
  b = await quickOrg(api, 'opaqueb');
});

afterAll(async () => {
  await sql?.end();
  await receiver?.stop();
  await cluster?.stop();
});

/** Every number standing on its own ("IssueEvent:42", '["42"]') in what a client sees, decoded from base64url. */
function numbersIn(visible: string[]): string[] {
  return visible.flatMap((value) => Buffer.from(value, 'base64url').toString('latin1').match(/(?<![A-Za-z0-9_-])[0-9]+(?![A-Za-z0-9_-])/g) ?? []);
}

test("the event and delivery ids a tenant sees carry no sequence number, and paging by them still works", async () => {
  const asA = { token: a.owner.token, orgId: a.id };
  await createProject(api.client, a, 'OPA');
  await createProject(api.client, b, 'OPB');
  const hook = await api.client.ok(`mutation($u: String!) { createWebhook(projectKey: "OPA", url: $u, events: ["*"]) { webhook { id } } }`, { u: receiver.url }, asA);
  const issueA = await createIssue(api.client, a, { projectKey: 'OPA', title: 'first' });
  const issueB = await createIssue(api.client, b, { projectKey: 'OPB', title: 'theirs' });
  // Tenant B writes a lot between tenant A's two changes.
  await writeChanges(cluster.database.appUrl, { org: b, issueIds: [issueB.id] }, { count: 50, connections: 2 });
  await api.client.ok(`mutation($k: String!) { updateIssue(key: $k, input: { title: "second" }) { id } }`, { k: issueA.key }, asA);
  await receiver.until((arrived) => arrived.length >= 2);

  const history = await api.client.ok(`query($k: String!) { issue(key: $k) { history(first: 1) { edges { cursor node { id } } pageInfo { endCursor hasNextPage } } } }`, { k: issueA.key }, asA);
  const page = history.issue.history;
  expect(page.pageInfo.hasNextPage).toBe(true);
  const next = await api.client.ok(`query($k: String!, $after: String) { issue(key: $k) { history(first: 5, after: $after) { edges { cursor node { id } } } } }`, { k: issueA.key, after: page.pageInfo.endCursor }, asA);
  const deliveries = await api.client.ok(`query($w: ID!) { webhookDeliveries(webhookId: $w, first: 1) { edges { cursor node { id eventId } } pageInfo { endCursor } } }`, { w: hook.createWebhook.webhook.id }, asA);
  const older = await api.client.ok(`query($w: ID!, $after: String) { webhookDeliveries(webhookId: $w, first: 5, after: $after) { edges { node { id eventId } } } }`, { w: hook.createWebhook.webhook.id, after: deliveries.webhookDeliveries.pageInfo.endCursor }, asA);

  const events = [...page.edges, ...next.issue.history.edges];
  expect(events.length).toBe(2);
  expect(new Set(events.map((edge: any) => edge.node.id)).size).toBe(2);
  expect(older.webhookDeliveries.edges.length).toBe(1);
  expect(older.webhookDeliveries.edges[0].node.id).not.toBe(deliveries.webhookDeliveries.edges[0].node.id);

  const visible = [
    ...events.flatMap((edge: any) => [edge.node.id, edge.cursor]),
    ...deliveries.webhookDeliveries.edges.flatMap((edge: any) => [edge.cursor, edge.node.id, edge.node.eventId]),
    ...older.webhookDeliveries.edges.flatMap((edge: any) => [edge.node.id, edge.node.eventId]),
    ...receiver.arrived.flatMap((hookSeen) => [hookSeen.eventId, hookSeen.deliveryId, hookSeen.body.id]),
  ];
  const rowIds = [
    ...(await sql.query<{ id: string }>(`SELECT id::text AS id FROM issue_events`)).map((row) => row.id),
    ...(await sql.query<{ id: string }>(`SELECT id::text AS id FROM webhook_deliveries`)).map((row) => row.id),
  ];
  expect(rowIds.length).toBeGreaterThan(50);
  const leaked = numbersIn(visible).filter((number) => rowIds.includes(number));
  expect(leaked).toEqual([]);
});
