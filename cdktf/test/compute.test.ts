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

  it('launches the AMI pinned in its own SSM parameter, which never follows the public one by itself', () => {
    const ami = target(json, template.image_id);
    expect(template.image_id).toMatch(/^\$\{aws_ssm_parameter\.[^.]+\.insecure_value\}$/);
    expect(ami.body).toMatchObject({ name: `/tracker/${environment}/ami-id`, data_type: 'aws:ec2:image', lifecycle: { ignore_changes: ['insecure_value'] } });
    const latest = target(json, ami.body.insecure_value);
    expect(latest.type).toBe('aws_ssm_parameter');
    expect(latest.body.name).toMatch(/^\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-(arm64|x86_64)$/);
    expect(template.instance_type).toBe(config.instanceType);
    // The migrator boots the same pinned AMI.
    const migrator = json.resource.aws_launch_template[named(json, 'aws_launch_template', 'name', `tracker-${environment}-migrator`)];
    expect(migrator.image_id).toBe(template.image_id);
  });

  it('requires IMDSv2; hop limit 2 for the API (it signs S3 URLs with the role), 1 for the migrator', () => {
    expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 2, http_endpoint: 'enabled' });
    const migrator = json.resource.aws_launch_template[named(json, 'aws_launch_template', 'name', `tracker-${environment}-migrator`)];
    expect(migrator.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
  });

  it(environment === 'prod' ? 'runs non-burstable instances' : 'may run burstable instances', () => {
    if (environment === 'prod') expect(template.instance_type).not.toMatch(/^t\d/);
  });

  it('has an encrypted gp3 root volume', () => {
    expect(template.block_device_mappings).toEqual([
      expect.objectContaining({ device_name: '/dev/xvda', ebs: expect.objectContaining({ encrypted: 'true', volume_type: 'gp3' }) }),
    ]);
  });

  it('grants only ECR pull, the SSM agent, CloudWatch, the app secret and parameters, and attachment objects', () => {
    expect(profile.role).toBe(ref('aws_iam_role', roleName, 'name'));
    // No managed policy: AmazonSSMManagedInstanceCore allows ssm:GetParameter(s) on every parameter.
    expect(attachments).toEqual([]);
    const statements: Body[] = policies.flatMap((p) => JSON.parse(p.policy).Statement);
    const actions = statements.flatMap((s) => s.Action as string[]);
    expect(actions.every((a) => /^(ecr|logs|ssm|ssmmessages|ec2messages|secretsmanager|cloudwatch|ec2|s3):/.test(a))).toBe(true);
    expect(actions.filter((a) => a.endsWith('*'))).toEqual([]);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      if ((statement.Resource as string[]).includes('*')) {
        // Only calls that take no resource, and never a parameter or secret read.
        expect(['EcrToken', 'SsmAgent', 'AgentMetrics', 'AgentTags']).toContain(statement.Sid);
        expect(statement.Action).not.toEqual(expect.arrayContaining(['ssm:GetParameter']));
        expect(statement.Action).not.toEqual(expect.arrayContaining(['ssm:GetParameters']));
      }
    }
    const parameterReads = statements.filter((s) => s.Action.includes('ssm:GetParameter')).flatMap((s) => s.Resource as string[]);
    for (const resource of parameterReads) expect(resource).toMatch(/^\$\{aws_ssm_parameter\.[^.]+\.arn\}$/);
    const objects = statements.filter((s) => s.Action.some((a: string) => a.startsWith('s3:')));
    expect(objects).toEqual([expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: [expect.stringMatching(/^\$\{aws_s3_bucket\.attachments_bucket_[^.]+\.arn\}\/\*$/)] })]);
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
    const env = ['NODE_ENV', 'LOG_LEVEL', 'SHUTDOWN_DRAIN_SECONDS', 'METRICS_PORT', 'DB_POOL_MAX', 'WEBHOOK_WORKER_CONCURRENCY', 'REDIS_URL', 'AWS_REGION', 'ATTACHMENTS_BUCKET'];
    expect(userData).toContain(`ENV_PARAMETERS='${env.map((key) => `/tracker/${environment}/env/${key}`).join(' ')}'`);
    expect(userData).toContain(`IMAGE_TAG='${environment === 'prod' ? 'abc1234' : 'no-image-yet'}'`);
    const stopTimeout = Number(/STOP_TIMEOUT='(\d+)'/.exec(userData)?.[1]);
    const drain = Number(resources(json, 'aws_ssm_parameter').find(([, p]) => p.name.endsWith('/SHUTDOWN_DRAIN_SECONDS'))?.[1].value);
    expect(drain).toBe(30);
    expect(stopTimeout).toBe(60);
    // Drain plus the API's SHUTDOWN_TIMEOUT_SECONDS (20).
    expect(stopTimeout).toBeGreaterThan(drain + 20);
    expect(userData).toContain('--stop-timeout $STOP_TIMEOUT');
  });

  it('never migrates in the API containers', () => {
    expect(userData).not.toMatch(/migrate/i);
  });

  it('sets METRICS_PORT, publishes it on the loopback only, and scrapes it with the CloudWatch agent', () => {
    const metricsPort = resources(json, 'aws_ssm_parameter').find(([, p]) => p.name === `/tracker/${environment}/env/METRICS_PORT`)?.[1].value;
    expect(metricsPort).toBe('9464');
    expect(userData).toContain(`METRICS_PORT='${metricsPort}'`);
    expect(userData).toContain('--publish 127.0.0.1:$METRICS_PORT:$METRICS_PORT');
    expect(userData).not.toMatch(/--publish (0\.0\.0\.0:)?\$METRICS_PORT/);
    expect(userData).toContain("targets: ['127.0.0.1:$METRICS_PORT']");
    expect(userData).toContain('amazon-cloudwatch-agent-ctl -a fetch-config');
    const agent = JSON.parse(resources(json, 'aws_ssm_parameter').find(([, p]) => p.name === `/tracker/${environment}/boot/cloudwatch-agent`)![1].value);
    expect(Object.keys(agent.metrics.metrics_collected).sort()).toEqual(['disk', 'mem']);
    expect(agent.logs.metrics_collected.prometheus.prometheus_config_path).toBe('/etc/tracker/prometheus.yaml');
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
    // A refresh that sets off these alarms is rolled back.
    expect(group.instance_refresh.preferences.alarm_specification.alarms).toEqual([`tracker-${environment}-5xx-rate`, `tracker-${environment}-unhealthy-hosts`]);
    expect(group.launch_template.version).toContain('latest_version');
    expect(group.lifecycle.ignore_changes).toEqual(['desired_capacity']);
  });

  it('scales by target tracking on CPU and on requests per target', () => {
    const policies = resources(json, 'aws_autoscaling_policy').map(([, p]) => p);
    for (const policy of policies) {
      expect(policy.policy_type).toBe('TargetTrackingScaling');
      expect(policy.autoscaling_group_name).toMatch(/^\$\{aws_autoscaling_group\./);
    }
    const specs = policies.map((p) => p.target_tracking_configuration.predefined_metric_specification);
    expect(specs.map((m) => m.predefined_metric_type).sort()).toEqual(['ALBRequestCountPerTarget', 'ASGAverageCPUUtilization']);
    expect(specs.find((m) => m.resource_label)?.resource_label).toMatch(/^\$\{aws_lb\.[^.]+\.arn_suffix\}\/\$\{aws_lb_target_group\.[^.]+\.arn_suffix\}$/);
  });

  it(environment === 'prod' ? 'runs the configured capacity' : 'runs no instances until an image tag is given (bootstrap)', () => {
    const expected = environment === 'prod' ? [config.asg.min, config.asg.desired] : [0, 0];
    expect([group.min_size, group.desired_capacity]).toEqual(expected);
    expect(group.max_size).toBe(config.asg.max);
  });
});
