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

/** The targets of issue #18, read off one run. */
export function targets(rows: readonly SummaryRow[], counts: ReadonlyMap<string, CountResult>, startToReadyMs: number | undefined): Target[] {
  const row = (w: string, s: string) => rows.find((r) => r.workload === w && r.system === s);
  const ratio = (value: number | null | undefined, goal: number) => (value === null || value === undefined ? null : value >= goal);
  const atMost = (value: number | null | undefined, goal: number) => (value === null || value === undefined || Number.isNaN(value) ? null : value <= goal);
  const vsPeer = (w: string) => row(w, 'us')?.vsPeer;
  const w1b0 = row('W1', 'us')?.vsB0;
  const w4row = row('W4', 'us');
  const w4us = w4row?.p99Ms;
  const w4b0 = row('W4', 'b0')?.p99Ms;
  const w4 = w4us != null && w4b0 != null && w4b0 > 0 ? w4us / w4b0 : null;
  // A p99 only means "at 50% load" if the system kept up with the offered rate.
  const w4kept = w4row?.achievedRate != null && w4row.fixedRate != null && w4row.achievedRate >= 0.95 * w4row.fixedRate;
  const w4note = w4row?.fixedRate != null && !w4kept ? `; sustained only ${fmt(w4row.achievedRate, 0)} of ${fmt(w4row.fixedRate, 0)} req/s offered` : '';
  const trips = (w: string) => counts.get(`${w}|us`)?.roundTripsPerReq;
  const t10 = trips('W2/10');
  const t100 = trips('W2/100');
  const cpu = (w: string, s: string) => row(w, s)?.cpuUsPerReq;
  const cpuVsPeer = (w: string) => {
    const us = cpu(w, 'us');
    const peer = cpu(w, 'peer');
    return us !== undefined && peer !== undefined && peer > 0 ? us / peer : null;
  };
  const rss = Math.max(0, ...rows.filter((r) => r.system === 'us').map((r) => r.peakRssMb));
  const throughput = (w: string): Target => ({ name: `${w} throughput vs PostGraphile`, goal: '>= 1.2x', measured: `${fmt(vsPeer(w))}x`, met: ratio(vsPeer(w), 1.2) });
  const roundTrips = (w: string, goal: number): Target => ({ name: `${w} SQL round trips per request`, goal: `<= ${goal}`, measured: fmt(trips(w), 1), met: atMost(trips(w), goal) });
  const cpuTarget = (w: string): Target => ({ name: `${w} API CPU per request vs PostGraphile's`, goal: '<= 1.0x', measured: `${fmt(cpuVsPeer(w))}x (${fmt(cpu(w, 'us'), 0)} vs ${fmt(cpu(w, 'peer'), 0)} us)`, met: atMost(cpuVsPeer(w), 1) });
  return [
    throughput('W1'),
    throughput('W2'),
    throughput('W3'),
    { name: 'W1 throughput vs B0 (stretch)', goal: '>= 0.5x', measured: `${fmt(w1b0)}x`, met: ratio(w1b0, 0.5) },
    { name: 'W4 p99 at 50% of B0 max, vs B0', goal: '<= 2x', measured: `${fmt(w4)}x (${fmt(w4us, 1)} vs ${fmt(w4b0, 1)} ms${w4note})`, met: w4 === null ? null : w4 <= 2 && w4kept },
    roundTrips('W1', 3),
    roundTrips('W2', 3),
    roundTrips('W4', 8),
    { name: 'SQL round trips per request, W2 10 vs 100 issues', goal: 'equal', measured: `${fmt(t10, 1)} vs ${fmt(t100, 1)}`, met: t10 === undefined || t100 === undefined ? null : t10 === t100 },
    cpuTarget('W1'),
    cpuTarget('W2'),
    { name: 'peak RSS under load (1 process)', goal: '<= 250 MB', measured: `${fmt(rss, 0)} MB`, met: rss > 0 ? rss <= 250 : null },
    { name: 'start to ready (1 process)', goal: '<= 1 s', measured: `${fmt(startToReadyMs === undefined ? null : startToReadyMs / 1000)} s`, met: startToReadyMs === undefined ? null : startToReadyMs <= 1000 },
  ];
}

export { fmt };
