import { ConfigError, DEFAULTS, type EnvironmentConfig, loadConfig, loadRemoteState, validateConfig } from '../config';

const dev = DEFAULTS.dev;
const prod = DEFAULTS.prod;

describe('environment selection', () => {
  it('defaults to dev and selects prod with INFRA_ENV', () => {
    expect(loadConfig({}).environment).toBe('dev');
    expect(loadConfig({ INFRA_ENV: 'prod' }).environment).toBe('prod');
  });

  it('rejects an unknown INFRA_ENV, naming the variable', () => {
    expect(() => loadConfig({ INFRA_ENV: 'staging' })).toThrow(/INFRA_ENV must be one of dev, prod \(got "staging"\)/);
  });

  it('applies the INFRA_* overrides', () => {
    const config = loadConfig({ INFRA_ENV: 'dev', INFRA_IMAGE_TAG: 'abc1234', INFRA_ALARM_EMAIL: 'a@b.co' });
    expect(config.imageTag).toBe('abc1234');
    expect(config.alarmEmail).toBe('a@b.co');
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
    expect(() => loadConfig({ INFRA_ENV: 'prod', INFRA_IMAGE_TAG: 'bad tag!' })).toThrow(/prod\.imageTag/);
  });

  it('accepts both shipped environments', () => {
    expect(validateConfig(dev)).toBe(dev);
    expect(validateConfig(prod)).toBe(prod);
  });
});

describe('remote state', () => {
  it('is local unless INFRA_STATE_BUCKET is set', () => {
    expect(loadRemoteState({}, dev)).toBeUndefined();
  });

  it('derives key and region, and takes an optional lock table', () => {
    expect(loadRemoteState({ INFRA_STATE_BUCKET: 'my-state' }, prod)).toEqual({
      bucket: 'my-state', key: 'tracker/prod/terraform.tfstate', region: 'eu-west-1', dynamodbTable: undefined,
    });
    expect(loadRemoteState({ INFRA_STATE_BUCKET: 'my-state', INFRA_STATE_LOCK_TABLE: 'locks' }, prod)?.dynamodbTable).toBe('locks');
  });

  it('rejects a bad bucket or region, naming the variable', () => {
    expect(() => loadRemoteState({ INFRA_STATE_BUCKET: 'My_Bucket' }, dev)).toThrow(/INFRA_STATE_BUCKET/);
    expect(() => loadRemoteState({ INFRA_STATE_BUCKET: 'ok-bucket', INFRA_STATE_REGION: 'mars' }, dev)).toThrow(/INFRA_STATE_REGION/);
  });
});
