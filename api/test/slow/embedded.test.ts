// `npm start` with no DATABASE_URL, as a new user runs it: the API starts its own embedded
// PostgreSQL under DATA_DIR, migrates and seeds it, and then behaves as on a server:
// documents that open several transactions answer, concurrent writes all succeed, webhooks
// are delivered by the job worker, restarts (clean or after SIGKILL) come back, and a second
// API on the same data directory is refused in one line. Each test drives real processes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { buildIdeIfChanged } from '../../../ide/build';
import { PROJECT_ROOT } from '../../src/project-root';
import { startChildServer, type ChildServer } from '../support/child-server';
import { GraphqlClient, type Caller } from '../support/graphql-client';
import { startReceiver, type Receiver } from '../support/realtime-webhook-receiver';

jest.setTimeout(240_000);

const dataDir = mkdtempSync(path.join(tmpdir(), 'tracker-embedded-'));
const clusterDir = path.join(dataDir, 'postgres-17');
// No HOST: the development default is what is under test.
const ENV = { DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn', HOST: '', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_INTERVAL_MS: '200' };
let server: ChildServer | undefined;
let receiver: Receiver | undefined;

afterAll(async () => {
  await server?.stop('SIGTERM');
  await receiver?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function printed(output: string, label: RegExp): string {
  const match = label.exec(output);
  if (!match) throw new Error(`not printed: ${label}\n${output}`);
  return match[1]!;
}

async function start(env: Record<string, string> = {}): Promise<{ client: GraphqlClient; caller: Caller & { token: string } }> {
  server = await startChildServer({ ...ENV, ...env }, 180_000);
  const token = printed(server.output(), /Authorization: Bearer (\S+)/);
  const orgId = printed(server.output(), /x-org-id: (\S+)/);
  return { client: new GraphqlClient(`${server.baseUrl}/graphql`), caller: { token, orgId } };
}

test('the first start migrates and seeds; documents that open user- and tenant-scoped transactions answer', async () => {
  const { client, caller } = await start();
  expect(server!.output()).toMatch(/token is valid for 24 hours/);
  const projects = await client.ok(`{ projects { totalCount edges { node { key } } } }`, {}, caller);
  expect(projects.projects.edges.map((e: { node: { key: string } }) => e.node.key)).toEqual(['API', 'OPS', 'WEB']);
  // Each of these timed out with 503 on the single-session database.
  const documents = [
    `{ organization { members(first: 3) { totalCount } } }`,
    `{ viewer { id } projects { totalCount } }`,
    `{ viewer { id } organization { name } }`,
    `{ organizations { id } projects { totalCount } }`,
    `{ organizations { id } issue(key: "WEB-1") { key } }`,
  ];
  for (const document of documents) {
    const response = await client.request(document, {}, caller);
    expect({ document, status: response.status, errors: response.errors }).toEqual({ document, status: 200, errors: undefined });
  }
});

test('40 concurrent createIssue calls all succeed with gap-free numbers', async () => {
  const client = new GraphqlClient(`${server!.baseUrl}/graphql`);
  const caller = { token: printed(server!.output(), /Authorization: Bearer (\S+)/), orgId: printed(server!.output(), /x-org-id: (\S+)/) };
  const before = await client.ok(`{ project(key: "OPS") { issues(first: 1) { totalCount } } }`, {}, caller);
  const responses = await Promise.all(
    Array.from({ length: 40 }, (_, n) => client.request(`mutation($t: String!) { createIssue(input: { projectKey: "OPS", title: $t }) { number } }`, { t: `Concurrent ${n}` }, caller)),
  );
  expect(responses.map((r) => r.errors)).toEqual(responses.map(() => undefined));
  const numbers = responses.map((r) => (r.data as { createIssue: { number: number } }).createIssue.number).sort((a, b) => a - b);
  const first = numbers[0]!;
  expect(numbers).toEqual(Array.from({ length: 40 }, (_, n) => first + n));
  const after = await client.ok(`{ project(key: "OPS") { issues(first: 1) { totalCount } } }`, {}, caller);
  expect(after.project.issues.totalCount).toBe(before.project.issues.totalCount + 40);
});

/** Runs the API's entry point until it exits on its own. */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

test('a second API on the same data directory exits non-zero with one clear line, and the first keeps serving', async () => {
  const { code, output } = await runToExit({ ...ENV, PORT: '0' });
  expect(code).toBe(1);
  expect(output.trim().split('\n')).toEqual([expect.stringMatching(/^Cannot start: the embedded database in .+ is in use by another tracker API \(PostgreSQL PID \d+\)/)]);
  expect((await fetch(`${server!.baseUrl}/health`)).status).toBe(200);
});

test('a start whose port is taken exits non-zero with one clear line, before starting a database', async () => {
  const otherDir = mkdtempSync(path.join(tmpdir(), 'tracker-embedded-port-'));
  try {
    const port = new URL(server!.baseUrl).port;
    const { code, output } = await runToExit({ ...ENV, DATA_DIR: otherDir, PORT: port });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([`Cannot start: 127.0.0.1:${port} is in use by another process; set PORT to another port`]);
    expect(existsSync(path.join(otherDir, 'postgres-17'))).toBe(false);
  } finally {
    rmSync(otherDir, { recursive: true, force: true });
  }
});

// PostgreSQL refuses root; as root it runs as the `postgres` user, which must reach the data.
(process.getuid?.() === 0 ? test : test.skip)('as root, a data directory the postgres user cannot reach is refused in one line', async () => {
  const privateDir = mkdtempSync(path.join(tmpdir(), 'tracker-embedded-private-')); // mode 0700
  try {
    const { code, output } = await runToExit({ ...ENV, DATA_DIR: path.join(privateDir, 'data'), PORT: '0' });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([`Cannot start: PostgreSQL refuses to run as root, so it runs as the postgres user, which cannot enter ${privateDir}: set DATA_DIR to a directory outside it (e.g. /var/tmp/tracker-data)`]);
  } finally {
    rmSync(privateDir, { recursive: true, force: true });
  }
});

test('a webhook is delivered by the job worker, and the API comes back after a clean stop and after SIGKILL', async () => {
  receiver = await startReceiver();
  let client = new GraphqlClient(`${server!.baseUrl}/graphql`);
  let caller: Caller = { token: printed(server!.output(), /Authorization: Bearer (\S+)/), orgId: printed(server!.output(), /x-org-id: (\S+)/) };
  const created = await client.ok(`mutation($u: String!) { createWebhook(projectKey: "API", url: $u, events: ["*"]) { secret } }`, { u: receiver.url }, caller);
  receiver.secret = created.createWebhook.secret;
  await client.ok(`mutation { createIssue(input: { projectKey: "API", title: "Hooked" }) { key } }`, {}, caller);
  await receiver.waitFor(1, 60_000);
  expect(receiver.received[0]).toMatchObject({ isVerified: true });

  // Ctrl-C: the API stops its database too.
  expect(await server!.stop('SIGINT')).toBe(0);
  expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(false);

  ({ client, caller } = await start());
  await client.ok(`mutation { createIssue(input: { projectKey: "API", title: "Hooked again" }) { key } }`, {}, caller);
  await receiver.waitFor(2, 60_000);
  expect(receiver.received[1]).toMatchObject({ isVerified: true });

  // SIGKILL leaves the database server running: the next start takes it over.
  expect(await server!.stop('SIGKILL')).toBeNull();
  ({ client, caller } = await start());
  const issues = await client.ok(`{ project(key: "API") { issues(first: 1) { totalCount } } }`, {}, caller);
  expect(issues.project.issues.totalCount).toBeGreaterThan(100);
});

test('development listens on loopback only, and the IDE page carries the demo token for loopback requests only', async () => {
  const outside = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
  if (!outside) throw new Error('this test needs a non-loopback IPv4 address on the machine');
  const port = new URL(server!.baseUrl).port;
  const refused = await fetch(`http://${outside}:${port}/health`).then(() => 'answered', (error: Error) => (error.cause as NodeJS.ErrnoException)?.code);
  expect(refused).toBe('ECONNREFUSED');

  await server!.stop('SIGTERM');
  // The page needs the bundle; built here only if its sources changed since the last build.
  await buildIdeIfChanged();
  const { caller } = await start({ HOST: '0.0.0.0' });
  const page = (host: string) => fetch(`http://${host}:${new URL(server!.baseUrl).port}/graphql`, { headers: { accept: 'text/html' } }).then((r) => r.text());
  expect(await page('127.0.0.1')).toContain(caller.token);
  const remote = await page(outside);
  expect(remote).toContain('ide-settings');
  expect(remote).not.toContain(caller.token);
});
