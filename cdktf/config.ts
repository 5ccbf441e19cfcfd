// Per-environment infrastructure settings. This is the only infra module that reads
// process.env: main.ts passes it in, tests pass plain objects.

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
  readonly logRetentionDays: number;
  readonly albAccessLogs: boolean;
  readonly domainName?: string;
  readonly certificateArn?: string;
  readonly alarmEmail?: string;
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
    instanceType: 't4g.medium',
    asg: { min: 2, desired: 3, max: 6 },
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

/** Picks the environment from INFRA_ENV (default dev) and applies the INFRA_* overrides. */
export function loadConfig(env: Env): EnvironmentConfig {
  const name = env.INFRA_ENV ?? 'dev';
  if (!(ENVIRONMENTS as readonly string[]).includes(name)) {
    throw new ConfigError(`INFRA_ENV must be one of ${ENVIRONMENTS.join(', ')} (got "${name}")`);
  }
  const base = DEFAULTS[name as EnvironmentName];
  return validateConfig({
    ...base,
    imageTag: env.INFRA_IMAGE_TAG || base.imageTag,
    domainName: env.INFRA_DOMAIN_NAME || base.domainName,
    certificateArn: env.INFRA_CERTIFICATE_ARN || base.certificateArn,
    alarmEmail: env.INFRA_ALARM_EMAIL || base.alarmEmail,
  });
}

/** S3 state when INFRA_STATE_BUCKET is set; undefined means the local backend. */
export function loadRemoteState(env: Env, config: EnvironmentConfig): RemoteStateSettings | undefined {
  const bucket = env.INFRA_STATE_BUCKET;
  if (!bucket) return undefined;
  const state = {
    bucket,
    key: env.INFRA_STATE_KEY || `${config.project}/${config.environment}/terraform.tfstate`,
    region: env.INFRA_STATE_REGION || config.region,
    dynamodbTable: env.INFRA_STATE_LOCK_TABLE || undefined,
  };
  check('INFRA_STATE_BUCKET', bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket), 'must be an S3 bucket name');
  check('INFRA_STATE_REGION', state.region, REGION.test(state.region), 'must be an AWS region such as eu-west-1');
  check('INFRA_STATE_KEY', state.key, !state.key.startsWith('/'), 'must be a relative object key');
  return state;
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

  checkInt(at('asg.min'), asg.min, isProd ? 2 : 1, 100);
  checkInt(at('asg.max'), asg.max, asg.min, 100);
  checkInt(at('asg.desired'), asg.desired, asg.min, asg.max);

  check(at('db.instanceClass'), db.instanceClass, /^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(db.instanceClass), 'must be an RDS class such as db.t4g.micro');
  checkInt(at('db.allocatedStorageGb'), db.allocatedStorageGb, 20, 65536);
  checkInt(at('db.maxAllocatedStorageGb'), db.maxAllocatedStorageGb, db.allocatedStorageGb, 65536);
  checkInt(at('db.backupRetentionDays'), db.backupRetentionDays, isProd ? 7 : 0, 35);
  checkInt(at('db.connectionsAlarmThreshold'), db.connectionsAlarmThreshold, 1, 100000);
  if (isProd) {
    // Production data must survive an AZ loss and a careless destroy.
    check(at('db.multiAz'), db.multiAz, db.multiAz, 'must be true in prod');
    check(at('db.deletionProtection'), db.deletionProtection, db.deletionProtection, 'must be true in prod');
    check(at('db.finalSnapshot'), db.finalSnapshot, db.finalSnapshot, 'must be true in prod');
  }

  check(at('logRetentionDays'), config.logRetentionDays, LOG_RETENTION_DAYS.includes(config.logRetentionDays), `must be one of CloudWatch's values: ${LOG_RETENTION_DAYS.join(', ')}`);

  const { certificateArn, domainName, imageTag, alarmEmail } = config;
  if (certificateArn !== undefined) {
    // An ALB can only use a certificate from its own region.
    const acm = new RegExp(`^arn:aws[a-z-]*:acm:${config.region}:\\d{12}:certificate/[0-9a-f-]{36}$`);
    check(at('certificateArn'), certificateArn, acm.test(certificateArn), `must be an ACM certificate ARN in ${config.region}`);
  }
  if (domainName !== undefined) {
    check(at('domainName'), domainName, HOSTNAME.test(domainName), 'must be a lowercase DNS name');
    check(at('domainName'), domainName, certificateArn !== undefined, 'needs certificateArn (INFRA_CERTIFICATE_ARN) so the domain is served over HTTPS');
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
