// One environment's stack: the constructs wired together, the provider, the state backend
// and the outputs operators and scripts/deploy.sh use.
import { Construct } from 'constructs';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { type EnvironmentConfig, type RemoteStateSettings, memoryGibOf } from './config';
import { AppSettings } from './constructs/app-settings';
import { AttachmentsBucket, attachmentStatements } from './constructs/attachments-bucket';
import { Cache } from './constructs/cache';
import { APP_METRICS_NAMESPACE, AGENT_NAMESPACE, Compute, amazonLinux2023Parameter, architectureOf, pinnedAmi } from './constructs/compute';
import { Database } from './constructs/database';
import { LoadBalancer, detectionSeconds } from './constructs/load-balancer';
import { MigrationRunner } from './constructs/migration-runner';
import { Network } from './constructs/network';
import { Observability } from './constructs/observability';
import { Registry } from './constructs/registry';
import { SecurityGroups } from './constructs/security-groups';
import { WebFirewall } from './constructs/web-firewall';

/** The API's METRICS_PORT on the instances: loopback-published, never in a security group. */
export const METRICS_PORT = 9464;
/** The ALB's health check interval; the API's drain must outlast the detection it implies. */
const HEALTH_CHECK_INTERVAL = 10;

/** Fixed names, so scripts can find resources without reading Terraform state. */
export function resourceNames(config: EnvironmentConfig) {
  const prefix = `${config.project}-${config.environment}`;
  return {
    stack: prefix,
    prefix,
    repository: prefix,
    loadBalancer: prefix,
    database: prefix,
    autoScalingGroup: `${prefix}-app`,
    targetGroup: `${prefix}-app`,
    migratorLaunchTemplate: `${prefix}-migrator`,
    migrateDocument: `${prefix}-migrate`,
    appSecret: `${config.project}/${config.environment}/app`,
    logGroup: `/${config.project}/${config.environment}/app`,
    metricsLogGroup: `/${config.project}/${config.environment}/metrics`,
    amiParameter: `/${config.project}/${config.environment}/ami-id`,
    publicAmiParameter: amazonLinux2023Parameter(config.instanceType),
    webAcl: `${prefix}-api`,
    region: config.region,
    imagePlatform: `linux/${architectureOf(config.instanceType) === 'arm64' ? 'arm64' : 'amd64'}`,
  };
}

export class TrackerStack extends TerraformStack {
  constructor(scope: Construct, config: EnvironmentConfig, state: RemoteStateSettings | undefined = config.state) {
    const names = resourceNames(config);
    super(scope, names.stack);
    const isProd = config.environment === 'prod';
    const tags = { Project: config.project, Environment: config.environment };

    // use_lockfile and the S3 backend below need Terraform or OpenTofu 1.10+.
    this.addOverride('terraform.required_version', '>= 1.10');
    new AwsProvider(this, 'aws', {
      region: config.region,
      // With credentials for any other account, every plan stops before reading or changing anything.
      allowedAccountIds: config.accountId ? [config.accountId] : undefined,
      defaultTags: [{ tags: { ...tags, ManagedBy: 'cdktf' } }],
    });
    if (state) {
      const backend = new S3Backend(this, {
        bucket: state.bucket,
        key: state.key,
        region: state.region,
        encrypt: true,
        dynamodbTable: state.dynamodbTable,
      });
      if (!state.dynamodbTable) backend.addOverride('use_lockfile', true);
    }
    // Without a remote state, CDKTF's default local backend (a file in the project root) applies.

    const network = new Network(this, 'network', {
      namePrefix: names.prefix,
      region: config.region,
      cidr: config.vpcCidr,
      azCount: config.azCount,
      natGatewayPerAz: config.natGatewayPerAz,
      vpcEndpoints: config.vpcEndpoints,
      flowLogRetentionDays: config.logRetentionDays,
    });
    const firewall = new SecurityGroups(this, 'security-groups', {
      namePrefix: names.prefix,
      vpcId: network.vpcId,
      listenerPorts: LoadBalancer.listenerPorts(config.certificateArn),
      endpointSecurityGroupId: network.endpointSecurityGroupId,
    });
    const registry = new Registry(this, 'registry', { repositoryName: names.repository, forceDelete: !isProd });
    const database = new Database(this, 'database', {
      identifier: names.database,
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [firewall.databaseSecurityGroupId],
      instanceClass: config.db.instanceClass,
      multiAz: config.db.multiAz,
      allocatedStorageGb: config.db.allocatedStorageGb,
      maxAllocatedStorageGb: config.db.maxAllocatedStorageGb,
      backupRetentionDays: config.db.backupRetentionDays,
      deletionProtection: config.db.deletionProtection,
      finalSnapshot: config.db.finalSnapshot,
      logRetentionDays: config.logRetentionDays,
    });
    const loadBalancer = new LoadBalancer(this, 'load-balancer', {
      namePrefix: names.prefix,
      vpcId: network.vpcId,
      publicSubnetIds: network.publicSubnetIds,
      securityGroupIds: [firewall.albSecurityGroupId],
      certificateArn: config.certificateArn,
      accessLogs: config.albAccessLogs,
      deletionProtection: isProd,
      healthCheckIntervalSeconds: HEALTH_CHECK_INTERVAL,
    });
    const webFirewall = new WebFirewall(this, 'web-firewall', {
      namePrefix: names.prefix,
      loadBalancerArn: loadBalancer.arn,
      rateLimitPer5Minutes: config.waf.rateLimitPer5Minutes,
      logRetentionDays: config.logRetentionDays,
    });
    const cache = new Cache(this, 'cache', {
      namePrefix: names.prefix,
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [firewall.cacheSecurityGroupId],
      nodeType: config.cache.nodeType,
      nodes: config.cache.nodes,
    });
    const attachments = new AttachmentsBucket(this, 'attachments', {
      bucketPrefix: `${names.prefix}-attachments-`,
      allowedOrigins: config.domainName ? [`https://${config.domainName}`] : [],
      forceDestroy: !isProd,
    });
    const observability = new Observability(this, 'observability', {
      namePrefix: names.prefix,
      logGroupName: names.logGroup,
      logRetentionDays: config.logRetentionDays,
      loadBalancerArnSuffix: loadBalancer.arnSuffix,
      targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix,
      databaseIdentifier: database.identifier,
      databaseAllocatedStorageGb: config.db.allocatedStorageGb,
      databaseConnectionsThreshold: config.db.connectionsAlarmThreshold,
      databaseMemoryGib: memoryGibOf(config.db.instanceClass)!,
      autoScalingGroupName: names.autoScalingGroup,
      expectTargets: config.imageTag !== undefined,
      appMetrics: { namespace: APP_METRICS_NAMESPACE, job: 'tracker-api' },
      hostMetricsNamespace: AGENT_NAMESPACE,
      alarmEmail: config.alarmEmail,
    });
    // A SIGTERM the Auto Scaling group did not send is noticed by the ALB only through failed
    // health checks; the API keeps serving until then, plus a margin.
    const drainSeconds = detectionSeconds(HEALTH_CHECK_INTERVAL) + 5;
    const settings = new AppSettings(this, 'app-settings', {
      namePrefix: `${config.project}/${config.environment}`,
      secretRecoveryDays: isProd ? 30 : 0,
      shutdownDrainSeconds: drainSeconds,
      environment: {
        METRICS_PORT: String(METRICS_PORT),
        DB_POOL_MAX: String(config.connections.poolMax),
        WEBHOOK_WORKER_CONCURRENCY: String(config.connections.workerConcurrency),
        REDIS_URL: cache.url,
        AWS_REGION: config.region,
        ATTACHMENTS_BUCKET: attachments.bucketName,
      },
    });
    const imageId = pinnedAmi(this, 'ami', names.amiParameter, config.instanceType);
    const dbLocation = { host: database.address, port: database.port, name: database.databaseName };
    const compute = new Compute(this, 'compute', {
      namePrefix: names.prefix,
      region: config.region,
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [firewall.appSecurityGroupId],
      targetGroupArn: loadBalancer.targetGroupArn,
      requestCountResourceLabel: `${loadBalancer.arnSuffix}/${loadBalancer.targetGroupArnSuffix}`,
      imageId,
      repositoryUrl: registry.repositoryUrl,
      repositoryArn: registry.repositoryArn,
      imageTag: config.imageTag,
      secretArn: settings.secretArn,
      secretName: settings.secretName,
      bootParameterPath: `/${config.project}/${config.environment}/boot`,
      parameterNames: settings.parameterNames,
      parameterArns: settings.parameterArns,
      logGroupName: names.logGroup,
      logGroupArn: observability.logGroupArn,
      metricsLogGroupName: names.metricsLogGroup,
      extraStatements: attachmentStatements(attachments.bucketArn),
      refreshAlarmNames: observability.refreshAlarmNames,
      metricsPort: METRICS_PORT,
      database: dbLocation,
      minSize: config.asg.min,
      desiredCapacity: config.asg.desired,
      maxSize: config.asg.max,
      instanceType: config.instanceType,
      shutdownDrainSeconds: settings.shutdownDrainSeconds,
      tags,
    });
    const migrations = new MigrationRunner(this, 'migrations', {
      namePrefix: names.prefix,
      region: config.region,
      imageId,
      subnetId: network.privateSubnetIds[0],
      securityGroupIds: [firewall.appSecurityGroupId],
      repositoryUrl: registry.repositoryUrl,
      repositoryArn: registry.repositoryArn,
      masterSecretArn: database.masterUserSecretArn,
      appSecretArn: settings.secretArn,
      logGroupArn: observability.logGroupArn,
      database: dbLocation,
      instanceType: config.instanceType,
      tags,
    });

    const output = (id: string, value: string, description: string) => new TerraformOutput(this, id, { value, description });
    output('alb_dns_name', loadBalancer.dnsName, 'Public DNS name of the load balancer');
    output('app_url', config.domainName
      ? `https://${config.domainName}`
      : `${config.certificateArn ? 'https' : 'http'}://${loadBalancer.dnsName}`, 'Where the API answers (point the domain at alb_dns_name)');
    output('ecr_repository_url', registry.repositoryUrl, 'Push API images here');
    output('db_endpoint', `${database.address}:${database.port}`, 'PostgreSQL host:port (private)');
    output('asg_name', compute.autoScalingGroupName, 'Auto Scaling group of the API instances');
    output('migrate_document', migrations.documentName, 'SSM document that runs db:migrate');
    output('migrator_launch_template', migrations.launchTemplateName, 'Launch template of the one-off migration instance');
    output('app_secret_name', settings.secretName, 'Secrets Manager secret holding the API secrets');
    output('alarm_topic_arn', observability.alarmTopicArn, 'SNS topic the alarms notify');
    output('web_acl_name', webFirewall.webAclName, 'WAF web ACL in front of the load balancer');
    output('attachments_bucket', attachments.bucketName, 'S3 bucket of issue attachments (ATTACHMENTS_BUCKET)');
    output('cache_id', cache.replicationGroupId, 'ElastiCache replication group of the shared rate limits');
    output('ami_parameter', names.amiParameter, 'SSM parameter holding the pinned AMI of the instances');
    output('image_tag', config.imageTag ?? 'none (bootstrap: 0 instances)', 'API image tag the instances run');
  }
}
