import { DEFAULTS } from '../config';
import { BOTH, only, ref, resources, synthesized, target } from './synthesized';

describe.each(BOTH)('network in %s', (environment) => {
  const json = synthesized(environment);
  const config = DEFAULTS[environment];
  const subnets = resources(json, 'aws_subnet');
  const tier = (name: string) => subnets.filter(([, s]) => s.tags.Tier === name);

  it('spans the configured AZs (at least two) with a public and a private subnet in each', () => {
    expect(config.azCount).toBeGreaterThanOrEqual(2);
    for (const name of ['public', 'private']) {
      const zones = tier(name).map(([, s]) => s.availability_zone);
      expect(new Set(zones).size).toBe(config.azCount);
    }
    expect(only(json, 'aws_vpc').cidr_block).toBe(config.vpcCidr);
    expect(only(json, 'aws_vpc').enable_dns_hostnames).toBe(true);
  });

  it('gives no public IPs in any subnet and routes only public subnets to the internet gateway', () => {
    for (const [, subnet] of subnets) expect(subnet.map_public_ip_on_launch ?? false).toBe(false);
    const gatewayOf = (subnetName: string) => {
      const association = resources(json, 'aws_route_table_association').find(([, a]) => a.subnet_id === ref('aws_subnet', subnetName));
      const table = target(json, association![1].route_table_id).body;
      return table.route[0].gateway_id ?? table.route[0].nat_gateway_id;
    };
    for (const [name] of tier('public')) expect(gatewayOf(name)).toMatch(/^\$\{aws_internet_gateway\./);
    for (const [name] of tier('private')) expect(gatewayOf(name)).toMatch(/^\$\{aws_nat_gateway\./);
  });

  it(`has ${environment === 'prod' ? 'a NAT gateway per AZ' : 'one NAT gateway'}`, () => {
    const nats = resources(json, 'aws_nat_gateway');
    expect(nats.length).toBe(environment === 'prod' ? config.azCount : 1);
    const publicIds = tier('public').map(([name]) => ref('aws_subnet', name));
    for (const [, nat] of nats) expect(publicIds).toContain(nat.subnet_id);
  });

  it(`${environment === 'prod' ? 'has' : 'skips'} VPC endpoints for ECR, SSM and CloudWatch Logs`, () => {
    const services = resources(json, 'aws_vpc_endpoint').map(([, e]) => e.service_name.split('.').slice(3).join('.'));
    if (environment === 'prod') {
      expect(services).toEqual(expect.arrayContaining(['ecr.api', 'ecr.dkr', 'ssm', 'ssmmessages', 'ec2messages', 'logs', 's3']));
      for (const [, endpoint] of resources(json, 'aws_vpc_endpoint')) {
        if (endpoint.vpc_endpoint_type === 'Interface') expect(endpoint.private_dns_enabled).toBe(true);
      }
    } else {
      expect(services).toEqual([]);
    }
  });

  it('strips the rules of the default security group', () => {
    const group = only(json, 'aws_default_security_group');
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });
});
