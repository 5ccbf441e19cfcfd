// Assembles the local cluster: database (created if missing, migrated once as the deploy step
// does), the fault proxy in front of it, HAProxy, the supervisor and its instances, the control
// port. Everything listens on 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startControlServer } from './control';
import { DbFaultProxy } from './db-proxy';
import { Haproxy } from './haproxy';
import { Supervisor } from './supervisor';

export interface ClusterOptions {
  readonly instances: number;
  readonly port: number;
  readonly statsPort: number;
  readonly controlPort: number;
  /** First instance port; slots use the following ones. */
  readonly instanceBasePort: number;
  /** The app role's URL (instances connect through the proxy to this host). */
  readonly databaseUrl: string;
  /** Owner URL for creating the database and running migrations. */
  readonly migrationDatabaseUrl: string;
  readonly healthPath: string;
  readonly checkIntervalMs: number;
  /** Extra environment for every instance (overrides the defaults below). */
  readonly env: Readonly<Record<string, string>>;
  readonly projectRoot: string;
}

/** Production mode, tuned for a 2-core machine running three instances and their load. */
export const INSTANCE_DEFAULTS: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  SHUTDOWN_DRAIN_SECONDS: '5',
  SHUTDOWN_TIMEOUT_SECONDS: '10',
  DB_POOL_MAX: '8',
  DB_POOL_MAX_WAITING: '50',
  DB_ACQUIRE_TIMEOUT_MS: '3000',
  DB_STATEMENT_TIMEOUT_MS: '5000',
};

export interface Cluster {
  readonly supervisor: Supervisor;
  readonly proxy: DbFaultProxy;
  readonly haproxy: Haproxy;
  readonly options: ClusterOptions;
  readonly workDir: string;
  status(): unknown;
  shutdown(): Promise<void>;
  /** Settles once shutdown() (from a signal or `ctl shutdown`) has finished. */
  readonly closed: Promise<void>;
}

async function ensureDatabase(ownerUrl: string): Promise<void> {
  const url = new URL(ownerUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

function migrate(options: ClusterOptions): void {
  const result = spawnSync(process.execPath, ['scripts/db-migrate.cjs'], {
    cwd: options.projectRoot,
    env: { ...process.env, MIGRATION_DATABASE_URL: options.migrationDatabaseUrl, DATABASE_URL: options.databaseUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm run db:migrate failed:\n${result.stdout}\n${result.stderr}`);
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  await ensureDatabase(options.migrationDatabaseUrl);
  migrate(options);
  const workDir = path.join(os.tmpdir(), `tracker-cluster-${options.controlPort}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(path.join(workDir, 'logs'), { recursive: true });

  const target = new URL(options.databaseUrl);
  const proxy = new DbFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(options.databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(await proxy.start());

  const slotPorts = Array.from({ length: options.instances * 2 + 2 }, (_, i) => options.instanceBasePort + i + 1);
  const haproxy = new Haproxy(path.join(workDir, 'haproxy.cfg'), {
    port: options.port,
    statsPort: options.statsPort,
    statsSocket: path.join(workDir, 'haproxy.sock'),
    slotPorts,
    healthPath: options.healthPath,
    checkIntervalMs: options.checkIntervalMs,
    rise: 2,
    fall: 2,
    idleTimeoutSeconds: 60,
  });
  await haproxy.start();

  const env: Record<string, string> = {
    ...INSTANCE_DEFAULTS,
    // One secret for all instances: a token signed by one must verify on the others.
    JWT_SECRET: randomBytes(32).toString('hex'),
    ...options.env,
    DATABASE_URL: proxied.toString(),
  };
  const drainMs = Number(env.SHUTDOWN_DRAIN_SECONDS) * 1000;
  const supervisor = new Supervisor(haproxy, {
    desired: options.instances,
    slotPorts,
    env,
    projectRoot: options.projectRoot,
    logDir: path.join(workDir, 'logs'),
    graceMs: 30_000,
    unhealthyReplaceMs: 5_000,
    stopTimeoutMs: drainMs + Number(env.SHUTDOWN_TIMEOUT_SECONDS) * 1000 + 5_000,
    pollMs: 250,
  });
  await supervisor.start();

  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const cluster: Cluster = {
    closed,
    supervisor,
    proxy,
    haproxy,
    options,
    workDir,
    status: () => ({
      balancer: `http://127.0.0.1:${options.port}`,
      statsPage: `http://127.0.0.1:${options.statsPort}/`,
      refreshing: supervisor.refreshing,
      frontend: supervisor.frontend,
      database: proxy.stats(),
      logs: path.join(workDir, 'logs'),
      instances: supervisor.instances
        .filter((i) => i.alive || i.lbStatus !== 'MAINT')
        .map((i) => ({
          id: i.id,
          slot: i.spec.slot,
          port: i.spec.port,
          pid: i.pid,
          state: i.state,
          lb: i.lbStatus,
          poolWaiting: i.poolWaiting,
          rssMb: Math.round(i.rssBytes / 1048576),
          uptimeS: Math.round((Date.now() - i.launchedAt) / 1000),
        })),
    }),
    shutdown: () =>
      (closing ??= (async () => {
        await supervisor.shutdown();
        await haproxy.stop();
        await proxy.close();
        control.close();
        markClosed();
      })()),
  };
  const control = await startControlServer(cluster, options.controlPort);
  return cluster;
}
