// F1: a rolling instance refresh of every instance under steady load loses no request, because
// each old instance drains (SIGTERM -> /health 503 while still serving -> the balancer takes it
// out -> it stops). Negative control: an instance with SHUTDOWN_DRAIN_SECONDS=0 stopped the
// same way under the same load must make requests fail.
import { ClusterProcess } from './support/cluster-process';
import { CHECK_INTERVAL_MS, DRAIN_SECONDS, STEADY_LOAD } from './support/faults-env';
import { saveAttempts, saveEvents, saveWrites } from './support/set-check';
import { LoadGenerator } from './support/load';
import { failureKinds, recordScenario, summarize } from './support/report';
import { buildWorld } from './support/world';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const LOAD = STEADY_LOAD;

let cluster: ClusterProcess;

beforeAll(async () => {
  cluster = await ClusterProcess.start();
});

afterAll(async () => {
  await cluster?.stop();
});

test('F1: rolling refresh of every instance under steady load: 0 failed requests; drain disabled: failures', async () => {
  const users = await buildWorld(cluster.baseUrl, 'f1');
  const before = await cluster.status();
  // No retries: every single attempt has to succeed.
  const load = new LoadGenerator(cluster.baseUrl, users, { ...LOAD, retry: false });
  load.start();
  await sleep(3_000);
  const refreshStarted = Date.now();
  // The new instances come up with drain disabled, for the negative control below. The ones
  // being replaced still have the default drain, which is what this refresh exercises.
  const refresh = await cluster.ctl<{ replaced: number[]; launched: number[]; ms: number }>('refresh', 'SHUTDOWN_DRAIN_SECONDS=0');
  await sleep(3_000);
  await load.stop();
  const refreshAttempts = load.attempts.slice();
  saveAttempts('f1', refreshAttempts);
  saveWrites('f1', load.writes);

  const after = await cluster.status();
  expect(refresh.replaced.sort()).toEqual(before.instances.map((i) => i.id).sort());
  expect(after.instances.map((i) => i.id).sort()).toEqual(refresh.launched.sort());
  const events = await cluster.events(refreshStarted);
  saveEvents('f1', events);
  // Time from SIGTERM to the balancer taking the instance out, per replaced instance.
  const detect = refresh.replaced.map((id) => {
    const stop = events.find((e) => e.type === 'refresh-stop' && e.instance === id)!;
    const down = events.find((e) => e.type === 'lb-down' && e.instance === id && e.at >= stop.at);
    return down ? down.at - stop.at : Infinity;
  });
  const summary = summarize(refreshAttempts);
  expect(failureKinds(refreshAttempts)).toBe('none');
  expect(summary.failures).toBe(0);
  expect(summary.requests).toBeGreaterThan(200);
  // Taken out well inside the drain: fall checks plus one interval of slack.
  expect(Math.max(...detect)).toBeLessThan(DRAIN_SECONDS * 1000);

  // Negative control: one instance launched with SHUTDOWN_DRAIN_SECONDS=0, stopped under load.
  const control = new LoadGenerator(cluster.baseUrl, users, { ...LOAD, retry: false });
  control.start();
  await sleep(2_000);
  const victim = after.instances[0]!.id;
  await cluster.ctl('stop', String(victim));
  await sleep(4 * CHECK_INTERVAL_MS + 2_000);
  await control.stop();
  saveWrites('f1-control', control.writes);
  await cluster.waitInService(3, 60_000);
  const controlSummary = summarize(control.attempts);
  expect(controlSummary.failures).toBeGreaterThan(0);

  recordScenario({
    id: 'F1',
    name: 'rolling refresh of all 3 instances',
    ...summary,
    timeToDetectMs: Math.max(...detect),
    timeToRecoverMs: refresh.ms,
    notes: `refresh replaced #${refresh.replaced.join(', #')} with #${refresh.launched.join(', #')} in ${(refresh.ms / 1000).toFixed(1)} s; detect = SIGTERM to balancer DOWN (worst instance), recover = whole refresh`,
    negativeControl: {
      setup: 'SHUTDOWN_DRAIN_SECONDS=0',
      requests: controlSummary.requests,
      failures: controlSummary.failures,
      observed: `${controlSummary.failures} of ${controlSummary.requests} failed (${failureKinds(control.attempts)})`,
    },
  });
});
