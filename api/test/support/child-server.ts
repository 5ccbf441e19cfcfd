// Runs the API as its own process (as `npm start` does) and reads what it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { PROJECT_ROOT } from '../../src/project-root';

export interface ChildServer {
  readonly process: ChildProcess;
  readonly baseUrl: string;
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the API on env.PORT, or on a free port of its own: the server does not print its port
 * at every log level, so a port is chosen here, and chosen again if another process takes it
 * first (the server then exits with EADDRINUSE's message before anything listens).
 */
export async function startChildServer(env: Record<string, string>, timeoutMs = 90_000): Promise<ChildServer> {
  if (env.PORT !== undefined) return startOnPort(env, env.PORT, timeoutMs);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(env, String(await freePort()), timeoutMs);
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt >= 5) throw error;
    }
  }
}

class PortTaken extends Error {}

/**
 * A port nothing listens on right now, below Linux's ephemeral range (32768 and up), where
 * any outgoing connection on the machine may hold the port and make a listen fail.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function startOnPort(env: Record<string, string>, port: string, timeoutMs: number): Promise<ChildServer> {
  // One process (no tsx wrapper), so a signal or SIGKILL reaches the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      if (/is in use by another process/.test(output) && env.PORT === undefined) throw new PortTaken(output);
      throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not healthy within ${timeoutMs} ms:\n${output}`);
    }
    const healthy = await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false);
    // The port was free a moment before the start, so a healthy answer is this process's.
    if (healthy && child.exitCode === null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    process: child,
    baseUrl,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
