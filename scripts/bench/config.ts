// Run settings: the data profile and timings for a full run and for the --quick smoke run,
// parsed from the command line once. Everything else takes a BenchConfig.
import path from 'node:path';

export interface DataProfile {
  readonly name: 'full' | 'quick';
  readonly orgs: number;
  /** Users per organization (each also joins a second organization when index % 3 == 0). */
  readonly usersPerOrg: number;
  readonly projectsPerOrg: number;
  readonly issuesPerProject: number;
  readonly commentsPerIssue: number;
  readonly labelsPerProject: number;
}

export interface BenchConfig {
  readonly quick: boolean;
  /** Stop after the counting pass (statements and round trips per request; no timed runs). */
  readonly countOnly: boolean;
  readonly profile: DataProfile;
  /** Seconds per saturated (closed-loop) run and per fixed-rate run. */
  readonly durationSec: number;
  /** Seconds of unmeasured load before each workload's first run on a system. */
  readonly warmupSec: number;
  readonly repetitions: number;
  readonly connections: number;
  /** Sequential requests per workload and system in the statement-counting pass. */
  readonly countRequests: number;
  readonly build: boolean;
  /** Adds the two-process ("whole instance") variant of Us. */
  readonly cluster: boolean;
  readonly adminUrl: string;
  readonly root: string;
  readonly outDir: string;
  readonly logDir: string;
}

export const FULL: DataProfile = {
  name: 'full',
  orgs: 200,
  usersPerOrg: 10,
  projectsPerOrg: 5,
  issuesPerProject: 200,
  commentsPerIssue: 2,
  labelsPerProject: 8,
};

// Small enough to generate in a few seconds on a busy machine, same shape as FULL.
export const QUICK: DataProfile = { ...FULL, name: 'quick', orgs: 20, issuesPerProject: 100 };

export function parseArgs(argv: readonly string[], root: string): BenchConfig {
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const quick = has('--quick');
  return {
    quick,
    countOnly: has('--count-only'),
    profile: quick ? QUICK : FULL,
    durationSec: Number(value('--duration') ?? (quick ? 1.5 : 4)),
    warmupSec: quick ? 0.5 : 2,
    repetitions: Number(value('--reps') ?? (quick ? 1 : 3)),
    connections: 50,
    countRequests: quick ? 10 : 40,
    build: !has('--no-build'),
    cluster: !has('--no-cluster') && !quick,
    adminUrl: process.env.BENCH_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres',
    root,
    outDir: path.join(root, 'bench'),
    logDir: path.join(process.env.TMPDIR || '/tmp', 'tracker-bench-logs'),
  };
}

/** A URL like adminUrl but for another database and optionally another role. */
export function dbUrl(adminUrl: string, database: string, user?: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  if (user) {
    url.username = user;
    url.password = '';
  }
  return url.toString();
}
