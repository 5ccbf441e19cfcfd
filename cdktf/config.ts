// Per-environment infrastructure settings: sizes here (DEFAULTS), the account-specific values
// (account, certificate, domain, alarm email, state bucket) in the committed file
// cdktf/environments/<env>.json, so no deploy can forget them. This is the only infra module
// that reads process.env or those files: main.ts passes them in, tests pass plain objects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type EnvironmentName = 'dev' | 'prod';
export const ENVIRONMENTS: readonly EnvironmentName[] = ['dev', 'prod'];

export interface DatabaseSettings {
  readonly instanceClass: string;
  readonly multiAz: boolean;
  readonly allocatedStorageGb: number;
  /** Storage autoscaling ceiling; equal to allocatedStorageGb turns autoscaling off. */
  readonly maxAllocatedStorageGb: number;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  /** Take a snapshot when the instance is destroyed. */
  readonly finalSnapshot: boolean;
  /** DatabaseConnections above this raises an alarm; keep it under the class's max_connections. */
  readonly connectionsAlarmThreshold: number;
}

/** What one API instance opens against PostgreSQL; the instances get exactly these settings. */
export interface ConnectionSettings {
  /** The API's DB_POOL_MAX. */
  readonly poolMax: number;
  /** The API's WEBHOOK_WORKER_CONCURRENCY; its worker pool holds this plus 2 connections. */
  readonly workerConcurrency: number;
}

export interface CacheSettings {
  /** ElastiCache (Valkey) node type for the shared rate limits. */
  readonly nodeType: string;
  /** 1 is a single node; 2 or more adds replicas with automatic failover across AZs. */
  readonly nodes: number;
}

export interface WafSettings {
  /** Requests one client IP may send in 5 minutes before it is blocked (AWS minimum 10). */
  readonly rateLimitPer5Minutes: number;
}

export interface EnvironmentConfig {
  readonly environment: EnvironmentName;
  readonly project: string;
  readonly region: string;
  readonly azCount: number;
  readonly vpcCidr: string;
  /** One NAT gateway per AZ survives an AZ outage; a single one is cheaper. */
  readonly natGatewayPerAz: boolean;
  /** Interface endpoints for ECR, SSM, Logs and Secrets Manager, plus an S3 gateway. */
  readonly vpcEndpoints: boolean;
  readonly instanceType: string;
  readonly asg: { readonly min: number; readonly desired: number; readonly max: number };
  readonly db: DatabaseSettings;
  readonly connections: ConnectionSettings;
  readonly cache: CacheSettings;
  readonly waf: WafSettings;
  readonly logRetentionDays: number;
  readonly albAccessLogs: boolean;
  /** The only AWS account Terraform may touch (the provider's allowed_account_ids). Required in prod. */
  readonly accountId?: string;
  readonly domainName?: string;
  /** Required in prod: without it the API would be served over plain HTTP. */
  readonly certificateArn?: string;
  readonly alarmEmail?: string;
  /** Required in prod: without it a plan starts from an empty local state. */
  readonly state?: RemoteStateSettings;
  /** Image to run. Unset means bootstrap: everything is created but the ASG runs 0 instances. */
  readonly imageTag?: string;
}

export interface RemoteStateSettings {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  /** Legacy DynamoDB locking; without it the S3 lock file (Terraform/OpenTofu >= 1.10) is used. */
  readonly dynamodbTable?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const BASE = {
  project: 'tracker',
  region: 'eu-west-1',
  vpcCidr: '10.40.0.0/16',
  albAccessLogs: false,
} as const;

export const DEFAULTS: Readonly<Record<EnvironmentName, EnvironmentConfig>> = {
  dev: {
    ...BASE,
    environment: 'dev',
    azCount: 2,
    natGatewayPerAz: false,
    vpcEndpoints: false,
    instanceType: 't4g.small',
    asg: { min: 1, desired: 1, max: 2 },
    connections: { poolMax: 10, workerConcurrency: 4 },
    cache: { nodeType: 'cache.t4g.micro', nodes: 1 },
    waf: { rateLimitPer5Minutes: 2000 },
    db: {
      instanceClass: 'db.t4g.micro',
      multiAz: false,
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 50,
      backupRetentionDays: 1,
      deletionProtection: false,
      finalSnapshot: false,
      connectionsAlarmThreshold: 60,
    },
    logRetentionDays: 14,
  },
  prod: {
    ...BASE,
    environment: 'prod',
    vpcCidr: '10.50.0.0/16',
    azCount: 3,
    natGatewayPerAz: true,
    vpcEndpoints: true,
    // Non-burstable: a t-class fleet that runs out of CPU credits slows down all at once.
    instanceType: 'm7g.large',
    // One instance per AZ at least, so losing an AZ never leaves the API without capacity.
    asg: { min: 3, desired: 3, max: 12 },
    connections: { poolMax: 10, workerConcurrency: 4 },
    cache: { nodeType: 'cache.t4g.small', nodes: 2 },
    waf: { rateLimitPer5Minutes: 2000 },
    db: {
      instanceClass: 'db.m7g.large',
      multiAz: true,
      allocatedStorageGb: 100,
      maxAllocatedStorageGb: 500,
      backupRetentionDays: 14,
      deletionProtection: true,
      finalSnapshot: true,
      connectionsAlarmThreshold: 500,
    },
    logRetentionDays: 90,
    albAccessLogs: true,
  },
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Where each environment's committed, account-specific settings live. */
export const SETTINGS_DIR = join(__dirname, 'environments');

/** The keys an environment file may hold. */
export interface EnvironmentFile {
  readonly accountId?: string;
  readonly certificateArn?: string;
  readonly domainName?: string;
  readonly alarmEmail?: string;
  readonly state?: { readonly bucket: string; readonly key?: string; readonly region?: string; readonly dynamodbTable?: string };
}

const FILE_KEYS = ['$comment', 'accountId', 'certificateArn', 'domainName', 'alarmEmail', 'state'];
// These used to be environment variables, and a deploy that forgot one silently changed prod.
const MOVED_TO_FILE = ['INFRA_CERTIFICATE_ARN', 'INFRA_DOMAIN_NAME', 'INFRA_ALARM_EMAIL', 'INFRA_STATE_BUCKET',
  'INFRA_STATE_KEY', 'INFRA_STATE_REGION', 'INFRA_STATE_LOCK_TABLE'];

/** Reads cdktf/environments/<name>.json (or `dir`), refusing unknown keys. */
export function readEnvironmentFile(name: EnvironmentName, dir = SETTINGS_DIR): EnvironmentFile {
  const path = join(dir, `${name}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read the ${name} settings file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`${path} must hold a JSON object`);
  const unknown = Object.keys(parsed).filter((key) => !FILE_KEYS.includes(key));
  if (unknown.length > 0) throw new ConfigError(`${path}: unknown settings ${unknown.join(', ')} (allowed: ${FILE_KEYS.slice(1).join(', ')})`);
  return parsed as EnvironmentFile;
}

/**
 * Picks the environment from INFRA_ENV (default dev), merges its committed settings file and
 * the image tag the deploy passes in INFRA_IMAGE_TAG, and validates the result.
 */
export function loadConfig(env: Env, file?: EnvironmentFile): EnvironmentConfig {
  const name = env.INFRA_ENV ?? 'dev';
  if (!(ENVIRONMENTS as readonly string[]).includes(name)) {
    throw new ConfigError(`INFRA_ENV must be one of ${ENVIRONMENTS.join(', ')} (got "${name}")`);
  }
  const stale = MOVED_TO_FILE.filter((key) => env[key] !== undefined);
  if (stale.length > 0) {
    throw new ConfigError(`${stale.join(', ')} ${stale.length > 1 ? 'are' : 'is'} no longer read: these settings live in cdktf/environments/${name}.json, so no deploy can forget them. Unset ${stale.length > 1 ? 'them' : 'it'}.`);
  }
  const base = DEFAULTS[name as EnvironmentName];
  const settings = file ?? readEnvironmentFile(name as EnvironmentName);
  const state = settings.state && {
    bucket: settings.state.bucket,
    key: settings.state.key || `${base.project}/${base.environment}/terraform.tfstate`,
    region: settings.state.region || base.region,
    dynamodbTable: settings.state.dynamodbTable || undefined,
  };
  return validateConfig({
    ...base,
    accountId: settings.accountId ?? base.accountId,
    certificateArn: settings.certificateArn ?? base.certificateArn,
    domainName: settings.domainName ?? base.domainName,
    alarmEmail: settings.alarmEmail ?? base.alarmEmail,
    state: state ?? base.state,
    imageTag: env.INFRA_IMAGE_TAG || base.imageTag,
  });
}

/** The S3 backend settings, or undefined for the local backend (dev try-outs only). */
export function loadRemoteState(config: EnvironmentConfig): RemoteStateSettings | undefined {
  return config.state;
}

/**
 * Connections one API instance can open: its pool, the webhook worker's pool (concurrency
 * plus LISTEN and housekeeping) and the realtime event listener.
 */
export function connectionsPerInstance(connections: ConnectionSettings): number {
  const worker = connections.workerConcurrency > 0 ? connections.workerConcurrency + 2 : 0;
  return connections.poolMax + worker + 1;
}

/** The migrator (Prisma migrate and psql) and RDS's reserved superuser slots. */
export const RESERVED_CONNECTIONS = 10;

// Memory (GiB) of the RDS classes the estimate knows; RDS PostgreSQL's default max_connections
// is LEAST(DBInstanceClassMemory / 9531392, 5000), and the OS takes about a tenth.
const DB_CLASS_MEMORY_GIB: Readonly<Record<string, number>> = {
  micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, '2xlarge': 32, '4xlarge': 64, '8xlarge': 128,
};

/** Memory of an RDS class in GiB; undefined for classes the table lacks. */
export function memoryGibOf(instanceClass: string): number | undefined {
  const match = /^db\.([a-z]+)\d+[a-z]*\.([a-z0-9]+)$/.exec(instanceClass);
  if (!match) return undefined;
  const [, family, size] = match;
  const base = DB_CLASS_MEMORY_GIB[size];
  if (base === undefined) return undefined;
  // r (memory-optimized) classes have twice the memory of m classes, x four times.
  return family === 'r' ? base * 2 : family === 'x' ? base * 4 : base;
}

/** Estimated max_connections of an RDS PostgreSQL class; undefined for classes the table lacks. */
export function maxConnectionsOf(instanceClass: string): number | undefined {
  const gib = memoryGibOf(instanceClass);
  return gib === undefined ? undefined : Math.min(Math.floor((gib * 1024 ** 3 * 0.9) / 9531392), 5000);
}

/** The most connections the fleet at max_size, the migrator and RDS itself can hold. */
export function connectionBudget(config: Pick<EnvironmentConfig, 'asg' | 'connections'>): number {
  return config.asg.max * connectionsPerInstance(config.connections) + RESERVED_CONNECTIONS;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
// ECR's tag grammar; 'latest' is refused because the repository's tags are immutable.
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Throws a ConfigError naming the first bad setting, e.g. `prod.db.multiAz`. */
export function validateConfig(config: EnvironmentConfig): EnvironmentConfig {
  const at = (setting: string) => `${config.environment}.${setting}`;
  const isProd = config.environment === 'prod';
  const { asg, db } = config;

  check(at('project'), config.project, /^[a-z][a-z0-9-]{1,20}$/.test(config.project), 'must be 2-21 lowercase letters, digits or dashes');
  check(at('region'), config.region, REGION.test(config.region), 'must be an AWS region such as eu-west-1');
  checkInt(at('azCount'), config.azCount, 2, 6);
  checkCidr(at('vpcCidr'), config.vpcCidr);
  check(at('instanceType'), config.instanceType, /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(config.instanceType), 'must be an EC2 instance type such as t4g.small');

  // prod keeps an instance in every AZ after the bootstrap -> deploy sequence (issue 21, item 4).
  checkInt(at('asg.min'), asg.min, isProd ? config.azCount : 1, 100);
  checkInt(at('asg.max'), asg.max, asg.min, 100);
  checkInt(at('asg.desired'), asg.desired, asg.min, asg.max);

  check(at('db.instanceClass'), db.instanceClass, /^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(db.instanceClass), 'must be an RDS class such as db.t4g.micro');
  checkInt(at('db.allocatedStorageGb'), db.allocatedStorageGb, 20, 65536);
  checkInt(at('db.maxAllocatedStorageGb'), db.maxAllocatedStorageGb, db.allocatedStorageGb, 65536);
  checkInt(at('db.backupRetentionDays'), db.backupRetentionDays, isProd ? 7 : 0, 35);
  checkInt(at('connections.poolMax'), config.connections.poolMax, 1, 1000);
  checkInt(at('connections.workerConcurrency'), config.connections.workerConcurrency, 0, 100);
  // Every instance at max_size with full pools must fit the database (RDS Proxy: see docs/operating/deploy-aws.md).
  const limit = maxConnectionsOf(db.instanceClass);
  const budget = connectionBudget(config);
  check(at('db.instanceClass'), db.instanceClass, limit !== undefined, `has no max_connections estimate in cdktf/config.ts; add its size to DB_CLASS_MEMORY_GIB`);
  check(at('asg.max'), asg.max, budget <= limit!,
    `${asg.max} instances x ${connectionsPerInstance(config.connections)} connections + ${RESERVED_CONNECTIONS} reserved = ${budget} exceeds ${db.instanceClass}'s ~${limit} max_connections; lower asg.max or connections.poolMax, or take a larger class`);
  checkInt(at('db.connectionsAlarmThreshold'), db.connectionsAlarmThreshold, Math.min(budget, limit!), limit!);
  check(at('cache.nodeType'), config.cache.nodeType, /^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(config.cache.nodeType), 'must be an ElastiCache node type such as cache.t4g.micro');
  checkInt(at('cache.nodes'), config.cache.nodes, isProd ? 2 : 1, 6);
  checkInt(at('waf.rateLimitPer5Minutes'), config.waf.rateLimitPer5Minutes, 10, 2_000_000_000);
  if (isProd) {
    // Production data must survive an AZ loss and a careless destroy.
    check(at('db.multiAz'), db.multiAz, db.multiAz, 'must be true in prod');
    check(at('db.deletionProtection'), db.deletionProtection, db.deletionProtection, 'must be true in prod');
    check(at('db.finalSnapshot'), db.finalSnapshot, db.finalSnapshot, 'must be true in prod');
  }

  check(at('logRetentionDays'), config.logRetentionDays, LOG_RETENTION_DAYS.includes(config.logRetentionDays), `must be one of CloudWatch's values: ${LOG_RETENTION_DAYS.join(', ')}`);

  const { certificateArn, domainName, imageTag, alarmEmail, accountId, state } = config;
  const file = `cdktf/environments/${config.environment}.json`;
  if (isProd) {
    // Each of these, forgotten, used to change prod silently (HTTP only, an empty state, any account).
    check(at('accountId'), accountId, accountId !== undefined, `is required in prod (${file}): the provider refuses every other account`);
    check(at('certificateArn'), certificateArn, certificateArn !== undefined, `is required in prod (${file}): prod serves HTTPS only`);
    check(at('state'), state, state !== undefined, `is required in prod (${file}): without it Terraform plans against an empty local state`);
  }
  if (accountId !== undefined) {
    check(at('accountId'), accountId, /^\d{12}$/.test(accountId), 'must be a 12-digit AWS account ID');
  }
  if (state !== undefined) {
    check(at('state.bucket'), state.bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(state.bucket), 'must be an S3 bucket name');
    check(at('state.region'), state.region, REGION.test(state.region), 'must be an AWS region such as eu-west-1');
    check(at('state.key'), state.key, !state.key.startsWith('/'), 'must be a relative object key');
  }
  if (certificateArn !== undefined) {
    // An ALB can only use a certificate from its own region (and account).
    const acm = new RegExp(`^arn:aws[a-z-]*:acm:${config.region}:${accountId ?? '\\d{12}'}:certificate/[0-9a-f-]{36}$`);
    check(at('certificateArn'), certificateArn, acm.test(certificateArn), `must be an ACM certificate ARN in ${config.region}${accountId ? ` of account ${accountId}` : ''}`);
  }
  if (domainName !== undefined) {
    check(at('domainName'), domainName, HOSTNAME.test(domainName), 'must be a lowercase DNS name');
    check(at('domainName'), domainName, certificateArn !== undefined, 'needs certificateArn so the domain is served over HTTPS');
  }
  if (imageTag !== undefined) {
    check(at('imageTag'), imageTag, IMAGE_TAG.test(imageTag) && imageTag !== 'latest', 'must be an immutable ECR tag such as a git SHA (not "latest")');
  }
  if (alarmEmail !== undefined) {
    check(at('alarmEmail'), alarmEmail, /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail), 'must be an email address');
  }
  return config;
}

function check(setting: string, value: unknown, ok: boolean, rule: string): void {
  if (!ok) throw new ConfigError(`Invalid infrastructure setting ${setting} = ${JSON.stringify(value)}: ${rule}`);
}

function checkInt(setting: string, value: number, min: number, max: number): void {
  check(setting, value, Number.isInteger(value) && value >= min && value <= max, `must be an integer from ${min} to ${max}`);
}

function checkCidr(setting: string, cidr: string): void {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = match ? Number(match[5]) : -1;
  const isAligned = match !== null && octets.every((o) => o <= 255) && alignedTo(octets, prefix);
  // Subnets are /prefix+4 (see Network), so /16../20 leaves room for 16 of at least /24.
  check(setting, cidr, isAligned && prefix >= 16 && prefix <= 20, 'must be an IPv4 network address with a prefix from /16 to /20, e.g. 10.40.0.0/16');
}

function alignedTo(octets: number[], prefix: number): boolean {
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return address % 2 ** (32 - prefix) === 0;
}
