// F4: the database 500 ms further away (every round trip) under load. The pool's wait queue
// stays within DB_POOL_MAX_WAITING, memory stays flat, nothing exits, and what fails fails
// clearly (SERVICE_UNAVAILABLE, 503) and within the configured timeouts: at once when the
// queue is full, by the acquire timeout when waiting, by the transaction timeout when started. Negative control: the same with the queue bound
// lifted lets the queue grow past it.
import { ClusterProcess } from './support/cluster-process';
import { ACQUIRE_TIMEOUT_MS, STEADY_LOAD, TRANSACTION_TIMEOUT_MS } from './support/faults-env';
import { LoadGenerator } from './support/load';
import { addNegativeControl, failureKinds, recordScenario, summarize } from './support/report';
import { saveAttempts, saveWrites } from './support/set-check';
import { buildWorld } from './support/world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LATENCY_MS = 500;
const BOUND = 10;
/** More than the slowed database can serve, so requests must queue or be refused. */
const LOAD = { ...STEADY_LOAD, ratePerSecond: 25, retry: false };

/** Samples every instance's pool queue and memory (via the supervisor) until stopped. */
function sampler(cluster: ClusterProcess): { stop(): Promise<{ maxWaiting: number; rssMb: number[] }> } {
  let running = true;
  let maxWaiting = 0;
  const rssMb: number[] = [];
  const loop = (async () => {
    while (running) {
      const status = await cluster.status().catch(() => undefined);
      for (const i of status?.instances ?? []) {
        maxWaiting = Math.max(maxWaiting, i.poolWaiting);
        rssMb.push(i.rssMb);
      }
      await sleep(250);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxWaiting, rssMb };
    },
  };
}

async function slowDatabase(cluster: ClusterProcess, label: string, holdMs: number) {
  const users = await buildWorld(cluster.baseUrl, label);
  const load = new LoadGenerator(cluster.baseUrl, users, LOAD);
  const samples = sampler(cluster);
  load.start();
  await sleep(3_000);
  const baselineRss = Math.max(...(await cluster.status()).instances.map((i) => i.rssMb));
  const slowAt = Date.now();
  await cluster.ctl('db-latency', String(LATENCY_MS));
  await sleep(holdMs);
  const fastAt = Date.now();
  await cluster.ctl('db-latency', '0');
  await sleep(8_000);
  await load.stop();
  const sampled = await samples.stop();
  return { load, slowAt, fastAt, baselineRss, ...sampled };
}

describe('F4: slow database', () => {
  let cluster: ClusterProcess;

  afterEach(async () => {
    await cluster?.stop();
  });

  test(`${LATENCY_MS} ms database latency under load: bounded queue and memory, fast clear errors`, async () => {
    cluster = await ClusterProcess.start({ env: { DB_POOL_MAX_WAITING: String(BOUND) } });
    const before = await cluster.status();
    const run = await slowDatabase(cluster, 'f4', 20_000);
    saveAttempts('f4', run.load.attempts);
    saveWrites('f4', run.load.writes);
    const events = await cluster.events(run.slowAt);
    expect(events.filter((e) => ['exit', 'launch', 'unhealthy'].includes(e.type))).toEqual([]);
    expect((await cluster.status()).instances.map((i) => i.id)).toEqual(before.instances.map((i) => i.id));

    expect(run.maxWaiting).toBeLessThanOrEqual(BOUND);
    const rssGrowth = Math.max(...run.rssMb) - run.baselineRss;
    expect(rssGrowth).toBeLessThan(150);

    const failed = run.load.attempts.filter((a) => !a.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.filter((a) => a.code !== 'SERVICE_UNAVAILABLE' || a.status !== 503)).toEqual([]);
    // Waiting for a connection ends at the acquire timeout; a request that got one and then
    // crawls through 500 ms round trips ends at the transaction timeout, counted from then.
    expect(failed.filter((a) => a.ms > ACQUIRE_TIMEOUT_MS + TRANSACTION_TIMEOUT_MS + 2_000)).toEqual([]);
    const refusedAtOnce = failed.filter((a) => a.ms < 500).length;
    const withinAcquire = failed.filter((a) => a.ms <= ACQUIRE_TIMEOUT_MS + 1_500).length;
    expect(refusedAtOnce).toBeGreaterThan(0);
    const firstFailure = Math.min(...failed.map((a) => a.start));
    const lastFailureEnd = Math.max(...failed.map((a) => a.start + a.ms));
    const recoverMs = Math.max(0, lastFailureEnd - run.fastAt);
    expect(recoverMs).toBeLessThan(10_000);

    const summary = summarize(run.load.attempts);
    recordScenario({
      id: 'F4',
      name: `database latency +${LATENCY_MS} ms`,
      ...summary,
      timeToDetectMs: firstFailure - run.slowAt,
      timeToRecoverMs: recoverMs,
      notes: `load ${LOAD.ratePerSecond} req/s; pool queue at most ${run.maxWaiting} (bound ${BOUND}); RSS +${rssGrowth} MB; all ${failed.length} failures SERVICE_UNAVAILABLE/503: ${refusedAtOnce} refused in < 0.5 s (queue full), ${withinAcquire - refusedAtOnce} more within the acquire timeout (${ACQUIRE_TIMEOUT_MS} ms), the rest (started, then too slow) by acquire + transaction timeout (${ACQUIRE_TIMEOUT_MS + TRANSACTION_TIMEOUT_MS} ms), slowest ${Math.max(...failed.map((a) => a.ms))} ms; detect = first failure, recover = latency off to last failure`,
    });
  });

  test('negative control: without the queue bound the wait queue grows past it', async () => {
    cluster = await ClusterProcess.start({ env: { DB_POOL_MAX_WAITING: '100000' } });
    const run = await slowDatabase(cluster, 'f4n', 12_000);
    saveWrites('f4-control', run.load.writes);
    expect(run.maxWaiting).toBeGreaterThan(BOUND);
    const summary = summarize(run.load.attempts);
    addNegativeControl('F4', {
      setup: 'DB_POOL_MAX_WAITING=100000',
      requests: summary.requests,
      failures: summary.failures,
      observed: `pool queue reached ${run.maxWaiting} (bound ${BOUND}); ${failureKinds(run.load.attempts)}`,
    });
  });
});
