// Phase 1: every system behind its own counting proxy. Reads first (so no system's writes
// change what another system's reads return), then B0's and the API's read answers are
// compared, then the writes.
import type { Catalog } from './catalog';
import { countStatements, sameJson, type CountResult } from './count';
import { CountingProxy } from './count-proxy';
import type { BenchConfig } from './config';
import { launch, type RunningSystem } from './systems/launch';
import { systemSpecs } from './systems/specs';
import { W0, W1, W2, W3, W4, W5, boardWorkload, type Workload } from './workloads';

export interface Correctness {
  readonly compared: number;
  readonly mismatches: number;
  readonly firstMismatch?: { readonly workload: string; readonly b0: unknown; readonly us: unknown };
}

export interface CountingOutcome {
  readonly counts: Map<string, CountResult>;
  readonly correctness: Correctness;
  readonly failures: string[];
}

const baseId = (workload: Workload) => workload.id.split('/')[0]!;

export async function countingPass(cfg: BenchConfig, database: string, jwtSecret: string, catalog: Catalog, log: (m: string) => void): Promise<CountingOutcome> {
  const upstream = new URL(cfg.adminUrl);
  const counts = new Map<string, CountResult>();
  const failures: string[] = [];
  const running: RunningSystem[] = [];
  const proxies = new Map<string, CountingProxy>();
  // us2 runs the same code as us: its statements per request are the same.
  const ids = systemSpecs({ cfg, database, jwtSecret }).map((s) => s.id).filter((id) => id !== 'us2');
  try {
    for (const id of ids) {
      const proxy = new CountingProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) });
      const port = await proxy.listen();
      const spec = systemSpecs({ cfg, database, jwtSecret, dbHostPort: `127.0.0.1:${port}` }).find((s) => s.id === id)!;
      try {
        running.push(await launch(spec, cfg.logDir, '-count'));
        proxies.set(id, proxy);
      } catch (error) {
        failures.push(`${id} (counting pass): ${(error as Error).message}`);
        await proxy.close();
      }
    }
    const reads = [W0, W1, W2, boardWorkload(10), boardWorkload(100), W3];
    const count = async (workloads: readonly Workload[]) => {
      for (const [w, workload] of workloads.entries()) {
        for (const system of running.filter((s) => s.spec.workloads.includes(baseId(workload)))) {
          const result = await countStatements(system, proxies.get(system.spec.id)!, workload, catalog, cfg.countRequests, 1000 + w);
          counts.set(`${workload.id}|${system.spec.id}`, result);
          if (result.errors > 0) failures.push(`${system.spec.id} ${workload.id}: ${result.errors} errors in the counting pass: ${JSON.stringify(result.responses.find((r) => (r as { errors?: unknown }).errors)).slice(0, 300)}`);
          log(`  ${workload.id.padEnd(6)} ${system.spec.id.padEnd(4)} ${result.statementsPerReq.toFixed(1)} statements, ${result.roundTripsPerReq.toFixed(1)} round trips per request`);
        }
      }
    };
    await count(reads);
    const correctness = compare(reads.filter((w) => w !== W0), counts);
    await count([W4, W5]);
    return { counts, correctness, failures };
  } finally {
    await Promise.all(running.map((s) => s.stop()));
    await Promise.all([...proxies.values()].map((p) => p.close()));
  }
}

/** B0 must answer exactly what the API answers, or it is not a fair limit. */
function compare(workloads: readonly Workload[], counts: ReadonlyMap<string, CountResult>): Correctness {
  let compared = 0;
  let mismatches = 0;
  let firstMismatch: Correctness['firstMismatch'];
  for (const workload of workloads) {
    const b0 = counts.get(`${workload.id}|b0`)?.responses ?? [];
    const us = counts.get(`${workload.id}|us`)?.responses ?? [];
    for (let i = 0; i < Math.min(b0.length, us.length); i++) {
      compared++;
      if (sameJson(b0[i], us[i])) continue;
      mismatches++;
      firstMismatch ??= { workload: workload.id, b0: b0[i], us: us[i] };
    }
  }
  return { compared, mismatches, ...(firstMismatch ? { firstMismatch } : {}) };
}
