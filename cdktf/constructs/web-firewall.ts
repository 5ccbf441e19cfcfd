// WAFv2 web ACL in front of the load balancer: AWS's managed rule groups for common exploits,
// known bad inputs and IP reputation, a per-IP rate limit, and logs in CloudWatch.
// Block decisions happen before a request reaches an instance, so they cost the API nothing.
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Wafv2WebAcl, Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';

export interface WebFirewallProps {
  readonly namePrefix: string;
  readonly loadBalancerArn: string;
  /** Requests one client IP may send within 5 minutes before WAF blocks it. */
  readonly rateLimitPer5Minutes: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
}

/** AWS managed rule groups, in evaluation order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

// The common rule set blocks request bodies over 8 KB; GraphQL documents and variables are
// bounded by the API's own limits (GRAPHQL_MAX_TOKENS, body size), so that rule only counts.
const COMMON_RULES_COUNT_ONLY = ['SizeRestrictions_BODY'];

export class WebFirewall extends Construct {
  readonly webAclArn: string;
  readonly webAclName: string;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    if (!Number.isInteger(props.rateLimitPer5Minutes) || props.rateLimitPer5Minutes < 10) {
      throw new Error('WebFirewall: rateLimitPer5Minutes must be an integer of at least 10 (AWS minimum)');
    }
    const name = `${props.namePrefix}-api`;
    const visibility = (metric: string) => ({
      cloudwatchMetricsEnabled: true,
      metricName: `${props.namePrefix}-${metric}`,
      sampledRequestsEnabled: true,
    });

    const managed: Wafv2WebAclRule[] = MANAGED_RULE_GROUPS.map((group, index) => ({
      name: group,
      priority: index + 1,
      overrideAction: { none: {} },
      statement: {
        managed_rule_group_statement: {
          name: group,
          vendor_name: 'AWS',
          ...(group === 'AWSManagedRulesCommonRuleSet'
            ? { rule_action_override: COMMON_RULES_COUNT_ONLY.map((rule) => ({ name: rule, action_to_use: { count: {} } })) }
            : {}),
        },
      },
      visibilityConfig: visibility(group),
    }));
    const rateLimit: Wafv2WebAclRule = {
      name: 'rate-limit-per-ip',
      priority: 0,
      action: { block: {} },
      statement: {
        rate_based_statement: { limit: props.rateLimitPer5Minutes, aggregate_key_type: 'IP', evaluation_window_sec: 300 },
      },
      visibilityConfig: visibility('rate-limit'),
    };

    const acl = new Wafv2WebAcl(this, 'acl', {
      name,
      description: 'Managed rule groups and a per-IP rate limit in front of the API',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: [rateLimit, ...managed],
      visibilityConfig: visibility('api'),
    });
    new Wafv2WebAclAssociation(this, 'association', { resourceArn: props.loadBalancerArn, webAclArn: acl.arn });

    // WAF only logs to groups whose name starts with aws-waf-logs-.
    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: `aws-waf-logs-${props.namePrefix}`,
      retentionInDays: props.logRetentionDays ?? 30,
    });
    new Wafv2WebAclLoggingConfiguration(this, 'logging', {
      resourceArn: acl.arn,
      logDestinationConfigs: [logs.arn],
      // Tokens travel in these headers; they must never reach a log.
      redactedFields: [{ singleHeader: { name: 'authorization' } }, { singleHeader: { name: 'cookie' } }],
    });

    this.webAclArn = acl.arn;
    this.webAclName = name;
  }
}
