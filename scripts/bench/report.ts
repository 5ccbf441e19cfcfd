// The printed table (Markdown, so docs/operating/performance.md can reuse it) and the targets list.
import type { CountResult } from './count';
import { fmt, type SummaryRow, type Target } from './summary';

export function resultsTable(rows: readonly SummaryRow[], workloads: readonly string[], systems: readonly string[]): string {
  const header = [
    '| workload | system | req/s (spread) | vs B0 | vs peer | p50 / p99 ms at rate (achieved) | CPU us/req | DB CPU us/req | SQL stmts (round trips) /req | peak RSS MB | load gen CPU | errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const lines: string[] = [];
  for (const workload of workloads) {
    for (const system of systems) {
      const r = rows.find((x) => x.workload === workload && x.system === system);
      if (!r) continue;
      const spread = `${fmt(r.rps, 0)} (${fmt(r.spread * 100, 0)}%${r.noisy ? ' NOISY' : ''})`;
      const latency = r.p99Ms === null ? 'n/a' : `${fmt(r.p50Ms, 1)} / ${fmt(r.p99Ms, 1)} @ ${fmt(r.fixedRate, 0)} (${fmt(r.achievedRate, 0)})`;
      const sql = r.statementsPerReq === null ? 'n/a' : `${fmt(r.statementsPerReq, 1)} (${fmt(r.roundTripsPerReq, 1)})`;
      lines.push(
        `| ${workload} | ${system} | ${spread} | ${r.vsB0 === null ? '' : `${fmt(r.vsB0)}x`} | ${r.vsPeer === null ? '' : `${fmt(r.vsPeer)}x`} | ${latency} | ${fmt(r.cpuUsPerReq, 0)} | ${fmt(r.dbCpuUsPerReq, 0)} | ${sql} | ${fmt(r.peakRssMb, 0)} | ${fmt(r.loadGenCpuPct, 0)}% | ${r.errors} |`,
      );
    }
  }
  return [...header, ...lines].join('\n');
}

export function targetsTable(list: readonly Target[]): string {
  const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT met');
  return ['| target | goal | measured | |', '|---|---|---|---|', ...list.map((t) => `| ${t.name} | ${t.goal} | ${t.measured} | ${mark(t.met)} |`)].join('\n');
}

/** The counting pass alone: statements and round trips per request, and what the API sent. */
export function countsTable(counts: ReadonlyMap<string, CountResult>): string {
  const lines = ['| workload | system | statements /req | round trips /req |', '|---|---|---:|---:|'];
  const detail: string[] = [];
  for (const [key, c] of counts) {
    const [workload, system] = key.split('|');
    lines.push(`| ${workload} | ${system} | ${fmt(c.statementsPerReq, 1)} | ${fmt(c.roundTripsPerReq, 1)} |`);
    if (system === 'us') detail.push(`${workload}:`, ...c.statements.slice(0, 12).map((s) => `  ${s.perReq.toFixed(1)}  ${s.sql}`));
  }
  return [...lines, '', ...detail].join('\n');
}
