// Application log group, the alarms that say "users are hurting" or "the database is
// running out of something", and the SNS topic they notify.
import { Construct } from 'constructs';
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
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Subscribed to the alarm topic (confirm the email AWS sends). @default - none */
  readonly alarmEmail?: string;
  /** Share of requests answered 5xx, in percent. @default 5 */
  readonly error5xxPercent?: number;
  /** @default 2 */
  readonly p99LatencySeconds?: number;
}

export class Observability extends Construct {
  readonly logGroupArn: string;
  readonly alarmTopicArn: string;

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

    this.logGroupArn = logGroup.arn;
    this.alarmTopicArn = topic.arn;
  }
}
