// The firewall chain: internet -> ALB -> instances -> database and cache, and nothing else.
import { BOTH, type Body, type TerraformJson, named, ref, resources, synthesized } from './synthesized';

function groups(json: TerraformJson, environment: string) {
  const sg = (suffix: string) => ref('aws_security_group', named(json, 'aws_security_group', 'name', `tracker-${environment}-${suffix}`));
  const endpoints = resources(json, 'aws_security_group').find(([, body]) => body.name === `tracker-${environment}-endpoints`);
  return { alb: sg('alb'), app: sg('app'), db: sg('db'), cache: sg('cache'), endpoints: endpoints ? ref('aws_security_group', endpoints[0]) : undefined };
}

type Groups = ReturnType<typeof groups>;

/** The only ingress the design allows; everything else is a finding. */
function isChainedIngress(rule: Body, sg: Groups, listenerPorts: number[]): boolean {
  const single = rule.ip_protocol === 'tcp' && rule.from_port === rule.to_port;
  const onlySource = (key: string) => ['cidr_ipv4', 'cidr_ipv6', 'referenced_security_group_id', 'prefix_list_id']
    .every((k) => (k === key) === (rule[k] !== undefined));
  const fromGroup = (source: string | undefined, port: number) =>
    single && onlySource('referenced_security_group_id') && rule.referenced_security_group_id === source && rule.from_port === port;
  switch (rule.security_group_id) {
    case sg.alb: return single && onlySource('cidr_ipv4') && rule.cidr_ipv4 === '0.0.0.0/0' && listenerPorts.includes(rule.from_port);
    case sg.app: return fromGroup(sg.alb, 4000);
    case sg.db: return fromGroup(sg.app, 5432);
    case sg.cache: return fromGroup(sg.app, 6379);
    case sg.endpoints: return fromGroup(sg.app, 443);
    default: return false;
  }
}

const describeRule = (rule: Body) =>
  `${rule.ip_protocol} ${rule.from_port}-${rule.to_port} from ${rule.cidr_ipv4 ?? rule.cidr_ipv6 ?? rule.referenced_security_group_id ?? rule.prefix_list_id}`;

describe.each(BOTH)('security groups in %s', (environment) => {
  const json = synthesized(environment);
  const sg = groups(json, environment);
  const listenerPorts = environment === 'prod' ? [80, 443] : [80];

  it('allows only the chained ingress sources', () => {
    const allowed = (rule: Body) => isChainedIngress(rule, sg, listenerPorts);
    const rules = resources(json, 'aws_vpc_security_group_ingress_rule');
    const offending = rules.filter(([, rule]) => !allowed(rule)).map(([name, rule]) => `${name}: ${describeRule(rule)}`);
    expect(offending).toEqual([]);
    expect(rules.length).toBe(listenerPorts.length + 3 + (sg.endpoints ? 1 : 0));
  });

  it('would flag a rule from any other source', () => {
    const tcp = (port: number) => ({ ip_protocol: 'tcp', from_port: port, to_port: port });
    const strays: Body[] = [
      { security_group_id: sg.app, cidr_ipv4: '0.0.0.0/0', ...tcp(4000) },
      { security_group_id: sg.db, referenced_security_group_id: sg.alb, ...tcp(5432) },
      { security_group_id: sg.db, cidr_ipv4: '10.0.0.0/8', ...tcp(5432) },
      { security_group_id: sg.cache, cidr_ipv4: '10.0.0.0/8', ...tcp(6379) },
      { security_group_id: sg.cache, referenced_security_group_id: sg.alb, ...tcp(6379) },
      { security_group_id: sg.alb, cidr_ipv4: '0.0.0.0/0', ...tcp(22) },
      { security_group_id: sg.alb, cidr_ipv6: '::/0', ...tcp(80) },
      { security_group_id: sg.app, referenced_security_group_id: sg.alb, ip_protocol: '-1' },
      { security_group_id: sg.app, referenced_security_group_id: sg.alb, ip_protocol: 'tcp', from_port: 0, to_port: 65535 },
      { security_group_id: '${aws_security_group.other.id}', cidr_ipv4: '10.0.0.0/16', ...tcp(443) },
    ];
    for (const stray of strays) expect(isChainedIngress(stray, sg, listenerPorts)).toBe(false);
  });

  it('builds the whole chain', () => {
    const has = (group: string | undefined, port: number, source: string) =>
      resources(json, 'aws_vpc_security_group_ingress_rule').some(([, r]) => r.security_group_id === group && r.from_port === port
        && (r.cidr_ipv4 === source || r.referenced_security_group_id === source));
    for (const port of listenerPorts) expect(has(sg.alb, port, '0.0.0.0/0')).toBe(true);
    expect(has(sg.app, 4000, sg.alb)).toBe(true);
    expect(has(sg.db, 5432, sg.app)).toBe(true);
    expect(has(sg.cache, 6379, sg.app)).toBe(true);
  });

  it('keeps egress as narrow as the traffic', () => {
    const egress = resources(json, 'aws_vpc_security_group_egress_rule').map(([, r]) => r);
    const summary = egress.map((r) => `${r.security_group_id === sg.alb ? 'alb' : r.security_group_id === sg.app ? 'app' : 'other'} ${describeRule(r)}`);
    expect(summary.sort()).toEqual([
      `alb tcp 4000-4000 from ${sg.app}`,
      'app tcp 443-443 from 0.0.0.0/0',
      'app tcp 80-80 from 0.0.0.0/0',
      `app tcp 5432-5432 from ${sg.db}`,
      `app tcp 6379-6379 from ${sg.cache}`,
    ].sort());
  });

  it('has no inline, legacy or default-group rules that could bypass the walk', () => {
    expect(resources(json, 'aws_security_group_rule')).toEqual([]);
    expect(resources(json, 'aws_network_acl_rule')).toEqual([]);
    for (const [, group] of resources(json, 'aws_security_group')) {
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
    }
    for (const [, group] of resources(json, 'aws_default_security_group')) {
      expect(group.ingress ?? []).toEqual([]);
      expect(group.egress ?? []).toEqual([]);
    }
  });

  it('places the ALB in the ALB group and instances and migrator in the app group', () => {
    const [[, lb]] = resources(json, 'aws_lb');
    expect(lb.security_groups).toEqual([sg.alb]);
    const templates = resources(json, 'aws_launch_template').map(([, t]) => t);
    for (const template of templates) {
      const groupsOf = template.vpc_security_group_ids ?? template.network_interfaces[0].security_groups;
      expect(groupsOf).toEqual([sg.app]);
    }
    const [[, db]] = resources(json, 'aws_db_instance');
    expect(db.vpc_security_group_ids).toEqual([sg.db]);
    const [[, cache]] = resources(json, 'aws_elasticache_replication_group');
    expect(cache.security_group_ids).toEqual([sg.cache]);
  });
});
