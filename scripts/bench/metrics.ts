// Process metrics straight from /proc: CPU time (utime + stime, in clock ticks) and resident
// memory of a server and its child processes, sampled while load runs. Also pins
// PostgreSQL's backends for the benchmark database to a CPU set.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Client } from 'pg';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The process and all its descendants (cluster workers). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (const tid of (read(`/proc/${pid}/task/${pid}/children`) ?? '').trim().split(/\s+/).filter(Boolean)) out.push(...processTree(Number(tid)));
  return out;
}

/** CPU seconds used so far by one process (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  // Fields after the command name, which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : 0;
}

/** CPU seconds of a set of processes, each measured from its first sighting (a process that
 * exits meanwhile, e.g. an idle pool connection, counts as zero rather than negative). */
export class CpuMeter {
  private readonly start = new Map<number, number>();

  constructor(private readonly pids: () => number[]) {
    for (const pid of pids()) this.start.set(pid, cpuSeconds(pid));
  }

  /** `alsoPids`: processes that appeared meanwhile (counted from zero: they started during the run). */
  seconds(alsoPids: readonly number[] = []): number {
    let total = 0;
    for (const pid of new Set([...this.start.keys(), ...this.pids(), ...alsoPids])) total += Math.max(0, cpuSeconds(pid) - (this.start.get(pid) ?? 0));
    return total;
  }
}

/** Peak summed RSS of a process tree, sampled every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 200): { stop(): number } {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, processTree(pid).reduce((sum, p) => sum + rssBytes(p), 0));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

export async function backendPids(admin: Client, database: string): Promise<number[]> {
  const { rows } = await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [database]);
  return rows.map((row) => row.pid as number);
}

/**
 * Pins this database's backends (not the whole server: other databases here belong to other
 * work) to `cpus`. Pools are warm when this runs, so the connections under load are covered.
 */
export async function pinBackends(admin: Client, database: string, cpus: string): Promise<number> {
  const pids = await backendPids(admin, database);
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-pc', cpus, String(pid)], { stdio: 'ignore' });
    } catch {
      // The backend exited meanwhile.
    }
  }
  return pids.length;
}

export function pinSelf(cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-pc', cpus, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function loadAverage(): string {
  return (read('/proc/loadavg') ?? '').split(' ').slice(0, 3).join(' ');
}
