// A subscriber that stops reading must not make the server buffer without bound: once its
// send buffer (REALTIME_SEND_BUFFER_EVENTS) is full it is cut off with close code 4008, and
// the server lets go of everything it held for it.
import v8 from 'node:v8';
import vm from 'node:vm';
import { toGlobalId } from '../../src/graphql/global-id';
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, type Cluster, type Instance } from '../support/realtime-cluster';
import { writeChanges } from '../support/realtime-changes';
import { ISSUE_EVENTS, connectWs, connectionParams } from '../support/realtime-client';
import { ownerSql } from '../support/tracker-api';

const BUFFER = 40;
let cluster: Cluster;
let api: Instance;
let org: TestOrg;

beforeAll(async () => {
  cluster = await startCluster('rtslow', 1, { REALTIME_SEND_BUFFER_EVENTS: String(BUFFER), REALTIME_KEEPALIVE_SECONDS: '30' });
  api = cluster.instances[0]!;
  org = await quickOrg(api, 'slow');
  await createProject(api.client, org, 'SLOW');
});

afterAll(async () => {
  await cluster?.stop();
});

/** Heap in use after a full collection (the server runs in this process). */
function liveHeapMb(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('a consumer that stops reading is cut off with 4008 while the server holds at most its send buffer', async () => {
  const issue = await createIssue(api.client, org, { projectKey: 'SLOW', title: 'flooded' });
  const sql = ownerSql(api);
  const [{ id: last }] = await sql.query<{ id: string }>(`SELECT max(id)::text AS id FROM issue_events`);
  await sql.end();
  const ws = await connectWs(api.wsUrl, connectionParams(org.users.VIEWER.token, org.id));
  const subscription = ws.subscribe(ISSUE_EVENTS, { projectKey: 'SLOW', after: toGlobalId('IssueEvent', last!) });
  await writeChanges(cluster.database.appUrl, { org, issueIds: [issue.id] }, { count: 1, connections: 1 });
  await subscription.waitFor(1);
  ws.pause();

  // ~64 KB a message: the socket's kernel buffers fill after a few dozen, then the queue does.
  const big = 'x'.repeat(64 * 1024);
  const heapBefore = liveHeapMb();
  let peakQueued = 0;
  const sampler = setInterval(() => (peakQueued = Math.max(peakQueued, api.server.realtime.stats().queuedEvents)), 5);
  try {
    const writes = writeChanges(cluster.database.appUrl, { org, issueIds: [issue.id] }, { count: 600, connections: 4, eventValue: (n) => `${n} ${big}` });
    // Read again as soon as the server cuts the socket off, so the client reaches the close
    // frame behind what was already sent (however long the remaining writes take).
    await until(() => api.server.realtime.stats().slowConsumersClosed === 1);
    ws.resume();
    await writes;
  } finally {
    clearInterval(sampler);
  }
  const heapGrowthMb = liveHeapMb() - heapBefore;
  console.log(`slow consumer: cut off with ${api.server.realtime.stats().peakQueuedEvents} events queued (limit ${BUFFER}); live heap ${heapGrowthMb >= 0 ? '+' : ''}${heapGrowthMb.toFixed(1)} MB after 600 x 64 KB events (${((600 * 64) / 1024).toFixed(1)} MB) were published`);

  expect(api.server.realtime.stats().peakQueuedEvents).toBeLessThanOrEqual(BUFFER + 1);
  expect(peakQueued).toBeLessThanOrEqual(BUFFER + 1);
  expect(api.server.realtime.stats()).toMatchObject({ subscribers: 0, queuedEvents: 0, feeds: 0, bufferedBytes: 0 });
  // Nothing of the 37.5 MB published stays behind for the dead subscriber.
  expect(heapGrowthMb).toBeLessThan(8);
  expect(await ws.closed).toEqual({ code: 4008, reason: 'Slow consumer: send buffer full; resubscribe with after' });
  // It got a prefix of the stream, in order, before it stopped reading.
  expect(subscription.results.length).toBeLessThan(600);
});
