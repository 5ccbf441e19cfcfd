// ElastiCache (Valkey, Redis-compatible) for state the API instances share: the rate limits
// (REDIS_URL). Private subnets, reachable only from the app's security group, TLS in transit
// and encrypted at rest. No AUTH token: the token would sit in Terraform state, and the
// security group already admits only the API instances (see docs/operating/deploy-aws.md).
import { Construct } from 'constructs';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';

export interface CacheProps {
  readonly namePrefix: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** @default 'cache.t4g.micro' */
  readonly nodeType?: string;
  /** 2+ adds replicas in other AZs with automatic failover. @default 1 */
  readonly nodes?: number;
}

export const CACHE_PORT = 6379;
export const CACHE_ENGINE = { engine: 'valkey', version: '8.0' } as const;

export class Cache extends Construct {
  /** rediss:// URL (TLS) of the primary endpoint, for the API's REDIS_URL. */
  readonly url: string;
  readonly replicationGroupId: string;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const nodes = props.nodes ?? 1;
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 6) throw new Error('Cache: nodes must be 1-6');
    if (props.subnetIds.length < 2) throw new Error('Cache: needs subnets in at least two AZs');
    if (props.securityGroupIds.length === 0) throw new Error('Cache: needs a security group');
    const replicated = nodes > 1;

    const subnets = new ElasticacheSubnetGroup(this, 'subnets', { name: props.namePrefix, subnetIds: props.subnetIds });
    const group = new ElasticacheReplicationGroup(this, 'group', {
      replicationGroupId: props.namePrefix,
      description: 'Shared state of the API instances (rate limits)',
      engine: CACHE_ENGINE.engine,
      engineVersion: CACHE_ENGINE.version,
      nodeType: props.nodeType ?? 'cache.t4g.micro',
      numCacheClusters: nodes,
      automaticFailoverEnabled: replicated,
      multiAzEnabled: replicated,
      port: CACHE_PORT,
      subnetGroupName: subnets.name,
      securityGroupIds: props.securityGroupIds,
      atRestEncryptionEnabled: 'true',
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      autoMinorVersionUpgrade: 'true',
      snapshotRetentionLimit: 0,
    });

    this.url = `rediss://${group.primaryEndpointAddress}:${CACHE_PORT}`;
    this.replicationGroupId = group.replicationGroupId;
  }
}
