// The API's layers, checked by `npm run lint` (dependency-cruiser over api/src). From the bottom:
//   errors/, config.ts                the error vocabulary and settings: import nothing above them
//   db/, auth/                        database access and identity: no module, GraphQL or server code
//   tenancy/                          the request/user/system scopes over db/ (db/, errors/, auth/ below it)
//   graphql/                          the leaf kit: ids, pagination, connection types, enums, scalars,
//                                     the Context type, batch loaders; no module, no server
//   observability/                    request scope, metrics, request record and log, the logger
//   modules/                          the domain: resolvers, services, loaders, job handlers
//   graphql-server/, jobs/, ratelimit/, app-services.ts
//                                     Apollo, its plugins, context construction, schema composition,
//                                     the job runner and registry, rate limits; they wire modules together
//   server/, main.ts                  HTTP, WebSocket, start-up and shutdown
// A rule names what a layer may not reach; anything not named is allowed.
const SRC = '^api/src/';
const path = (...folders) => `${SRC}(${folders.join('|')})`;

const SERVER = path('server/', 'main\\.ts$');
const GRAPHQL_SERVER = path('graphql-server/');
const MODULES = path('modules/');
const KIT = path('graphql/');
const JOBS = path('jobs/');
const COMPOSITION = path('app-services\\.ts$', 'ratelimit/');
const OBSERVABILITY = path('observability/');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two files one unit that neither can be read, tested or moved without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'errors-are-the-floor',
      severity: 'error',
      comment: 'The error vocabulary and the settings are imported by every layer, so they import none of them.',
      from: { path: path('errors/', 'config\\.ts$') },
      to: { path: SRC, pathNot: path('errors/', 'generated/') },
    },
    {
      name: 'foundations-import-nothing-above',
      severity: 'error',
      comment: 'db/, auth/ and errors/ sit below everything that uses them: a need from above is passed in (as the API-token audit hook is).',
      from: { path: path('db/', 'auth/', 'errors/') },
      to: { path: [MODULES, KIT, GRAPHQL_SERVER, SERVER, JOBS, COMPOSITION, OBSERVABILITY] },
    },
    {
      name: 'tenancy-below-the-modules',
      severity: 'error',
      comment: 'Tenant scopes are built from db/, errors/ and auth/; the modules and servers use them, never the reverse.',
      from: { path: path('tenancy/') },
      to: { path: [MODULES, GRAPHQL_SERVER, SERVER, JOBS, COMPOSITION] },
    },
    {
      name: 'kit-is-a-leaf',
      severity: 'error',
      comment:
        'The GraphQL kit is what modules build their schema from: it knows no module and no server.',
      from: { path: KIT },
      to: { path: [MODULES, GRAPHQL_SERVER, SERVER, JOBS, path('ratelimit/'), OBSERVABILITY] },
    },
    {
      name: 'kit-names-app-services-by-type-only',
      severity: 'error',
      comment:
        'The one exception to the kit being a leaf: the Context type names AppServices, the process-wide services a resolver ' +
        'reaches through ctx.services, and AppServices names the attachment module\'s ObjectStore. A type import vanishes at ' +
        'run time; anything more would load the wiring into the kit.',
      from: { path: KIT },
      to: { path: path('app-services\\.ts$'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'observability-knows-no-domain',
      severity: 'error',
      comment: 'Logs and metrics describe requests, not issues: no module, and nothing of the servers that feed them.',
      from: { path: OBSERVABILITY },
      to: { path: [MODULES, GRAPHQL_SERVER, SERVER, JOBS, COMPOSITION] },
    },
    {
      name: 'modules-do-not-import-the-servers',
      severity: 'error',
      comment: 'A module is wired in by the GraphQL server and the HTTP server; it does not reach back up into them.',
      from: { path: MODULES },
      to: { path: [GRAPHQL_SERVER, SERVER, path('app-services\\.ts$')] },
    },
    {
      name: 'graphql-server-below-the-http-server',
      severity: 'error',
      comment: 'server/ mounts the GraphQL server; the GraphQL server does not know the HTTP process around it.',
      from: { path: GRAPHQL_SERVER },
      to: { path: SERVER },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: `${SRC}generated/` },
    // Type-only imports count: a layer that names another's types depends on it all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
