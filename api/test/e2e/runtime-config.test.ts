// A bad setting stops the real process at start, before anything listens, with a message that
// names the variable and the form it expects; secrets in a bad value are not echoed.
import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/project-root';

function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '4000', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://tracker_app@127.0.0.1:5432/none', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

test.each([
  [{ PORT: 'abc' }, 'Configuration error: Invalid PORT="abc": expected an integer from 0 to 65535'],
  [{ HOST: 'local host' }, 'Configuration error: Invalid HOST="local host": expected an IP address or a host name to listen on, e.g. 0.0.0.0 or 127.0.0.1'],
  [{ GRAPHQL_CSRF_PREVENTION: 'off' }, 'Configuration error: Invalid GRAPHQL_CSRF_PREVENTION="off": expected true or false'],
  [{ METRICS_PORT: 'nine' }, 'Configuration error: Invalid METRICS_PORT="nine": expected an integer from 1 to 65535'],
  [{ METRICS_PORT: '4000' }, 'Configuration error: Invalid METRICS_PORT="4000": expected a port other than PORT (4000), or unset to serve /metrics on PORT'],
  [{ SHUTDOWN_DRAIN_SECONDS: '15s' }, 'Configuration error: Invalid SHUTDOWN_DRAIN_SECONDS="15s": expected an integer from 0 to 600'],
  [{ GRAPHQL_MAX_DEPTH: '0' }, 'Configuration error: Invalid GRAPHQL_MAX_DEPTH="0": expected an integer from 1 to 100'],
  [{ LOG_LEVEL: 'verbose' }, 'Configuration error: Invalid LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent'],
  [{ DATABASE_URL: 'mysql://app:hunter2@db/x' }, 'Configuration error: Invalid DATABASE_URL="mysql://app:***@db/x": expected a postgresql://user@host:port/database URL'],
])('%j stops the process with exit 1 and a message naming the variable', async (env, message) => {
  const { code, stderr, stdout } = await start(env);
  expect(code).toBe(1);
  expect(stderr.trim()).toBe(message);
  expect(stdout).toBe('');
});
