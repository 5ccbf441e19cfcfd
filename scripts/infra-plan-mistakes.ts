// What the plan-level tests (cdktf/plan-tests/stack.tftest.hcl) point at in a synthesized
// stack, and one planted mistake per rule that the tests must catch (scripts/infra-plan-test.ts).
import { DEFAULTS, type EnvironmentName } from '../cdktf/config';

type Body = Record<string, any>;
export interface StackJson {
  terraform: Body;
  resource: Record<string, Record<string, Body>>;
  data: Record<string, Record<string, Body>>;
  [key: string]: unknown;
}

function find(json: StackJson, type: string, matches: (body: Body) => boolean = () => true): string {
  const found = Object.entries(json.resource[type] ?? {}).filter(([, body]) => matches(body));
  if (found.length !== 1) throw new Error(`expected one ${type} in the stack, found ${found.length}`);
  return `${type}.${found[0][0]}`;
}
const all = (json: StackJson, type: string) => `[${Object.keys(json.resource[type] ?? {}).map((name) => `${type}.${name}`).join(', ')}]`;
const body = (json: StackJson, address: string): Body => {
  const [type, name] = address.split('.');
  return json.resource[type][name];
};
const interpolate = (address: string, attribute: string) => `\${${address}.${attribute}}`;

/** The @{name} values of the test file for one synthesized stack. */
export function addressesOf(environment: EnvironmentName, json: StackJson): Record<string, string> {
  const prefix = `tracker-${environment}`;
  const group = (suffix: string) => find(json, 'aws_security_group', (b) => b.name === `${prefix}-${suffix}`);
  const endpoints = Object.entries(json.resource.aws_security_group).find(([, b]) => b.name === `${prefix}-endpoints`);
  const listeners = Object.entries(json.resource.aws_lb_listener);
  const serving = listeners.find(([, b]) => b.port === 443) ?? listeners.find(([, b]) => b.port === 80)!;
  const appRole = find(json, 'aws_iam_role', (b) => b.name === `${prefix}-app`);
  const bucket = find(json, 'aws_s3_bucket', (b) => b.bucket_prefix === `${prefix}-attachments-`);
  const ofBucket = (b: Body) => b.bucket === interpolate(bucket, 'id');
  const latest = Object.entries(json.data.aws_ssm_parameter ?? {}).filter(([, b]) => String(b.name).startsWith('/aws/service/'));
  if (latest.length !== 1) throw new Error(`expected one public AMI parameter, found ${latest.length}`);
  const values: Record<string, string> = {
    env: environment,
    minCapacity: String(environment === 'prod' ? DEFAULTS.prod.azCount : 1),
    listenerPorts: `[${listeners.map(([, b]) => b.port).sort().join(', ')}]`,
    asg: find(json, 'aws_autoscaling_group'),
    ingressRules: all(json, 'aws_vpc_security_group_ingress_rule'),
    sgAlb: group('alb'),
    sgApp: group('app'),
    sgDb: group('db'),
    sgCache: group('cache'),
    sgEndpoints: endpoints ? `aws_security_group.${endpoints[0]}.id` : '"none"',
    db: find(json, 'aws_db_instance'),
    dbParameters: find(json, 'aws_db_parameter_group'),
    lb: find(json, 'aws_lb'),
    tg: find(json, 'aws_lb_target_group'),
    servingListener: `aws_lb_listener.${serving[0]}`,
    publicPathsRule: find(json, 'aws_lb_listener_rule'),
    acl: find(json, 'aws_wafv2_web_acl'),
    wafAssociation: find(json, 'aws_wafv2_web_acl_association'),
    wafLogging: find(json, 'aws_wafv2_web_acl_logging_configuration'),
    wafLogGroup: find(json, 'aws_cloudwatch_log_group', (b) => String(b.name).includes('waf-logs')),
    alarms: all(json, 'aws_cloudwatch_metric_alarm'),
    flowLog: find(json, 'aws_flow_log'),
    vpc: find(json, 'aws_vpc'),
    agentConfig: find(json, 'aws_ssm_parameter', (b) => String(b.name).endsWith('/cloudwatch-agent')),
    scalingPolicies: all(json, 'aws_autoscaling_policy'),
    appTemplate: find(json, 'aws_launch_template', (b) => b.name === `${prefix}-app`),
    migratorTemplate: find(json, 'aws_launch_template', (b) => b.name === `${prefix}-migrator`),
    policyAttachments: all(json, 'aws_iam_role_policy_attachment'),
    appPolicy: find(json, 'aws_iam_role_policy', (b) => b.role === interpolate(appRole, 'id')),
    cache: find(json, 'aws_elasticache_replication_group'),
    bucket,
    bucketBlock: find(json, 'aws_s3_bucket_public_access_block', ofBucket),
    bucketLifecycle: find(json, 'aws_s3_bucket_lifecycle_configuration', ofBucket),
    latestAmi: `data.aws_ssm_parameter.${latest[0][0]}`,
  };
  for (const [name] of Object.entries(json.resource.aws_ssm_parameter)) {
    const key = /\/env\/([A-Z_]+)$/.exec(json.resource.aws_ssm_parameter[name].name)?.[1];
    if (key) values[`envParam.${key}`] = `aws_ssm_parameter.${name}`;
  }
  return values;
}

export interface PlantedMistake {
  /** The rule id (the `[id]` that starts the assertion's message) this mistake must fail. */
  readonly rule: string;
  readonly description: string;
  readonly environments: readonly EnvironmentName[];
  /** Edits the synthesized deploy (and bootstrap) stack in place. */
  plant(deploy: StackJson, bootstrap: StackJson): void;
}

const BOTH: EnvironmentName[] = ['dev', 'prod'];
const at = (json: StackJson, key: string) => body(json, addressesOf(envOf(json), json)[key]);
function envOf(json: StackJson): EnvironmentName {
  return Object.values(json.resource.aws_autoscaling_group)[0].name.includes('-prod-') ? 'prod' : 'dev';
}

export const PLANTED_MISTAKES: readonly PlantedMistake[] = [
  { rule: 'bootstrap', description: 'the bootstrap stack starts an instance', environments: BOTH, plant: (_d, b) => { at(b, 'asg').min_size = 1; } },
  { rule: 'capacity', description: 'min_size below the required capacity (prod: 2 for 3 AZs)', environments: BOTH, plant: (d) => { at(d, 'asg').min_size = envOf(d) === 'prod' ? 2 : 0; } },
  {
    rule: 'sg-chain', description: 'PostgreSQL open to 10.0.0.0/8', environments: BOTH, plant: (d) => {
      d.resource.aws_vpc_security_group_ingress_rule.planted = {
        security_group_id: interpolate(addressesOf(envOf(d), d).sgDb, 'id'), cidr_ipv4: '10.0.0.0/8', ip_protocol: 'tcp', from_port: 5432, to_port: 5432,
      };
    },
  },
  { rule: 'health-check', description: 'health check on / instead of /health', environments: BOTH, plant: (d) => { at(d, 'tg').health_check.path = '/'; } },
  { rule: 'metrics-port', description: 'METRICS_PORT set to the API port', environments: BOTH, plant: (d) => { at(d, 'envParam.METRICS_PORT').value = '4000'; } },
  { rule: 'public-paths', description: '/ready forwarded by the load balancer', environments: BOTH, plant: (d) => { at(d, 'publicPathsRule').condition[0].path_pattern.values.push('/ready'); } },
  { rule: 'prod-https', description: 'the prod listener without its certificate', environments: ['prod'], plant: (d) => { delete at(d, 'servingListener').certificate_arn; } },
  { rule: 'waf', description: 'the web ACL attached to the target group instead of the load balancer', environments: BOTH, plant: (d) => { at(d, 'wafAssociation').resource_arn = interpolate(addressesOf(envOf(d), d).tg, 'arn'); } },
  { rule: 'waf-rules', description: 'the rate-based rule removed', environments: BOTH, plant: (d) => { const acl = at(d, 'acl'); acl.rule = acl.rule.filter((r: Body) => !r.statement.rate_based_statement); } },
  { rule: 'waf-logging', description: 'WAF logs sent to a group WAF cannot write to', environments: BOTH, plant: (d) => { at(d, 'wafLogGroup').name = 'waf-logs-planted'; } },
  { rule: 'alarms', description: 'the zero-healthy-targets alarm watches UnHealthyHostCount', environments: BOTH, plant: (d) => { Object.values(d.resource.aws_cloudwatch_metric_alarm).find((a) => a.metric_name === 'HealthyHostCount')!.metric_name = 'UnHealthyHostCount'; } },
  { rule: 'alarms-db', description: 'the freeable-memory alarm watches swap instead', environments: BOTH, plant: (d) => { Object.values(d.resource.aws_cloudwatch_metric_alarm).find((a) => a.metric_name === 'FreeableMemory')!.metric_name = 'SwapUsage'; } },
  { rule: 'refresh-rollback', description: 'instance refresh without alarms', environments: BOTH, plant: (d) => { delete at(d, 'asg').instance_refresh.preferences.alarm_specification; } },
  { rule: 'flow-logs', description: 'flow logs of rejected traffic only', environments: BOTH, plant: (d) => { at(d, 'flowLog').traffic_type = 'REJECT'; } },
  {
    rule: 'agent', description: 'the CloudWatch agent without the Prometheus scrape', environments: BOTH, plant: (d) => {
      const parameter = at(d, 'agentConfig');
      const config = JSON.parse(parameter.value);
      delete config.logs;
      parameter.value = JSON.stringify(config);
    },
  },
  {
    rule: 'request-scaling', description: 'request-count scaling replaced by network-in', environments: BOTH, plant: (d) => {
      const policy = Object.values(d.resource.aws_autoscaling_policy).find((p) => p.target_tracking_configuration.predefined_metric_specification.resource_label)!;
      policy.target_tracking_configuration.predefined_metric_specification = { predefined_metric_type: 'ASGAverageNetworkIn' };
    },
  },
  { rule: 'non-burstable', description: 'prod on t4g.medium', environments: ['prod'], plant: (d) => { at(d, 'appTemplate').instance_type = 't4g.medium'; } },
  {
    rule: 'no-managed-ssm', description: 'AmazonSSMManagedInstanceCore attached to the API role', environments: BOTH, plant: (d) => {
      const role = find(d, 'aws_iam_role', (b) => b.name === `tracker-${envOf(d)}-app`);
      d.resource.aws_iam_role_policy_attachment = { planted: { role: interpolate(role, 'name'), policy_arn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' } };
    },
  },
  {
    rule: 'scoped-reads', description: 'ssm:GetParameter on * in the API role', environments: BOTH, plant: (d) => {
      const policy = at(d, 'appPolicy');
      const document = JSON.parse(policy.policy);
      document.Statement.push({ Sid: 'Planted', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: ['*'] });
      policy.policy = JSON.stringify(document);
    },
  },
  { rule: 'imds', description: 'migrator hop limit 2', environments: BOTH, plant: (d) => { at(d, 'migratorTemplate').metadata_options.http_put_response_hop_limit = 2; } },
  { rule: 'db-major', description: 'PostgreSQL 16', environments: BOTH, plant: (d) => { at(d, 'db').engine_version = '16'; at(d, 'dbParameters').family = 'postgres16'; } },
  { rule: 'drain', description: 'SHUTDOWN_DRAIN_SECONDS 15, shorter than the ALB needs to notice', environments: BOTH, plant: (d) => { at(d, 'envParam.SHUTDOWN_DRAIN_SECONDS').value = '15'; } },
  { rule: 'cache', description: 'the cache without TLS', environments: BOTH, plant: (d) => { const cache = at(d, 'cache'); cache.transit_encryption_enabled = false; delete cache.transit_encryption_mode; } },
  { rule: 'cache-url', description: 'REDIS_URL without TLS', environments: BOTH, plant: (d) => { const p = at(d, 'envParam.REDIS_URL'); p.value = p.value.replace('rediss://', 'redis://'); } },
  { rule: 'bucket-private', description: 'the attachments bucket accepts a public policy', environments: BOTH, plant: (d) => { at(d, 'bucketBlock').block_public_policy = false; } },
  { rule: 'bucket-lifecycle', description: 'unfinished uploads kept forever', environments: BOTH, plant: (d) => { const l = at(d, 'bucketLifecycle'); l.rule = l.rule.filter((r: Body) => !r.abort_incomplete_multipart_upload); } },
  {
    rule: 'ami-pinned', description: 'the AMI parameter follows the public one (no ignore_changes)', environments: BOTH, plant: (d) => {
      const template = at(d, 'appTemplate');
      const [type, name] = /^\$\{([^.]+)\.([^.]+)\./.exec(template.image_id)!.slice(1);
      delete d.resource[type][name].lifecycle;
    },
  },
];
