// The whole firewall chain in one place:
//   internet -> ALB (listener ports) -> instances (app port, only from the ALB)
//            -> database (5432, only from the instances)
//            -> cache (6379, only from the instances)
// plus instances -> VPC endpoints (443) when the network has them, and instances -> the
// internet on 443 (AWS APIs, webhooks) and the webhook ports (80). One rule per resource,
// no inline rules, so each rule is visible (and testable) on its own.
import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';

export interface SecurityGroupsProps {
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Ports the ALB listens on, open to the internet. @default [80] */
  readonly listenerPorts?: number[];
  /** @default 4000 */
  readonly appPort?: number;
  /** @default 5432 */
  readonly databasePort?: number;
  /** @default 6379 */
  readonly cachePort?: number;
  /** Security group of the VPC interface endpoints, if any. @default - none */
  readonly endpointSecurityGroupId?: string;
  /**
   * Ports besides 443 the instances may reach on the internet, for webhook receivers
   * (`http://` URLs use 80). A receiver on any other port needs its port here. @default [80]
   */
  readonly webhookEgressPorts?: number[];
}

export class SecurityGroups extends Construct {
  readonly albSecurityGroupId: string;
  readonly appSecurityGroupId: string;
  readonly databaseSecurityGroupId: string;
  readonly cacheSecurityGroupId: string;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const listenerPorts = props.listenerPorts ?? [80];
    const appPort = props.appPort ?? 4000;
    const databasePort = props.databasePort ?? 5432;
    const cachePort = props.cachePort ?? 6379;
    const webhookPorts = (props.webhookEgressPorts ?? [80]).filter((port) => port !== 443);
    for (const port of [...listenerPorts, appPort, databasePort, cachePort, ...webhookPorts]) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`SecurityGroups: bad port ${port}`);
    }
    if (listenerPorts.length === 0) throw new Error('SecurityGroups: listenerPorts must not be empty');

    // Terraform removes AWS's default allow-all egress from groups it creates, so a
    // group without egress rules below really sends nothing.
    const group = (key: string, description: string) =>
      new SecurityGroup(this, key, {
        name: `${props.namePrefix}-${key}`,
        description,
        vpcId: props.vpcId,
        tags: { Name: `${props.namePrefix}-${key}` },
      });
    const alb = group('alb', 'Load balancer: listener ports from the internet');
    const app = group('app', 'API instances: app port from the load balancer only');
    const db = group('db', 'PostgreSQL: only from the API instances');
    const cache = group('cache', 'Valkey: only from the API instances');

    const tcp = (port: number) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port });
    for (const port of listenerPorts) {
      new VpcSecurityGroupIngressRule(this, `alb-in-${port}`, {
        securityGroupId: alb.id, cidrIpv4: '0.0.0.0/0', description: 'Listener', ...tcp(port),
      });
    }
    new VpcSecurityGroupEgressRule(this, 'alb-out-app', {
      securityGroupId: alb.id, referencedSecurityGroupId: app.id, description: 'Forward and health checks', ...tcp(appPort),
    });

    new VpcSecurityGroupIngressRule(this, 'app-in-alb', {
      securityGroupId: app.id, referencedSecurityGroupId: alb.id, description: 'From the load balancer', ...tcp(appPort),
    });
    new VpcSecurityGroupEgressRule(this, 'app-out-db', {
      securityGroupId: app.id, referencedSecurityGroupId: db.id, description: 'PostgreSQL', ...tcp(databasePort),
    });
    new VpcSecurityGroupEgressRule(this, 'app-out-cache', {
      securityGroupId: app.id, referencedSecurityGroupId: cache.id, description: 'Valkey (TLS)', ...tcp(cachePort),
    });
    // ECR, SSM, Secrets Manager, CloudWatch Logs, package repositories and the RDS CA
    // bundle are HTTPS endpoints without fixed addresses (S3 alone has a prefix list).
    new VpcSecurityGroupEgressRule(this, 'app-out-https', {
      securityGroupId: app.id, cidrIpv4: '0.0.0.0/0', description: 'AWS APIs and webhooks over HTTPS', ...tcp(443),
    });
    for (const port of webhookPorts) {
      new VpcSecurityGroupEgressRule(this, `app-out-webhooks-${port}`, {
        securityGroupId: app.id, cidrIpv4: '0.0.0.0/0', description: `Webhook deliveries to port ${port}`, ...tcp(port),
      });
    }

    new VpcSecurityGroupIngressRule(this, 'db-in-app', {
      securityGroupId: db.id, referencedSecurityGroupId: app.id, description: 'From the API instances', ...tcp(databasePort),
    });

    new VpcSecurityGroupIngressRule(this, 'cache-in-app', {
      securityGroupId: cache.id, referencedSecurityGroupId: app.id, description: 'From the API instances', ...tcp(cachePort),
    });

    if (props.endpointSecurityGroupId) {
      new VpcSecurityGroupIngressRule(this, 'endpoints-in-app', {
        securityGroupId: props.endpointSecurityGroupId, referencedSecurityGroupId: app.id,
        description: 'From the API instances', ...tcp(443),
      });
    }

    this.albSecurityGroupId = alb.id;
    this.appSecurityGroupId = app.id;
    this.databaseSecurityGroupId = db.id;
    this.cacheSecurityGroupId = cache.id;
  }
}
