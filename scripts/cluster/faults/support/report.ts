// What each scenario measured, merged into reports/faults.json, and the table printed at the end.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Attempt } from './load';
import { REPORT_JSON } from './faults-env';

export interface ScenarioReport {
  readonly id: string;
  readonly name: string;
  readonly requests: number;
  readonly failures: number;
  /** Highest share of failed attempts among the seconds of the run. */
  readonly worstSecondErrorRate: number;
  readonly timeToDetectMs: number | null;
  readonly timeToRecoverMs: number | null;
  /** Operations that still failed after the client's retries (retrying clients only). */
  readonly failuresAfterRetries?: number;
  readonly notes: string;
  /** The same fault with the protection switched off: it must fail, or the test proves nothing. */
  readonly negativeControl?: { readonly setup: string; readonly requests: number; readonly failures: number; readonly observed: string };
}

interface ReportFile {
  generatedAt: string;
  machine: { cpus: number; node: string };
  scenarios: ScenarioReport[];
}

export function worstSecond(attempts: readonly Attempt[]): number {
  const seconds = new Map<number, { total: number; failed: number }>();
  for (const a of attempts) {
    const bucket = seconds.get(Math.floor(a.start / 1000)) ?? { total: 0, failed: 0 };
    bucket.total++;
    if (!a.ok) bucket.failed++;
    seconds.set(Math.floor(a.start / 1000), bucket);
  }
  let worst = 0;
  for (const { total, failed } of seconds.values()) worst = Math.max(worst, failed / total);
  return Math.round(worst * 1000) / 1000;
}

/** Operations whose every attempt failed. */
export function failedOperations(attempts: readonly Attempt[]): number {
  const succeeded = new Set(attempts.filter((a) => a.ok).map((a) => a.opId));
  return new Set(attempts.filter((a) => !succeeded.has(a.opId)).map((a) => a.opId)).size;
}

export function summarize(attempts: readonly Attempt[]): { requests: number; failures: number; worstSecondErrorRate: number } {
  return { requests: attempts.length, failures: attempts.filter((a) => !a.ok).length, worstSecondErrorRate: worstSecond(attempts) };
}

/** "SERVICE_UNAVAILABLE x12, http 503 x3" */
export function failureKinds(attempts: readonly Attempt[]): string {
  const counts = new Map<string, number>();
  for (const a of attempts.filter((x) => !x.ok)) {
    const kind = a.code ?? (a.status ? `http ${a.status}` : `network: ${a.error?.slice(0, 40)}`);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${kind} x${n}`).join(', ') || 'none';
}

export function recordScenario(report: ScenarioReport): void {
  mkdirSync(path.dirname(REPORT_JSON), { recursive: true });
  const file: ReportFile = existsSync(REPORT_JSON)
    ? (JSON.parse(readFileSync(REPORT_JSON, 'utf8')) as ReportFile)
    : { generatedAt: '', machine: { cpus: 0, node: '' }, scenarios: [] };
  file.generatedAt = new Date().toISOString();
  file.machine = { cpus: os.cpus().length, node: process.version };
  file.scenarios = [...file.scenarios.filter((s) => s.id !== report.id), report].sort((a, b) => a.id.localeCompare(b.id));
  writeFileSync(REPORT_JSON, `${JSON.stringify(file, null, 2)}\n`);
}

/** For a negative control that runs as a test of its own, after the scenario it belongs to. */
export function addNegativeControl(id: string, control: NonNullable<ScenarioReport['negativeControl']>): void {
  // Without the scenario's own entry (its main test failed) there is nothing to add to.
  if (!existsSync(REPORT_JSON)) return;
  const file = JSON.parse(readFileSync(REPORT_JSON, 'utf8')) as ReportFile;
  const scenario = file.scenarios.find((s) => s.id === id);
  if (scenario) recordScenario({ ...scenario, negativeControl: control });
}

const seconds = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);

export function renderTable(): string {
  if (!existsSync(REPORT_JSON)) return 'no reports/faults.json yet';
  const file = JSON.parse(readFileSync(REPORT_JSON, 'utf8')) as ReportFile;
  const header = ['Scenario', 'Requests', 'Failures', 'After retries', 'Worst second', 'Detect', 'Recover', 'Negative control'];
  const rows = file.scenarios.map((s) => [
    `${s.id} ${s.name}`,
    String(s.requests),
    String(s.failures),
    s.failuresAfterRetries === undefined ? '-' : String(s.failuresAfterRetries),
    `${(s.worstSecondErrorRate * 100).toFixed(1)} %`,
    seconds(s.timeToDetectMs),
    seconds(s.timeToRecoverMs),
    s.negativeControl ? `${s.negativeControl.setup}: ${s.negativeControl.observed}` : '-',
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
