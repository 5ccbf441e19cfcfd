// Run settings: the data profile and timings for a full run and for the --quick smoke run,
// parsed from the command line once. Everything else takes a BenchConfig.
import path from 'node:path';

export interface DataProfile {
  readonly name: 'full' | 'quick' | 'large';
  readonly orgs: number;
  /** Users per organization (each also joins a second organization when index % 3 == 0). */
  readonly usersPerOrg: number;
  readonly projectsPerOrg: number;
  readonly issuesPerProject: number;
  readonly commentsPerIssue: number;
  readonly labelsPerProject: number;
  /**
   * Issues of the first organization's first project (WEB of org 0), when it is to be larger
   * than the others: the board workload then reads that project, so a page's cost can be seen
   * not to grow with its project.
   */
  readonly bigProjectIssues?: number;
}

/** Issues in a profile: every project has issuesPerProject, except a big one if any. */
export function issueCount(p: DataProfile): number {
  const projects = p.orgs * p.projectsPerOrg;
  return p.bigProjectIssues === undefined ? projects * p.issuesPerProject : p.bigProjectIssues + (projects - 1) * p.issuesPerProject;
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

// Ten times FULL (1,999,800 issues): 1,800 organizations shaped like FULL's, except that the
// first project holds 200,000 issues, as many as all of FULL. Generating it takes several
// minutes and a few GB of disk: not for a shared machine.
export const LARGE: DataProfile = { ...FULL, name: 'large', orgs: 1800, bigProjectIssues: 200_000 };

// Small enough to generate in a few seconds on a busy machine, same shape as FULL.
export const QUICK: DataProfile = { ...FULL, name: 'quick', orgs: 20, issuesPerProject: 100 };

export function parseArgs(argv: readonly string[], root: string): BenchConfig {
  const has = (flag: string) => argv.includes(flag);
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const quick = has('--quick');
  if (quick && has('--large')) throw new Error('--quick and --large exclude each other');
  const base = quick ? QUICK : has('--large') ? LARGE : FULL;
  // --orgs N: the profile's shape with fewer (or more) organizations, e.g. to try --large on a
  // small machine (its big project keeps its size).
  const orgs = value('--orgs');
  if (orgs !== undefined && !(Number.isInteger(Number(orgs)) && Number(orgs) >= 2)) throw new Error(`--orgs takes an integer of at least 2, not ${orgs}`);
  return {
    quick,
    countOnly: has('--count-only'),
    profile: orgs === undefined ? base : { ...base, orgs: Number(orgs) },
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
