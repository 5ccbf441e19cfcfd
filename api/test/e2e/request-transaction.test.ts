// The request transaction: one pooled connection per request whatever the document mixes
// (user-scoped viewer/organizations with tenant-scoped fields), ended on every path out of a
// request (a refused hostile variable, a client that hangs up), and the membership checked and
// locked in it, so a member removed while their write was in flight can't write.
// The API runs with a pool of ONE connection: a request that needed two would wait for itself.
import { Client } from 'pg';
import { ownerClient, untilAppWaitsOnLocks } from '../support/lock-waits';
import { startTestApi, type TestApi } from '../support/test-server';
import { createOrg, createProject, type TestOrg } from '../support/fixtures';
import { decodeGlobalId } from '../../src/graphql/global-id';
import { countStatements, type StatementCounter } from '../support/sql-counter';

let api: TestApi;
let org: TestOrg;
let other: TestOrg;
let observer: Client;
let counter: StatementCounter;

beforeAll(async () => {
  api = await startTestApi('reqtx', { DB_POOL_MAX: '1', DB_ACQUIRE_TIMEOUT_MS: '3000', WEBHOOK_WORKER_CONCURRENCY: '0' });
  org = await createOrg(api.client, 'reqtx');
  other = await createOrg(api.client, 'reqtxo');
  await createProject(api.client, org, 'RQT');
  await createProject(api.client, other, 'RQO');
  observer = new Client({ connectionString: api.database.ownerUrl });
  observer.on('error', () => undefined);
  await observer.connect();
  counter = countStatements(api.server.database.pool);
});

afterAll(async () => {
  await observer?.end().catch(() => undefined);
  await api?.stop();
});

/** Polls `probe` until it returns a value that is not undefined (the jest timeout bounds it). */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The API's sessions sitting idle inside an open transaction. */
async function idleInTransaction(): Promise<number> {
  const { rows } = await observer.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = 'tracker_app' AND state LIKE 'idle in transaction%'`,
  );
  return rows[0].n as number;
}

/** Resolves once an API session waits on a lock. */
function apiWaitsOnLock(): Promise<void> {
  return untilAppWaitsOnLocks(observer);
}

/** Counts the connections the API's pool hands out while `fn` runs. */
async function acquiresDuring(fn: () => Promise<void>): Promise<number> {
  const pool = api.server.database.pool;
  let acquired = 0;
  const count = () => void acquired++;
  pool.on('acquire', count);
  try {
    await fn();
  } finally {
    pool.off('acquire', count);
  }
  return acquired;
}

describe('one transaction per request', () => {
  const MIXED = [
    `{ viewer { id } organization { name } }`,
    `{ organizations { id } projects { totalCount } }`,
    `{ viewer { email } organizations { slug members(first: 5) { totalCount } } organization { name viewerRole } projects { edges { node { key } } } }`,
  ];

  test.each(MIXED)('%s is answered over a pool of one connection, checking out one connection', async (query) => {
    let response: Awaited<ReturnType<TestApi['client']['request']>> | undefined;
    counter.reset();
    const acquired = await acquiresDuring(async () => {
      response = await api.client.request(query, {}, { token: org.users.MEMBER.token, orgId: org.id });
    });
    expect(response!.errors).toBeUndefined();
    expect(response!.status).toBe(200);
    expect(acquired).toBe(1);
    const kinds = counter.byKind();
    expect([kinds.BEGIN, kinds.COMMIT]).toEqual([1, 1]);
    console.log(`${query}: ${counter.statements.length} statements ${JSON.stringify(kinds)}`);
  });

  test('a document of meta fields only opens no transaction, for a member or a stranger naming the tenant', async () => {
    for (const token of [org.users.MEMBER.token, other.owner.token]) {
      counter.reset();
      const acquired = await acquiresDuring(async () => {
        expect(await api.client.ok('{ __typename }', {}, { token, orgId: org.id })).toEqual({ __typename: 'Query' });
      });
      expect(acquired).toBe(0);
      expect(counter.statements).toEqual([]);
    }
  });

  test('mixed documents of two tenants run concurrently over one connection and see only their own tenant', async () => {
    const run = (who: TestOrg, key: string) =>
      api.client.request(`{ viewer { id } organizations { id } projects { edges { node { key } } } organization { id } }`, {}, { token: who.users.VIEWER.token, orgId: who.id }).then((r) => {
        expect(r.errors).toBeUndefined();
        expect(r.data.organization.id).toBe(who.id);
        expect(r.data.projects.edges.map((e: { node: { key: string } }) => e.node.key)).toEqual([key]);
        expect(r.data.organizations.map((o: { id: string }) => o.id)).toEqual([who.id]);
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? run(org, 'RQT') : run(other, 'RQO'))));
  });

  test('a foreign x-org-id is FORBIDDEN for the tenant fields while the caller\'s own fields still answer', async () => {
    const response = await api.client.request(`{ viewer { id } projects { totalCount } }`, {}, { token: other.users.MEMBER.token, orgId: org.id });
    expect(response.errors?.map((e) => [e.path?.[0], e.extensions?.code])).toEqual([['projects', 'FORBIDDEN']]);
    expect(response.data).toBeNull();
    const own = await api.client.request(`{ viewer { id } organizations { id } }`, {}, { token: other.users.MEMBER.token, orgId: org.id });
    expect(own.errors).toBeUndefined();
    expect(own.data.organizations.map((o: { id: string }) => o.id)).toEqual([other.id]);
  });

  test('createOrganization and the new organization\'s members run in the request transaction', async () => {
    const response = await api.client.request(
      `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { slug viewerRole members { totalCount } } }`,
      { input: { name: 'made in one', slug: `one-${Date.now()}` } },
      { token: org.users.VIEWER.token },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.createOrganization).toMatchObject({ viewerRole: 'OWNER', members: { totalCount: 1 } });
  });
});

describe('the request transaction ends on every path', () => {
  /** {"a":{"a":...}} nested `depth` levels, as JSON text (too deep for JSON.stringify here). */
  const deep = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  /** Posts a document whose variables are given as JSON text. */
  const post = async (query: string, variablesJson: string, headers: Record<string, string>) => {
    const response = await fetch(`${api.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`,
    });
    const body = (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    return { status: response.status, errors: body.errors };
  };

  test('keyed mutations with a 5,000-deep undeclared variable are refused with a 4xx and hold no connection', async () => {
    const send = (n: number) =>
      post(`mutation { createLabel(projectKey: "RQT", name: "deep ${n}", color: "#AA0000") { id } }`, `{"deep":${deep(5_000)}}`, {
        authorization: `Bearer ${org.users.VIEWER.token}`,
        'x-org-id': org.id,
        'idempotency-key': `deep-${n}-${Date.now()}`,
      });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => send(n)));
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'variables' });
    }
    // Another tenant is served at once: the one connection is free.
    const served = await api.client.request(`{ projects { totalCount } }`, {}, { token: other.owner.token, orgId: other.id });
    expect(served.status).toBe(200);
    expect(served.errors).toBeUndefined();
    await until(async () => ((await idleInTransaction()) === 0 ? true : undefined));
  });

  test('a declared variable nested too deep is refused with a 4xx too', async () => {
    const answer = await post(`mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`, `{"input":{"key":"RQD","name":"deep","extra":${deep(1_000)}}}`, {
      authorization: `Bearer ${org.owner.token}`,
      'x-org-id': org.id,
      'idempotency-key': `declared-deep-${Date.now()}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await idleInTransaction()).toBe(0);
  });

  test('a client that closes its socket mid-request leaves no transaction open and nothing written', async () => {
    const locker = await ownerClient(api.database.ownerUrl);
    const memberRow = decodeGlobalId(org.users.ADMIN.id, "id").rowId;
    try {
      // The request blocks in its first statement (the pin, which locks the ADMIN's membership).
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM memberships WHERE org_id = $1 AND user_id = $2 FOR UPDATE`, [decodeGlobalId(org.id, "id").rowId, memberRow]);
      const abort = new AbortController();
      const inFlight = fetch(`${api.server.url}/graphql`, {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${org.users.ADMIN.token}`, 'x-org-id': org.id },
        body: JSON.stringify({ query: `mutation { createLabel(projectKey: "RQT", name: "hung up", color: "#AA0000") { id } }` }),
      }).catch((error: unknown) => error);
      await apiWaitsOnLock();
      abort.abort();
      await inFlight;
      await locker.query('COMMIT');
      await until(async () => ((await idleInTransaction()) === 0 ? true : undefined));
      // The pool's one connection is free again, and the label was rolled back with the request.
      const labels = await api.client.ok(`{ project(key: "RQT") { labels { name } } }`, {}, { token: org.owner.token, orgId: org.id });
      expect(labels.project.labels.map((l: { name: string }) => l.name)).not.toContain('hung up');
    } finally {
      await locker.end().catch(() => undefined);
    }
  });
});

describe('membership is checked and locked in the request transaction', () => {
  test('an ADMIN removed while their write waits is refused with FORBIDDEN and nothing changes', async () => {
    const victim = await createOrg(api.client, 'reqtxd');
    const orgRow = decodeGlobalId(victim.id, "id").rowId;
    const adminRow = decodeGlobalId(victim.users.ADMIN.id, "id").rowId;
    const locker = await ownerClient(api.database.ownerUrl);
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM memberships WHERE org_id = $1 AND user_id = $2 FOR UPDATE`, [orgRow, adminRow]);
      const write = api.client.request(`mutation { createProject(input: { key: "GONE", name: "after removal" }) { id } }`, {}, { token: victim.users.ADMIN.token, orgId: victim.id });
      await apiWaitsOnLock();
      await locker.query(`DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, [orgRow, adminRow]);
      await locker.query('COMMIT');
      const answer = await write;
      expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(answer.data).toBeNull();
      const { rows } = await observer.query(`SELECT count(*)::int AS n FROM projects WHERE org_id = $1`, [orgRow]);
      expect(rows[0].n).toBe(0);
    } finally {
      await locker.end().catch(() => undefined);
    }
  });

  test('an ADMIN demoted to VIEWER while their write waits is refused with FORBIDDEN', async () => {
    const victim = await createOrg(api.client, 'reqtxv');
    const orgRow = decodeGlobalId(victim.id, "id").rowId;
    const adminRow = decodeGlobalId(victim.users.ADMIN.id, "id").rowId;
    const locker = await ownerClient(api.database.ownerUrl);
    try {
      await locker.query('BEGIN');
      await locker.query(`UPDATE memberships SET role = 'VIEWER' WHERE org_id = $1 AND user_id = $2`, [orgRow, adminRow]);
      const write = api.client.request(`mutation { createProject(input: { key: "DEMO", name: "after demotion" }) { id } }`, {}, { token: victim.users.ADMIN.token, orgId: victim.id });
      await apiWaitsOnLock();
      await locker.query('COMMIT');
      const answer = await write;
      expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const { rows } = await observer.query(`SELECT count(*)::int AS n FROM projects WHERE org_id = $1`, [orgRow]);
      expect(rows[0].n).toBe(0);
    } finally {
      await locker.end().catch(() => undefined);
    }
  });

  test('the pin raises for a non-member (as the app role), answers a member\'s role, and skips the check without a member or a tenant', async () => {
    const app = new Client({ connectionString: api.database.appUrl });
    await app.connect();
    try {
      const orgRow = decodeGlobalId(org.id, 'id').rowId;
      const pin = (member: string, lock = false) => app.query(`SELECT app_pin_tenant($1, $2, $3) AS role`, [orgRow, member, lock]);
      await expect(pin(decodeGlobalId(other.owner.id, 'id').rowId)).rejects.toMatchObject({ code: 'TN403' });
      expect((await pin(decodeGlobalId(org.users.VIEWER.id, 'id').rowId, true)).rows[0].role).toBe('VIEWER');
      expect((await pin('')).rows[0].role).toBeNull();
      expect((await app.query(`SELECT app_pin_tenant('', $1) AS role`, [decodeGlobalId(other.owner.id, 'id').rowId])).rows[0].role).toBeNull();
    } finally {
      await app.end();
    }
  });

  test('a removal waits for the member\'s in-flight write and then applies', async () => {
    const victim = await createOrg(api.client, 'reqtxw');
    const orgRow = decodeGlobalId(victim.id, "id").rowId;
    const adminRow = decodeGlobalId(victim.users.ADMIN.id, "id").rowId;
    const remover = await api.client.request(`mutation($id: ID!) { removeMember(userId: $id) }`, { id: victim.users.ADMIN.id }, { token: victim.owner.token, orgId: victim.id });
    expect(remover.errors).toBeUndefined();
    const { rows } = await observer.query(`SELECT count(*)::int AS n FROM memberships WHERE org_id = $1 AND user_id = $2`, [orgRow, adminRow]);
    expect(rows[0].n).toBe(0);
    const after = await api.client.request(`mutation { createProject(input: { key: "LATE", name: "late" }) { id } }`, {}, { token: victim.users.ADMIN.token, orgId: victim.id });
    expect(after.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
