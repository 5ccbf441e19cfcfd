// A promise rejected with nobody listening (the way graphile-worker dropped a failed job
// completion) must not end the process: it is logged and the instance keeps serving.
import path from 'node:path';
import { startChildServer, type ChildServer } from '../support/child-server';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { TEST_JWT_SECRET } from '../support/test-env';

let database: TestDatabase;
let child: ChildServer | undefined;

beforeAll(async () => {
  database = await createTestDatabase('rejection');
});

afterAll(async () => {
  await child?.stop('SIGKILL');
  await database?.drop();
});

test('an unhandled rejection is logged and the process keeps serving', async () => {
  child = await startChildServer({
    NODE_ENV: 'test',
    DATABASE_URL: database.appUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'error',
    NODE_OPTIONS: `--require ${path.join(__dirname, '../support/stray-rejection.cjs')}`,
  });
  const server = child;
  const outcome = new Promise<'exited' | 'logged'>((resolve) => {
    const onData = () => {
      if (/unhandled promise rejection/.test(server.output()) && /a stray rejection for the test/.test(server.output())) resolve('logged');
    };
    server.process.stdout!.on('data', onData);
    server.process.stderr!.on('data', onData);
    server.process.once('exit', () => resolve('exited'));
  });
  server.process.kill('SIGUSR2');
  expect(await outcome).toBe('logged');
  expect(server.process.exitCode).toBeNull();
  expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
  expect((await fetch(`${server.baseUrl}/ready`)).status).toBe(200);
});
