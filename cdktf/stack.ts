// One environment's stack: the constructs wired together, the provider, the state backend
// and the outputs operators and scripts/deploy.sh use.
import { Construct } from 'constructs';
import { S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { EnvironmentConfig, RemoteStateSettings } from './config';
import { AppSettings } from './constructs/app-settings';
import { Compute, architectureOf } from './constructs/compute';
import { Database } from './constructs/database';
import { LoadBalancer } from './constructs/load-balancer';
import { MigrationRunner } from './constructs/migration-runner';
import { Network } from './constructs/network';
import { Observability } from './constructs/observability';
import { Registry } from './constructs/registry';
import { SecurityGroups } from './constructs/security-groups';

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
    region: config.region,
    imagePlatform: `linux/${architectureOf(config.instanceType) === 'arm64' ? 'arm64' : 'amd64'}`,
  };
}

export class TrackerStack extends TerraformStack {
  constructor(scope: Construct, config: EnvironmentConfig, state?: RemoteStateSettings) {
    const names = resourceNames(config);
    super(scope, names.stack);
    const isProd = config.environment === 'prod';
    const tags = { Project: config.project, Environment: config.environment };

    // use_lockfile and the S3 backend below need Terraform or OpenTofu 1.10+.
    this.addOverride('terraform.required_version', '>= 1.10');
    new AwsProvider(this, 'aws', { region: config.region, defaultTags: [{ tags: { ...tags, ManagedBy: 'cdktf' } }] });
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
      alarmEmail: config.alarmEmail,
    });
    const settings = new AppSettings(this, 'app-settings', {
      namePrefix: `${config.project}/${config.environment}`,
      secretRecoveryDays: isProd ? 30 : 0,
    });
    const dbLocation = { host: database.address, port: database.port, name: database.databaseName };
    const compute = new Compute(this, 'compute', {
      namePrefix: names.prefix,
      region: config.region,
      subnetIds: network.privateSubnetIds,
      securityGroupIds: [firewall.appSecurityGroupId],
      targetGroupArn: loadBalancer.targetGroupArn,
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
    output('image_tag', config.imageTag ?? 'none (bootstrap: 0 instances)', 'API image tag the instances run');
  }
}
