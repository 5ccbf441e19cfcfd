import { PUBLIC_PATHS, TLS_POLICY, detectionSeconds } from '../constructs/load-balancer';
import { TEST_CERTIFICATE_ARN } from './synth-cases';
import { BOTH, type Body, only, ref, resources, synthesized, target } from './synthesized';

describe.each(BOTH)('load balancer in %s', (environment) => {
  const json = synthesized(environment);
  const lb = only(json, 'aws_lb');
  const [[targetGroupName, targetGroup]] = resources(json, 'aws_lb_target_group');
  const listeners = resources(json, 'aws_lb_listener').map(([, l]) => l);
  const forward = [{ type: 'forward', target_group_arn: ref('aws_lb_target_group', targetGroupName, 'arn') }];
  const notFound = [{ type: 'fixed-response', fixed_response: { status_code: '404', content_type: 'text/plain', message_body: 'Not found' } }];
  const rules = resources(json, 'aws_lb_listener_rule').map(([, r]) => r);

  /** ALB path-pattern semantics: case-sensitive, `*` any run of characters, `?` one character. */
  const matches = (pattern: string, path: string) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(path);
  /** Whether the listener serving the API forwards a path to the instances. */
  const forwards = (path: string) => rules.some((rule) =>
    rule.action.some((a: { type: string }) => a.type === 'forward')
    && rule.condition.some((c: { path_pattern?: { values: string[] } }) => c.path_pattern?.values.some((p) => matches(p, path))));

  it('forwards only /graphql and /health; /metrics and /ready in any spelling get the ALB\'s 404', () => {
    const serving = listeners.find((l) => l.port === (environment === 'prod' ? 443 : 80));
    expect(serving?.default_action).toEqual(notFound);
    expect(rules).toHaveLength(1);
    expect(rules[0].listener_arn).toMatch(environment === 'prod' ? /^\$\{aws_lb_listener\.load-balancer_https_/ : /^\$\{aws_lb_listener\.load-balancer_http_/);
    expect(rules[0].condition).toEqual([{ path_pattern: { values: PUBLIC_PATHS } }]);
    for (const path of ['/graphql', '/graphql/ide/app.js', '/health']) expect(forwards(path)).toBe(true);
    for (const path of ['/metrics', '/ready', '/READY', '/Metrics', '/ready/', '/metrics?x=1', '/', '/graphqlx']) expect(forwards(path)).toBe(false);
  });

  it('drains longer than the ALB needs to notice a target that stopped on its own', () => {
    const drain = Number(resources(json, 'aws_ssm_parameter').find(([, p]) => p.name.endsWith('/env/SHUTDOWN_DRAIN_SECONDS'))?.[1].value);
    expect(drain).toBeGreaterThan(detectionSeconds(targetGroup.health_check.interval));
    expect(targetGroup.health_check.interval * targetGroup.health_check.unhealthy_threshold + targetGroup.health_check.timeout).toBeLessThan(drain);
  });

  it('sits behind a WAF web ACL with AWS managed rules, a per-IP rate limit and logging', () => {
    const [[aclName, acl]] = resources(json, 'aws_wafv2_web_acl');
    expect(acl).toMatchObject({ scope: 'REGIONAL', default_action: { allow: {} } });
    const managed = acl.rule.filter((r: Body) => r.statement.managed_rule_group_statement).map((r: Body) => r.statement.managed_rule_group_statement.name);
    expect(managed.sort()).toEqual(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    const rate = acl.rule.find((r: Body) => r.statement.rate_based_statement);
    expect(rate).toMatchObject({ action: { block: {} }, statement: { rate_based_statement: { aggregate_key_type: 'IP' } } });
    const [[lbName]] = resources(json, 'aws_lb');
    expect(only(json, 'aws_wafv2_web_acl_association')).toMatchObject({ resource_arn: ref('aws_lb', lbName, 'arn'), web_acl_arn: ref('aws_wafv2_web_acl', aclName, 'arn') });
    const logging = only(json, 'aws_wafv2_web_acl_logging_configuration');
    expect(logging.resource_arn).toBe(ref('aws_wafv2_web_acl', aclName, 'arn'));
    expect(target(json, logging.log_destination_configs[0]).body.name).toMatch(/^aws-waf-logs-/);
    expect(logging.redacted_fields).toEqual(expect.arrayContaining([{ single_header: { name: 'authorization' } }]));
  });

  it('is an internet-facing ALB in the public subnets', () => {
    expect(lb.load_balancer_type).toBe('application');
    expect(lb.internal).toBe(false);
    const tiers = (lb.subnets as string[]).map((id) => target(json, id).body.tags.Tier);
    expect(new Set(tiers)).toEqual(new Set(['public']));
    expect(tiers.length).toBeGreaterThanOrEqual(2);
  });

  it('drops invalid headers and keeps a 60 s idle timeout', () => {
    expect(lb.drop_invalid_header_fields).toBe(true);
    expect(lb.idle_timeout).toBe(60);
  });

  it('health-checks GET /health on port 4000 and drains like the API', () => {
    expect(targetGroup).toMatchObject({ port: 4000, protocol: 'HTTP', target_type: 'instance' });
    const check = targetGroup.health_check;
    expect(check).toMatchObject({ enabled: true, path: '/health', matcher: '200', port: 'traffic-port', unhealthy_threshold: 2 });
    expect(check.interval).toBeGreaterThanOrEqual(10);
    expect(check.interval).toBeLessThanOrEqual(15);
    expect([2, 3]).toContain(check.healthy_threshold);
    // SHUTDOWN_DRAIN_SECONDS (15) plus in-flight requests.
    expect(Number(targetGroup.deregistration_delay)).toBe(30);
  });

  if (environment === 'prod') {
    it('serves HTTPS and redirects HTTP to it', () => {
      expect(listeners).toHaveLength(2);
      const https = listeners.find((l) => l.port === 443);
      expect(https).toMatchObject({ protocol: 'HTTPS', certificate_arn: TEST_CERTIFICATE_ARN, ssl_policy: TLS_POLICY, default_action: notFound });
      expect(rules[0].action).toEqual(forward);
      const http = listeners.find((l) => l.port === 80);
      expect(http?.default_action).toEqual([
        { type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' } },
      ]);
    });

    it('writes access logs to a private bucket the ALB may write to', () => {
      expect(lb.access_logs).toMatchObject({ enabled: true, prefix: 'alb' });
      const bucket = target(json, lb.access_logs.bucket).body;
      expect(bucket.bucket_prefix).toMatch(/^tracker-prod-alb-logs-/);
      const bucketName = lb.access_logs.bucket.split('.')[1];
      const block = resources(json, 'aws_s3_bucket_public_access_block').find(([, b]) => b.bucket === ref('aws_s3_bucket', bucketName))?.[1];
      expect(block).toMatchObject({
        block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
      });
      expect(lb.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
      expect(lb.enable_deletion_protection).toBe(true);
    });
  } else {
    it('serves plain HTTP when no certificate is configured', () => {
      expect(listeners).toEqual([expect.objectContaining({ port: 80, protocol: 'HTTP', default_action: notFound })]);
      expect(rules[0].action).toEqual(forward);
      expect(lb.access_logs).toBeUndefined();
    });
  }
});
