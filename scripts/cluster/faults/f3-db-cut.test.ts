// F3: the database lost for 30 s under load. No instance exits or is replaced, the balancer
// keeps every instance in (/health 200) while /ready says 503; every failure is a fast
// SERVICE_UNAVAILABLE (bounded by the pool's acquire timeout); full service within 10 s of the
// restore. Negative control: a balancer that health-checks /ready takes every instance out.
import { ClusterProcess, type InstanceStatus } from './support/cluster-process';
import { ACQUIRE_TIMEOUT_MS, STATEMENT_TIMEOUT_MS, STEADY_LOAD } from './support/faults-env';
import { LoadGenerator, type Attempt } from './support/load';
import { addNegativeControl, failedOperations, failureKinds, recordScenario, summarize } from './support/report';
import { saveAttempts, saveWrites } from './support/set-check';
import { buildWorld } from './support/world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CUT_MS = 30_000;
/** HTTP, GraphQL and a busy 2-core machine on top of the pool's acquire timeout. */
const FAIL_FAST_MS = ACQUIRE_TIMEOUT_MS + 1_500;

interface Probe {
  readonly at: number;
  readonly instance: number;
  readonly path: string;
  readonly status: number;
}

/** Asks every instance directly (not through the balancer) for /health and /ready. */
function probeInstances(instances: readonly InstanceStatus[]): { stop(): Promise<Probe[]> } {
  const probes: Probe[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const instance of instances) {
        for (const path of ['/health', '/ready']) {
          const status = await fetch(`http://127.0.0.1:${instance.port}${path}`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.status, () => 0);
          probes.push({ at: Date.now(), instance: instance.id, path, status });
        }
      }
      await sleep(500);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return probes;
    },
  };
}

/** From the restore on: until the first success, and until the last failure, whichever is later. */
function fullServiceAfter(attempts: readonly Attempt[], restoredAt: number): number {
  const after = attempts.filter((a) => a.start + a.ms >= restoredAt);
  const firstSuccess = Math.min(...after.filter((a) => a.ok).map((a) => a.start + a.ms));
  const lastFailure = Math.max(restoredAt, ...after.filter((a) => !a.ok).map((a) => a.start + a.ms));
  return Math.max(firstSuccess, lastFailure) - restoredAt;
}

describe('F3: database cut', () => {
  let cluster: ClusterProcess;

  afterEach(async () => {
    await cluster?.stop();
  });

  test('30 s without the database under load: instances stay in, fail fast, recover', async () => {
    cluster = await ClusterProcess.start();
    const users = await buildWorld(cluster.baseUrl, 'f3');
    const before = await cluster.status();
    // Writers retry until acknowledged (F5 checks them); readers do not: 30 s of retried reads
    // would only measure how fast the cluster digests a backlog, not that it recovered.
    const load = new LoadGenerator(cluster.baseUrl, users, { ...STEADY_LOAD, retry: true, retryReads: false, operationDeadlineMs: 90_000 });
    const probes = probeInstances(before.instances);
    load.start();
    await sleep(3_000);
    const cutAt = Date.now();
    await cluster.ctl('db-cut');
    await sleep(CUT_MS);
    const restoredAt = Date.now();
    await cluster.ctl('db-restore');
    await sleep(12_000);
    await load.stop();
    const probed = await probes.stop();
    saveAttempts('f3', load.attempts);
    saveWrites('f3', load.writes);

    const events = await cluster.events(cutAt - 3_000);
    expect(events.filter((e) => ['exit', 'launch', 'lb-down', 'unhealthy', 'replace'].includes(e.type))).toEqual([]);
    const after = await cluster.status();
    expect(after.instances.map((i) => i.id)).toEqual(before.instances.map((i) => i.id));

    const during = probed.filter((p) => p.at > cutAt && p.at < restoredAt);
    expect(during.filter((p) => p.path === '/health' && p.status !== 200)).toEqual([]);
    // /ready notices within the acquire timeout (its own check is bounded by it) plus one probe round.
    const readyDuring = during.filter((p) => p.path === '/ready' && p.at > cutAt + FAIL_FAST_MS + 1_000);
    expect(readyDuring.length).toBeGreaterThan(0);
    expect(readyDuring.filter((p) => p.status !== 503)).toEqual([]);
    const firstReady503 = during.find((p) => p.path === '/ready' && p.status === 503);

    const failed = load.attempts.filter((a) => !a.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.filter((a) => a.code !== 'SERVICE_UNAVAILABLE' || a.status !== 503)).toEqual([]);
    // While the database is gone, nothing gets a connection: every failure is bounded by the
    // acquire timeout. Once it is back, the backlog of retries contends for rows and
    // connections for a few seconds; those failures are bounded by the statement timeout.
    expect(failed.filter((a) => a.start < restoredAt && a.ms > FAIL_FAST_MS)).toEqual([]);
    expect(failed.filter((a) => a.ms > ACQUIRE_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 1_500)).toEqual([]);
    const recoverMs = fullServiceAfter(load.attempts, restoredAt);
    expect(recoverMs).toBeLessThan(10_000);
    // Writers retried under their keys until acknowledged: nothing lost for them.
    expect(failedOperations(load.attempts.filter((a) => a.op === 'write'))).toBe(0);
    expect(load.writes.every((w) => w.ack)).toBe(true);

    const summary = summarize(load.attempts);
    const worstFailMs = Math.max(...failed.filter((a) => a.start < restoredAt).map((a) => a.ms));
    const worstAfterMs = Math.max(0, ...failed.filter((a) => a.start >= restoredAt).map((a) => a.ms));
    recordScenario({
      id: 'F3',
      name: 'database cut for 30 s',
      ...summary,
      failuresAfterRetries: failedOperations(load.attempts.filter((a) => a.op === 'write')),
      timeToDetectMs: firstReady503 ? firstReady503.at - cutAt : null,
      timeToRecoverMs: recoverMs,
      notes: `every failure SERVICE_UNAVAILABLE/503; during the cut in at most ${worstFailMs} ms (acquire timeout ${ACQUIRE_TIMEOUT_MS} ms), after the restore in at most ${worstAfterMs} ms (statement timeout ${STATEMENT_TIMEOUT_MS} ms); /health 200 on every probe, no instance taken out or replaced; detect = cut to first /ready 503, recover = restore to first success and last failure`,
    });
  });

  // Runs after the main test (jest keeps the order within a file) and adds to its report entry.
  test('negative control: a balancer checking /ready takes every instance out', async () => {
    cluster = await ClusterProcess.start({ healthPath: '/ready' });
    const users = await buildWorld(cluster.baseUrl, 'f3n');
    const load = new LoadGenerator(cluster.baseUrl, users, { ...STEADY_LOAD, retry: false });
    load.start();
    await sleep(2_000);
    const cutAt = Date.now();
    await cluster.ctl('db-cut');
    await sleep(8_000);
    await cluster.ctl('db-restore');
    await load.stop();
    saveWrites('f3-control', load.writes);
    const events = await cluster.events(cutAt);
    const takenOut = new Set(events.filter((e) => e.type === 'lb-down').map((e) => e.instance));
    expect(takenOut.size).toBe(3);
    const summary = summarize(load.attempts);
    const negative = {
      setup: 'health check on /ready',
      requests: summary.requests,
      failures: summary.failures,
      observed: `all ${takenOut.size} instances taken out; ${failureKinds(load.attempts)}`,
    };
    addNegativeControl('F3', negative);
  });
});
