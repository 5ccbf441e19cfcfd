// B0, the physical limit: node:http + pg, no framework, no GraphQL engine. It recognises the
// benchmark's operations by operationName and answers them with the API's JSON, using
// prepared SQL (b0-sql.ts). Same auth as the API: the JWT verified with jose, membership
// checked per request, tenant pinned with set_config as tracker_app so row-level security
// applies. Env: DATABASE_URL, JWT_SECRET, PORT, DB_POOL_MAX.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { jwtVerify } from 'jose';
import { Pool, type PoolClient } from 'pg';
import { rankAfter } from '../../../api/src/modules/issue/rank';
import { SET_TENANT, W1_ISSUE, W2_BOARD, W3_SEARCH, W4_CONTEXT, W4_INSERT, W4_TAKE_NUMBER } from './b0-sql';

const secret = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
// Sized and timed like the API's pool (10 connections, 30 s idle).
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10), idleTimeoutMillis: 30_000, application_name: 'bench-b0' });
pool.on('error', () => undefined);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISSUE_KEY = /^([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,8})$/;
const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');
const cursor = (rank: string, id: string) => Buffer.from(JSON.stringify(['RANK', rank, id])).toString('base64url');

class Failure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

interface Caller {
  readonly orgId: string;
  readonly userId: string;
}

async function authenticate(req: http.IncomingMessage): Promise<Caller> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match) throw new Failure('UNAUTHENTICATED', 'Sign in');
  let userId: string;
  try {
    const { payload } = await jwtVerify(match[1]!, secret, { algorithms: ['HS256'], issuer: 'tracker-api', audience: 'tracker-clients', requiredClaims: ['sub', 'exp'] });
    userId = payload.sub!;
  } catch {
    throw new Failure('UNAUTHENTICATED', 'Access token is not valid');
  }
  const decoded = Buffer.from(String(req.headers['x-org-id'] ?? ''), 'base64url').toString('utf8');
  const orgId = decoded.startsWith('Organization:') ? decoded.slice('Organization:'.length) : '';
  if (!UUID.test(orgId)) throw new Failure('BAD_USER_INPUT', 'x-org-id is not a valid id');
  return { orgId, userId };
}

/** Runs `fn` on a pooled connection pinned to the caller's tenant. */
async function asTenant<T>(caller: Caller, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query({ name: 'b0_tenant', text: SET_TENANT, values: [caller.orgId, caller.userId] });
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Every read returns the caller's role in each row: NULL means not a member. */
function member<R extends { role: string | null }>(rows: R[]): R[] {
  if (rows.length === 0 || rows[0]!.role === null) throw new Failure('FORBIDDEN', 'You are not a member of this organization');
  return rows;
}

type Vars = Record<string, unknown>;
const status = (r: Record<string, unknown>) => ({ name: r.status_name, category: r.status_category });
const assignee = (r: Record<string, unknown>) => (r.assignee_id ? { id: gid('User', r.assignee_id as string), name: r.assignee_name } : null);

const operations: Record<string, (caller: Caller, v: Vars) => Promise<unknown>> = {
  async W1(caller, v) {
    const key = ISSUE_KEY.exec(String(v.key).trim());
    if (!key) return { issue: null };
    const [row] = member(await asTenant(caller, (c) => c.query({ name: 'b0_w1', text: W1_ISSUE, values: [caller.orgId, caller.userId, key[1], Number(key[2])] })).then((r) => r.rows));
    if (!row || row.number === null) return { issue: null };
    return { issue: { key: `${key[1]}-${row.number}`, title: row.title, priority: row.priority, status: status(row), assignee: assignee(row) } };
  },
  async W2(caller, v) {
    const first = Number(v.first ?? 50);
    if (!Number.isInteger(first) || first < 0 || first > 100) throw new Failure('BAD_USER_INPUT', 'first must be between 0 and 100');
    const rows = member(await asTenant(caller, (c) => c.query({ text: W2_BOARD, values: [caller.orgId, caller.userId, String(v.key), first] })).then((r) => r.rows));
    const head = rows[0]!;
    if (head.project_key === null) return { project: null };
    const page = rows.filter((r) => r.id !== null).slice(0, first);
    const last = page.at(-1);
    return {
      project: {
        key: head.project_key,
        name: head.project_name,
        issues: {
          pageInfo: { hasNextPage: rows.length > first, endCursor: last ? cursor(last.rank, last.id) : null },
          edges: page.map((r) => ({
            node: { key: `${head.project_key}-${r.number}`, title: r.title, priority: r.priority, status: status(r), assignee: assignee(r), labels: r.labels },
          })),
        },
      },
    };
  },
  async W3(caller, v) {
    const rows = member(
      await asTenant(caller, (c) => c.query({ text: W3_SEARCH, values: [caller.orgId, caller.userId, String(v.text), v.categories, 20] })).then((r) => r.rows),
    );
    const found = rows.filter((r) => r.number !== null);
    return { issues: { edges: found.map((r) => ({ node: { key: `${r.project_key}-${r.number}`, title: r.title, priority: r.priority, status: status(r) } })) } };
  },
  async W4(caller, v) {
    const input = (v.input ?? {}) as { projectKey: string; title: string; priority?: string; assigneeId?: string };
    const assigneeId = input.assigneeId ? Buffer.from(input.assigneeId, 'base64url').toString('utf8').replace(/^User:/, '') : null;
    if (assigneeId !== null && !UUID.test(assigneeId)) throw new Failure('BAD_USER_INPUT', 'assigneeId is not a valid id');
    return asTenant(caller, async (c) => {
      await c.query('BEGIN');
      try {
        const project = (await c.query({ name: 'b0_w4_seq', text: W4_TAKE_NUMBER, values: [caller.orgId, input.projectKey, caller.userId] })).rows[0];
        if (!project) throw new Failure('NOT_FOUND', 'Project not found, or not allowed');
        const ctx = (await c.query({ name: 'b0_w4_ctx', text: W4_CONTEXT, values: [project.id, caller.orgId, assigneeId] })).rows[0];
        if (assigneeId && !ctx.assignee_name) throw new Failure('BAD_USER_INPUT', 'assignee is not a member');
        const key = `${project.key}-${project.issue_seq}`;
        const rank = ctx.last_rank ? rankAfter(ctx.last_rank) : 'i';
        const values = [randomUUID(), caller.orgId, project.id, project.issue_seq, input.title, ctx.state_id, input.priority ?? 'NONE', assigneeId, caller.userId, rank, key];
        const issue = (await c.query({ name: 'b0_w4_ins', text: W4_INSERT, values })).rows[0];
        await c.query('COMMIT');
        const status = { name: ctx.state_name, category: ctx.state_category };
        const who = assigneeId ? { id: gid('User', assigneeId), name: ctx.assignee_name } : null;
        return { createIssue: { key, title: issue.title, priority: issue.priority, status, assignee: who } };
      } catch (error) {
        await c.query('ROLLBACK');
        throw error;
      }
    });
  },
};

function send(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method === 'GET' && req.url === '/health') return send(res, { status: 'ok' });
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const { operationName, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operationName?: string; variables?: Vars };
    if (operationName === 'W0') return send(res, { data: { __typename: 'Query' } });
    const operation = operationName ? operations[operationName] : undefined;
    if (!operation) throw new Failure('BAD_USER_INPUT', `B0 does not know operation ${operationName}`);
    const caller = await authenticate(req);
    send(res, { data: await operation(caller, variables ?? {}) });
  } catch (error) {
    const code = error instanceof Failure ? error.code : 'INTERNAL_SERVER_ERROR';
    send(res, { errors: [{ message: (error as Error).message, extensions: { code } }] });
  }
}

const server = http.createServer((req, res) => void handle(req, res));
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const stop = () => server.close(() => void pool.end().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
