// Cross-cutting properties of the synthesized stacks: tags, outputs, state, portability.
import { loadConfig } from '../config';
import { BOTH, only, synthesized, target } from './synthesized';

describe.each(BOTH)('stack %s', (environment) => {
  const json = synthesized(environment);
  const tags = { Project: 'tracker', Environment: environment };

  it('tags every taggable resource with Project and Environment through default_tags', () => {
    const [provider] = json.provider.aws;
    expect(provider.default_tags).toEqual([{ tags: expect.objectContaining(tags) }]);
    // No resource may override them with another value.
    for (const [type, byName] of Object.entries(json.resource)) {
      for (const [name, body] of Object.entries(byName)) {
        for (const key of Object.keys(tags) as Array<keyof typeof tags>) {
          if (body.tags?.[key] !== undefined) expect(`${type}.${name} ${key}=${body.tags[key]}`).toBe(`${type}.${name} ${key}=${tags[key]}`);
        }
      }
    }
  });

  it('tags what default_tags cannot reach: the ASG, its instances and volumes', () => {
    const group = only(json, 'aws_autoscaling_group');
    for (const [key, value] of Object.entries(tags)) {
      expect(group.tag).toContainEqual({ key, value, propagate_at_launch: true });
    }
    for (const template of Object.values(json.resource.aws_launch_template)) {
      const types = template.tag_specifications.map((s: { resource_type: string }) => s.resource_type);
      expect(types).toEqual(['instance', 'volume']);
      for (const spec of template.tag_specifications) expect(spec.tags).toMatchObject(tags);
    }
  });

  it('outputs the ALB DNS name, ECR repository URL, DB endpoint and ASG name', () => {
    const value = (name: string): string => json.output[name].value;
    expect(target(json, value('alb_dns_name')).type).toBe('aws_lb');
    expect(target(json, value('ecr_repository_url')).type).toBe('aws_ecr_repository');
    expect(value('db_endpoint')).toMatch(/^\$\{aws_db_instance\.[^}]+\.address\}:5432$/);
    expect(target(json, value('asg_name')).type).toBe('aws_autoscaling_group');
  });

  it('lets the provider touch only the account of the settings file (allowed_account_ids)', () => {
    const [provider] = json.provider.aws;
    expect(provider.allowed_account_ids).toEqual([loadConfig({ INFRA_ENV: environment }).accountId]);
    expect(provider.allowed_account_ids[0]).toMatch(/^\d{12}$/);
  });

  it('asks for exactly the AWS provider the offline mirror holds', () => {
    expect(json.terraform.required_providers.aws.version).toBe('5.100.0');
    expect(json.terraform.required_version).toBe('>= 1.10');
  });

  it(environment === 'prod' ? 'keeps state in S3 with locking when INFRA_STATE_BUCKET is set' : 'keeps state locally when no bucket is configured', () => {
    if (environment === 'prod') {
      expect(json.terraform.backend).toEqual({
        s3: { bucket: 'tracker-terraform-state', key: 'tracker/prod/terraform.tfstate', region: 'eu-west-1', encrypt: true, use_lockfile: true },
      });
    } else {
      expect(Object.keys(json.terraform.backend)).toEqual(['local']);
    }
  });

  it('is plain Terraform JSON: no unresolved CDKTF tokens, no CDKTF-only backends', () => {
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/TfToken|\$\{Token\[/);
    expect(Object.keys(json.terraform.backend)[0]).toMatch(/^(local|s3)$/);
    expect(json.terraform.cloud).toBeUndefined();
  });
});

describe('the infrastructure workspace', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const infra = require('../package.json') as { devDependencies: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const root = require('../../package.json') as { workspaces: string[]; dependencies: Record<string, string>; devDependencies: Record<string, string> };

  it('pins the CDKTF CLI with the libraries, so `npx cdktf synth|deploy` works on a fresh clone', () => {
    for (const name of ['cdktf', 'cdktf-cli', 'constructs', '@cdktf/provider-aws']) expect(infra.devDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
    // The provider bindings generate for exactly the AWS provider the offline mirror holds.
    expect(infra.devDependencies['@cdktf/provider-aws']).toBe('20.1.0');
    expect(infra.devDependencies['cdktf-cli']).toBe(infra.devDependencies.cdktf);
  });

  it('is a workspace of the root, whose own dependencies (the API image) never include it', () => {
    expect(root.workspaces).toContain('cdktf');
    for (const name of Object.keys(infra.devDependencies)) {
      expect(root.dependencies[name]).toBeUndefined();
      expect(root.devDependencies[name]).toBeUndefined();
    }
  });
});
