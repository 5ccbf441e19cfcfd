// F5, a Jepsen-style set check over everything F1-F4 wrote into the shared database: every
// acknowledged create exists exactly once, nothing exists that was never requested, issue
// numbers per project have no gap, and every issue has exactly one CREATED event. The checker is
// then fed doctored histories to prove it would notice each kind of anomaly.
import { randomUUID } from 'node:crypto';
import type { WriteRecord } from './support/load';
import { addNegativeControl, recordScenario } from './support/report';
import { checkSet, loadWrites, readSnapshot, type Snapshot } from './support/set-check';

test('F5: acknowledged creates exist exactly once, no phantoms, gap-free numbers, one CREATED event each', async () => {
  const runs = loadWrites();
  const scenarios = runs.map((r) => r.scenario).sort();
  // F5 checks the history the other scenarios left; alone it has nothing to check.
  expect(scenarios).toEqual(expect.arrayContaining(['f1', 'f2', 'f3']));
  const writes = runs.flatMap((r) => r.writes);
  const acknowledged = writes.filter((w) => w.ack).length;
  const snapshot = await readSnapshot();
  const anomalies = checkSet(writes, snapshot);
  expect(anomalies).toEqual([]);
  expect(acknowledged).toBeGreaterThan(100);

  recordScenario({
    id: 'F5',
    name: 'set check over F1-F4',
    requests: writes.length,
    failures: anomalies.length,
    worstSecondErrorRate: 0,
    timeToDetectMs: null,
    timeToRecoverMs: null,
    notes: `${writes.length} creates requested (${scenarios.join(', ')}), ${acknowledged} acknowledged, ${snapshot.issues.length} issues stored in ${new Set(snapshot.issues.map((i) => `${i.orgId}/${i.projectKey}`)).size} projects; 0 anomalies (lost, duplicate, phantom, gap, history)`,
  });
});

test('negative control: the checker reports each kind of anomaly', () => {
  const write = (title: string, number: number, ack = true): WriteRecord => ({
    title,
    idempotencyKey: randomUUID(),
    projectKey: 'P',
    orgId: 'o',
    ...(ack ? { ack: { issueKey: `P-${number}`, number } } : {}),
  });
  const issue = (title: string, number: number, id: string = randomUUID()) => ({ id, orgId: 'o', projectKey: 'P', number, title });
  const writes = [write('a', 1), write('b', 2), write('c', 3, false)];
  const healthy: Snapshot = {
    issues: [issue('a', 1, 'i1'), issue('b', 2, 'i2')],
    createdEvents: new Map([['i1', 1], ['i2', 1]]),
  };
  expect(checkSet(writes, healthy)).toEqual([]);
  const doctored: Record<string, Snapshot> = {
    lost: { ...healthy, issues: [healthy.issues[0]!] },
    duplicate: { ...healthy, issues: [...healthy.issues, issue('a', 3, 'i3')], createdEvents: new Map([['i1', 1], ['i2', 1], ['i3', 1]]) },
    phantom: { ...healthy, issues: [...healthy.issues, issue('never asked', 3, 'i4')], createdEvents: new Map([['i1', 1], ['i2', 1], ['i4', 1]]) },
    gap: { ...healthy, issues: [issue('a', 1, 'i1'), issue('b', 3, 'i2')] },
    history: { ...healthy, createdEvents: new Map([['i1', 2], ['i2', 1]]) },
  };
  const caught = Object.entries(doctored).map(([kind, snapshot]) => [kind, checkSet(writes, snapshot).some((a) => a.startsWith(kind))]);
  expect(Object.fromEntries(caught)).toEqual({ lost: true, duplicate: true, phantom: true, gap: true, history: true });
  addNegativeControl('F5', {
    setup: 'doctored histories',
    requests: Object.keys(doctored).length,
    failures: caught.filter(([, found]) => found).length,
    observed: `lost, duplicate, phantom, gap and history anomalies each reported`,
  });
});
