// The API fleet: an Auto Scaling group of identical, stateless instances, each running one
// container, registered in the ALB target group and replaced on failed /health checks.
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { LaunchTemplate, LaunchTemplateConfig } from '@cdktf/provider-aws/lib/launch-template';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { renderTemplate } from '../templates/render';
import { InstanceRole, ecrPullStatements, logWriteStatement } from './instance-role';

export interface ComputeProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly targetGroupArn: string;
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
  /** Docker's stop timeout; must exceed the API's drain plus in-flight time. @default 45 */
  readonly stopTimeoutSeconds?: number;
  /** The API's SHUTDOWN_DRAIN_SECONDS, to check the stop timeout against. @default 15 */
  readonly shutdownDrainSeconds?: number;
  /** Boot time the ALB health checks forgive. @default 180 */
  readonly healthCheckGracePeriodSeconds?: number;
  /** Average CPU the group scales to hold. @default 50 */
  readonly cpuTargetPercent?: number;
  /** Tags for the group, its instances and volumes (default_tags do not reach them). @default {} */
  readonly tags?: Record<string, string>;
}

/** Graviton types (t4g, m7g, c7gn, ...) need arm64 images and AMIs. */
export function architectureOf(instanceType: string): 'arm64' | 'x86_64' {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/** IMDSv2 only; hop limit 2 so a container can still reach it through Docker's bridge. */
export const HARDENED_METADATA = {
  httpEndpoint: 'enabled',
  httpTokens: 'required',
  httpPutResponseHopLimit: 2,
  instanceMetadataTags: 'disabled',
} as const;

export function encryptedRootVolume(sizeGb: number): LaunchTemplateConfig['blockDeviceMappings'] {
  return [{
    deviceName: '/dev/xvda',
    ebs: { volumeSize: sizeGb, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
  }];
}

/** Latest Amazon Linux 2023 AMI, as published by AWS in SSM Parameter Store. */
export function amazonLinux2023(scope: Construct, id: string, instanceType: string): string {
  return new DataAwsSsmParameter(scope, id, {
    name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architectureOf(instanceType)}`,
  }).value;
}

export class Compute extends Construct {
  readonly autoScalingGroupName: string;
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: ComputeProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? 't4g.small';
    const stopTimeout = props.stopTimeoutSeconds ?? 45;
    const drain = props.shutdownDrainSeconds ?? 15;
    const grace = props.healthCheckGracePeriodSeconds ?? 180;
    const cpuTarget = props.cpuTargetPercent ?? 50;
    const isBootstrap = props.imageTag === undefined;
    if (props.subnetIds.length < 2) throw new Error('Compute: needs subnets in at least two AZs');
    if (!(props.minSize <= props.desiredCapacity && props.desiredCapacity <= props.maxSize) || props.maxSize < 1) {
      throw new Error(`Compute: need min <= desired <= max and max >= 1 (got ${props.minSize}/${props.desiredCapacity}/${props.maxSize})`);
    }
    if (stopTimeout <= drain) throw new Error(`Compute: stopTimeoutSeconds (${stopTimeout}) must exceed shutdownDrainSeconds (${drain})`);
    if (cpuTarget <= 0 || cpuTarget >= 100) throw new Error('Compute: cpuTargetPercent must be in (0, 100)');
    if (props.parameterNames.length !== props.parameterArns.length) throw new Error('Compute: parameterNames and parameterArns differ');
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(props.bootParameterPath)) throw new Error(`Compute: bad bootParameterPath "${props.bootParameterPath}"`);
    const { port } = props.database;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('Compute: database.port must be a literal port number');
    if (/[^A-Za-z0-9_./-]/.test([props.secretName, props.logGroupName, props.database.name, ...props.parameterNames].join(''))) {
      throw new Error('Compute: secret, log group, database and parameter names must be literal names (they go into static user data)');
    }

    // Values known only after apply reach the instance through SSM, which keeps the user
    // data static text: Terraform functions over scripts need fragile escaping.
    const bootValues = { REPOSITORY_URL: props.repositoryUrl, DB_HOST: props.database.host };
    const bootParameters = Object.entries(bootValues).map(([key, value]) =>
      new SsmParameter(this, `boot-${key}`, { name: `${props.bootParameterPath}/${key}`, type: 'String', value }),
    );

    const role = new InstanceRole(this, 'role', {
      roleName: `${props.namePrefix}-app`,
      statements: [
        ...ecrPullStatements(props.repositoryArn),
        logWriteStatement(props.logGroupArn),
        { Sid: 'AppSecret', Action: ['secretsmanager:GetSecretValue'], Resource: [props.secretArn] },
        {
          Sid: 'AppParameters',
          Action: ['ssm:GetParameter', 'ssm:GetParameters'],
          Resource: [...props.parameterArns, ...bootParameters.map((p) => p.arn)],
        },
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
      APP_PORT: props.appPort ?? 4000,
      STOP_TIMEOUT: stopTimeout,
    });

    const tags = props.tags ?? {};
    const instanceTags = { ...tags, Name: `${props.namePrefix}-app` };
    const template = new LaunchTemplate(this, 'launch-template', {
      name: `${props.namePrefix}-app`,
      imageId: amazonLinux2023(this, 'ami', instanceType),
      instanceType,
      iamInstanceProfile: { arn: role.instanceProfileArn },
      vpcSecurityGroupIds: props.securityGroupIds,
      metadataOptions: HARDENED_METADATA,
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
      instanceRefresh: {
        strategy: 'Rolling',
        preferences: { minHealthyPercentage: 100, maxHealthyPercentage: 200, instanceWarmup: '60', autoRollback: true },
      },
      enabledMetrics: ['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupTotalInstances'],
      tag: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      // Scaling policies own the running capacity; a deploy must not reset it.
      lifecycle: { ignoreChanges: ['desired_capacity'] },
      dependsOn: [role.grants, ...bootParameters],
    });

    new AutoscalingPolicy(this, 'cpu-target', {
      name: `${props.namePrefix}-cpu-target`,
      autoscalingGroupName: group.name,
      policyType: 'TargetTrackingScaling',
      // CPU rather than request count: GraphQL operations differ widely in cost and
      // subscriptions hold sockets without counting as requests.
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: cpuTarget,
      },
    });

    this.autoScalingGroupName = group.name;
    this.roleName = role.roleName;
  }
}
