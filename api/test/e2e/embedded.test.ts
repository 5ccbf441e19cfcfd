// `npm start` with no DATABASE_URL: the embedded PostgreSQL (PGlite) under DATA_DIR gets the
// migrations and the demo workspace, prints a working demo login, and keeps data across restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from '../support/child-server';
import { GraphqlClient } from '../support/graphql-client';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tracker-embedded-'));
let server: ChildServer | undefined;

afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function printed(output: string, label: RegExp): string {
  const match = label.exec(output);
  if (!match) throw new Error(`not printed: ${label}\n${output}`);
  return match[1]!;
}

jest.setTimeout(240_000);

test('starts on the embedded database with demo data, and a restart keeps what was written', async () => {
  server = await startChildServer({ DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn' }, 120_000);
  const token = printed(server.output(), /Authorization: Bearer (\S+)/);
  const orgId = printed(server.output(), /x-org-id: (\S+)/);
  const client = new GraphqlClient(`${server.baseUrl}/graphql`);
  const before = await client.ok(`{ projects { totalCount edges { node { key } } } }`, {}, { token, orgId });
  expect(before.projects.edges.map((e: { node: { key: string } }) => e.node.key)).toEqual(['API', 'OPS', 'WEB']);
  const created = await client.ok(`mutation { createIssue(input: { projectKey: "WEB", title: "Survives a restart" }) { key } }`, {}, { token, orgId });
  expect(await server.stop('SIGKILL')).toBeNull();

  server = await startChildServer({ DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn' }, 60_000);
  const again = new GraphqlClient(`${server.baseUrl}/graphql`);
  const login = await again.ok(`mutation { logIn(email: "demo@example.com", password: "demo-password-1234") { accessToken } }`);
  const after = await again.ok(`query($key: String!) { issue(key: $key) { title } }`, { key: created.createIssue.key }, { token: login.logIn.accessToken, orgId });
  expect(after.issue).toEqual({ title: 'Survives a restart' });
});
