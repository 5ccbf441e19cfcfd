// VPC with public subnets for the load balancer and private subnets (no public IPs) for
// instances and the database; private traffic leaves through NAT.
import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';

export interface NetworkProps {
  readonly namePrefix: string;
  readonly region: string;
  /** An IPv4 block from /16 to /20; each subnet gets a sixteenth of it. */
  readonly cidr: string;
  /** @default 2 */
  readonly azCount?: number;
  /** One NAT gateway per AZ instead of a single shared one. @default false */
  readonly natGatewayPerAz?: boolean;
  /**
   * Interface endpoints (ECR, SSM, CloudWatch Logs, Secrets Manager) and an S3 gateway
   * endpoint, so image pulls and agent traffic stay off the NAT. @default false
   */
  readonly vpcEndpoints?: boolean;
  /** Retention of the VPC flow logs (all traffic, accepted and rejected). @default 30 */
  readonly flowLogRetentionDays?: number;
}

// Interface endpoints the instances use at boot and at run time (ecr.dkr pulls layers from S3).
const INTERFACE_ENDPOINTS = ['ecr.api', 'ecr.dkr', 'ssm', 'ssmmessages', 'ec2messages', 'logs', 'secretsmanager'];

export class Network extends Construct {
  readonly vpcId: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  /** Present when vpcEndpoints is on; its ingress is granted by SecurityGroups. */
  readonly endpointSecurityGroupId?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const azCount = props.azCount ?? 2;
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 6) {
      throw new Error(`Network: azCount must be 2-6 (got ${azCount})`);
    }
    const name = (suffix: string) => ({ Name: `${props.namePrefix}-${suffix}` });

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: name('vpc'),
    });
    this.vpcId = vpc.id;

    // Flow logs: who talked to what, and what the security groups refused, for incidents.
    const flowLogs = new CloudwatchLogGroup(this, 'flow-logs', {
      name: `/${props.namePrefix.replace(/-/g, '/')}/vpc-flow-logs`,
      retentionInDays: props.flowLogRetentionDays ?? 30,
    });
    const flowRole = new IamRole(this, 'flow-logs-role', {
      name: `${props.namePrefix}-flow-logs`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    });
    new IamRolePolicy(this, 'flow-logs-policy', {
      name: 'write-flow-logs',
      role: flowRole.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [`${flowLogs.arn}:*`],
        }],
      }),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: flowLogs.arn,
      iamRoleArn: flowRole.arn,
      maxAggregationInterval: 60,
    });

    // The default group allows all traffic between its members; strip it so nothing relies on it.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: vpc.id, tags: name('default-unused') });

    const zones = new DataAwsAvailabilityZones(this, 'zones', {
      state: 'available',
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
      // element() wraps around, so too few zones would silently stack subnets in one AZ.
      lifecycle: {
        postcondition: [{
          condition: `\${length(self.names) >= ${azCount}}`,
          errorMessage: `The region has fewer than ${azCount} available zones.`,
        }],
      },
    });
    const az = (i: number) => Fn.element(zones.names, i);
    const subnetCidr = (index: number) => Fn.cidrsubnet(props.cidr, 4, index);

    const igw = new InternetGateway(this, 'igw', { vpcId: vpc.id, tags: name('igw') });
    const publicRoutes = new RouteTable(this, 'public-rt', {
      vpcId: vpc.id,
      route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
      tags: name('public'),
    });

    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    const privateRouteTables: RouteTable[] = [];
    const natGateways: NatGateway[] = [];
    for (let i = 0; i < azCount; i++) {
      const pub = new Subnet(this, `public-${i}`, {
        vpcId: vpc.id,
        availabilityZone: az(i),
        cidrBlock: subnetCidr(i),
        mapPublicIpOnLaunch: false,
        tags: { ...name(`public-${i}`), Tier: 'public' },
      });
      new RouteTableAssociation(this, `public-${i}-rta`, { subnetId: pub.id, routeTableId: publicRoutes.id });
      publicSubnets.push(pub);

      if (i === 0 || props.natGatewayPerAz) {
        const eip = new Eip(this, `nat-${i}-eip`, { domain: 'vpc', tags: name(`nat-${i}`) });
        natGateways.push(new NatGateway(this, `nat-${i}`, {
          allocationId: eip.allocationId,
          subnetId: pub.id,
          tags: name(`nat-${i}`),
          dependsOn: [igw],
        }));
      }

      // Private subnets start at the middle of the block so public ones can grow in place.
      const priv = new Subnet(this, `private-${i}`, {
        vpcId: vpc.id,
        availabilityZone: az(i),
        cidrBlock: subnetCidr(8 + i),
        tags: { ...name(`private-${i}`), Tier: 'private' },
      });
      const routes = new RouteTable(this, `private-${i}-rt`, {
        vpcId: vpc.id,
        route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: natGateways[natGateways.length - 1].id }],
        tags: name(`private-${i}`),
      });
      new RouteTableAssociation(this, `private-${i}-rta`, { subnetId: priv.id, routeTableId: routes.id });
      privateSubnets.push(priv);
      privateRouteTables.push(routes);
    }
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    if (props.vpcEndpoints) {
      const endpointSg = new SecurityGroup(this, 'endpoint-sg', {
        name: `${props.namePrefix}-endpoints`,
        description: 'VPC interface endpoints; ingress only from the instances',
        vpcId: vpc.id,
        tags: name('endpoints'),
      });
      this.endpointSecurityGroupId = endpointSg.id;
      for (const service of INTERFACE_ENDPOINTS) {
        new VpcEndpoint(this, `endpoint-${service.replace('.', '-')}`, {
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: this.privateSubnetIds,
          securityGroupIds: [endpointSg.id],
          tags: name(`endpoint-${service}`),
        });
      }
      new VpcEndpoint(this, 'endpoint-s3', {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${props.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: privateRouteTables.map((t) => t.id),
        tags: name('endpoint-s3'),
      });
    }
  }
}
