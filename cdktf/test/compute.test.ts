import { execFileSync } from 'node:child_process';
import { DEFAULTS } from '../config';
import { type Body, BOTH, type TerraformJson, named, ref, resources, synthesized, target } from './synthesized';

function appParts(json: TerraformJson, environment: string) {
  const templateName = named(json, 'aws_launch_template', 'name', `tracker-${environment}-app`);
  const template = json.resource.aws_launch_template[templateName];
  const profile = target(json, template.iam_instance_profile.arn).body;
  const roleName = named(json, 'aws_iam_role', 'name', `tracker-${environment}-app`);
  const policies = resources(json, 'aws_iam_role_policy').filter(([, p]) => p.role === ref('aws_iam_role', roleName)).map(([, p]) => p);
  const attachments = resources(json, 'aws_iam_role_policy_attachment').filter(([, a]) => a.role === ref('aws_iam_role', roleName, 'name'));
  return { templateName, template, profile, roleName, policies, attachments, userData: Buffer.from(template.user_data, 'base64').toString('utf8') };
}

describe.each(BOTH)('compute in %s', (environment) => {
  const json = synthesized(environment);
  const config = DEFAULTS[environment];
  const { templateName, template, profile, roleName, policies, attachments, userData } = appParts(json, environment);
  const group = json.resource.aws_autoscaling_group[named(json, 'aws_autoscaling_group', 'name', `tracker-${environment}-app`)];

  it('launches current Amazon Linux 2023 from its public SSM parameter', () => {
    const ami = target(json, template.image_id);
    expect(ami.type).toBe('aws_ssm_parameter');
    expect(ami.body.name).toMatch(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-(arm64|x86_64)$/);
    expect(template.instance_type).toBe(config.instanceType);
  });

  it('requires IMDSv2 with a hop limit of 2', () => {
    expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 2, http_endpoint: 'enabled' });
  });

  it('has an encrypted gp3 root volume', () => {
    expect(template.block_device_mappings).toEqual([
      expect.objectContaining({ device_name: '/dev/xvda', ebs: expect.objectContaining({ encrypted: 'true', volume_type: 'gp3' }) }),
    ]);
  });

  it('grants only ECR pull, SSM, CloudWatch Logs and the app secret', () => {
    expect(profile.role).toBe(ref('aws_iam_role', roleName, 'name'));
    expect(attachments.map(([, a]) => a.policy_arn)).toEqual([expect.stringMatching(/:iam::aws:policy\/AmazonSSMManagedInstanceCore$/)]);
    const statements: Body[] = policies.flatMap((p) => JSON.parse(p.policy).Statement);
    const actions = statements.flatMap((s) => s.Action as string[]);
    expect(actions.every((a) => /^(ecr|logs|ssm|secretsmanager):/.test(a))).toBe(true);
    expect(actions).not.toContain('secretsmanager:*');
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      if ((statement.Resource as string[]).includes('*')) expect(statement.Action).toEqual(['ecr:GetAuthorizationToken']);
    }
    const secretReads = statements.filter((s) => s.Action.includes('secretsmanager:GetSecretValue')).flatMap((s) => s.Resource);
    expect(secretReads).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\..*\.arn\}$/)]);
    // The owner's (RDS master) password is for the migrator only.
    expect(JSON.stringify(policies)).not.toContain('master_user_secret');
  });

  it('boots the container from ECR with env from SSM and Secrets Manager and a long enough stop timeout', () => {
    expect(userData).toMatch(/dnf install -y -q docker/);
    expect(userData).toContain('aws ecr get-login-password');
    expect(userData).toContain('aws secretsmanager get-secret-value');
    expect(userData).toContain('aws ssm get-parameters');
    expect(userData).toContain('--env-file /etc/tracker/app.env');
    expect(userData).toContain(`ENV_PARAMETERS='/tracker/${environment}/env/NODE_ENV /tracker/${environment}/env/LOG_LEVEL /tracker/${environment}/env/SHUTDOWN_DRAIN_SECONDS'`);
    expect(userData).toContain(`IMAGE_TAG='${environment === 'prod' ? 'abc1234' : 'no-image-yet'}'`);
    const stopTimeout = Number(/STOP_TIMEOUT='(\d+)'/.exec(userData)?.[1]);
    const drain = Number(resources(json, 'aws_ssm_parameter').find(([, p]) => p.name.endsWith('/SHUTDOWN_DRAIN_SECONDS'))?.[1].value);
    expect(drain).toBe(15);
    expect(stopTimeout).toBe(45);
    expect(stopTimeout).toBeGreaterThan(drain + 15);
    expect(userData).toContain('--stop-timeout $STOP_TIMEOUT');
  });

  it('never migrates in the API containers', () => {
    expect(userData).not.toMatch(/migrate/i);
  });

  it('has user data that bash can parse', () => {
    execFileSync('bash', ['-n'], { input: userData });
  });

  it('uses ELB health checks, a grace period and the /health target group', () => {
    expect(group.health_check_type).toBe('ELB');
    expect(group.health_check_grace_period).toBeGreaterThan(0);
    expect(group.target_group_arns).toHaveLength(1);
    expect(target(json, group.target_group_arns[0]).body.health_check.path).toBe('/health');
    expect(group.launch_template.id).toBe(ref('aws_launch_template', templateName));
    const tiers = (group.vpc_zone_identifier as string[]).map((id) => target(json, id).body.tags.Tier);
    expect(tiers).toEqual(Array(config.azCount).fill('private'));
  });

  it('rolls deploys through an instance refresh that keeps full capacity', () => {
    expect(group.instance_refresh.strategy).toBe('Rolling');
    expect(group.instance_refresh.preferences.min_healthy_percentage).toBeGreaterThanOrEqual(90);
    expect(group.instance_refresh.preferences.auto_rollback).toBe(true);
    expect(group.launch_template.version).toContain('latest_version');
    expect(group.lifecycle.ignore_changes).toEqual(['desired_capacity']);
  });

  it('scales by target tracking', () => {
    const [[, policy]] = resources(json, 'aws_autoscaling_policy');
    expect(policy.policy_type).toBe('TargetTrackingScaling');
    expect(policy.autoscaling_group_name).toMatch(/^\$\{aws_autoscaling_group\./);
    expect(policy.target_tracking_configuration.predefined_metric_specification.predefined_metric_type).toMatch(/^(ASGAverageCPUUtilization|ALBRequestCountPerTarget)$/);
  });

  it(environment === 'prod' ? 'runs the configured capacity' : 'runs no instances until an image tag is given (bootstrap)', () => {
    const expected = environment === 'prod' ? [config.asg.min, config.asg.desired] : [0, 0];
    expect([group.min_size, group.desired_capacity]).toEqual(expected);
    expect(group.max_size).toBe(config.asg.max);
  });
});
