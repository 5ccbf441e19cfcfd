// F5, Jepsen-style: what clients were told (acknowledged creates) against what the database
// holds. Every scenario saves its writers' records; the check runs over all of them at the end.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { WriteRecord } from './load';
import { faultsDatabaseUrls, STATE_DIR } from './faults-env';

export interface StoredIssue {
  readonly id: string;
  readonly orgId: string;
  readonly projectKey: string;
  readonly number: number;
  readonly title: string;
}

export interface Snapshot {
  readonly issues: readonly StoredIssue[];
  /** CREATED events per issue id (events of issues that no longer exist included). */
  readonly createdEvents: ReadonlyMap<string, number>;
}

export function saveWrites(scenario: string, writes: readonly WriteRecord[]): void {
  writeFileSync(path.join(STATE_DIR, `writes-${scenario}.json`), JSON.stringify(writes));
}

/** Every attempt, for looking into a failed run afterwards. */
export function saveAttempts(scenario: string, attempts: readonly unknown[]): void {
  writeFileSync(path.join(STATE_DIR, `attempts-${scenario}.json`), JSON.stringify(attempts));
}

export function saveEvents(scenario: string, events: readonly unknown[]): void {
  writeFileSync(path.join(STATE_DIR, `events-${scenario}.json`), JSON.stringify(events));
}

export function loadWrites(): { scenario: string; writes: WriteRecord[] }[] {
  return readdirSync(STATE_DIR)
    .filter((name) => /^writes-.+\.json$/.test(name))
    .map((name) => ({ scenario: name.slice(7, -5), writes: JSON.parse(readFileSync(path.join(STATE_DIR, name), 'utf8')) as WriteRecord[] }));
}

/** As the owner (superuser): row-level security must not hide anything from the checker. */
export async function readSnapshot(): Promise<Snapshot> {
  const client = new Client({ connectionString: faultsDatabaseUrls().owner });
  await client.connect();
  try {
    const issues = await client.query<{ id: string; org_id: string; key: string; number: number; title: string }>(
      'SELECT i.id, i.org_id, p.key, i.number, i.title FROM issues i JOIN projects p ON p.id = i.project_id',
    );
    const events = await client.query<{ issue_id: string; n: string }>(
      "SELECT issue_id, count(*) AS n FROM issue_events WHERE kind = 'CREATED' GROUP BY issue_id",
    );
    return {
      issues: issues.rows.map((r) => ({ id: r.id, orgId: r.org_id, projectKey: r.key, number: r.number, title: r.title })),
      createdEvents: new Map(events.rows.map((r) => [r.issue_id, Number(r.n)])),
    };
  } finally {
    await client.end();
  }
}

/** Every anomaly found, in words; empty when the history is consistent. */
export function checkSet(writes: readonly WriteRecord[], snapshot: Snapshot): string[] {
  const anomalies: string[] = [];
  const byTitle = new Map<string, StoredIssue[]>();
  for (const issue of snapshot.issues) byTitle.set(issue.title, [...(byTitle.get(issue.title) ?? []), issue]);
  const requested = new Set(writes.map((w) => w.title));

  for (const write of writes) {
    const found = byTitle.get(write.title) ?? [];
    if (write.ack) {
      if (found.length === 0) anomalies.push(`lost: acknowledged ${write.ack.issueKey} ("${write.title}") does not exist`);
      else if (found[0]!.number !== write.ack.number || found[0]!.projectKey !== write.projectKey) {
        anomalies.push(`changed: acknowledged as ${write.ack.issueKey} but stored as ${found[0]!.projectKey}-${found[0]!.number}`);
      }
    }
    if (found.length > 1) anomalies.push(`duplicate: "${write.title}" exists ${found.length} times`);
  }
  for (const issue of snapshot.issues) {
    if (!requested.has(issue.title)) anomalies.push(`phantom: ${issue.projectKey}-${issue.number} ("${issue.title}") was never requested`);
  }

  const numbers = new Map<string, number[]>();
  for (const issue of snapshot.issues) {
    const project = `${issue.orgId}/${issue.projectKey}`;
    numbers.set(project, [...(numbers.get(project) ?? []), issue.number]);
  }
  for (const [project, list] of numbers) {
    list.sort((a, b) => a - b);
    const gap = list.findIndex((n, i) => n !== i + 1);
    if (gap !== -1) anomalies.push(`gap: project ${project} numbers ${list.slice(Math.max(0, gap - 1), gap + 2).join(', ')}... (expected ${gap + 1})`);
  }

  const ids = new Set(snapshot.issues.map((i) => i.id));
  for (const issue of snapshot.issues) {
    const created = snapshot.createdEvents.get(issue.id) ?? 0;
    if (created !== 1) anomalies.push(`history: ${issue.projectKey}-${issue.number} has ${created} CREATED events`);
  }
  for (const [issueId, n] of snapshot.createdEvents) {
    if (!ids.has(issueId)) anomalies.push(`history: ${n} CREATED event(s) for issue ${issueId}, which does not exist`);
  }
  return anomalies;
}
