// `npm run cluster` — a local copy of the AWS topology: N API instances (production build,
// production mode) behind HAProxy configured like the ALB target group, one PostgreSQL reached
// through a fault proxy, and a supervisor playing the Auto Scaling group. For tests and demos;
// production is the real thing in cdktf/.
//
//   npm run cluster [-- --instances 3 --port 8080 --control-port 8405 --stats-port 8404
//                       --instance-base-port 4100 --health-path /health --check-interval-ms 1000
//                       --env KEY=VALUE ... --no-build]
//   npm run cluster -- ctl <command> [args]     (see control.ts: status, events, refresh, kill <n>,
//                                                stop <n>, db-cut, db-restore, db-latency <ms>, shutdown)
//
// DATABASE_URL (app role) and MIGRATION_DATABASE_URL (owner) choose the database; the default is
// tracker_cluster on the local server. Migrations run once, before the first instance starts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startCluster, type Cluster, type ClusterOptions } from './cluster';
import { control } from './control';

const ROOT = path.resolve(__dirname, '../..');

function parseArgs(argv: string[]): { flags: Map<string, string[]>; rest: string[] } {
  const flags = new Map<string, string[]>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      rest.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const value = inline ?? (argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true');
    flags.set(name!, [...(flags.get(name!) ?? []), value]);
  }
  return { flags, rest };
}

function options(flags: Map<string, string[]>): ClusterOptions {
  const one = (name: string, fallback: string) => flags.get(name)?.at(-1) ?? fallback;
  const num = (name: string, fallback: number) => Number(one(name, String(fallback)));
  return {
    instances: num('instances', 3),
    port: num('port', 8080),
    statsPort: num('stats-port', 8404),
    controlPort: num('control-port', Number(process.env.CLUSTER_CONTROL_PORT ?? 8405)),
    instanceBasePort: num('instance-base-port', 4100),
    databaseUrl: process.env.DATABASE_URL || 'postgresql://tracker_app@127.0.0.1:5432/tracker_cluster',
    migrationDatabaseUrl: process.env.MIGRATION_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/tracker_cluster',
    healthPath: one('health-path', '/health'),
    checkIntervalMs: num('check-interval-ms', 1000),
    env: Object.fromEntries((flags.get('env') ?? []).map((pair) => pair.split(/=(.*)/s, 2) as [string, string])),
    projectRoot: ROOT,
  };
}

function build(): void {
  process.stderr.write('building the production bundle (npm run build)...\n');
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0 && !existsSync(path.join(ROOT, 'dist/api/src/main.js'))) throw new Error('npm run build failed');
}

/** One line, rewritten in place on a terminal: who is up, traffic and errors per second. */
function statusLine(cluster: Cluster): () => void {
  let last = { at: Date.now(), requests: 0, errors: 0 };
  const tty = process.stdout.isTTY;
  let ticks = 0;
  const timer = setInterval(() => {
    const { supervisor, proxy } = cluster;
    const now = Date.now();
    const { requests, responses5xx } = supervisor.frontend;
    const seconds = Math.max(0.001, (now - last.at) / 1000);
    const rate = Math.max(0, (requests - last.requests) / seconds).toFixed(0);
    const errors = Math.max(0, (responses5xx - last.errors) / seconds).toFixed(0);
    last = { at: now, requests, errors: responses5xx };
    const instances = supervisor.instances
      .filter((i) => i.alive || i.lbStatus !== 'MAINT')
      .map((i) => `#${i.id}:${i.lbStatus}${i.state === 'draining' ? '(draining)' : i.alive ? '' : '(exited)'}`)
      .join(' ');
    const db = proxy.stats();
    const dbText = db.cut ? `CUT(${db.cut})` : db.latencyMs ? `+${db.latencyMs}ms` : 'ok';
    const line = `${new Date().toISOString().slice(11, 19)} ${instances} | ${rate} req/s | 5xx ${errors}/s (total ${responses5xx}) | db ${dbText}${supervisor.refreshing ? ' | refreshing' : ''}`;
    // Without a terminal (CI logs), one line every 5 s instead of a constantly rewritten one.
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (ticks++ % 5 === 0) process.stdout.write(`${line}\n`);
  }, 1000);
  return () => clearInterval(timer);
}

async function run(flags: Map<string, string[]>): Promise<void> {
  if (!flags.has('no-build')) build();
  const cluster = await startCluster(options(flags));
  const o = cluster.options;
  process.stdout.write(
    `cluster up: balancer http://127.0.0.1:${o.port}/graphql, stats http://127.0.0.1:${o.statsPort}/, ` +
      `control port ${o.controlPort} (npm run cluster -- ctl status), logs ${cluster.workDir}/logs\n`,
  );
  const stopLine = statusLine(cluster);
  process.on('SIGINT', () => void cluster.shutdown());
  process.on('SIGTERM', () => void cluster.shutdown());
  await cluster.closed;
  stopLine();
  process.stdout.write('\ncluster stopped\n');
  process.exit(0);
}

async function main(): Promise<void> {
  const { flags, rest } = parseArgs(process.argv.slice(2));
  if (rest[0] === 'ctl') {
    const port = Number(flags.get('control-port')?.at(-1) ?? process.env.CLUSTER_CONTROL_PORT ?? 8405);
    const [, command = 'status', ...args] = rest;
    const result = await control(port, command, args);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  await run(flags);
}

/** --help prints the usage comment at the top of this file, and runs nothing. */
function printUsage(): boolean {
  if (!process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) return false;
  const header = readFileSync(__filename, 'utf8').split('\n');
  console.log(header.slice(0, header.findIndex((line) => !line.startsWith('//'))).map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
  return true;
}

if (!printUsage()) main().catch((error: unknown) => {
  process.stderr.write(`cluster: ${(error as Error).message}\n`);
  process.exit(1);
});
