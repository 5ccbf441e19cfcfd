// One load run against one system: autocannon, closed loop (saturated) or at a fixed overall
// rate, with the server's CPU time, peak RSS, its database backends' CPU time and GraphQL
// errors (HTTP 200 with "errors" in the body counts as an error too).
import autocannon from 'autocannon';
import type { Client } from 'pg';
import type { Catalog } from './catalog';
import { rng } from './catalog';
import { CpuMeter, backendPids, processTree, sampleRss } from './metrics';
import type { RunningSystem } from './systems/launch';
import type { Flavor, Workload } from './workloads';

export interface LoadOptions {
  readonly connections: number;
  readonly durationSec: number;
  /** Requests per second over all connections; none = closed loop. */
  readonly rate?: number;
  readonly seed: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Server CPU time per completed request, microseconds (all processes of the system). */
  readonly cpuUsPerReq: number;
  /** PostgreSQL backend CPU time per request (backends of the benchmark database). */
  readonly dbCpuUsPerReq: number;
  readonly peakRssBytes: number;
  /** This process (autocannon) as a share of one CPU: near 100% means the load generator, not the server, was the limit. */
  readonly loadGenCpuPct: number;
  readonly firstError?: string;
}

export async function runLoad(
  system: RunningSystem,
  workload: Workload,
  catalog: Catalog,
  admin: Client,
  database: string,
  options: LoadOptions,
): Promise<LoadResult> {
  const flavor: Flavor = system.spec.id === 'peer' ? 'peer' : 'api';
  const rand = rng(options.seed);
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const serverCpu = new CpuMeter(() => processTree(system.pid));
  const pidsAtStart = await backendPids(admin, database);
  const dbCpu = new CpuMeter(() => pidsAtStart);
  const rss = sampleRss(system.pid);
  const selfCpu = process.cpuUsage();
  const result = await autocannon({
    url: system.url,
    connections: options.connections,
    duration: options.durationSec,
    timeout: 30,
    ...(options.rate ? { overallRate: Math.max(1, Math.round(options.rate)) } : {}),
    requests: [
      {
        method: 'POST',
        setupRequest(request) {
          const next = workload.next(rand, catalog, flavor);
          return { ...request, body: next.body, headers: next.headers };
        },
        onResponse(status, body) {
          if (status === 200 && !body.includes('"errors"')) return;
          graphqlErrors++;
          firstError ??= `${status} ${body.slice(0, 300)}`;
        },
      },
    ],
  });
  const peakRssBytes = rss.stop();
  const self = process.cpuUsage(selfCpu);
  const cpu = serverCpu.seconds();
  // Pools may have opened connections during the run: their backends count too.
  const db = dbCpu.seconds(await backendPids(admin, database));
  const requests = result.requests.total;
  const errors = result.errors + result.timeouts + graphqlErrors;
  return {
    requests,
    seconds: result.duration,
    rps: requests / result.duration,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    errors,
    cpuUsPerReq: requests > 0 ? (cpu * 1e6) / requests : 0,
    dbCpuUsPerReq: requests > 0 ? (db * 1e6) / requests : 0,
    peakRssBytes,
    loadGenCpuPct: ((self.user + self.system) / 1e6 / result.duration) * 100,
    ...(firstError ? { firstError } : {}),
  };
}
