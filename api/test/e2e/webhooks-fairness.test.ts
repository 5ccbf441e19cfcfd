// One tenant's slow receiver must not hold up another tenant's deliveries: tenant A queues many
// deliveries to a receiver that holds every request open; tenant B's delivery to a quick
// receiver arrives while A's are still held, and A has no more requests open than its share.
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { startHoldingReceiver, type HoldingReceiver } from '../support/holding-receiver';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, type Cluster, type Instance } from '../support/realtime-cluster';
import { writeChanges } from '../support/realtime-changes';

/** Deliveries of one tenant in flight at once, across every instance (see webhook_enqueue). */
const TENANT_SHARE = 2;
const WORKERS = 4;

let cluster: Cluster;
let api: Instance;
let slow: HoldingReceiver;
let quick: HoldingReceiver;

async function hookedOrg(label: string, key: string, url: string): Promise<{ org: TestOrg; issue: { id: string; key: string } }> {
  const org = await quickOrg(api, label);
  await createProject(api.client, org, key);
  const issue = await createIssue(api.client, org, { projectKey: key, title: 'watched' });
  await api.client.ok(`mutation($k: String!, $u: String!) { createWebhook(projectKey: $k, url: $u, events: ["*"]) { secret } }`, { k: key, u: url }, { token: org.owner.token, orgId: org.id });
  return { org, issue };
}

beforeAll(async () => {
  cluster = await startCluster('hookfair', 1, { WEBHOOK_WORKER_CONCURRENCY: String(WORKERS), WEBHOOK_TIMEOUT_MS: '60000', WEBHOOK_POLL_INTERVAL_MS: '100' });
  api = cluster.instances[0]!;
  slow = await startHoldingReceiver(true);
  quick = await startHoldingReceiver(false);
});

afterAll(async () => {
  await slow?.stop();
  await quick?.stop();
  await cluster?.stop();
});

test("a tenant with a slow receiver takes its share of the workers, and another tenant's delivery gets through", async () => {
  const a = await hookedOrg('faira', 'FA', slow.url);
  const b = await hookedOrg('fairb', 'FB', quick.url);
  await writeChanges(cluster.database.appUrl, { org: a.org, issueIds: [a.issue.id] }, { count: 20, connections: 2 });
  await slow.until((arrived) => arrived.length >= TENANT_SHARE);

  await writeChanges(cluster.database.appUrl, { org: b.org, issueIds: [b.issue.id] }, { count: 1, connections: 1 });
  await quick.until((arrived) => arrived.length >= 1);
  // A's requests are all still open: B did not wait for them.
  expect(slow.heldCount).toBe(slow.arrived.length);
  expect(slow.arrived.length).toBeLessThanOrEqual(TENANT_SHARE);

  // A's deliveries all arrive once its receiver answers, in its own lanes.
  slow.release(true);
  await slow.until((arrived) => new Set(arrived.map((hook) => hook.deliveryId)).size >= 20);
});
