'use strict';
// The peer: PostGraphile 5 (Amber preset + simplify-inflection) over the benchmark database,
// embedded in node:http through grafserv. Plain CommonJS so Node 24 runs it directly (the
// root tsconfig resolves modules the node10 way and cannot see PostGraphile's subpath exports).
//
// Role: it connects as tracker_app, like the API, so row-level security applies; the tenant
// comes from pgSettings (app.org_id, app.user_id), which PostGraphile sets with set_config in
// each request's transaction. Auth mirrors the API: the JWT is verified (jose, same claims)
// and membership is checked per request with one query through a small owner-role pool.
// Env: DATABASE_URL (tracker_app), OWNER_DATABASE_URL, JWT_SECRET, PORT.
const http = require('node:http');
const { Pool } = require('pg');
const { postgraphile } = require('postgraphile');
const { PostGraphileAmberPreset } = require('postgraphile/presets/amber');
const { makePgService } = require('postgraphile/adaptors/pg');
const { grafserv } = require('postgraphile/grafserv/node');
const { jsonPgSmartTags } = require('postgraphile/utils');
const { PgSimplifyInflectionPreset } = require('@graphile/simplify-inflection');

const secret = new TextEncoder().encode(process.env.JWT_SECRET || '');
const owner = new Pool({ connectionString: process.env.OWNER_DATABASE_URL, max: 4, idleTimeoutMillis: 30_000, application_name: 'bench-peer-auth' });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let jose;

// The schema has no foreign key from issues.assignee_id to users (users are global), so
// PostGraphile is told about the relation; the rest it finds on its own.
const tags = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      issues: { tags: { foreignKey: ['(assignee_id) references users (id)|@fieldName assignee|@foreignFieldName assignedIssues'] } },
    },
  },
});

async function tenantSettings(req) {
  if (!req) return {};
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization || '');
  if (!match) return {}; // Anonymous: RLS shows no tenant rows (W0 needs no tenant).
  jose ??= await import('jose');
  const { payload } = await jose.jwtVerify(match[1], secret, {
    algorithms: ['HS256'], issuer: 'tracker-api', audience: 'tracker-clients', requiredClaims: ['sub', 'exp'],
  });
  const decoded = Buffer.from(String(req.headers['x-org-id'] || ''), 'base64url').toString('utf8');
  const orgId = decoded.startsWith('Organization:') ? decoded.slice(13) : '';
  if (!UUID.test(orgId)) throw new Error('x-org-id is not a valid id');
  const { rows } = await owner.query({ name: 'member', text: 'SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2', values: [orgId, payload.sub] });
  if (rows.length === 0) throw new Error('You are not a member of this organization');
  return { 'app.org_id': orgId, 'app.user_id': payload.sub };
}

const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  plugins: [tags],
  // V4's `ignoreIndexes: false`: the tenant-leading composite foreign keys (org_id, project_id)
  // have no index of exactly those columns, which would hide project.issues and issue.labels;
  // every query below is served by an index on project_id / issue_id anyway.
  disablePlugins: ['PgIndexBehaviorsPlugin'],
  // Pools sized and timed like the API's (10 connections, 30 s idle), so no system reconnects
  // between its interleaved runs.
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public', 'bench_peer'],
      poolConfig: { max: 10, idleTimeoutMillis: 30_000, application_name: 'bench-peer' },
    }),
  ],
  grafast: {
    explain: false,
    async context(requestContext) {
      return { pgSettings: await tenantSettings(requestContext.node && requestContext.node.req) };
    },
  },
  grafserv: { graphqlPath: '/graphql', graphiql: false, watch: false },
};

async function main() {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  await serv.addTo(server, false);
  // Build the schema before listening, so "ready" includes introspection.
  await pgl.getSchema();
  server.listen(Number(process.env.PORT || 0), '127.0.0.1');
  const stop = () => server.close(() => Promise.all([pgl.release(), owner.end()]).then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
