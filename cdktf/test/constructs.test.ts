// Constructs refuse bad inputs at synth time, before Terraform or AWS sees them.
import { App, TerraformStack } from 'cdktf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Compute, type ComputeProps, architectureOf } from '../constructs/compute';
import { Database } from '../constructs/database';
import { LoadBalancer } from '../constructs/load-balancer';
import { Network } from '../constructs/network';
import { Registry } from '../constructs/registry';
import { SecurityGroups } from '../constructs/security-groups';
import { renderTemplate, renderText } from '../templates/render';

const outdir = mkdtempSync(join(tmpdir(), 'tracker-infra-constructs-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));
let count = 0;
const stack = () => new TerraformStack(new App({ outdir, stackTraces: false }), `test-${count++}`);

const computeProps: ComputeProps = {
  namePrefix: 'tracker-test',
  region: 'eu-west-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-app'],
  targetGroupArn: 'arn:tg',
  requestCountResourceLabel: 'app/lb/1/targetgroup/tg/2',
  imageId: 'ami-0123456789abcdef0',
  metricsLogGroupName: '/tracker/test/metrics',
  metricsPort: 9464,
  repositoryUrl: '123.dkr.ecr.eu-west-1.amazonaws.com/tracker',
  repositoryArn: 'arn:repo',
  imageTag: 'abc',
  secretArn: 'arn:secret',
  secretName: 'tracker/test/app',
  parameterNames: ['/tracker/test/env/LOG_LEVEL'],
  parameterArns: ['arn:param'],
  bootParameterPath: '/tracker/test/boot',
  logGroupName: '/tracker/test/app',
  logGroupArn: 'arn:logs',
  database: { host: 'db.internal', port: 5432, name: 'tracker' },
  minSize: 1,
  desiredCapacity: 1,
  maxSize: 2,
};

describe('construct input validation', () => {
  it('Network needs at least two AZs', () => {
    expect(() => new Network(stack(), 'n', { namePrefix: 't', region: 'eu-west-1', cidr: '10.0.0.0/16', azCount: 1 })).toThrow(/azCount must be 2-6/);
  });

  it('SecurityGroups rejects impossible ports', () => {
    expect(() => new SecurityGroups(stack(), 's', { namePrefix: 't', vpcId: 'vpc', appPort: 70000 })).toThrow(/bad port 70000/);
  });

  it('Registry rejects names ECR refuses and an empty retention', () => {
    expect(() => new Registry(stack(), 'r', { repositoryName: 'Tracker' })).toThrow(/invalid repository name/);
    expect(() => new Registry(stack(), 'r', { repositoryName: 'tracker', keepTaggedImages: 0 })).toThrow(/keepTaggedImages/);
  });

  it('Database needs two subnets and coherent storage', () => {
    const base = { identifier: 'db', subnetIds: ['a', 'b'], securityGroupIds: ['sg'] };
    expect(() => new Database(stack(), 'd', { ...base, subnetIds: ['a'] })).toThrow(/at least two AZs/);
    expect(() => new Database(stack(), 'd', { ...base, allocatedStorageGb: 50, maxAllocatedStorageGb: 20 })).toThrow(/maxAllocatedStorageGb/);
  });

  it('LoadBalancer checks its health check and drain settings', () => {
    const base = { namePrefix: 't', vpcId: 'vpc', publicSubnetIds: ['a', 'b'], securityGroupIds: ['sg'] };
    expect(() => new LoadBalancer(stack(), 'l', { ...base, healthCheckPath: 'health' })).toThrow(/must start with \//);
    expect(() => new LoadBalancer(stack(), 'l', { ...base, healthCheckIntervalSeconds: 1 })).toThrow(/healthCheckIntervalSeconds/);
    expect(() => new LoadBalancer(stack(), 'l', { ...base, publicSubnetIds: ['a'] })).toThrow(/two AZs/);
  });

  it('Compute wants a stop timeout above the drain and coherent capacity', () => {
    expect(() => new Compute(stack(), 'c', { ...computeProps, stopTimeoutSeconds: 45, shutdownDrainSeconds: 25 })).toThrow(/must exceed shutdownDrainSeconds \+ shutdownTimeoutSeconds \(25 \+ 20\)/);
    expect(() => new Compute(stack(), 'c', { ...computeProps, metricsPort: 4000 })).toThrow(/metricsPort must differ from appPort/);
    const eleven = Array.from({ length: 11 }, (_, i) => `/tracker/test/env/K${i}`);
    expect(() => new Compute(stack(), 'c', { ...computeProps, parameterNames: eleven, parameterArns: eleven })).toThrow(/at most 10/);
    expect(() => new Compute(stack(), 'c', { ...computeProps, minSize: 3, desiredCapacity: 2 })).toThrow(/min <= desired <= max/);
    expect(() => new Compute(stack(), 'c', { ...computeProps, secretName: '${aws_secretsmanager_secret.x.name}' })).toThrow(/literal names/);
    expect(() => new Compute(stack(), 'c', computeProps)).not.toThrow();
  });

  it('picks arm64 for Graviton instance types', () => {
    expect(architectureOf('t4g.small')).toBe('arm64');
    expect(architectureOf('c7gn.large')).toBe('arm64');
    expect(architectureOf('t3.small')).toBe('x86_64');
    expect(architectureOf('m7i.large')).toBe('x86_64');
  });
});

describe('shell templates', () => {
  it('refuse text Terraform would interpolate', () => {
    expect(() => renderText('t.sh', 'echo "${HOME}"', {})).toThrow(/"\$\{" would be interpolated by Terraform/);
    expect(() => renderText('t.sh', 'printf "%{x}"', {})).toThrow(/"%\{" would be interpolated/);
    // Values may hold Terraform references on purpose; only the template text is checked.
    expect(renderText('t.sh', "ID='@@ID@@' $HOME", { ID: '${aws_x.y.id}' })).toBe("ID='${aws_x.y.id}' $HOME");
  });

  it('insist on every placeholder and every value', () => {
    expect(() => renderText('t.sh', '@@A@@ @@B@@', { A: 1 })).toThrow(/no value for @@B@@/);
    expect(() => renderText('t.sh', '@@A@@', { A: 1, B: 2 })).toThrow(/unused values B/);
    expect(() => renderTemplate('migrate.sh', {})).toThrow(/no value for @@/);
  });
});
