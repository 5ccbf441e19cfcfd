// The job runner through a database blip, in a real process (an unhandled rejection ends a
// process, so this cannot run inside jest's): deliveries are in flight when the database
// connection is reset, and the process must stay up, keep answering, and deliver again once
// the database is back. A second process is started while the database is unreachable and
// must come up, say so (/ready 503, SERVICE_UNAVAILABLE) and recover by itself, worker included.
import { DbFaultProxy } from '../../../scripts/cluster/db-proxy';
import { startChildServer, type ChildServer } from '../support/child-server';
import { createIssue, createOrg, createProject, type TestOrg } from '../support/fixtures';
import { GraphqlClient, errorCode } from '../support/graphql-client';
import { startHoldingReceiver, type HoldingReceiver } from '../support/holding-receiver';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { ADMIN_URL, TEST_JWT_SECRET } from '../support/test-env';
import { writeChanges } from '../support/realtime-changes';

let database: TestDatabase;
let proxy: DbFaultProxy;
let receiver: HoldingReceiver;
let child: ChildServer | undefined;
let org: TestOrg;
let issue: { id: string; key: string };

const WORKERS = 4;
/** A tenant's deliveries in flight at once (its two lanes; see webhooks-fairness). */
const IN_FLIGHT = 2;
const CHANGES = 12;

function childEnv(env: Record<string, string> = {}): Record<string, string> {
  const url = new URL(database.appUrl);
  url.port = String(proxy.port);
  return {
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'warn',
    DB_ACQUIRE_TIMEOUT_MS: '1000',
    DB_STATEMENT_TIMEOUT_MS: '2000',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_WORKER_CONCURRENCY: String(WORKERS),
    WEBHOOK_POLL_INTERVAL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '100',
    WEBHOOK_RETRY_MAX_MS: '500',
    WEBHOOK_TIMEOUT_MS: '5000',
    JOB_RUNNER_RESTART_MIN_MS: '100',
    JOB_RUNNER_RESTART_MAX_MS: '500',
    ...env,
  };
}

/** Resolves with what happened first: the process exited, or its output matched. */
function exitOrOutput(server: ChildServer, pattern: RegExp): Promise<'exited' | 'matched'> {
  return new Promise((resolve) => {
    if (server.process.exitCode !== null) return resolve('exited');
    const onData = () => {
      if (pattern.test(server.output())) done('matched');
    };
    const onExit = () => done('exited');
    const done = (what: 'exited' | 'matched') => {
      server.process.stdout!.off('data', onData);
      server.process.stderr!.off('data', onData);
      server.process.off('exit', onExit);
      resolve(what);
    };
    server.process.stdout!.on('data', onData);
    server.process.stderr!.on('data', onData);
    server.process.once('exit', onExit);
    onData();
  });
}

const status = (path: string) => fetch(`${child!.baseUrl}${path}`).then((r) => r.status);

async function until(check: () => Promise<boolean>): Promise<void> {
  // Polls an HTTP answer (there is no event to wait on from outside); jest's timeout bounds it.
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 100));
}

async function deliveryStatuses(client: GraphqlClient): Promise<string[]> {
  const caller = { token: org.owner.token, orgId: org.id };
  const data = await client.request(`{ webhooks(projectKey: "WKO") { id } }`, {}, caller);
  const id = data.data?.webhooks?.[0]?.id;
  if (!id) return [];
  const list = await client.request(`query($w: ID!) { webhookDeliveries(webhookId: $w, first: 100) { edges { node { status } } } }`, { w: id }, caller);
  return (list.data?.webhookDeliveries?.edges ?? []).map((edge: { node: { status: string } }) => edge.node.status);
}

async function allSucceeded(client: GraphqlClient, count: number): Promise<boolean> {
  const all = await deliveryStatuses(client);
  return all.length === count && all.every((status) => status === 'SUCCEEDED');
}

beforeAll(async () => {
  database = await createTestDatabase('wkoutage');
  const admin = new URL(ADMIN_URL);
  proxy = new DbFaultProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
  await proxy.start();
  receiver = await startHoldingReceiver(true);
});

afterAll(async () => {
  proxy?.restore();
  await child?.stop('SIGKILL');
  await receiver?.stop();
  await proxy?.close();
  await database?.drop();
});

test('a connection reset while deliveries are in flight: the process lives on and delivers after recovery', async () => {
  child = await startChildServer(childEnv());
  const client = new GraphqlClient(`${child.baseUrl}/graphql`);
  org = await createOrg(client, 'wkoutage');
  await createProject(client, org, 'WKO');
  issue = await createIssue(client, org, { projectKey: 'WKO', title: 'watched' });
  await client.ok(`mutation($k: String!, $u: String!) { createWebhook(projectKey: $k, url: $u, events: ["*"]) { secret } }`, { k: 'WKO', u: receiver.url }, { token: org.owner.token, orgId: org.id });
  const before = receiver.arrived.length;
  await writeChanges(database.appUrl, { org, issueIds: [issue.id] }, { count: CHANGES, connections: 2 });
  await receiver.until((arrived) => arrived.length >= before + IN_FLIGHT);

  proxy.cut('reset');
  const supervised = exitOrOutput(child, /job runner (stopped|failed)/);
  // The attempts finish now, and recording them meets the dead connections.
  receiver.release(true);
  expect(await supervised).toBe('matched');
  expect(child.process.exitCode).toBeNull();
  expect(await status('/health')).toBe(200);
  expect(await status('/ready')).toBe(503);
  const refused = await client.request('{ issues(first: 1) { totalCount } }', {}, { token: org.owner.token, orgId: org.id });
  expect(errorCode(refused)).toBe('SERVICE_UNAVAILABLE');

  proxy.restore();
  await until(async () => (await status('/ready')) === 200);
  await client.ok(`mutation($k: String!) { updateIssue(key: $k, input: { title: "after the blip" }) { id } }`, { k: issue.key }, { token: org.owner.token, orgId: org.id });
  await receiver.until((arrived) => arrived.some((hook) => hook.body?.to === 'after the blip'));
  // The attempts cut off by the blip are not lost: their jobs come back when the runner
  // restarts, and each delivery ends SUCCEEDED once its lease has run out.
  await until(async () => allSucceeded(client, CHANGES + 1));
  expect(child.process.exitCode).toBeNull();
});

test('a process started while the database is unreachable comes up, reports it, and recovers alone', async () => {
  await child?.stop();
  child = undefined;
  proxy.cut('reset');
  child = await startChildServer(childEnv());
  const client = new GraphqlClient(`${child.baseUrl}/graphql`);
  expect(await status('/health')).toBe(200);
  expect(await status('/ready')).toBe(503);
  const refused = await client.request('{ issues(first: 1) { totalCount } }', {}, { token: org.owner.token, orgId: org.id });
  expect(refused.status).toBe(503);
  expect(errorCode(refused)).toBe('SERVICE_UNAVAILABLE');

  proxy.restore();
  await until(async () => (await status('/ready')) === 200);
  await client.ok(`mutation($k: String!) { updateIssue(key: $k, input: { title: "after a cold start" }) { id } }`, { k: issue.key }, { token: org.owner.token, orgId: org.id });
  await receiver.until((arrived) => arrived.some((hook) => hook.body?.to === 'after a cold start'));
  expect(child.process.exitCode).toBeNull();
});

test('a process killed mid-delivery: another sends what it had locked, without waiting hours', async () => {
  // Short attempts, so its locks are stale (no live attempt could hold them) within seconds.
  const quick = { WEBHOOK_TIMEOUT_MS: '1000' };
  await child?.stop();
  child = await startChildServer(childEnv(quick));
  let client = new GraphqlClient(`${child.baseUrl}/graphql`);
  const before = (await deliveryStatuses(client)).length;
  receiver.holding = true;
  const arrivedBefore = receiver.arrived.length;
  await writeChanges(database.appUrl, { org, issueIds: [issue.id] }, { count: 4, connections: 1 });
  await receiver.until((arrived) => arrived.length >= arrivedBefore + IN_FLIGHT);
  await child.stop('SIGKILL');
  receiver.release(true);

  child = await startChildServer(childEnv(quick));
  client = new GraphqlClient(`${child.baseUrl}/graphql`);
  await until(async () => allSucceeded(client, before + 4));
});
