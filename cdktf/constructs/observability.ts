// Application log group, the alarms that say "users are hurting" or "the database is
// running out of something", and the SNS topic they notify.
import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';

export interface ObservabilityProps {
  readonly namePrefix: string;
  /** e.g. `/tracker/dev/app`. */
  readonly logGroupName: string;
  readonly loadBalancerArnSuffix: string;
  readonly targetGroupArnSuffix: string;
  readonly databaseIdentifier: string;
  readonly databaseAllocatedStorageGb: number;
  readonly databaseConnectionsThreshold: number;
  /** The RDS class's memory, for the freeable-memory alarm. */
  readonly databaseMemoryGib: number;
  /** Literal name of the API's Auto Scaling group (the group is created after this). */
  readonly autoScalingGroupName: string;
  /** Bootstrap runs no instances: the zero-healthy-targets alarm exists but does not notify. */
  readonly expectTargets: boolean;
  /** Namespace and job of the API's Prometheus metrics as the CloudWatch agent publishes them. */
  readonly appMetrics: { readonly namespace: string; readonly job: string };
  /** Namespace of the agent's host metrics. */
  readonly hostMetricsNamespace: string;  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Subscribed to the alarm topic (confirm the email AWS sends). @default - none */
  readonly alarmEmail?: string;
  /** Share of requests answered 5xx, in percent. @default 5 */
  readonly error5xxPercent?: number;
  /** @default 2 */
  readonly p99LatencySeconds?: number;
}

/** Auto Scaling events that mean a deploy or a replacement did not happen. */
export const FAILURE_EVENTS = [
  'EC2 Instance Launch Unsuccessful',
  'EC2 Auto Scaling Instance Refresh Failed',
  'EC2 Auto Scaling Instance Refresh Cancelled',
];

export class Observability extends Construct {
  readonly logGroupArn: string;
  readonly alarmTopicArn: string;
  /** Alarms that stop an instance refresh and roll it back. */
  readonly refreshAlarmNames: string[];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const error5xxPercent = props.error5xxPercent ?? 5;
    const p99 = props.p99LatencySeconds ?? 2;
    if (error5xxPercent <= 0 || error5xxPercent > 100) throw new Error('Observability: error5xxPercent must be in (0, 100]');
    if (p99 <= 0) throw new Error('Observability: p99LatencySeconds must be positive');
    if (props.databaseAllocatedStorageGb <= 0) throw new Error('Observability: databaseAllocatedStorageGb must be positive');

    const logGroup = new CloudwatchLogGroup(this, 'app-logs', {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays ?? 30,
    });

    // Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS
    // key, and alarm messages carry no secrets.
    const topic = new SnsTopic(this, 'alarms', { name: `${props.namePrefix}-alarms` });
    if (props.alarmEmail) {
      new SnsTopicSubscription(this, 'alarm-email', { topicArn: topic.arn, protocol: 'email', endpoint: props.alarmEmail });
    }

    const alb = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix };
    const db = { DBInstanceIdentifier: props.databaseIdentifier };
    const alarm = (key: string, description: string, config: Partial<CloudwatchMetricAlarmConfig>) =>
      new CloudwatchMetricAlarm(this, key, {
        alarmName: `${props.namePrefix}-${key}`,
        alarmDescription: description,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        treatMissingData: 'notBreaching',
        comparisonOperator: 'GreaterThanThreshold',
        evaluationPeriods: 3,
        threshold: 0,
        ...config,
      });

    alarm('unhealthy-hosts', 'A target has failed its /health checks for 3 minutes', {
      namespace: 'AWS/ApplicationELB', metricName: 'UnHealthyHostCount', dimensions: alb,
      statistic: 'Maximum', period: 60, threshold: 0,
    });

    const albCount = (metricName: string, dimensions: Record<string, string>) => ({
      metric: { namespace: 'AWS/ApplicationELB', metricName, dimensions, period: 60, stat: 'Sum' },
    });
    const lbOnly = { LoadBalancer: props.loadBalancerArnSuffix };
    alarm('5xx-rate', `More than ${error5xxPercent}% of requests answered 5xx (ALB or targets) for 3 minutes`, {
      threshold: error5xxPercent,
      metricQuery: [
        { id: 'elb5xx', ...albCount('HTTPCode_ELB_5XX_Count', lbOnly) },
        { id: 'target5xx', ...albCount('HTTPCode_Target_5XX_Count', lbOnly) },
        { id: 'requests', ...albCount('RequestCount', lbOnly) },
        {
          id: 'rate',
          label: '5xx share of requests (%)',
          // No requests means no rate (missing data), not a division by zero alarm.
          expression: '100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests',
          returnData: true,
        },
      ],
    });

    alarm('p99-latency', `Target p99 response time above ${p99} s for 5 minutes`, {
      namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensions: alb,
      extendedStatistic: 'p99', period: 60, evaluationPeriods: 5, threshold: p99,
    });

    alarm('db-cpu', 'Database CPU above 80% for 15 minutes', {
      namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: db,
      statistic: 'Average', period: 300, threshold: 80,
    });

    const tenPercentBytes = Math.round(props.databaseAllocatedStorageGb * 1024 ** 3 * 0.1);
    alarm('db-free-storage', 'Database free storage below 10% of the allocated size', {
      namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions: db,
      statistic: 'Minimum', period: 300, evaluationPeriods: 1,
      comparisonOperator: 'LessThanThreshold', threshold: tenPercentBytes,
      // No data from a running database is itself a problem.
      treatMissingData: 'breaching',
    });

    alarm('db-connections', `Database connections above ${props.databaseConnectionsThreshold}`, {
      namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: db,
      statistic: 'Maximum', period: 60, evaluationPeriods: 5, threshold: props.databaseConnectionsThreshold,
    });

    // Zero healthy targets is a full outage, whatever the cause.
    alarm('no-healthy-targets', 'No target of the load balancer is healthy: the API is down', {
      namespace: 'AWS/ApplicationELB', metricName: 'HealthyHostCount', dimensions: alb,
      statistic: 'Minimum', period: 60, evaluationPeriods: 2,
      comparisonOperator: 'LessThanThreshold', threshold: 1,
      treatMissingData: 'breaching',
      actionsEnabled: props.expectTargets,
    });

    const memoryBytes = Math.round(props.databaseMemoryGib * 1024 ** 3 * 0.1);
    alarm('db-freeable-memory', 'Database freeable memory below 10% of the class memory for 15 minutes', {
      namespace: 'AWS/RDS', metricName: 'FreeableMemory', dimensions: db,
      statistic: 'Minimum', period: 300, comparisonOperator: 'LessThanThreshold', threshold: memoryBytes,
    });
    for (const [kind, metricName] of [['read', 'ReadLatency'], ['write', 'WriteLatency']]) {
      alarm(`db-${kind}-latency`, `Database ${kind} latency above 20 ms for 15 minutes`, {
        namespace: 'AWS/RDS', metricName, dimensions: db,
        statistic: 'Average', period: 300, threshold: 0.02,
      });
    }

    const group = { AutoScalingGroupName: props.autoScalingGroupName };
    alarm('host-memory', 'An API instance uses more than 90% of its memory', {
      namespace: props.hostMetricsNamespace, metricName: 'mem_used_percent', dimensions: group,
      statistic: 'Maximum', period: 60, evaluationPeriods: 5, threshold: 90,
    });
    alarm('host-disk', 'An API instance has used more than 85% of its root disk', {
      namespace: props.hostMetricsNamespace, metricName: 'disk_used_percent', dimensions: group,
      statistic: 'Maximum', period: 300, evaluationPeriods: 1, threshold: 85,
    });
    alarm('db-pool-waiting', 'Requests wait for a database connection on an instance for 5 minutes', {
      namespace: props.appMetrics.namespace, metricName: 'db_pool_waiting', dimensions: { job: props.appMetrics.job },
      statistic: 'Maximum', period: 60, evaluationPeriods: 5, threshold: 5,
    });

    // Failed launches and failed or cancelled instance refreshes arrive as events, not metrics.
    // A topic policy replaces SNS's default one, so the account's own statement is repeated.
    const account = new DataAwsCallerIdentity(this, 'account');
    new SnsTopicPolicy(this, 'alarms-policy', {
      arn: topic.arn,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Account',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${account.accountId}:root` },
            Action: ['sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:Publish'],
            Resource: topic.arn,
          },
          { Sid: 'CloudWatchAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: topic.arn },
          { Sid: 'AutoScalingEvents', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: topic.arn },
        ],
      }),
    });
    const failures = new CloudwatchEventRule(this, 'scaling-failures', {
      name: `${props.namePrefix}-scaling-failures`,
      description: 'Failed instance launches and failed or cancelled instance refreshes of the API group',
      eventPattern: JSON.stringify({
        source: ['aws.autoscaling'],
        'detail-type': FAILURE_EVENTS,
        detail: { AutoScalingGroupName: [props.autoScalingGroupName] },
      }),
    });
    new CloudwatchEventTarget(this, 'scaling-failures-target', { rule: failures.name, arn: topic.arn });

    this.refreshAlarmNames = [`${props.namePrefix}-5xx-rate`, `${props.namePrefix}-unhealthy-hosts`];
    this.logGroupArn = logGroup.arn;
    this.alarmTopicArn = topic.arn;
  }
}
