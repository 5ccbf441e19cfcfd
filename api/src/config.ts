// Every environment variable the API reads, parsed and validated once. No other module
// reads process.env: they receive the typed Config.
import { isIP } from 'node:net';

export class ConfigError extends Error {
  constructor(readonly variable: string, expected: string, got: string) {
    super(`Invalid ${variable}=${JSON.stringify(got)}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

export type NodeEnv = 'development' | 'production' | 'test';

export interface GraphqlLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxDirectives: number;
  readonly maxTokens: number;
  readonly maxCost: number;
  /** Cost of all operations this instance executes at once; more wait their turn. */
  readonly costInFlight: number;
  /** How long an operation may wait for that budget before SERVICE_UNAVAILABLE. */
  readonly costQueueMs: number;
  /** Bytes of one GraphQL response over HTTP (as JSON); a larger one is refused, not sent. */
  readonly maxResponseBytes: number;
  /** Bytes of all responses this instance is building or sending at once. */
  readonly responseBudgetBytes: number;
}

/** Protections that are on (or off) by default in every environment; each can be switched. */
export interface GraphqlHardening {
  /** "Did you mean …?" in validation errors: maps the schema for someone without introspection. */
  readonly fieldSuggestions: boolean;
  readonly csrfPrevention: boolean;
  /** Several operations in one HTTP request: one request, many times the work. */
  readonly batchedRequests: boolean;
  readonly persistedQueries: boolean;
}

export interface RealtimeLimits {
  /** graphql-ws ping interval; below the load balancer's 60 s idle timeout. */
  readonly keepAliveMs: number;
  readonly maxSubscriptionsPerConnection: number;
  /** API tokens can be revoked at any time: a socket opened with one re-checks it this often. */
  readonly apiTokenRecheckMs: number;
  /** A member can be removed at any time: every socket re-checks its membership this often. */
  readonly membershipRecheckMs: number;
  /** Per instance: a user's sockets beyond this are closed at connection_init. */
  readonly maxConnectionsPerUser: number;
  /** Events queued for one subscriber before it counts as a slow consumer and is cut off. */
  readonly sendBufferEvents: number;
  /** Bytes of events one socket may hold (queued, replayed, being sent) before it is cut off. */
  readonly socketBufferBytes: number;
  /** Bytes of events all sockets of the instance may hold; past it the greediest sockets are cut off. */
  readonly instanceBufferBytes: number;
}

export interface WebhookSettings {
  /** Deliveries this instance sends at once; 0 runs no worker here. */
  readonly workerConcurrency: number;
  readonly timeoutMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** How long after its first attempt a delivery is retried before it is marked FAILED. */
  readonly retryWindowMs: number;
  /** How often idle workers look for due retries (new jobs wake them at once). */
  readonly pollIntervalMs: number;
  /** Lets webhooks target loopback and private networks (tests, local receivers). */
  readonly allowPrivateTargets: boolean;
  /** The job runner's restart backoff after it fails (database lost): first delay, doubling to the last. */
  readonly runnerRestartMinMs: number;
  readonly runnerRestartMaxMs: number;
}

/** GitHub-style points: a request costs its query cost, per window, in several budgets at once. */
export interface RateLimitSettings {
  readonly windowSeconds: number;
  /** Per signed-in user (access or API token), across organizations. */
  readonly callerPoints: number;
  /** Per organization, shared by all its members. */
  readonly organizationPoints: number;
  /** Per client address, for requests without credentials (signUp, logIn, refreshSession). */
  readonly anonymousPoints: number;
  /** What a mutation costs at least, however small its selection. */
  readonly mutationMinimumCost: number;
  /** Prefix of the Redis keys, so several deployments can share one Redis. */
  readonly keyPrefix: string;
  /** A Redis command slower than this counts as Redis being down (the in-process limiter answers). */
  readonly redisTimeoutMs: number;
}

export interface AttachmentSettings {
  /** S3 bucket of the attachments (the infrastructure sets it); undefined: the filesystem store. */
  readonly bucket: string | undefined;
  readonly region: string;
  /** An S3-compatible endpoint instead of AWS's own (tests: a loopback server). */
  readonly s3Endpoint: string | undefined;
  /** The filesystem store's folder (development and the embedded default). */
  readonly directory: string;
  /** Signs the filesystem store's URLs; undefined: a random secret per process. */
  readonly signingSecret: string | undefined;
  /** Origin put in front of the filesystem store's URLs; undefined: URLs relative to the API. */
  readonly publicUrl: string | undefined;
  readonly maxBytes: number;
  readonly maxPerIssue: number;
  readonly contentTypes: readonly string[];
  readonly uploadTtlSeconds: number;
  readonly downloadTtlSeconds: number;
}

export interface Config {
  readonly nodeEnv: NodeEnv;
  readonly isProduction: boolean;
  readonly port: number;
  readonly host: string;
  /** App-role connection; undefined means the embedded PostgreSQL server under dataDir. */
  readonly databaseUrl: string | undefined;
  /** Owner-role connection for migrations; defaults to databaseUrl. */
  readonly migrationDatabaseUrl: string | undefined;
  readonly dataDir: string;
  /** The embedded server's loopback port; undefined picks a free one. */
  readonly embeddedPgPort: number | undefined;
  readonly dbPoolMax: number;
  readonly dbAcquireTimeoutMs: number;
  readonly dbStatementTimeoutMs: number;
  /** Requests that may queue for a pooled connection; past it they fail at once (503). */
  readonly dbPoolMaxWaiting: number;
  /** Parameterized reads as named prepared statements (off behind a transaction-mode pooler). */
  readonly dbPreparedStatements: boolean;
  /** The hottest read root fields answered by one statement compiled from their selection. */
  readonly compiledReads: boolean;
  /** undefined: generate one per process (development only). */
  readonly jwtSecret: string | undefined;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  readonly accessTokenTtlSeconds: number;
  readonly sessionLifetimeDays: number;
  /** Failed log-ins per hour for one email from one client address. */
  readonly loginFailureLimit: number;
  /** Failed log-ins per hour from one client address, whatever the emails. */
  readonly loginAddressFailureLimit: number;
  /** Failed log-ins per hour for one email from all addresses together. */
  readonly loginEmailFailureCeiling: number;
  readonly invitationTtlDays: number;
  readonly logLevel: string;
  readonly graphqlIde: boolean;
  readonly graphqlIntrospection: boolean;
  readonly limits: GraphqlLimits;
  readonly hardening: GraphqlHardening;
  readonly shutdownDrainSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly metricsPort: number | undefined;
  readonly idempotencyTtlHours: number;
  readonly realtime: RealtimeLimits;
  readonly webhooks: WebhookSettings;
  /** Where rate-limit budgets live, shared by all instances; undefined: in this process only. */
  readonly redisUrl: string | undefined;
  readonly rateLimits: RateLimitSettings;
  /** Proxies in front of the instances whose X-Forwarded-For is believed (the ALB: 1). */
  readonly trustProxyHops: number;
  /** Origins whose browser pages may call the API ('*': any); empty: none. */
  readonly corsOrigins: readonly string[];
  readonly attachments: AttachmentSettings;
}

type Env = Readonly<Record<string, string | undefined>>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, 'true or false', raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `one of ${allowed.join(', ')}`, raw);
  }
  return raw as T;
}

function postgresUrl(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'a postgresql://user@host:port/database URL', redact(raw));
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new ConfigError(name, 'a postgresql://user@host:port/database URL', redact(raw));
  }
  if (!url.hostname || url.pathname.length < 2) {
    throw new ConfigError(name, 'a URL naming a host and a database', redact(raw));
  }
  return raw;
}

function hostName(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // An IP address (v4 or v6) or a DNS name: caught here, not as an obscure listen() error.
  if (isIP(raw) === 0 && !/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(raw)) {
    throw new ConfigError(name, 'an IP address or a host name to listen on, e.g. 0.0.0.0 or 127.0.0.1', raw);
  }
  return raw;
}

/**
 * A URL setting: unset or empty is undefined; otherwise it must parse and pass `isValid`, or
 * the process stops naming the setting (`shown` keeps secrets in the URL out of the message).
 */
function urlSetting(env: Env, name: string, expected: string, isValid: (url: URL) => boolean, shown: (raw: string) => string = (raw) => raw): URL | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !isValid(url)) throw new ConfigError(name, expected, shown(raw));
  return url;
}

function redisUrl(env: Env, name: string): string | undefined {
  const isRedis = (url: URL) => (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '' && /^\/?\d*$/.test(url.pathname);
  return urlSetting(env, name, 'a redis://host:port/db or rediss://host:port/db URL', isRedis, redact) ? env[name] : undefined;
}

/** Browsers send an Origin without path or trailing slash; anything else would never match. */
const DEV_CORS_ORIGINS = ['http://localhost:5173', 'http://localhost:3000', 'http://127.0.0.1:5173', 'http://127.0.0.1:3000'];

function origins(env: Env, name: string, fallback: readonly string[]): readonly string[] {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const list = raw.split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of list) {
    if (origin === '*') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(name, 'a comma-separated list of origins such as https://app.example.com (scheme, host and port only), or *', raw);
    }
  }
  return list;
}

/** Keeps passwords out of error messages. */
function redact(raw: string): string {
  return raw.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

const DEFAULT_ATTACHMENT_TYPES =
  'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,text/csv,application/json,application/zip';

function contentTypes(env: Env, name: string): readonly string[] {
  const raw = env[name] || DEFAULT_ATTACHMENT_TYPES;
  const types = raw.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  if (types.length === 0 || types.some((t) => !/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(t))) {
    throw new ConfigError(name, 'a comma-separated list of media types, e.g. image/png,application/pdf', raw);
  }
  return types;
}

function httpUrl(env: Env, name: string): string | undefined {
  const isHttp = (url: URL) => url.protocol === 'http:' || url.protocol === 'https:';
  return urlSetting(env, name, 'an http(s) URL', isHttp)?.toString().replace(/\/+$/, '');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const isProduction = nodeEnv === 'production';
  const databaseUrl = postgresUrl(env, 'DATABASE_URL');
  const jwtSecret = env.JWT_SECRET || undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET', 'at least 32 bytes (256 bits)', '<hidden>');
  }
  if (isProduction && jwtSecret === undefined) {
    throw new ConfigError('JWT_SECRET', 'a secret of at least 32 bytes (required in production)', '');
  }
  if (isProduction && databaseUrl === undefined) {
    throw new ConfigError('DATABASE_URL', 'a PostgreSQL URL (required in production)', '');
  }
  // Development listens on loopback only: its IDE page hands out the demo workspace's token.
  const host = hostName(env, 'HOST', isProduction ? '0.0.0.0' : '127.0.0.1');
  const port = int(env, 'PORT', 4000, 0, 65535);
  const metricsPort = env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 1, 65535) : undefined;
  // The metrics listener exists to keep /metrics off the port the load balancer forwards.
  if (metricsPort !== undefined && metricsPort === port) {
    throw new ConfigError('METRICS_PORT', `a port other than PORT (${port}), or unset to serve /metrics on PORT`, String(metricsPort));
  }
  const maxCost = int(env, 'GRAPHQL_MAX_COST', 5000, 1, 10_000_000);
  // A budget below one operation (or response) would refuse it even on an idle instance.
  const costInFlight = int(env, 'GRAPHQL_COST_IN_FLIGHT', Math.max(20_000, maxCost), 1, 1_000_000_000);
  if (costInFlight < maxCost) throw new ConfigError('GRAPHQL_COST_IN_FLIGHT', `at least GRAPHQL_MAX_COST (${maxCost})`, String(costInFlight));
  const maxResponseBytes = int(env, 'RESPONSE_MAX_BYTES', 8 * 1024 * 1024, 1024, 512 * 1024 * 1024);
  const responseBudgetBytes = int(env, 'RESPONSE_BUDGET_BYTES', 32 * 1024 * 1024, 1024, 4096 * 1024 * 1024);
  if (responseBudgetBytes < maxResponseBytes) {
    throw new ConfigError('RESPONSE_BUDGET_BYTES', `at least RESPONSE_MAX_BYTES (${maxResponseBytes})`, String(responseBudgetBytes));
  }
  return {
    nodeEnv,
    isProduction,
    port,
    host,
    databaseUrl,
    migrationDatabaseUrl: postgresUrl(env, 'MIGRATION_DATABASE_URL') ?? databaseUrl,
    dataDir: env.DATA_DIR || '.data',
    embeddedPgPort: env.EMBEDDED_PG_PORT ? int(env, 'EMBEDDED_PG_PORT', 0, 1, 65535) : undefined,
    dbPoolMax: int(env, 'DB_POOL_MAX', 10, 1, 1000),
    dbAcquireTimeoutMs: int(env, 'DB_ACQUIRE_TIMEOUT_MS', 5000, 1, 600_000),
    dbStatementTimeoutMs: int(env, 'DB_STATEMENT_TIMEOUT_MS', 10_000, 1, 3_600_000),
    dbPoolMaxWaiting: int(env, 'DB_POOL_MAX_WAITING', 50, 0, 100_000),
    dbPreparedStatements: bool(env, 'DB_PREPARED_STATEMENTS', true),
    compiledReads: bool(env, 'DB_COMPILED_READS', true),
    jwtSecret,
    jwtIssuer: env.JWT_ISSUER || 'tracker-api',
    jwtAudience: env.JWT_AUDIENCE || 'tracker-clients',
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 10, 86_400),
    sessionLifetimeDays: int(env, 'SESSION_LIFETIME_DAYS', 30, 1, 365),
    loginFailureLimit: int(env, 'LOGIN_FAILURE_LIMIT', 20, 1, 1_000_000),
    loginAddressFailureLimit: int(env, 'LOGIN_ADDRESS_FAILURE_LIMIT', 100, 1, 1_000_000),
    loginEmailFailureCeiling: int(env, 'LOGIN_EMAIL_FAILURE_CEILING', 1000, 1, 1_000_000),
    invitationTtlDays: int(env, 'INVITATION_TTL_DAYS', 7, 1, 90),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, isProduction ? 'info' : nodeEnv === 'test' ? 'silent' : 'info'),
    graphqlIde: bool(env, 'GRAPHQL_IDE', !isProduction),
    graphqlIntrospection: bool(env, 'GRAPHQL_INTROSPECTION', !isProduction),
    limits: {
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 8, 1, 100),
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 15, 0, 1000),
      maxDirectives: int(env, 'GRAPHQL_MAX_DIRECTIVES', 50, 0, 1000),
      maxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 2000, 10, 100_000),
      maxCost,
      costInFlight,
      costQueueMs: int(env, 'GRAPHQL_COST_QUEUE_MS', 5000, 1, 600_000),
      maxResponseBytes,
      responseBudgetBytes,
    },
    hardening: {
      fieldSuggestions: bool(env, 'GRAPHQL_FIELD_SUGGESTIONS', false),
      csrfPrevention: bool(env, 'GRAPHQL_CSRF_PREVENTION', true),
      batchedRequests: bool(env, 'GRAPHQL_BATCHED_REQUESTS', false),
      persistedQueries: bool(env, 'GRAPHQL_PERSISTED_QUERIES', false),
    },
    // The drain gives a load balancer time to stop routing here; production sits behind one.
    shutdownDrainSeconds: int(env, 'SHUTDOWN_DRAIN_SECONDS', isProduction ? 15 : 0, 0, 600),
    shutdownTimeoutSeconds: int(env, 'SHUTDOWN_TIMEOUT_SECONDS', 20, 0, 600),
    metricsPort,
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
    realtime: {
      keepAliveMs: int(env, 'REALTIME_KEEPALIVE_SECONDS', 20, 1, 55) * 1000,
      maxSubscriptionsPerConnection: int(env, 'REALTIME_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 1000),
      apiTokenRecheckMs: int(env, 'REALTIME_API_TOKEN_RECHECK_SECONDS', 60, 1, 3600) * 1000,
      membershipRecheckMs: int(env, 'REALTIME_MEMBERSHIP_RECHECK_SECONDS', 30, 1, 3600) * 1000,
      maxConnectionsPerUser: int(env, 'REALTIME_MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
      sendBufferEvents: int(env, 'REALTIME_SEND_BUFFER_EVENTS', 1000, 1, 100_000),
      // A socket must fit a few of the largest events (a 1 MB request body can make a ~2 MB one).
      socketBufferBytes: int(env, 'REALTIME_SOCKET_BUFFER_MB', 8, 4, 1024) * 2 ** 20,
      // Well inside the image's 256 MB heap (see the Dockerfile's NODE_OPTIONS).
      instanceBufferBytes: int(env, 'REALTIME_INSTANCE_BUFFER_MB', 64, 8, 65_536) * 2 ** 20,
    },
    webhooks: {
      workerConcurrency: int(env, 'WEBHOOK_WORKER_CONCURRENCY', 4, 0, 100),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      retryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 10, 3_600_000),
      retryMaxMs: int(env, 'WEBHOOK_RETRY_MAX_MS', 3_600_000, 10, 86_400_000),
      retryWindowMs: int(env, 'WEBHOOK_RETRY_WINDOW_SECONDS', 86_400, 1, 7 * 86_400) * 1000,
      pollIntervalMs: int(env, 'WEBHOOK_POLL_INTERVAL_MS', 2000, 50, 60_000),
      allowPrivateTargets: bool(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
      runnerRestartMinMs: int(env, 'JOB_RUNNER_RESTART_MIN_MS', 1000, 10, 600_000),
      runnerRestartMaxMs: int(env, 'JOB_RUNNER_RESTART_MAX_MS', 30_000, 10, 3_600_000),
    },
    redisUrl: redisUrl(env, 'REDIS_URL'),
    rateLimits: {
      windowSeconds: int(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
      callerPoints: int(env, 'RATE_LIMIT_CALLER_POINTS', 100_000, 1, 1_000_000_000),
      organizationPoints: int(env, 'RATE_LIMIT_ORGANIZATION_POINTS', 500_000, 1, 1_000_000_000),
      anonymousPoints: int(env, 'RATE_LIMIT_ANONYMOUS_POINTS', 5_000, 1, 1_000_000_000),
      mutationMinimumCost: int(env, 'RATE_LIMIT_MUTATION_MIN_COST', 10, 1, 1_000_000),
      keyPrefix: env.RATE_LIMIT_KEY_PREFIX || 'tracker:rl',
      redisTimeoutMs: int(env, 'REDIS_TIMEOUT_MS', 500, 10, 10_000),
    },
    trustProxyHops: int(env, 'TRUST_PROXY_HOPS', isProduction ? 1 : 0, 0, 10),
    corsOrigins: origins(env, 'CORS_ORIGINS', isProduction ? [] : DEV_CORS_ORIGINS),
    attachments: attachmentSettings(env, env.DATA_DIR || '.data'),
  };
}

function attachmentSettings(env: Env, dataDir: string): AttachmentSettings {
  const signingSecret = env.ATTACHMENTS_SIGNING_SECRET || undefined;
  if (signingSecret !== undefined && Buffer.byteLength(signingSecret) < 32) {
    throw new ConfigError('ATTACHMENTS_SIGNING_SECRET', 'at least 32 bytes (256 bits)', '<hidden>');
  }
  return {
    bucket: env.ATTACHMENTS_BUCKET || undefined,
    region: env.AWS_REGION || 'us-east-1',
    s3Endpoint: httpUrl(env, 'ATTACHMENTS_S3_ENDPOINT'),
    directory: env.ATTACHMENTS_DIR || `${dataDir}/attachments`,
    signingSecret,
    publicUrl: httpUrl(env, 'ATTACHMENTS_PUBLIC_URL'),
    maxBytes: int(env, 'ATTACHMENT_MAX_BYTES', 25 * 1024 * 1024, 1, 5 * 1024 * 1024 * 1024),
    maxPerIssue: int(env, 'ATTACHMENT_MAX_PER_ISSUE', 50, 1, 10_000),
    contentTypes: contentTypes(env, 'ATTACHMENT_CONTENT_TYPES'),
    uploadTtlSeconds: int(env, 'ATTACHMENT_UPLOAD_TTL_SECONDS', 900, 10, 7 * 86_400),
    downloadTtlSeconds: int(env, 'ATTACHMENT_DOWNLOAD_TTL_SECONDS', 300, 10, 7 * 86_400),
  };
}
