import { DEFAULTS } from '../config';
import { BOTH, type Body, named, ref, resources, synthesized } from './synthesized';

describe.each(BOTH)('observability in %s', (environment) => {
  const json = synthesized(environment);
  const config = DEFAULTS[environment];
  const topic = ref('aws_sns_topic', named(json, 'aws_sns_topic', 'name', `tracker-${environment}-alarms`), 'arn');
  const alarms = resources(json, 'aws_cloudwatch_metric_alarm').map(([, a]) => a);
  const alarm = (suffix: string): Body => {
    const found = alarms.find((a) => a.alarm_name === `tracker-${environment}-${suffix}`);
    if (!found) throw new Error(`no alarm ${suffix}`);
    return found;
  };

  it('keeps app logs for the configured retention', () => {
    const group = json.resource.aws_cloudwatch_log_group[named(json, 'aws_cloudwatch_log_group', 'name', `/tracker/${environment}/app`)];
    expect(group.retention_in_days).toBe(config.logRetentionDays);
  });

  it('sends every alarm (and its recovery) to the SNS topic', () => {
    expect(alarms.length).toBe(13);
    for (const a of alarms) {
      expect(a.alarm_actions).toEqual([topic]);
      expect(a.ok_actions).toEqual([topic]);
    }
  });

  it('watches unhealthy hosts, the 5xx rate and target p99 latency', () => {
    expect(alarm('unhealthy-hosts')).toMatchObject({ namespace: 'AWS/ApplicationELB', metric_name: 'UnHealthyHostCount' });
    expect(alarm('unhealthy-hosts').dimensions.TargetGroup).toMatch(/^\$\{aws_lb_target_group\..*\.arn_suffix\}$/);
    const rate = alarm('5xx-rate').metric_query as Body[];
    expect(rate.map((q) => q.metric?.metric_name).filter(Boolean).sort()).toEqual(['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'RequestCount']);
    expect(rate.find((q) => q.return_data)?.expression).toMatch(/\/ requests$/);
    expect(alarm('p99-latency')).toMatchObject({ metric_name: 'TargetResponseTime', extended_statistic: 'p99' });
  });

  it('watches database CPU, free storage and connections', () => {
    for (const [suffix, metric] of [['db-cpu', 'CPUUtilization'], ['db-free-storage', 'FreeStorageSpace'], ['db-connections', 'DatabaseConnections']]) {
      expect(alarm(suffix)).toMatchObject({ namespace: 'AWS/RDS', metric_name: metric });
      expect(alarm(suffix).dimensions.DBInstanceIdentifier).toMatch(/^\$\{aws_db_instance\./);
    }
    expect(alarm('db-free-storage')).toMatchObject({ comparison_operator: 'LessThanThreshold', threshold: config.db.allocatedStorageGb * 1024 ** 3 * 0.1 });
    expect(alarm('db-connections').threshold).toBe(config.db.connectionsAlarmThreshold);
  });

  it('watches for zero healthy targets, database memory and latency, and host memory and disk', () => {
    expect(alarm('no-healthy-targets')).toMatchObject({
      metric_name: 'HealthyHostCount', comparison_operator: 'LessThanThreshold', threshold: 1, treat_missing_data: 'breaching',
      // Bootstrap runs no instances on purpose.
      actions_enabled: environment === 'prod',
    });
    expect(alarm('db-freeable-memory')).toMatchObject({ namespace: 'AWS/RDS', metric_name: 'FreeableMemory', comparison_operator: 'LessThanThreshold' });
    expect(alarm('db-read-latency').metric_name).toBe('ReadLatency');
    expect(alarm('db-write-latency').metric_name).toBe('WriteLatency');
    expect(alarm('host-memory')).toMatchObject({ namespace: 'CWAgent', metric_name: 'mem_used_percent', dimensions: { AutoScalingGroupName: `tracker-${environment}-app` } });
    expect(alarm('host-disk')).toMatchObject({ namespace: 'CWAgent', metric_name: 'disk_used_percent' });
    expect(alarm('db-pool-waiting')).toMatchObject({ namespace: 'Tracker/API', metric_name: 'db_pool_waiting' });
  });

  it('sends failed launches and failed or cancelled instance refreshes to the topic', () => {
    const [[ruleName, rule]] = resources(json, 'aws_cloudwatch_event_rule');
    const pattern = JSON.parse(rule.event_pattern);
    expect(pattern.source).toEqual(['aws.autoscaling']);
    expect(pattern['detail-type']).toEqual(expect.arrayContaining(['EC2 Instance Launch Unsuccessful', 'EC2 Auto Scaling Instance Refresh Failed']));
    expect(pattern.detail.AutoScalingGroupName).toEqual([`tracker-${environment}-app`]);
    const [[, eventTarget]] = resources(json, 'aws_cloudwatch_event_target');
    expect(eventTarget).toMatchObject({ rule: ref('aws_cloudwatch_event_rule', ruleName, 'name'), arn: topic });
    const policy = JSON.parse(resources(json, 'aws_sns_topic_policy')[0][1].policy);
    expect(policy.Statement.map((s: Body) => s.Principal.Service).filter(Boolean)).toContain('events.amazonaws.com');
  });

  it('keeps VPC flow logs of all traffic', () => {
    const [[, flowLog]] = resources(json, 'aws_flow_log');
    expect(flowLog).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    expect(flowLog.vpc_id).toMatch(/^\$\{aws_vpc\./);
  });

  it(environment === 'prod' ? 'mails the alarms to the configured address' : 'subscribes nobody without an alarm email', () => {
    const subscriptions = resources(json, 'aws_sns_topic_subscription').map(([, s]) => s);
    expect(subscriptions).toEqual(environment === 'prod'
      ? [expect.objectContaining({ protocol: 'email', endpoint: 'alarms@tracker.test', topic_arn: topic })]
      : []);
  });
});
