// The counting pass: each system reaches PostgreSQL through the counting proxy; after a few
// warm-up requests (prepared statements, document caches), N requests go one at a time and
// the proxy's counts are divided by N. The responses are kept for the correctness check.
import type { Catalog } from './catalog';
import { rng } from './catalog';
import type { CountingProxy, StatementSample } from './count-proxy';
import type { RunningSystem } from './systems/launch';
import type { Workload } from './workloads';

export interface CountResult {
  readonly statementsPerReq: number;
  readonly roundTripsPerReq: number;
  readonly errors: number;
  /** Statements from background connections (job workers, listeners) per second of the pass. */
  readonly backgroundPerSec: number;
  /** The statements one request ran, most frequent first (per request). */
  readonly statements: { readonly sql: string; readonly perReq: number }[];
  /** One execution of each parameterized statement, with its values (for EXPLAIN). */
  readonly samples: StatementSample[];
  readonly responses: unknown[];
}

async function send(system: RunningSystem, body: string, headers: Record<string, string>): Promise<{ data?: unknown; errors?: unknown }> {
  const response = await fetch(system.url, { method: 'POST', headers, body });
  return (await response.json()) as { data?: unknown; errors?: unknown };
}

export async function countStatements(system: RunningSystem, proxy: CountingProxy, workload: Workload, catalog: Catalog, n: number, seed: number): Promise<CountResult> {
  const flavor = system.spec.id === 'peer' ? 'peer' : 'api';
  const warm = rng(seed + 7919);
  for (let i = 0; i < 3; i++) {
    const request = workload.next(warm, catalog, flavor);
    await send(system, request.body, request.headers);
  }
  const rand = rng(seed);
  const responses: unknown[] = [];
  let errors = 0;
  proxy.reset();
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const request = workload.next(rand, catalog, flavor);
    const result = await send(system, request.body, request.headers);
    if (result.errors || !result.data) errors++;
    responses.push(result.errors ? { errors: result.errors } : result.data);
  }
  const seconds = (performance.now() - started) / 1000;
  const { statements, roundTrips, texts, samples, background } = proxy.counts;
  const ranked = [...texts.entries()].sort((a, b) => b[1] - a[1]).map(([sql, count]) => ({ sql, perReq: count / n }));
  return { statementsPerReq: statements / n, roundTripsPerReq: roundTrips / n, errors, backgroundPerSec: background / seconds, statements: ranked, samples: [...samples.values()], responses };
}

/** Deep equality of two JSON values (object key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
