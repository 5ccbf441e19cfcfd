import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Body, BOTH, named, ref, resources, synthesized, target } from './synthesized';

describe.each(BOTH)('migrations in %s', (environment) => {
  const json = synthesized(environment);
  const [[, documentResource]] = resources(json, 'aws_ssm_document');
  const document = JSON.parse(documentResource.content);
  const script: string = document.mainSteps[0].inputs.runCommand.join('\n');
  const template = json.resource.aws_launch_template[named(json, 'aws_launch_template', 'name', `tracker-${environment}-migrator`)];
  const roleName = named(json, 'aws_iam_role', 'name', `tracker-${environment}-migrator`);
  const statements: Body[] = resources(json, 'aws_iam_role_policy')
    .filter(([, p]) => p.role === ref('aws_iam_role', roleName))
    .flatMap(([, p]) => JSON.parse(p.policy).Statement);

  it('is an SSM Run Command document that runs npm run db:migrate from the given image', () => {
    expect(documentResource).toMatchObject({ name: `tracker-${environment}-migrate`, document_type: 'Command', document_format: 'JSON' });
    expect(document.mainSteps[0].action).toBe('aws:runShellScript');
    expect(script).toContain(':{{ ImageTag }}');
    expect(script).toMatch(/--entrypoint npm "\$IMAGE" run db:migrate/);
    expect(script).toContain('MIGRATION_DATABASE_URL=postgresql://');
    expect(script).toContain('sslmode=verify-full');
  });

  it('only accepts image tags that cannot inject shell', () => {
    const pattern = new RegExp(document.parameters.ImageTag.allowedPattern);
    expect(pattern.test('abc1234')).toBe(true);
    for (const bad of ['x; rm -rf /', '$(id)', "a'b", 'a b', '']) expect(pattern.test(bad)).toBe(false);
  });

  it('keeps the owner password off the command line and out of the API role', () => {
    expect(script).toContain('--env-file "$workdir/migrate.env"');
    expect(script).not.toMatch(/--env MIGRATION_DATABASE_URL|-e MIGRATION_DATABASE_URL/);
    const secrets = statements.filter((s) => s.Action.includes('secretsmanager:GetSecretValue')).flatMap((s) => s.Resource as string[]);
    expect(secrets).toEqual(expect.arrayContaining([expect.stringContaining('master_user_secret[0].secret_arn')]));
  });

  it('runs on a throwaway, hardened instance in a private subnet', () => {
    expect(template.instance_initiated_shutdown_behavior).toBe('terminate');
    expect(Buffer.from(template.user_data, 'base64').toString()).toMatch(/shutdown -h \+\d+/);
    expect(template.metadata_options.http_tokens).toBe('required');
    const [nic] = template.network_interfaces;
    expect(nic.associate_public_ip_address).toBe('false');
    expect(target(json, nic.subnet_id).body.tags.Tier).toBe('private');
  });

  it('is a POSIX shell script', () => {
    const rendered = script.replace(/\$\{[^}]+\}/g, 'terraform-value');
    execFileSync(existsSync('/usr/bin/dash') ? 'dash' : 'sh', ['-n'], { input: rendered });
  });
});
