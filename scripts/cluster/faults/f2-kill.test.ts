// F2: kill -9 of one instance under load. Only requests on that instance (in flight, or routed
// to it before the balancer noticed) may fail; the balancer takes it out within its thresholds;
// the supervisor brings a replacement to healthy; clients that retry reads, and writes under
// their Idempotency-Key, see no failure at all. The raw failures are the negative control: the
// kill does hurt clients that do not retry.
import { ClusterProcess } from './support/cluster-process';
import { CHECK_INTERVAL_MS, STEADY_LOAD } from './support/faults-env';
import { LoadGenerator } from './support/load';
import { failedOperations, failureKinds, recordScenario, summarize } from './support/report';
import { saveAttempts, saveWrites } from './support/set-check';
import { buildWorld } from './support/world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cluster: ClusterProcess;

beforeAll(async () => {
  cluster = await ClusterProcess.start();
});

afterAll(async () => {
  await cluster?.stop();
});

test('F2: kill -9 of one instance under load', async () => {
  const users = await buildWorld(cluster.baseUrl, 'f2');
  const load = new LoadGenerator(cluster.baseUrl, users, { ...STEADY_LOAD, retry: true });
  load.start();
  await sleep(4_000);
  const { instances } = await cluster.status();
  const victim = instances[1]!;
  const killedAt = Date.now();
  await cluster.ctl('kill', String(victim.id));
  // The replacement: launched by the supervisor, healthy in the balancer.
  await sleep(1_000);
  const recovered = await cluster.waitInService(3, 60_000);
  await sleep(4_000);
  await load.stop();
  saveAttempts('f2', load.attempts);
  saveWrites('f2', load.writes);

  const events = await cluster.events(killedAt - 1_000);
  const down = events.find((e) => e.type === 'lb-down' && e.instance === victim.id);
  const replacement = recovered.instances.find((i) => !instances.some((old) => old.id === i.id))!;
  const up = events.find((e) => e.type === 'lb-up' && e.instance === replacement.id);
  expect(down).toBeDefined();
  expect(up).toBeDefined();
  const detectMs = down!.at - killedAt;
  const recoverMs = up!.at - killedAt;
  // fall (2) failed checks, one interval apart, plus the check in progress and polling.
  expect(detectMs).toBeLessThan((2 + 2) * CHECK_INTERVAL_MS + 500);
  expect(recovered.instances.some((i) => i.id === victim.id)).toBe(false);

  const summary = summarize(load.attempts);
  const failed = load.attempts.filter((a) => !a.ok);
  // Every failed attempt was on the killed instance: started before the balancer took it out.
  const outsideWindow = failed.filter((a) => a.start < killedAt - 1_000 || a.start > down!.at + CHECK_INTERVAL_MS);
  expect(outsideWindow).toEqual([]);
  expect(failed.every((a) => a.servedBy === undefined || a.servedBy === `s${victim.slot}`)).toBe(true);
  // The retrying clients never saw a failure.
  expect(failedOperations(load.attempts)).toBe(0);
  expect(load.writes.every((w) => w.ack)).toBe(true);
  // Negative control: without retries these attempts would have been failures.
  expect(summary.failures).toBeGreaterThan(0);

  recordScenario({
    id: 'F2',
    name: 'kill -9 of one instance',
    ...summary,
    failuresAfterRetries: failedOperations(load.attempts),
    timeToDetectMs: detectMs,
    timeToRecoverMs: recoverMs,
    notes: `killed #${victim.id}; ${failed.length} attempts failed (${failureKinds(load.attempts)}), all on the killed instance before the balancer took it out; retried reads and keyed writes: 0 failures; replacement #${replacement.id} healthy ${(recoverMs / 1000).toFixed(1)} s after the kill`,
    negativeControl: {
      setup: 'the same run seen by clients that do not retry',
      requests: summary.requests,
      failures: summary.failures,
      observed: `${summary.failures} failed attempts`,
    },
  });
});
