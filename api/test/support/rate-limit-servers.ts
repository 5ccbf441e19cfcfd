// API instances for the rate-limit tests: any number of them on one test database, sharing the
// Redis (or not) that the environment names, each logging into a list the test can read.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startServer, type RunningServer } from '../../src/server/start';
import { GraphqlClient, type GraphqlResponse } from './graphql-client';
import type { TestDatabase } from './test-database';
import { testServerEnv } from './test-server';

export interface LoggedServer {
  readonly server: RunningServer;
  readonly client: GraphqlClient;
  /** Parsed log lines at info and above. */
  readonly logs: { level: number; msg: string }[];
}

export async function startLoggedServer(database: TestDatabase, env: Record<string, string>): Promise<LoggedServer> {
  const logs: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const server = await startServer(loadConfig(testServerEnv(database, env)), logger);
  return { server, client: new GraphqlClient(`${server.url}/graphql`), logs };
}

/** Keys of this test only: runs and files never share budgets, whatever the Redis database. */
export function freshKeyPrefix(): string {
  return `test:rl:${randomBytes(6).toString('hex')}`;
}

export const RATE_LIMIT_QUERY = '{ rateLimit { limit remaining cost resetAt } }';

export interface RateLimitData {
  rateLimit: { limit: number; remaining: number; cost: number; resetAt: string };
}

/** The RateLimit header as { policy: { r, t } }. */
export function parseRateLimit(response: Pick<GraphqlResponse, 'headers'>): Record<string, { r: number; t: number }> {
  const value = response.headers.get('ratelimit') ?? '';
  const entries = [...value.matchAll(/"([a-z]+)";r=(\d+);t=(\d+)/g)].map((m) => [m[1]!, { r: Number(m[2]), t: Number(m[3]) }] as const);
  return Object.fromEntries(entries);
}
