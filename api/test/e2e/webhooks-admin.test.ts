// Managing webhooks: ADMIN and up only, the secret shown once, tenant-scoped like everything
// else, and URLs that point into our own network refused unless the operator allows them.
import { createProject, type TestOrg } from '../support/fixtures';
import { quickOrg } from '../support/realtime-fixtures';
import { startCluster, startInstance, type Cluster, type Instance } from '../support/realtime-cluster';

let cluster: Cluster;
let api: Instance;
let strict: Instance;
let org: TestOrg;
let other: TestOrg;

const CREATE = `mutation($k: String!, $u: String!, $e: [String!]!) { createWebhook(projectKey: $k, url: $u, events: $e) { secret webhook { id url events isActive createdAt } } }`;

beforeAll(async () => {
  cluster = await startCluster('hookadmin', 1, { WEBHOOK_WORKER_CONCURRENCY: '0' });
  api = cluster.instances[0]!;
  // The same database behind an instance with the production default: no private targets.
  strict = await startInstance(cluster.database, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_WORKER_CONCURRENCY: '0' });
  org = await quickOrg(api, 'hookadm');
  other = await quickOrg(api, 'hookoth');
  await createProject(api.client, org, 'ADM');
});

afterAll(async () => {
  await strict?.stop();
  await cluster?.stop();
});

const as = (o: TestOrg, role: 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER') => ({ token: o.users[role].token, orgId: o.id });

test('an ADMIN creates a webhook and sees its secret once; MEMBER and VIEWER are refused', async () => {
  const created = await api.client.ok(CREATE, { k: 'ADM', u: 'http://127.0.0.1:9/hooks', e: ['CREATED', 'TRANSITIONED'] }, as(org, 'ADMIN'));
  expect(created.createWebhook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  expect(created.createWebhook.webhook).toMatchObject({ url: 'http://127.0.0.1:9/hooks', events: ['CREATED', 'TRANSITIONED'], isActive: true });
  const listed = await api.client.request(`query { webhooks(projectKey: "ADM") { id url events } }`, {}, as(org, 'OWNER'));
  expect(listed.data.webhooks).toEqual([{ id: created.createWebhook.webhook.id, url: 'http://127.0.0.1:9/hooks', events: ['CREATED', 'TRANSITIONED'] }]);
  expect(JSON.stringify(listed)).not.toContain(created.createWebhook.secret);
  for (const role of ['MEMBER', 'VIEWER'] as const) {
    expect((await api.client.request(CREATE, { k: 'ADM', u: 'http://127.0.0.1:9/x', e: ['*'] }, as(org, role))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await api.client.request(`query { webhooks(projectKey: "ADM") { id } }`, {}, as(org, role))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  }
});

test('another tenant can neither see, list deliveries of, nor delete the webhook', async () => {
  const created = await api.client.ok(CREATE, { k: 'ADM', u: 'http://127.0.0.1:9/t', e: ['*'] }, as(org, 'OWNER'));
  const id = created.createWebhook.webhook.id;
  expect((await api.client.request(`query { webhooks(projectKey: "ADM") { id } }`, {}, as(other, 'OWNER'))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect((await api.client.request(`query($w: ID!) { webhookDeliveries(webhookId: $w) { totalCount } }`, { w: id }, as(other, 'OWNER'))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect((await api.client.request(`mutation($w: ID!) { deleteWebhook(id: $w) }`, { w: id }, as(other, 'OWNER'))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect((await api.client.ok(`mutation($w: ID!) { deleteWebhook(id: $w) }`, { w: id }, as(org, 'ADMIN'))).deleteWebhook).toBe(true);
  expect((await api.client.request(`mutation($w: ID!) { deleteWebhook(id: $w) }`, { w: id }, as(org, 'ADMIN'))).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
});

test('unknown event kinds and non-HTTP URLs are bad input', async () => {
  const refuse = async (u: string, e: string[]) => (await api.client.request(CREATE, { k: 'ADM', u, e }, as(org, 'ADMIN'))).errors?.[0]?.extensions;
  expect(await refuse('http://127.0.0.1:9/x', ['EXPLODED'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
  expect(await refuse('http://127.0.0.1:9/x', ['*', 'CREATED'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'events' });
  expect(await refuse('ftp://example.com/x', ['*'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  expect(await refuse('file:///etc/passwd', ['*'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  expect(await refuse('http://user:pw@example.com/x', ['*'])).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
});

test('without WEBHOOK_ALLOW_PRIVATE_TARGETS, loopback, private and link-local targets are refused', async () => {
  for (const url of [
    'http://127.0.0.1:8080/hooks',
    'http://localhost/hooks',
    'http://10.0.0.7/hooks',
    'http://192.168.1.20/hooks',
    'http://172.16.5.5/hooks',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hooks',
    'http://[::ffff:127.0.0.1]/hooks',
    'http://0.0.0.0/hooks',
  ]) {
    const response = await strict.client.request(CREATE, { k: 'ADM', u: url, e: ['*'] }, as(org, 'ADMIN'));
    expect({ url, refusal: response.errors?.[0]?.extensions }).toEqual({ url, refusal: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'url' }) });
  }
});

test('node(id) finds a webhook for those who manage webhooks, and nobody else', async () => {
  const created = await api.client.ok(CREATE, { k: 'ADM', u: 'http://127.0.0.1:9/node', e: ['*'] }, as(org, 'ADMIN'));
  const id = created.createWebhook.webhook.id;
  const NODE = `query($id: ID!) { node(id: $id) { id ... on Webhook { url } } }`;
  expect((await api.client.ok(NODE, { id }, as(org, 'ADMIN'))).node).toEqual({ id, url: 'http://127.0.0.1:9/node' });
  expect((await api.client.ok(NODE, { id }, as(org, 'MEMBER'))).node).toBeNull();
  expect((await api.client.ok(NODE, { id }, as(other, 'OWNER'))).node).toBeNull();
});
