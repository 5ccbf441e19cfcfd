// The systems compared, as launch specs. All run on Node 24 (production's runtime, and the
// one PostGraphile 5 needs), each with a pool of 10 connections (the API's DB_POOL_MAX
// default), as tracker_app so row-level security applies to all three.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dbUrl, type BenchConfig } from '../config';
import { node24, type SystemSpec } from './launch';

export interface SpecInput {
  readonly cfg: BenchConfig;
  readonly database: string;
  readonly jwtSecret: string;
  /** host:port to reach PostgreSQL through (the counting proxy), default the admin URL's. */
  readonly dbHostPort?: string;
}

const SERVER_CPUS = '0';
const LOAD_CPUS = '1';

function urls(input: SpecInput): { app: string; owner: string } {
  const rewrite = (url: string) => {
    if (!input.dbHostPort) return url;
    const parsed = new URL(url);
    parsed.host = input.dbHostPort;
    return parsed.toString();
  };
  return { app: rewrite(dbUrl(input.cfg.adminUrl, input.database, 'tracker_app')), owner: rewrite(dbUrl(input.cfg.adminUrl, input.database)) };
}

export function systemSpecs(input: SpecInput): SystemSpec[] {
  const { cfg } = input;
  const node = node24(cfg.root);
  const { app, owner } = urls(input);
  const apiEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: app,
    JWT_SECRET: input.jwtSecret,
    HOST: '127.0.0.1',
    // The bench stops instances itself; the load balancer drain would only add 15 s per stop.
    SHUTDOWN_DRAIN_SECONDS: '0',
    // A benchmark user sends thousands of requests a second, far beyond any real client: the
    // budgets are lifted so the run measures what charging costs, not how many it refuses.
    RATE_LIMIT_CALLER_POINTS: '1000000000',
    RATE_LIMIT_ORGANIZATION_POINTS: '1000000000',
    RATE_LIMIT_ANONYMOUS_POINTS: '1000000000',
    // The production image's V8 flags, read from the Dockerfile so the two can't drift apart.
    NODE_OPTIONS: /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(path.join(cfg.root, 'Dockerfile'), 'utf8'))?.[1] ?? '',
  };
  const main = path.join(cfg.root, 'dist/api/src/main.js');
  const all = ['W0', 'W1', 'W2', 'W3', 'W4', 'W5'];
  const specs: SystemSpec[] = [
    {
      id: 'b0',
      label: 'B0 node:http+pg',
      command: node,
      args: ['--import', 'tsx', path.join(cfg.root, 'scripts/bench/systems/b0-server.ts')],
      env: { DATABASE_URL: app, JWT_SECRET: input.jwtSecret, DB_POOL_MAX: '10' },
      cpus: SERVER_CPUS,
      loadCpus: LOAD_CPUS,
      workloads: all,
      graphqlPath: '/graphql',
    },
    {
      id: 'peer',
      label: 'PostGraphile 5',
      command: node,
      args: [path.join(cfg.root, 'scripts/bench/systems/postgraphile-server.cjs')],
      env: { DATABASE_URL: app, OWNER_DATABASE_URL: owner, JWT_SECRET: input.jwtSecret, GRAPHILE_ENV: 'production' },
      cpus: SERVER_CPUS,
      loadCpus: LOAD_CPUS,
      workloads: ['W0', 'W1', 'W2', 'W3'],
      graphqlPath: '/graphql',
    },
    {
      id: 'us',
      label: 'Us (API, 1 process)',
      command: node,
      args: [main],
      env: apiEnv,
      cpus: SERVER_CPUS,
      loadCpus: LOAD_CPUS,
      workloads: all,
      graphqlPath: '/graphql',
    },
  ];
  if (cfg.cluster) {
    // The whole instance: one process per core behind one port (node:cluster), nothing pinned,
    // load generator and PostgreSQL sharing the same two cores.
    specs.push({
      id: 'us2',
      label: 'Us (API, 2 processes)',
      command: node,
      args: [path.join(cfg.root, 'scripts/bench/systems/api-cluster.cjs'), main],
      env: { ...apiEnv, BENCH_WORKERS: '2' },
      cpus: '0,1',
      loadCpus: '0,1',
      workloads: all,
      graphqlPath: '/graphql',
    });
  }
  return specs;
}
