// A webhook aimed at our own network through an IPv4-translated IPv6 literal: refused when it
// is created, and, for a row stored before the guard knew that form, refused at send time and
// recorded FAILED with the reason (not left PENDING by an error in the sender).
import { createIssue, createProject, type TestOrg } from '../support/fixtures';
import { errorCode } from '../support/graphql-client';
import { quickOrg } from '../support/realtime-fixtures';
import { startTestApi, type TestApi } from '../support/test-server';
import { ownerSql, type OwnerSql } from '../support/tracker-api';

const TARGET = 'http://[::ffff:0:7f00:1]:9/hooks';

let api: TestApi;
let sql: OwnerSql;
let org: TestOrg;

beforeAll(async () => {
  api = await startTestApi('hookrefuse', { WEBHOOK_POLL_INTERVAL_MS: '100' });
  sql = ownerSql(api);
  org = await quickOrg(api, 'hookrefuse');
  await createProject(api.client, org, 'REF');
});

afterAll(async () => {
  await sql?.end();
  await api?.stop();
});

const admin = () => ({ token: org.users.ADMIN.token, orgId: org.id });
const create = (url: string) =>
  api.client.request(`mutation($u: String!) { createWebhook(projectKey: "REF", url: $u, events: ["*"]) { webhook { id } } }`, { u: url }, admin());

test.each([TARGET, 'http://[::ffff:0:127.0.0.1]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[::ffff:7f00:1]/'])('createWebhook refuses %s', async (url) => {
  const refused = await create(url);
  expect(errorCode(refused)).toBe('BAD_USER_INPUT');
  expect(refused.errors![0]!.extensions!.field).toBe('url');
});

test('a stored webhook to such an address gets FAILED deliveries that say why', async () => {
  const created = await api.client.ok(`mutation { createWebhook(projectKey: "REF", url: "https://93.184.216.34/hooks", events: ["*"]) { webhook { id } } }`, {}, admin());
  // As if stored before the guard refused this form.
  await sql.query(`UPDATE webhooks SET url = $1`, [TARGET]);
  await createIssue(api.client, org, { projectKey: 'REF', title: 'to an internal address' });
  let delivery: { status: string; attempts: number } | undefined;
  do {
    const data = await api.client.ok(`query($w: ID!) { webhookDeliveries(webhookId: $w) { edges { node { status attempts } } } }`, { w: created.createWebhook.webhook.id }, admin());
    delivery = data.webhookDeliveries.edges[0]?.node;
    // No event to wait on from outside: poll the API; jest's timeout bounds it.
    if (delivery?.status !== 'FAILED') await new Promise((resolve) => setTimeout(resolve, 100));
  } while (delivery?.status !== 'FAILED');
  expect(delivery.attempts).toBe(1);
  const [row] = await sql.query<{ last_error: string; next_attempt_at: Date | null }>(`SELECT last_error, next_attempt_at FROM webhook_deliveries`);
  expect(row!.last_error).toMatch(/refused: ::ffff:0:7f00:1 is not a public address/);
  expect(row!.next_attempt_at).toBeNull();
});
