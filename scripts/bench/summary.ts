// From individual runs to one row per (workload, system): medians over repetitions, the
// spread that flags a noisy cell, median ratios of paired repetitions, and the targets.
import type { CountResult } from './count';
import type { LoadResult } from './load';

export interface Run extends LoadResult {
  readonly workload: string;
  readonly system: string;
  readonly kind: 'saturated' | 'fixed';
  readonly rep: number;
  /** Offered rate of a fixed-rate run. */
  readonly rate?: number;
}

export interface SummaryRow {
  readonly workload: string;
  readonly system: string;
  readonly rps: number;
  /** (max - min) / median of the saturated repetitions. */
  readonly spread: number;
  readonly noisy: boolean;
  readonly fixedRate: number | null;
  readonly achievedRate: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly saturatedP99Ms: number;
  readonly cpuUsPerReq: number;
  readonly dbCpuUsPerReq: number;
  readonly statementsPerReq: number | null;
  readonly roundTripsPerReq: number | null;
  readonly peakRssMb: number;
  /** Median load-generator CPU (% of one core) in the saturated runs. */
  readonly loadGenCpuPct: number;
  readonly errors: number;
  /** Median over repetitions of this system's rps / B0's (or the peer's) in the same repetition. */
  readonly vsB0: number | null;
  readonly vsPeer: number | null;
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | null;
}

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function pairedRatio(runs: readonly Run[], workload: string, system: string, base: string): number | null {
  const mine = runs.filter((r) => r.kind === 'saturated' && r.workload === workload && r.system === system);
  const theirs = new Map(runs.filter((r) => r.kind === 'saturated' && r.workload === workload && r.system === base).map((r) => [r.rep, r.rps]));
  const ratios = mine.filter((r) => theirs.get(r.rep)).map((r) => r.rps / theirs.get(r.rep)!);
  return ratios.length ? median(ratios) : null;
}

export function summarise(runs: readonly Run[], counts: ReadonlyMap<string, CountResult>): SummaryRow[] {
  const keys = [...new Set(runs.map((r) => `${r.workload}|${r.system}`))];
  return keys.map((key) => {
    const [workload, system] = key.split('|') as [string, string];
    const sat = runs.filter((r) => r.kind === 'saturated' && r.workload === workload && r.system === system);
    const fixed = runs.find((r) => r.kind === 'fixed' && r.workload === workload && r.system === system);
    const rpsList = sat.map((r) => r.rps);
    const rps = median(rpsList);
    const spread = rpsList.length > 1 ? (Math.max(...rpsList) - Math.min(...rpsList)) / rps : 0;
    const count = counts.get(`${workload}|${system}`);
    const all = fixed ? [...sat, fixed] : sat;
    return {
      workload,
      system,
      rps,
      spread,
      noisy: spread > 0.1,
      fixedRate: fixed?.rate ?? null,
      achievedRate: fixed ? fixed.rps : null,
      p50Ms: fixed ? fixed.p50Ms : null,
      p99Ms: fixed ? fixed.p99Ms : null,
      saturatedP99Ms: median(sat.map((r) => r.p99Ms)),
      cpuUsPerReq: median(sat.map((r) => r.cpuUsPerReq)),
      dbCpuUsPerReq: median(sat.map((r) => r.dbCpuUsPerReq)),
      statementsPerReq: count ? count.statementsPerReq : null,
      roundTripsPerReq: count ? count.roundTripsPerReq : null,
      peakRssMb: Math.max(...all.map((r) => r.peakRssBytes)) / 2 ** 20,
      loadGenCpuPct: median(sat.map((r) => r.loadGenCpuPct)),
      errors: all.reduce((sum, r) => sum + r.errors, 0),
      vsB0: system === 'b0' ? null : pairedRatio(runs, workload, system, 'b0'),
      vsPeer: system === 'peer' || system === 'b0' ? null : pairedRatio(runs, workload, system, 'peer'),
    };
  });
}

const fmt = (value: number | null | undefined, digits = 2) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

export function targets(rows: readonly SummaryRow[], counts: ReadonlyMap<string, CountResult>, startToReadyMs: number | undefined): Target[] {
  const row = (w: string, s: string) => rows.find((r) => r.workload === w && r.system === s);
  const ratio = (value: number | null | undefined, goal: number) => (value === null || value === undefined ? null : value >= goal);
  const w1 = row('W1', 'us')?.vsB0;
  const w2 = row('W2', 'us')?.vsPeer;
  const w3 = row('W3', 'us')?.vsPeer;
  const w4row = row('W4', 'us');
  const w4us = w4row?.p99Ms;
  const w4b0 = row('W4', 'b0')?.p99Ms;
  const w4 = w4us != null && w4b0 != null && w4b0 > 0 ? w4us / w4b0 : null;
  // A p99 only means "at 50% load" if the system kept up with the offered rate.
  const w4kept = w4row?.achievedRate != null && w4row.fixedRate != null && w4row.achievedRate >= 0.95 * w4row.fixedRate;
  const w4note = w4row?.fixedRate != null && !w4kept ? `; sustained only ${fmt(w4row.achievedRate, 0)} of ${fmt(w4row.fixedRate, 0)} req/s offered` : '';
  const s10 = counts.get('W2/10|us')?.statementsPerReq;
  const s100 = counts.get('W2/100|us')?.statementsPerReq;
  const rss = Math.max(0, ...rows.filter((r) => r.system === 'us').map((r) => r.peakRssMb));
  return [
    { name: 'W1 throughput vs B0', goal: '>= 0.5x', measured: `${fmt(w1)}x`, met: ratio(w1, 0.5) },
    { name: 'W2 throughput vs PostGraphile', goal: '>= 1.0x', measured: `${fmt(w2)}x`, met: ratio(w2, 1) },
    { name: 'W3 throughput vs PostGraphile', goal: '>= 1.0x', measured: `${fmt(w3)}x`, met: ratio(w3, 1) },
    { name: 'W4 p99 at 50% of B0 max, vs B0', goal: '<= 2x', measured: `${fmt(w4)}x (${fmt(w4us, 1)} vs ${fmt(w4b0, 1)} ms${w4note})`, met: w4 === null ? null : w4 <= 2 && w4kept },
    { name: 'SQL statements per request, W2 10 vs 100 issues', goal: 'equal', measured: `${fmt(s10, 1)} vs ${fmt(s100, 1)}`, met: s10 === undefined || s100 === undefined ? null : s10 === s100 },
    { name: 'start to ready (1 process)', goal: '<= 2 s', measured: `${fmt(startToReadyMs === undefined ? null : startToReadyMs / 1000)} s`, met: startToReadyMs === undefined ? null : startToReadyMs <= 2000 },
    { name: 'peak RSS under load (1 process)', goal: '<= 250 MB', measured: `${fmt(rss, 0)} MB`, met: rss > 0 ? rss <= 250 : null },
  ];
}

export { fmt };
