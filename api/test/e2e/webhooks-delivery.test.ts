// Webhook delivery end to end: two instances both run workers against one database and a
// receiver on loopback that checks every signature. Short retry backoff via config.
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, type Cluster, type Instance } from '../support/realtime-cluster';
import { writeChanges } from '../support/realtime-changes';
import { startReceiver, type Receiver } from '../support/realtime-webhook-receiver';
import { ownerSql, type OwnerSql } from '../support/tracker-api';

let cluster: Cluster;
let a: Instance;
let b: Instance;
let org: TestOrg;
let receiver: Receiver;
let sql: OwnerSql;
let webhookId: string;
let issue: { id: string; key: string };

const FAST_RETRIES = { WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_RETRY_MAX_MS: '800', WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_TIMEOUT_MS: '2000' };

beforeAll(async () => {
  cluster = await startCluster('hooks', 2, FAST_RETRIES);
  [a, b] = cluster.instances as [Instance, Instance];
  sql = ownerSql(a);
  receiver = await startReceiver();
  org = await quickOrg(a, 'hooks');
  await createProject(a.client, org, 'HOOK');
  issue = await createIssue(a.client, org, { projectKey: 'HOOK', title: 'hooked' });
  const created = await a.client.ok(
    `mutation($k: String!, $u: String!, $e: [String!]!) { createWebhook(projectKey: $k, url: $u, events: $e) { secret webhook { id url events isActive } } }`,
    { k: 'HOOK', u: receiver.url, e: ['*'] },
    { token: org.users.ADMIN.token, orgId: org.id },
  );
  receiver.secret = created.createWebhook.secret;
  webhookId = created.createWebhook.webhook.id;
});

afterAll(async () => {
  await sql?.end();
  await receiver?.stop();
  await cluster?.stop();
});

const admin = () => ({ token: org.users.ADMIN.token, orgId: org.id });

/** Polls the database (the workers record each attempt there); jest's timeout bounds the wait. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function deliveries(first = 100): Promise<{ totalCount: number; edges: { node: any }[] }> {
  const data = await b.client.ok(
    `query($w: ID!, $f: Int) { webhookDeliveries(webhookId: $w, first: $f) { totalCount edges { node { id eventId status attempts responseStatus lastAttemptAt nextAttemptAt } } } }`,
    { w: webhookId, f: first },
    admin(),
  );
  return data.webhookDeliveries;
}

test('every delivery carries a valid signature, and with both instances working, each is sent once', async () => {
  const started = performance.now();
  await writeChanges(cluster.database.appUrl, { org, issueIds: [issue.id] }, { count: 300, connections: 6 });
  await receiver.waitFor(300);
  const elapsed = performance.now() - started;
  console.log(`webhooks: 300 deliveries through 2 instances x 4 workers to a loopback receiver in ${elapsed.toFixed(0)} ms (${((300 / elapsed) * 1000).toFixed(0)}/s)`);
  expect(receiver.received.every((hook) => hook.isVerified)).toBe(true);
  expect(new Set(receiver.received.map((hook) => hook.eventId)).size).toBe(300);
  expect(new Set(receiver.received.map((hook) => hook.deliveryId)).size).toBe(300);
  const hook = receiver.received[0]!;
  expect(hook.body).toMatchObject({ id: hook.eventId, kind: 'UPDATED', field: 'title', issue: { key: issue.key }, project: { key: 'HOOK' } });
  // Every delivery recorded as done after one attempt: no worker has another send of them to
  // make, so what the receiver counted is all it will ever get.
  await until(async () => (await sql.count('webhook_deliveries', `status <> 'SUCCEEDED'`)) === 0);
  expect(await sql.count('webhook_deliveries', `status = 'SUCCEEDED' AND attempts = 1`)).toBe(300);
  expect(receiver.requests).toBe(300);
  const list = await deliveries(50);
  expect(list.edges.every(({ node }) => node.status === 'SUCCEEDED' && node.attempts === 1 && node.responseStatus === 200)).toBe(true);
});

test('with the receiver down, deliveries are retried with backoff and arrive once it is back', async () => {
  await receiver.stop();
  const baseline = receiver.received.length;
  await writeChanges(cluster.database.appUrl, { org, issueIds: [issue.id] }, { count: 3, connections: 1 });
  // Two failed attempts each, as the workers record them.
  await until(async () => (await sql.count('webhook_deliveries', `status = 'PENDING' AND attempts >= 2`)) === 3);
  const pending = (await deliveries(3)).edges.map(({ node }) => node);
  expect(pending.every((node) => node.status === 'PENDING' && node.attempts >= 2 && node.nextAttemptAt !== null && node.responseStatus === null)).toBe(true);
  await receiver.start();
  await receiver.waitFor(baseline + 3);
  expect(receiver.received.slice(baseline).every((hook) => hook.isVerified)).toBe(true);
  const done = (await deliveries(3)).edges.map(({ node }) => node);
  expect(done.every((node) => node.status === 'SUCCEEDED' && node.attempts >= 3 && node.nextAttemptAt === null)).toBe(true);
});

test('a mutation that rolls back produces no delivery (nor its queued job)', async () => {
  // A check that fails at COMMIT, after the mutation wrote its event and the trigger its outbox row.
  await sql.query(`CREATE FUNCTION refuse_marked_title() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW."to" = '"roll me back"'::jsonb THEN RAISE EXCEPTION 'refused at commit'; END IF; RETURN NULL; END $$`);
  await sql.query(`CREATE CONSTRAINT TRIGGER refuse_marked_title AFTER INSERT ON issue_events DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION refuse_marked_title()`);
  try {
    const counts = async () => ({
      deliveries: await sql.count('webhook_deliveries'),
      // Delivery jobs only: the hourly housekeeping may queue its own at any moment.
      jobs: await sql.count('graphile_worker._private_jobs', `task_id IN (SELECT id FROM graphile_worker._private_tasks WHERE identifier = 'webhook_delivery')`),
      events: await sql.count('issue_events'),
    });
    const before = await counts();
    const received = receiver.received.length;
    const refused = await a.client.request(`mutation($k: String!) { updateIssue(key: $k, input: { title: "roll me back" }) { id } }`, { k: issue.key }, admin());
    expect(refused.errors?.length ?? 0).toBeGreaterThan(0);
    expect(await counts()).toEqual(before);
    // A committed change after it is delivered; the refused one never is.
    await a.client.ok(`mutation($k: String!) { updateIssue(key: $k, input: { title: "kept" }) { id } }`, { k: issue.key }, admin());
    await receiver.waitFor(received + 1);
    // The refused change left no delivery row (nor job) behind, so it can never be sent.
    expect(await sql.count('webhook_deliveries')).toBe(before.deliveries + 1);
    expect(receiver.received.slice(received).map((hook) => hook.body.to)).toEqual(['kept']);
  } finally {
    await sql.query(`DROP TRIGGER refuse_marked_title ON issue_events; DROP FUNCTION refuse_marked_title()`);
  }
});

test('redeliverWebhook sends the same event again as a new delivery', async () => {
  const [latest] = (await deliveries(1)).edges.map(({ node }) => node);
  const received = receiver.received.length;
  const again = await a.client.ok(`mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { id eventId status attempts } }`, { d: latest.id }, admin());
  expect(again.redeliverWebhook).toMatchObject({ eventId: latest.eventId, status: 'PENDING', attempts: 0 });
  expect(again.redeliverWebhook.id).not.toBe(latest.id);
  await receiver.waitFor(received + 1);
  expect(receiver.received.at(-1)).toMatchObject({ eventId: latest.eventId, deliveryId: again.redeliverWebhook.id, isVerified: true });
});
