import { TLS_POLICY } from '../constructs/load-balancer';
import { TEST_CERTIFICATE_ARN } from './synth-cases';
import { BOTH, only, ref, resources, synthesized, target } from './synthesized';

describe.each(BOTH)('load balancer in %s', (environment) => {
  const json = synthesized(environment);
  const lb = only(json, 'aws_lb');
  const [[targetGroupName, targetGroup]] = resources(json, 'aws_lb_target_group');
  const listeners = resources(json, 'aws_lb_listener').map(([, l]) => l);
  const forward = [{ type: 'forward', target_group_arn: ref('aws_lb_target_group', targetGroupName, 'arn') }];

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
      expect(https).toMatchObject({ protocol: 'HTTPS', certificate_arn: TEST_CERTIFICATE_ARN, ssl_policy: TLS_POLICY, default_action: forward });
      const http = listeners.find((l) => l.port === 80);
      expect(http?.default_action).toEqual([
        { type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' } },
      ]);
    });

    it('writes access logs to a private bucket the ALB may write to', () => {
      expect(lb.access_logs).toMatchObject({ enabled: true, prefix: 'alb' });
      const bucket = target(json, lb.access_logs.bucket).body;
      expect(bucket.bucket_prefix).toMatch(/^tracker-prod-alb-logs-/);
      expect(only(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
        block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
      });
      expect(lb.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\./)]);
      expect(lb.enable_deletion_protection).toBe(true);
    });
  } else {
    it('serves plain HTTP when no certificate is configured', () => {
      expect(listeners).toEqual([expect.objectContaining({ port: 80, protocol: 'HTTP', default_action: forward })]);
      expect(lb.access_logs).toBeUndefined();
    });
  }
});
