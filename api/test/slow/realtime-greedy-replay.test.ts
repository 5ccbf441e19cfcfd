// Replays are bounded in bytes, not only in events. Many sockets replaying a history of
// ~100 KB events and not reading what they asked for must not take the process's heap: the
// server runs here as the image runs it (NODE_ENV=production, the Dockerfile's heap flags),
// the greediest sockets are cut off with 4008, the process lives on, and a normal subscriber
// keeps receiving its events throughout.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/project-root';
import { toGlobalId } from '../../src/graphql/global-id';
import { startChildServer, type ChildServer } from '../support/child-server';
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { quickOrg } from '../support/realtime-fixtures';
import { startInstance, type Instance } from '../support/realtime-cluster';
import { writeChanges } from '../support/realtime-changes';
import { ISSUE_EVENTS, connectWs, connectionParams, eventsOf, type Closed, type WsClient } from '../support/realtime-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { testServerEnv } from '../support/test-server';
import { ownerSql } from '../support/tracker-api';

/** The image's heap flags, read from the Dockerfile so the test follows them. */
const IMAGE_NODE_OPTIONS = /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8'))![1]!;
const HISTORY = 150;
const EVENT_KB = 100;
const GREEDY_PER_USER = 10; // REALTIME_MAX_CONNECTIONS_PER_USER
const SUBSCRIPTIONS_PER_SOCKET = 5;
const INSTANCE_BUFFER_MB = 64; // REALTIME_INSTANCE_BUFFER_MB default
const SOCKET_BUFFER_MB = 8; // REALTIME_SOCKET_BUFFER_MB default

let database: TestDatabase;
let setup: Instance;
let child: ChildServer;
let org: TestOrg;
let issueId: string;

beforeAll(async () => {
  database = await createTestDatabase('rtgreedy');
  // Fixtures through an in-process instance (same database, same JWT secret as the child).
  setup = await startInstance(database);
  org = await quickOrg(setup, 'greedy');
  await createProject(setup.client, org, 'GREED');
  issueId = (await createIssue(setup.client, org, { projectKey: 'GREED', title: 'big history' })).id;
  await writeChanges(database.appUrl, { org, issueIds: [issueId] }, { count: HISTORY, connections: 2, eventValue: (n) => `${n} ${'x'.repeat(EVENT_KB * 1024)}` });
  const { PORT: _port, ...env } = testServerEnv(database, { NODE_ENV: 'production', NODE_OPTIONS: IMAGE_NODE_OPTIONS, REALTIME_KEEPALIVE_SECONDS: '55' });
  child = await startChildServer(env);
});

afterAll(async () => {
  await child?.stop();
  await setup?.stop();
  await database?.drop();
});

/** What the server printed last (an out-of-memory crash says so there). */
const childTail = () => child.output().slice(-2_000);

async function metric(name: string): Promise<number> {
  const response = await fetch(`${child.baseUrl}/metrics`).catch((error: Error) => {
    throw new Error(`the server is gone (${error.message}, exit code ${child.process.exitCode}):\n${childTail()}`);
  });
  const text = await response.text();
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

async function eventIdBound(bound: 'min' | 'max'): Promise<string> {
  const sql = ownerSql(setup);
  try {
    const [{ id }] = await sql.query<{ id: string }>(`SELECT ${bound}(id)::text AS id FROM issue_events`);
    return toGlobalId('IssueEvent', id!);
  } finally {
    await sql.end();
  }
}

test('sockets that replay 100 KB events and do not read are cut off with 4008 while the process and a normal subscriber carry on', async () => {
  const wsUrl = `${child.baseUrl.replace(/^http/, 'ws')}/graphql`;
  const normal = await connectWs(wsUrl, connectionParams(org.owner.token, org.id));
  const live = normal.subscribe(ISSUE_EVENTS, { projectKey: 'GREED', after: await eventIdBound('max') });

  // Every greedy socket asks for the whole history five times over, then stops reading.
  const first = await eventIdBound('min');
  const greedy: WsClient[] = [];
  const closes = new Map<WsClient, Closed>();
  for (const user of [org.users.VIEWER, org.users.MEMBER]) {
    for (let i = 0; i < GREEDY_PER_USER; i++) {
      const ws = await connectWs(wsUrl, connectionParams(user.token, org.id));
      for (let s = 0; s < SUBSCRIPTIONS_PER_SOCKET; s++) ws.subscribe(ISSUE_EVENTS, { projectKey: 'GREED', after: first });
      ws.pause();
      void ws.closed.then((closed) => closes.set(ws, closed));
      greedy.push(ws);
    }
  }

  // Stalled, each socket holds more than half its budget: the instance's budget fits only so many.
  const mustCut = greedy.length - Math.floor(INSTANCE_BUFFER_MB / (SOCKET_BUFFER_MB / 2));
  let peakBufferedMb = 0;
  let peakHeapMb = 0;
  let cut = 0;
  while (cut < mustCut) {
    expect(child.process.exitCode).toBeNull();
    peakBufferedMb = Math.max(peakBufferedMb, (await metric('realtime_buffered_bytes')) / 2 ** 20);
    peakHeapMb = Math.max(peakHeapMb, (await metric('nodejs_heap_size_used_bytes')) / 2 ** 20);
    cut = await metric('realtime_slow_consumers_closed_total');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // The normal subscriber is served while the greedy ones sit on their budgets.
  await writeChanges(database.appUrl, { org, issueIds: [issueId] }, { count: 3, connections: 1 });
  await live.waitFor(3, 60_000);
  expect(eventsOf(live).map((event) => event.to)).toEqual(['change 0', 'change 1', 'change 2']);
  expect((await fetch(`${child.baseUrl}/health`)).status).toBe(200);
  console.log(`greedy replays: ${greedy.length} sockets x ${SUBSCRIPTIONS_PER_SOCKET} subscriptions over ${HISTORY} x ${EVENT_KB} KB events; ${cut} cut off with 4008 (at least ${mustCut} had to be); peak buffered ${peakBufferedMb.toFixed(1)} MB, peak heap used ${peakHeapMb.toFixed(0)} MB (${IMAGE_NODE_OPTIONS})`);

  // The cut-off sockets read their way to the 4008; the others (still replaying) are ended by us.
  for (const ws of greedy) ws.resume();
  while ([...closes.values()].length < cut) await Promise.race(greedy.filter((ws) => !closes.has(ws)).map((ws) => ws.closed));
  expect([...closes.values()]).toEqual(Array(closes.size).fill({ code: 4008, reason: 'Slow consumer: send buffer full; resubscribe with after' }));
  for (const ws of greedy) if (!closes.has(ws)) ws.socket.terminate();

  expect(child.process.exitCode).toBeNull();
  expect(peakBufferedMb).toBeLessThanOrEqual(INSTANCE_BUFFER_MB);
  await normal.close();
});
