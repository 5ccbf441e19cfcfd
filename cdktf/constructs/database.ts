// RDS PostgreSQL 17 (the major the embedded default runs): the system's only state. Private, encrypted, TLS-only; the master
// password lives in Secrets Manager (RDS creates and rotates it), never in Terraform state.
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';

export interface DatabaseProps {
  /** Also the RDS instance identifier. */
  readonly identifier: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** @default 'db.t4g.micro' */
  readonly instanceClass?: string;
  /** @default false */
  readonly multiAz?: boolean;
  /** @default 20 */
  readonly allocatedStorageGb?: number;
  /** @default allocatedStorageGb (no storage autoscaling) */
  readonly maxAllocatedStorageGb?: number;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** Snapshot on destroy. @default true */
  readonly finalSnapshot?: boolean;
  /** @default 'tracker' */
  readonly databaseName?: string;
  /** Owns the schema; migrations run as this user. @default 'tracker_owner' */
  readonly masterUsername?: string;
  /** Retention of the exported PostgreSQL logs. @default 30 */
  readonly logRetentionDays?: number;
}

export const ENGINE_MAJOR = '17';
const LOG_EXPORTS = ['postgresql', 'upgrade'];

export class Database extends Construct {
  readonly identifier: string;
  readonly address: string;
  readonly port = 5432;
  readonly databaseName: string;
  readonly masterUserSecretArn: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const allocated = props.allocatedStorageGb ?? 20;
    const maxAllocated = props.maxAllocatedStorageGb ?? allocated;
    const finalSnapshot = props.finalSnapshot ?? true;
    const databaseName = props.databaseName ?? 'tracker';
    const masterUsername = props.masterUsername ?? 'tracker_owner';
    if (props.subnetIds.length < 2) throw new Error('Database: needs subnets in at least two AZs');
    if (props.securityGroupIds.length === 0) throw new Error('Database: needs a security group');
    if (maxAllocated < allocated) throw new Error('Database: maxAllocatedStorageGb is below allocatedStorageGb');
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(databaseName)) throw new Error(`Database: bad database name "${databaseName}"`);
    if (!/^[a-z][a-z0-9_]{0,15}$/.test(masterUsername)) throw new Error(`Database: bad master username "${masterUsername}"`);

    const subnets = new DbSubnetGroup(this, 'subnets', {
      name: props.identifier,
      subnetIds: props.subnetIds,
    });

    // A name prefix and create-before-destroy: a major upgrade needs a new group of the new
    // family while the instance still uses the old one, which a fixed name cannot give.
    const parameters = new DbParameterGroup(this, 'parameters', {
      namePrefix: `${props.identifier}-pg${ENGINE_MAJOR}-`,
      family: `postgres${ENGINE_MAJOR}`,
      lifecycle: { createBeforeDestroy: true },
      parameter: [
        { name: 'rds.force_ssl', value: '1' },
        // Slow statements land in the exported log; no statement text otherwise.
        { name: 'log_min_duration_statement', value: '1000' },
      ],
    });

    // Created here so the exported logs get a retention instead of RDS's "never expire".
    const logGroups = LOG_EXPORTS.map((kind) =>
      new CloudwatchLogGroup(this, `log-${kind}`, {
        name: `/aws/rds/instance/${props.identifier}/${kind}`,
        retentionInDays: props.logRetentionDays ?? 30,
      }),
    );

    const instance = new DbInstance(this, 'instance', {
      identifier: props.identifier,
      engine: 'postgres',
      engineVersion: ENGINE_MAJOR,
      autoMinorVersionUpgrade: true,
      // A major version change in the code is applied, not refused (after a snapshot).
      allowMajorVersionUpgrade: true,
      instanceClass: props.instanceClass ?? 'db.t4g.micro',
      dbName: databaseName,
      username: masterUsername,
      manageMasterUserPassword: true,
      port: this.port,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: props.securityGroupIds,
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      storageType: 'gp3',
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated > allocated ? maxAllocated : undefined,
      storageEncrypted: true,
      parameterGroupName: parameters.name,
      backupRetentionPeriod: props.backupRetentionDays ?? 7,
      copyTagsToSnapshot: true,
      deletionProtection: props.deletionProtection ?? true,
      skipFinalSnapshot: !finalSnapshot,
      finalSnapshotIdentifier: finalSnapshot ? `${props.identifier}-final` : undefined,
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: 7,
      enabledCloudwatchLogsExports: LOG_EXPORTS,
      dependsOn: logGroups,
    });

    this.identifier = instance.identifier;
    this.address = instance.address;
    this.databaseName = databaseName;
    this.masterUserSecretArn = instance.masterUserSecret.get(0).secretArn;
  }
}
