// Which PostgreSQL the suite runs on. TEST_DATABASE=embedded: the embedded server `npm start`
// uses, started for this run. Otherwise TEST_DATABASE_URL (default: the local server on 5432),
// and the embedded server when nothing answers there, so `npm test` needs no system PostgreSQL.
// Runs in jest's main process (global setup); what it decides reaches the test workers
// through process.env, which they inherit.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../../src/project-root';

const DEFAULT_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

let child: ChildProcess | undefined;
let choosing: Promise<string> | undefined;
let appPassword: string | undefined;

/** True when nothing listens there; any other failure (auth, a typo) is the caller's to see. */
async function nothingAnswers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return false;
  } catch (error) {
    // A name with several addresses (localhost: ::1 and 127.0.0.1) fails with each of them.
    const failures = error instanceof AggregateError ? error.errors : [error];
    if (failures.every((e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED')) return true;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startEmbedded(): Promise<string> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tracker-test-pg-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'api/test/support/embedded-postgres-child.ts', dataDir], {
    cwd: PROJECT_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error('the embedded PostgreSQL for the tests exited before it was ready');
  return (JSON.parse(first.value as string) as { ownerUrl: string }).ownerUrl;
}

/** The admin URL the suite uses (TEST_DATABASE_URL is set to it for the workers). */
export function chooseTestPostgres(): Promise<string> {
  choosing ??= (async () => {
    const configured = process.env.TEST_DATABASE_URL || DEFAULT_URL;
    const embedded = process.env.TEST_DATABASE === 'embedded';
    if (!embedded && !(await nothingAnswers(configured))) return configured;
    if (!embedded) process.stderr.write(`\nNo PostgreSQL answers at ${new URL(configured).host}: the tests run on an embedded PostgreSQL of their own.\n`);
    const url = await startEmbedded();
    // The app role logs in with a password, as in production; set once the migrations made it.
    appPassword = randomBytes(18).toString('hex');
    Object.assign(process.env, { TEST_DATABASE_URL: url, TEST_APP_PASSWORD: appPassword, TEST_DATABASE: 'embedded' });
    return url;
  })();
  return choosing;
}

/** The app role's password on the embedded server this run started; undefined otherwise. */
export function embeddedAppPassword(): string | undefined {
  return appPassword;
}

/** Stops the embedded server, if this run started one. */
export async function releaseTestPostgres(): Promise<void> {
  const running = child;
  child = undefined;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once('exit', resolve));
  running.stdin!.end();
  await exited;
}
