// Internet-facing ALB and the API's target group. HTTPS with an HTTP redirect when a
// certificate is given; plain HTTP otherwise (dev without a domain).
import { Construct } from 'constructs';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { AccessLogBucket } from './access-log-bucket';

export interface LoadBalancerProps {
  readonly namePrefix: string;
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly securityGroupIds: string[];
  /** ACM certificate in the ALB's region; enables HTTPS and the HTTP->HTTPS redirect. @default - HTTP only */
  readonly certificateArn?: string;
  /** @default 4000 */
  readonly targetPort?: number;
  /** @default '/health' */
  readonly healthCheckPath?: string;
  /** @default 10 */
  readonly healthCheckIntervalSeconds?: number;
  /**
   * How long a leaving target keeps its in-flight requests. Matches the API's drain
   * (SHUTDOWN_DRAIN_SECONDS 15 plus in-flight time). @default 30
   */
  readonly deregistrationDelaySeconds?: number;
  /** Write access logs to a new S3 bucket. @default false */
  readonly accessLogs?: boolean;
  /** @default false */
  readonly deletionProtection?: boolean;
}

/**
 * The only paths the load balancer forwards; everything else gets its 404. An allow-list, so
 * /metrics (every tenant's operation names) and /ready (raw database errors) stay on the
 * instance in any spelling: Express matches routes case-insensitively, ALB patterns do not.
 * The API also moves /metrics to METRICS_PORT, which the ALB never reaches.
 */
export const PUBLIC_PATHS = ['/graphql', '/graphql/*', '/health'];

/** Health check timing; a target failing them is out of rotation after detectionSeconds(). */
export const HEALTH_CHECK = { timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

/** Worst case from a target's first failing answer until the ALB stops sending it requests. */
export function detectionSeconds(intervalSeconds: number): number {
  return intervalSeconds * HEALTH_CHECK.unhealthyThreshold + HEALTH_CHECK.timeout;
}

/** Accepts only TLS 1.2 and 1.3 with forward-secret ciphers. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export class LoadBalancer extends Construct {
  readonly arn: string;
  readonly dnsName: string;
  /** For CloudWatch's LoadBalancer dimension. */
  readonly arnSuffix: string;
  readonly targetGroupArn: string;
  /** For CloudWatch's TargetGroup dimension. */
  readonly targetGroupArnSuffix: string;

  /** The ports the listeners will use, for the security group built before the ALB. */
  static listenerPorts(certificateArn?: string): number[] {
    return certificateArn ? [80, 443] : [80];
  }

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const interval = props.healthCheckIntervalSeconds ?? 10;
    const delay = props.deregistrationDelaySeconds ?? 30;
    const path = props.healthCheckPath ?? '/health';
    if (props.publicSubnetIds.length < 2) throw new Error('LoadBalancer: an ALB needs subnets in at least two AZs');
    if (interval < 5 || interval > 300) throw new Error(`LoadBalancer: healthCheckIntervalSeconds ${interval} is outside 5-300`);
    if (delay < 0 || delay > 3600) throw new Error(`LoadBalancer: deregistrationDelaySeconds ${delay} is outside 0-3600`);
    if (!path.startsWith('/')) throw new Error(`LoadBalancer: healthCheckPath must start with / (got ${path})`);
    // Target group names are capped at 32 characters.
    if (`${props.namePrefix}-app`.length > 32) throw new Error('LoadBalancer: namePrefix is too long for AWS names');

    const logs = props.accessLogs
      ? new AccessLogBucket(this, 'access-logs', {
        bucketPrefix: `${props.namePrefix}-alb-logs-`,
        forceDestroy: !props.deletionProtection,
      })
      : undefined;

    const lb = new Lb(this, 'alb', {
      name: props.namePrefix,
      loadBalancerType: 'application',
      internal: false,
      subnets: props.publicSubnetIds,
      securityGroups: props.securityGroupIds,
      dropInvalidHeaderFields: true,
      idleTimeout: 60,
      enableDeletionProtection: props.deletionProtection ?? false,
      accessLogs: logs ? { bucket: logs.bucketName, prefix: logs.keyPrefix, enabled: true } : undefined,
      dependsOn: logs ? [logs.policy] : undefined,
    });

    const targets = new LbTargetGroup(this, 'targets', {
      name: `${props.namePrefix}-app`,
      vpcId: props.vpcId,
      port: props.targetPort ?? 4000,
      protocol: 'HTTP',
      targetType: 'instance',
      deregistrationDelay: String(delay),
      healthCheck: {
        enabled: true,
        path,
        protocol: 'HTTP',
        port: 'traffic-port',
        matcher: '200',
        interval,
        ...HEALTH_CHECK,
      },
    });
    const forward = [{ type: 'forward', targetGroupArn: targets.arn }];
    const notFound = [{ type: 'fixed-response', fixedResponse: { statusCode: '404', contentType: 'text/plain', messageBody: 'Not found' } }];

    let serving: LbListener;
    if (props.certificateArn) {
      serving = new LbListener(this, 'https', {
        loadBalancerArn: lb.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: TLS_POLICY,
        certificateArn: props.certificateArn,
        defaultAction: notFound,
      });
      new LbListener(this, 'http', {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', statusCode: 'HTTP_301' } }],
      });
    } else {
      serving = new LbListener(this, 'http', { loadBalancerArn: lb.arn, port: 80, protocol: 'HTTP', defaultAction: notFound });
    }
    new LbListenerRule(this, 'public-paths', {
      listenerArn: serving.arn,
      priority: 10,
      condition: [{ pathPattern: { values: PUBLIC_PATHS } }],
      action: forward,
    });

    this.arn = lb.arn;
    this.dnsName = lb.dnsName;
    this.arnSuffix = lb.arnSuffix;
    this.targetGroupArn = targets.arn;
    this.targetGroupArnSuffix = targets.arnSuffix;
  }
}
