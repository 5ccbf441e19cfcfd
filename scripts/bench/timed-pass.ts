// Phase 2: all systems up at once, connected directly. Per workload: a warm-up on each,
// then the saturated runs interleaved (A B C A B C ...), then one run per system at a fixed
// rate of half B0's median maximum. Before every run, this process (the load generator) and
// the benchmark database's PostgreSQL backends are pinned to the run's load CPUs.
import type { Client } from 'pg';
import type { Catalog } from './catalog';
import type { BenchConfig } from './config';
import { runLoad } from './load';
import { pinBackends, pinSelf } from './metrics';
import { median, type Run } from './summary';
import type { RunningSystem } from './systems/launch';
import type { Workload } from './workloads';

export interface TimedOutcome {
  readonly runs: Run[];
  readonly failures: string[];
}

export async function timedPass(
  cfg: BenchConfig,
  systems: readonly RunningSystem[],
  workloads: readonly Workload[],
  catalog: Catalog,
  admin: Client,
  database: string,
  log: (m: string) => void,
): Promise<TimedOutcome> {
  const runs: Run[] = [];
  const failures: string[] = [];
  const run = async (system: RunningSystem, workload: Workload, seed: number, durationSec: number, rate?: number) => {
    pinSelf(system.spec.loadCpus);
    await pinBackends(admin, database, system.spec.loadCpus);
    return runLoad(system, workload, catalog, admin, database, { connections: cfg.connections, durationSec, seed, ...(rate ? { rate } : {}) });
  };
  const record = (r: Run) => {
    runs.push(r);
    const rate = r.rate ? ` @${r.rate.toFixed(0)}/s` : '';
    log(`  ${r.workload} ${r.system.padEnd(4)} ${r.kind}${rate} #${r.rep}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ${r.cpuUsPerReq.toFixed(0)} us CPU/req, errors ${r.errors}`);
    if (r.errors > 0) failures.push(`${r.system} ${r.workload} ${r.kind} #${r.rep}: ${r.errors} errors, first: ${r.firstError ?? '?'}`);
  };
  for (const [w, workload] of workloads.entries()) {
    const here = systems.filter((s) => s.spec.workloads.includes(workload.id));
    log(`${workload.id} ${workload.title}: ${here.map((s) => s.spec.id).join(', ')}`);
    for (const system of here) await run(system, workload, 99 + w, cfg.warmupSec);
    for (let rep = 1; rep <= cfg.repetitions; rep++) {
      for (const system of here) {
        const result = await run(system, workload, w * 100 + rep, cfg.durationSec);
        record({ ...result, workload: workload.id, system: system.spec.id, kind: 'saturated', rep });
      }
    }
    const b0 = runs.filter((r) => r.workload === workload.id && r.system === 'b0' && r.kind === 'saturated').map((r) => r.rps);
    const base = b0.length ? median(b0) : Math.max(...runs.filter((r) => r.workload === workload.id).map((r) => r.rps));
    const rate = Math.max(1, base / 2);
    for (const system of here) {
      const result = await run(system, workload, w * 100 + 50, cfg.durationSec, rate);
      record({ ...result, workload: workload.id, system: system.spec.id, kind: 'fixed', rep: 1, rate });
    }
  }
  return { runs, failures };
}
