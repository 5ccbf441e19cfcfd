// The API fleet: an Auto Scaling group of identical, stateless instances, each running one
// container, registered in the ALB target group and replaced on failed /health checks.
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LaunchTemplate, LaunchTemplateConfig } from '@cdktf/provider-aws/lib/launch-template';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { renderTemplate } from '../templates/render';
import { InstanceRole, type PolicyStatement, ecrPullStatements, logWriteStatement } from './instance-role';

export interface ComputeProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly targetGroupArn: string;
  /** `app/<lb>/<id>/targetgroup/<tg>/<id>`, the resource label of ALBRequestCountPerTarget. */
  readonly requestCountResourceLabel: string;
  /** The AMI the fleet runs (see PinnedAmi); a change rolls the fleet. */
  readonly imageId: string;
  readonly repositoryUrl: string;
  readonly repositoryArn: string;
  /** Unset runs no instances (bootstrap, before the first image is pushed). @default - none */
  readonly imageTag?: string;
  readonly secretArn: string;
  /** The secret's name, which the static user data uses to fetch it. */
  readonly secretName: string;
  /** SSM parameters whose values become the container's environment. */
  readonly parameterNames: string[];
  readonly parameterArns: string[];
  /** SSM path (e.g. `/tracker/dev/boot`) for the values the user data reads at boot. */
  readonly bootParameterPath: string;
  readonly logGroupName: string;
  readonly logGroupArn: string;
  /** Prometheus metrics (EMF) and host metrics from the CloudWatch agent land here. */
  readonly metricsLogGroupName: string;
  /** Statements the API itself needs besides its secret and parameters (e.g. the attachments bucket). */
  readonly extraStatements?: PolicyStatement[];
  /** Alarms that stop an instance refresh and roll it back. @default [] */
  readonly refreshAlarmNames?: string[];
  readonly database: { readonly host: string; readonly port: number; readonly name: string };
  /** The non-owner role the API connects as. @default 'tracker_app' */
  readonly databaseUser?: string;
  readonly minSize: number;
  readonly desiredCapacity: number;
  readonly maxSize: number;
  /** @default 't4g.small' */
  readonly instanceType?: string;
  /** @default 4000 */
  readonly appPort?: number;
  /** The API's METRICS_PORT: published on the host's loopback only, for the CloudWatch agent. */
  readonly metricsPort: number;
  /** Docker's stop timeout; must exceed the API's drain plus its shutdown timeout. @default 60 */
  readonly stopTimeoutSeconds?: number;
  /** The API's SHUTDOWN_DRAIN_SECONDS, to check the stop timeout against. @default 25 */
  readonly shutdownDrainSeconds?: number;
  /** The API's SHUTDOWN_TIMEOUT_SECONDS (its default). @default 20 */
  readonly shutdownTimeoutSeconds?: number;
  /** Boot time the ALB health checks forgive. @default 180 */
  readonly healthCheckGracePeriodSeconds?: number;
  /** Average CPU the group scales to hold. @default 50 */
  readonly cpuTargetPercent?: number;
  /** ALB requests per instance per minute the group scales to hold. @default 3000 */
  readonly requestsPerTargetPerMinute?: number;
  /** Tags for the group, its instances and volumes (default_tags do not reach them). @default {} */
  readonly tags?: Record<string, string>;
}

/** Graviton types (t4g, m7g, c7gn, ...) need arm64 images and AMIs. */
export function architectureOf(instanceType: string): 'arm64' | 'x86_64' {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/**
 * IMDSv2 only. Hop limit 1 keeps containers (one hop further, behind Docker's bridge) away
 * from the instance role; 2 lets them reach it, for a container that needs the role's
 * credentials itself (the API signs attachment URLs with them).
 */
export function hardenedMetadata(hopLimit: 1 | 2) {
  return {
    httpEndpoint: 'enabled',
    httpTokens: 'required',
    httpPutResponseHopLimit: hopLimit,
    instanceMetadataTags: 'disabled',
  } as const;
}

export function encryptedRootVolume(sizeGb: number): LaunchTemplateConfig['blockDeviceMappings'] {
  return [{
    deviceName: '/dev/xvda',
    ebs: { volumeSize: sizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
  }];
}

/** AWS's public SSM parameter naming the latest Amazon Linux 2023 AMI. */
export function amazonLinux2023Parameter(instanceType: string): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architectureOf(instanceType)}`;
}

/**
 * The AMI the instances run, held in an SSM parameter this stack owns. It is created from the
 * latest Amazon Linux 2023 and then never follows it (ignore_changes): a plan can no longer
 * roll the fleet because AWS published an AMI. Operators move it on purpose
 * (scripts/infra-ami.sh); Terraform reads the new value on refresh and the next deploy rolls it out.
 */
export function pinnedAmi(scope: Construct, id: string, parameterName: string, instanceType: string): string {
  const latest = new DataAwsSsmParameter(scope, `${id}-latest`, { name: amazonLinux2023Parameter(instanceType) });
  return new SsmParameter(scope, id, {
    name: parameterName,
    type: 'String',
    dataType: 'aws:ec2:image',
    insecureValue: latest.insecureValue,
    description: 'AMI of the API and migrator instances; change it deliberately, then deploy',
    lifecycle: { ignoreChanges: ['insecure_value'] },
  }).insecureValue;
}

/** Namespace of the agent's host metrics (memory, disk). */
export const AGENT_NAMESPACE = 'CWAgent';
/** Namespace of the API's Prometheus metrics as the agent publishes them. */
export const APP_METRICS_NAMESPACE = 'Tracker/API';
/** API metrics turned into CloudWatch metrics (the rest stay in the EMF log group). */
export const APP_METRIC_SELECTORS = ['^db_pool_(size|idle|waiting|max)$', '^db_pool_rejected_total$', '^nodejs_eventloop_lag_p99_seconds$', '^process_resident_memory_bytes$'];

/**
 * CloudWatch agent configuration. `$${aws:...}` is the agent's own placeholder, escaped so
 * Terraform leaves it alone.
 */
export function cloudwatchAgentConfig(metricsLogGroupName: string) {
  return {
    agent: { metrics_collection_interval: 60, run_as_user: 'root' },
    metrics: {
      namespace: AGENT_NAMESPACE,
      append_dimensions: { AutoScalingGroupName: '$${aws:AutoScalingGroupName}', InstanceId: '$${aws:InstanceId}' },
      aggregation_dimensions: [['AutoScalingGroupName']],
      metrics_collected: {
        mem: { measurement: ['mem_used_percent'] },
        disk: { measurement: ['used_percent'], resources: ['/'], ignore_file_system_types: ['sysfs', 'devtmpfs', 'tmpfs', 'overlay'] },
      },
    },
    logs: {
      metrics_collected: {
        prometheus: {
          log_group_name: metricsLogGroupName,
          prometheus_config_path: '/etc/tracker/prometheus.yaml',
          emf_processor: {
            metric_namespace: APP_METRICS_NAMESPACE,
            metric_declaration: [{
              source_labels: ['job'],
              label_matcher: '^tracker-api$',
              dimensions: [['job']],
              metric_selectors: APP_METRIC_SELECTORS,
            }],
          },
        },
      },
    },
  };
}

export class Compute extends Construct {
  readonly autoScalingGroupName: string;
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? 't4g.small';
    const stopTimeout = props.stopTimeoutSeconds ?? 60;
    const drain = props.shutdownDrainSeconds ?? 25;
    const shutdownTimeout = props.shutdownTimeoutSeconds ?? 20;
    const grace = props.healthCheckGracePeriodSeconds ?? 180;
    const cpuTarget = props.cpuTargetPercent ?? 50;
    const requestsTarget = props.requestsPerTargetPerMinute ?? 3000;
    const appPort = props.appPort ?? 4000;
    const isBootstrap = props.imageTag === undefined;
    if (props.subnetIds.length < 2) throw new Error('Compute: needs subnets in at least two AZs');
    if (!(props.minSize <= props.desiredCapacity && props.desiredCapacity <= props.maxSize) || props.maxSize < 1) {
      throw new Error(`Compute: need min <= desired <= max and max >= 1 (got ${props.minSize}/${props.desiredCapacity}/${props.maxSize})`);
    }
    if (stopTimeout <= drain + shutdownTimeout) {
      throw new Error(`Compute: stopTimeoutSeconds (${stopTimeout}) must exceed shutdownDrainSeconds + shutdownTimeoutSeconds (${drain} + ${shutdownTimeout})`);
    }
    if (props.metricsPort === appPort) throw new Error('Compute: metricsPort must differ from appPort (the load balancer forwards appPort)');
    if (requestsTarget <= 0) throw new Error('Compute: requestsPerTargetPerMinute must be positive');
    if (cpuTarget <= 0 || cpuTarget >= 100) throw new Error('Compute: cpuTargetPercent must be in (0, 100)');
    if (props.parameterNames.length !== props.parameterArns.length) throw new Error('Compute: parameterNames and parameterArns differ');
    // The user data reads them with one `aws ssm get-parameters`, which takes at most 10 names.
    if (props.parameterNames.length > 10) throw new Error(`Compute: ${props.parameterNames.length} environment parameters; get-parameters reads at most 10`);
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(props.bootParameterPath)) throw new Error(`Compute: bad bootParameterPath "${props.bootParameterPath}"`);
    const { port } = props.database;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('Compute: database.port must be a literal port number');
    if (/[^A-Za-z0-9_./-]/.test([props.secretName, props.logGroupName, props.metricsLogGroupName, props.database.name, ...props.parameterNames].join(''))) {
      throw new Error('Compute: secret, log group, database and parameter names must be literal names (they go into static user data)');
    }

    // Values known only after apply reach the instance through SSM, which keeps the user
    // data static text: Terraform functions over scripts need fragile escaping.
    const bootValues = { REPOSITORY_URL: props.repositoryUrl, DB_HOST: props.database.host };
    const bootParameters = Object.entries(bootValues).map(([key, value]) =>
      new SsmParameter(this, `boot-${key}`, { name: `${props.bootParameterPath}/${key}`, type: 'String', value }),
    );

    // The CloudWatch agent: host memory and disk, and the API's Prometheus metrics from the
    // loopback-only METRICS_PORT, as embedded-metric-format logs.
    const metricsLogs = new CloudwatchLogGroup(this, 'metrics-logs', { name: props.metricsLogGroupName, retentionInDays: 14 });
    const agentConfig = new SsmParameter(this, 'agent-config', {
      name: `${props.bootParameterPath}/cloudwatch-agent`,
      type: 'String',
      value: JSON.stringify(cloudwatchAgentConfig(props.metricsLogGroupName)),
      description: 'CloudWatch agent configuration of the API instances',
    });

    const role = new InstanceRole(this, 'role', {
      roleName: `${props.namePrefix}-app`,
      statements: [
        ...ecrPullStatements(props.repositoryArn),
        logWriteStatement(props.logGroupArn),
        { ...logWriteStatement(metricsLogs.arn), Sid: 'MetricsLogs' },
        { Sid: 'AppSecret', Action: ['secretsmanager:GetSecretValue'], Resource: [props.secretArn] },
        {
          Sid: 'AppParameters',
          Action: ['ssm:GetParameter', 'ssm:GetParameters'],
          Resource: [...props.parameterArns, ...bootParameters.map((p) => p.arn), agentConfig.arn],
        },
        {
          Sid: 'AgentMetrics',
          Action: ['cloudwatch:PutMetricData'],
          Resource: ['*'],
          Condition: { StringEquals: { 'cloudwatch:namespace': AGENT_NAMESPACE } },
        },
        // The agent reads the instance's aws:autoscaling:groupName tag for its dimension.
        { Sid: 'AgentTags', Action: ['ec2:DescribeTags'], Resource: ['*'] },
        ...(props.extraStatements ?? []),
      ],
    });

    const userData = renderTemplate('app-user-data.sh', {
      REGION: props.region,
      IMAGE_TAG: props.imageTag ?? 'no-image-yet',
      BOOT_PARAMETERS: props.bootParameterPath,
      ENV_PARAMETERS: props.parameterNames.join(' '),
      SECRET_ID: props.secretName,
      LOG_GROUP: props.logGroupName,
      DB_PORT: props.database.port,
      DB_NAME: props.database.name,
      DB_USER: props.databaseUser ?? 'tracker_app',
      APP_PORT: appPort,
      METRICS_PORT: props.metricsPort,
      AGENT_CONFIG: `${props.bootParameterPath}/cloudwatch-agent`,
      STOP_TIMEOUT: stopTimeout,
    });

    const tags = props.tags ?? {};
    const instanceTags = { ...tags, Name: `${props.namePrefix}-app` };
    const template = new LaunchTemplate(this, 'launch-template', {
      name: `${props.namePrefix}-app`,
      imageId: props.imageId,
      instanceType,
      iamInstanceProfile: { arn: role.instanceProfileArn },
      vpcSecurityGroupIds: props.securityGroupIds,
      // 2: the API container signs S3 attachment URLs with the instance role's credentials.
      metadataOptions: hardenedMetadata(2),
      blockDeviceMappings: encryptedRootVolume(20),
      userData: Buffer.from(userData).toString('base64'),
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: 'instance', tags: instanceTags },
        { resourceType: 'volume', tags: instanceTags },
      ],
    });

    const group = new AutoscalingGroup(this, 'group', {
      name: `${props.namePrefix}-app`,
      vpcZoneIdentifier: props.subnetIds,
      // Bootstrap runs nothing: there is no image to pull before the first push.
      minSize: isBootstrap ? 0 : props.minSize,
      desiredCapacity: isBootstrap ? 0 : props.desiredCapacity,
      maxSize: props.maxSize,
      launchTemplate: { id: template.id, version: Fn.tostring(template.latestVersion) },
      targetGroupArns: [props.targetGroupArn],
      healthCheckType: 'ELB',
      healthCheckGracePeriod: grace,
      defaultInstanceWarmup: 60,
      // Each deploy changes the launch template; Terraform then starts this rolling
      // replacement, which never drops below full capacity and rolls back on failure.
      // It also rolls back when one of the given alarms fires while it runs.
      instanceRefresh: {
        strategy: 'Rolling',
        preferences: {
          minHealthyPercentage: 100,
          maxHealthyPercentage: 200,
          instanceWarmup: '60',
          autoRollback: true,
          alarmSpecification: props.refreshAlarmNames?.length ? { alarms: props.refreshAlarmNames } : undefined,
        },
      },
      enabledMetrics: ['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupTotalInstances', 'GroupPendingInstances'],
      tag: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      // Scaling policies own the running capacity; a deploy must not reset it.
      lifecycle: { ignoreChanges: ['desired_capacity'] },
      dependsOn: [role.grants, ...bootParameters, agentConfig],
    });

    // Two trackers; the group follows whichever asks for more instances. CPU covers costly
    // GraphQL operations, request count covers cheap floods that queue on the event loop and
    // the database pool before CPU shows it.
    new AutoscalingPolicy(this, 'cpu-target', {
      name: `${props.namePrefix}-cpu-target`,
      autoscalingGroupName: group.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: cpuTarget,
      },
    });
    new AutoscalingPolicy(this, 'requests-target', {
      name: `${props.namePrefix}-requests-target`,
      autoscalingGroupName: group.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: {
          predefinedMetricType: 'ALBRequestCountPerTarget',
          resourceLabel: props.requestCountResourceLabel,
        },
        targetValue: requestsTarget,
      },
    });

    this.autoScalingGroupName = group.name;
    this.roleName = role.roleName;
  }
}
