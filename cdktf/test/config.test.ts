import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, DEFAULTS, type EnvironmentConfig, connectionBudget, connectionsPerInstance, loadConfig, maxConnectionsOf,
  readEnvironmentFile, validateConfig,
} from '../config';

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000';
const PROD_FILE = { accountId: '123456789012', certificateArn: CERTIFICATE, state: { bucket: 'my-state' } };

const dev = DEFAULTS.dev;
const prod: EnvironmentConfig = { ...DEFAULTS.prod, ...PROD_FILE, state: { bucket: 'my-state', key: 'tracker/prod/terraform.tfstate', region: 'eu-west-1' } };

describe('environment selection', () => {
  it('defaults to dev and selects prod with INFRA_ENV', () => {
    expect(loadConfig({}).environment).toBe('dev');
    expect(loadConfig({ INFRA_ENV: 'prod' }).environment).toBe('prod');
  });

  it('rejects an unknown INFRA_ENV, naming the variable', () => {
    expect(() => loadConfig({ INFRA_ENV: 'staging' })).toThrow(/INFRA_ENV must be one of dev, prod \(got "staging"\)/);
  });

  it('takes the image tag from INFRA_IMAGE_TAG and the rest from the committed settings file', () => {
    const config = loadConfig({ INFRA_ENV: 'dev', INFRA_IMAGE_TAG: 'abc1234' }, { alarmEmail: 'a@b.co' });
    expect(config.imageTag).toBe('abc1234');
    expect(config.alarmEmail).toBe('a@b.co');
  });

  it('reads the committed files, and prod from them has its certificate, state and account guard', () => {
    const committed = loadConfig({ INFRA_ENV: 'prod' });
    expect(committed.certificateArn).toMatch(/^arn:aws:acm:eu-west-1:\d{12}:certificate\//);
    expect(committed.state).toEqual({ bucket: 'tracker-terraform-state', key: 'tracker/prod/terraform.tfstate', region: 'eu-west-1', dynamodbTable: undefined });
    expect(committed.accountId).toMatch(/^\d{12}$/);
    expect(loadConfig({ INFRA_ENV: 'dev' }).environment).toBe('dev');
  });

  it('refuses the old environment variables instead of silently ignoring them', () => {
    expect(() => loadConfig({ INFRA_ENV: 'prod', INFRA_CERTIFICATE_ARN: CERTIFICATE }, PROD_FILE)).toThrow(/INFRA_CERTIFICATE_ARN is no longer read: these settings live in cdktf\/environments\/prod\.json/);
    expect(() => loadConfig({ INFRA_STATE_BUCKET: 'x' }, {})).toThrow(/INFRA_STATE_BUCKET/);
  });

  it('refuses unknown keys in a settings file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracker-infra-settings-'));
    try {
      writeFileSync(join(dir, 'dev.json'), JSON.stringify({ certificateARN: 'typo' }));
      expect(() => readEnvironmentFile('dev', dir)).toThrow(/unknown settings certificateARN/);
      writeFileSync(join(dir, 'dev.json'), '{ not json');
      expect(() => readEnvironmentFile('dev', dir)).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps prod stricter than dev', () => {
    expect(prod.db.multiAz).toBe(true);
    expect(prod.db.deletionProtection).toBe(true);
    expect(prod.natGatewayPerAz).toBe(true);
    expect(prod.azCount).toBeGreaterThanOrEqual(2);
    expect(dev.natGatewayPerAz).toBe(false);
  });
});

describe('bad values fail with a message naming the setting', () => {
  const cases: Array<[string, EnvironmentConfig, RegExp]> = [
    ['azCount below 2', { ...dev, azCount: 1 }, /dev\.azCount = 1: must be an integer from 2 to 6/],
    ['a non-network CIDR', { ...dev, vpcCidr: '10.40.1.0/16' }, /dev\.vpcCidr/],
    ['a too small VPC', { ...dev, vpcCidr: '10.40.0.0/24' }, /dev\.vpcCidr/],
    ['a malformed region', { ...dev, region: 'europe' }, /dev\.region/],
    ['a malformed instance type', { ...dev, instanceType: 'large' }, /dev\.instanceType/],
    ['desired above max', { ...dev, asg: { min: 1, desired: 3, max: 2 } }, /dev\.asg\.desired/],
    ['max below min', { ...dev, asg: { min: 3, desired: 3, max: 2 } }, /dev\.asg\.max/],
    ['a single prod instance', { ...prod, asg: { min: 1, desired: 1, max: 2 } }, /prod\.asg\.min/],
    ['fewer prod instances than AZs', { ...prod, asg: { min: 2, desired: 3, max: 6 } }, /prod\.asg\.min = 2: must be an integer from 3 to 100/],
    ['prod without a certificate', { ...prod, certificateArn: undefined }, /prod\.certificateArn = undefined: is required in prod \(cdktf\/environments\/prod\.json\)/],
    ['prod without remote state', { ...prod, state: undefined }, /prod\.state = undefined: is required in prod/],
    ['prod without an account guard', { ...prod, accountId: undefined }, /prod\.accountId = undefined: is required in prod/],
    ['a malformed account', { ...dev, accountId: '1234' }, /dev\.accountId/],
    ['a certificate of another account', { ...prod, certificateArn: CERTIFICATE.replace('123456789012', '210987654321') }, /prod\.certificateArn.*of account 123456789012/],
    ['a bad state bucket', { ...prod, state: { bucket: 'My_Bucket', key: 'k', region: 'eu-west-1' } }, /prod\.state\.bucket/],
    ['a fleet the database cannot hold', { ...dev, asg: { min: 1, desired: 1, max: 20 } }, /dev\.asg\.max = 20: 20 instances x 17 connections \+ 10 reserved = 350 exceeds db\.t4g\.micro's ~101 max_connections/],
    ['a DB class without an estimate', { ...dev, db: { ...dev.db, instanceClass: 'db.z9.huge' } }, /dev\.db\.instanceClass.*DB_CLASS_MEMORY_GIB/],
    ['a connections alarm above the limit', { ...dev, db: { ...dev.db, connectionsAlarmThreshold: 500 } }, /dev\.db\.connectionsAlarmThreshold/],
    ['a single-node prod cache', { ...prod, cache: { ...prod.cache, nodes: 1 } }, /prod\.cache\.nodes/],
    ['a WAF limit below AWS\'s minimum', { ...dev, waf: { rateLimitPer5Minutes: 5 } }, /dev\.waf\.rateLimitPer5Minutes/],
    ['a bad DB class', { ...dev, db: { ...dev.db, instanceClass: 't4g.micro' } }, /dev\.db\.instanceClass/],
    ['too little storage', { ...dev, db: { ...dev.db, allocatedStorageGb: 5 } }, /dev\.db\.allocatedStorageGb/],
    ['a max storage below the allocation', { ...dev, db: { ...dev.db, maxAllocatedStorageGb: 10 } }, /dev\.db\.maxAllocatedStorageGb/],
    ['too many backup days', { ...dev, db: { ...dev.db, backupRetentionDays: 40 } }, /dev\.db\.backupRetentionDays/],
    ['short prod backups', { ...prod, db: { ...prod.db, backupRetentionDays: 1 } }, /prod\.db\.backupRetentionDays/],
    ['single-AZ prod database', { ...prod, db: { ...prod.db, multiAz: false } }, /prod\.db\.multiAz = false: must be true in prod/],
    ['unprotected prod database', { ...prod, db: { ...prod.db, deletionProtection: false } }, /prod\.db\.deletionProtection/],
    ['prod without final snapshot', { ...prod, db: { ...prod.db, finalSnapshot: false } }, /prod\.db\.finalSnapshot/],
    ['a log retention CloudWatch lacks', { ...dev, logRetentionDays: 10 }, /dev\.logRetentionDays/],
    ['a certificate from another region', { ...dev, certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-4000-8000-000000000000' }, /dev\.certificateArn.*in eu-west-1/],
    ['a domain without a certificate', { ...dev, domainName: 'api.tracker.test' }, /dev\.domainName.*needs certificateArn/],
    ['an uppercase domain', { ...dev, domainName: 'Api.Tracker.test', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000' }, /dev\.domainName/],
    ['the latest tag', { ...dev, imageTag: 'latest' }, /dev\.imageTag = "latest"/],
    ['a tag ECR refuses', { ...dev, imageTag: 'has space' }, /dev\.imageTag/],
    ['a malformed alarm email', { ...dev, alarmEmail: 'ops' }, /dev\.alarmEmail/],
  ];

  it.each(cases)('%s', (_label, config, message) => {
    expect(() => validateConfig(config)).toThrow(ConfigError);
    expect(() => validateConfig(config)).toThrow(message);
  });

  it('reports overrides from the environment under the setting name', () => {
    expect(() => loadConfig({ INFRA_ENV: 'prod', INFRA_IMAGE_TAG: 'bad tag!' }, PROD_FILE)).toThrow(/prod\.imageTag/);
  });

  it('accepts both shipped environments', () => {
    expect(validateConfig(dev)).toBe(dev);
    expect(validateConfig(prod)).toBe(prod);
  });
});

describe('remote state', () => {
  it('is local unless the settings file names a bucket (dev only)', () => {
    expect(loadConfig({ INFRA_ENV: 'dev' }, {}).state).toBeUndefined();
  });

  it('derives key and region, and takes an optional lock table', () => {
    expect(loadConfig({ INFRA_ENV: 'prod' }, PROD_FILE).state).toEqual({
      bucket: 'my-state', key: 'tracker/prod/terraform.tfstate', region: 'eu-west-1', dynamodbTable: undefined,
    });
    expect(loadConfig({ INFRA_ENV: 'prod' }, { ...PROD_FILE, state: { bucket: 'my-state', dynamodbTable: 'locks' } }).state?.dynamodbTable).toBe('locks');
  });
});

describe('database connection budget', () => {
  it('counts the pool, the webhook worker and the realtime listener of each instance', () => {
    expect(connectionsPerInstance({ poolMax: 10, workerConcurrency: 4 })).toBe(17);
    expect(connectionsPerInstance({ poolMax: 10, workerConcurrency: 0 })).toBe(11);
  });

  it('fits both environments at their max size into their database class', () => {
    for (const config of [dev, prod]) expect(connectionBudget(config)).toBeLessThanOrEqual(maxConnectionsOf(config.db.instanceClass)!);
    expect(maxConnectionsOf('db.m7g.large')).toBe(811);
    expect(maxConnectionsOf('db.r7g.large')).toBe(1622);
  });
});
