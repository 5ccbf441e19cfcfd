# Plan-level tests: `terraform test` with a mocked AWS provider (no credentials, no network)
# over a synthesized stack. scripts/infra-plan-test.ts synthesizes each environment twice,
# bootstrap (no image tag, ./bootstrap) and deploy (with a tag, the root), replaces each
# at-brace placeholder below with the stack's resource address or value, and runs this file.
# Every assertion's message starts with its rule id; the script plants one mistake per rule
# in a copy of the stack and checks that exactly that rule's assertion fails.

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  }
  mock_data "aws_ssm_parameter" {
    defaults = { insecure_value = "ami-00000000000000001", value = "ami-00000000000000001" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_elb_service_account" {
    defaults = { arn = "arn:aws:iam::156460612806:root" }
  }
  # Attributes the provider checks as ARNs or IDs need well-formed mock values.
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:mock-topic" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock-role" }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = { arn = "arn:aws:iam::123456789012:instance-profile/mock-profile" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_lb" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mock/0123456789abcdef", arn_suffix = "app/mock/0123456789abcdef" }
  }
  mock_resource "aws_lb_target_group" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mock/0123456789abcdef", arn_suffix = "targetgroup/mock/0123456789abcdef" }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mock/0123456789abcdef/0123456789abcdef" }
  }
  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/mock/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_launch_template" {
    defaults = { id = "lt-0123456789abcdef0", latest_version = 1 }
  }
  mock_resource "aws_db_instance" {
    defaults = { master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds-db-mock", kms_key_id = "", secret_status = "active" }] }
  }
}

# 1. The first deploy: everything, but no instances (no image exists yet).
run "bootstrap" {
  module {
    source = "./bootstrap"
  }
  state_key = "stack"

  assert {
    condition     = @{asg}.min_size == 0 && @{asg}.desired_capacity == 0
    error_message = "[bootstrap] the bootstrap stack must run no instances"
  }
}

# 2. The deploy with an image tag, applied on top of the bootstrap's state.
run "deploy" {
  state_key = "stack"

  # Issue 21 item 4: desired_capacity is ignored after the bootstrap, so what runs is the
  # group's desired capacity raised to min_size; prod needs one instance per AZ.
  assert {
    condition     = max(@{asg}.min_size, @{asg}.desired_capacity) >= @{minCapacity}
    error_message = "[capacity] after bootstrap -> deploy the group runs fewer than @{minCapacity} instances"
  }

  # The firewall chain: internet -> ALB -> app:4000 -> DB:5432 / cache:6379, nothing else in.
  assert {
    condition = alltrue([for r in @{ingressRules} :
      (r.security_group_id == @{sgAlb}.id && r.cidr_ipv4 == "0.0.0.0/0" && r.from_port == r.to_port && contains(@{listenerPorts}, r.from_port)) ||
      (r.security_group_id == @{sgApp}.id && r.referenced_security_group_id == @{sgAlb}.id && r.from_port == 4000 && r.to_port == 4000) ||
      (r.security_group_id == @{sgDb}.id && r.referenced_security_group_id == @{sgApp}.id && r.from_port == 5432 && r.to_port == 5432) ||
      (r.security_group_id == @{sgCache}.id && r.referenced_security_group_id == @{sgApp}.id && r.from_port == 6379 && r.to_port == 6379) ||
      (r.security_group_id == @{sgEndpoints} && r.referenced_security_group_id == @{sgApp}.id && r.from_port == 443 && r.to_port == 443)
    ])
    error_message = "[sg-chain] an ingress rule lets traffic in outside internet -> ALB -> app -> database/cache"
  }
  assert {
    condition     = @{db}.publicly_accessible == false && @{lb}.security_groups == toset([@{sgAlb}.id])
    error_message = "[sg-chain] the database is public or the load balancer is outside its group"
  }

  assert {
    condition = (@{tg}.port == 4000 && @{tg}.health_check[0].path == "/health" && @{tg}.health_check[0].matcher == "200"
    && @{asg}.health_check_type == "ELB" && contains(@{asg}.target_group_arns, @{tg}.arn))
    error_message = "[health-check] the fleet is not replaced on failed GET /health checks on port 4000"
  }

  # Item 1: /metrics and /ready never leave the instance.
  assert {
    condition     = !contains(["", "4000"], @{envParam.METRICS_PORT}.value)
    error_message = "[metrics-port] METRICS_PORT is unset or the port the load balancer forwards"
  }
  assert {
    condition = (@{servingListener}.default_action[0].type == "fixed-response"
      && toset(flatten([for c in @{publicPathsRule}.condition : [for p in c.path_pattern : p.values]])) == toset(["/graphql", "/graphql/*", "/health"])
    && @{publicPathsRule}.listener_arn == @{servingListener}.arn)
    error_message = "[public-paths] the load balancer forwards more than /graphql and /health"
  }

  # Item 2: prod serves HTTPS with a certificate (the settings file makes it impossible to forget).
  assert {
    condition     = "@{env}" != "prod" || (@{servingListener}.protocol == "HTTPS" && @{servingListener}.certificate_arn != null && @{servingListener}.port == 443)
    error_message = "[prod-https] prod does not serve HTTPS with a certificate"
  }

  # Item 3: a WAF with AWS managed rules, a rate limit and logging, on this load balancer.
  assert {
    condition     = @{wafAssociation}.resource_arn == @{lb}.arn && @{wafAssociation}.web_acl_arn == @{acl}.arn
    error_message = "[waf] the web ACL is not attached to the load balancer"
  }
  assert {
    condition = (toset([for r in @{acl}.rule : r.statement[0].managed_rule_group_statement[0].name if try(length(r.statement[0].managed_rule_group_statement) > 0, false)])
      == toset(["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"])
    && length([for r in @{acl}.rule : r if try(length(r.statement[0].rate_based_statement) > 0 && length(r.action[0].block) > 0, false)]) == 1)
    error_message = "[waf-rules] the web ACL lacks a managed rule group or the blocking rate-based rule"
  }
  assert {
    condition     = @{wafLogging}.resource_arn == @{acl}.arn && startswith(@{wafLogGroup}.name, "aws-waf-logs-")
    error_message = "[waf-logging] the web ACL does not log"
  }

  # Item 6: monitoring.
  assert {
    condition     = contains([for a in @{alarms} : a.metric_name if a.comparison_operator == "LessThanThreshold" && a.threshold == 1], "HealthyHostCount")
    error_message = "[alarms] no alarm for zero healthy targets"
  }
  assert {
    condition     = length(setintersection(toset([for a in @{alarms} : a.metric_name]), toset(["FreeableMemory", "ReadLatency", "WriteLatency"]))) == 3
    error_message = "[alarms-db] no alarm on database freeable memory and latency"
  }
  assert {
    condition     = try(length(@{asg}.instance_refresh[0].preferences[0].alarm_specification[0].alarms) > 0 && @{asg}.instance_refresh[0].preferences[0].auto_rollback, false)
    error_message = "[refresh-rollback] an instance refresh does not roll back on alarms"
  }
  assert {
    condition     = @{flowLog}.traffic_type == "ALL" && @{flowLog}.vpc_id == @{vpc}.id
    error_message = "[flow-logs] the VPC does not log all its flows"
  }
  assert {
    condition     = can(jsondecode(@{agentConfig}.value).logs.metrics_collected.prometheus.prometheus_config_path) && can(jsondecode(@{agentConfig}.value).metrics.metrics_collected.mem)
    error_message = "[agent] the CloudWatch agent does not collect the Prometheus metrics and host memory"
  }

  # Item 7: scale on requests as well as CPU; prod on non-burstable instances.
  assert {
    condition     = contains([for p in @{scalingPolicies} : p.target_tracking_configuration[0].predefined_metric_specification[0].predefined_metric_type], "ALBRequestCountPerTarget")
    error_message = "[request-scaling] no target tracking on ALBRequestCountPerTarget"
  }
  assert {
    condition     = "@{env}" != "prod" || !startswith(@{appTemplate}.instance_type, "t")
    error_message = "[non-burstable] prod runs burstable instances"
  }

  # Item 8: IAM, metadata, parameter group, drain.
  assert {
    # (The role reference keeps the condition tied to the stack when the list is empty.)
    condition     = length(@{policyAttachments}) == 0 && @{appPolicy}.role != null
    error_message = "[no-managed-ssm] a managed policy (AmazonSSMManagedInstanceCore grants ssm:GetParameter on *) is attached"
  }
  assert {
    condition = alltrue([for s in jsondecode(@{appPolicy}.policy).Statement :
    !(contains(flatten([s.Resource]), "*") && length(setintersection(toset(flatten([s.Action])), toset(["ssm:GetParameter", "ssm:GetParameters", "ssm:*", "secretsmanager:GetSecretValue"]))) > 0)])
    error_message = "[scoped-reads] the API role reads parameters or secrets on *"
  }
  assert {
    condition     = @{migratorTemplate}.metadata_options[0].http_put_response_hop_limit == 1 && @{migratorTemplate}.metadata_options[0].http_tokens == "required"
    error_message = "[imds] the migrator's containers can reach its role (hop limit above 1) or IMDSv1 is on"
  }
  assert {
    condition     = @{dbParameters}.name_prefix != null && @{dbParameters}.family == "postgres17" && startswith(@{db}.engine_version, "17")
    error_message = "[db-major] the database is not PostgreSQL 17 with a prefix-named parameter group"
  }
  assert {
    condition     = tonumber(@{envParam.SHUTDOWN_DRAIN_SECONDS}.value) > @{tg}.health_check[0].interval * @{tg}.health_check[0].unhealthy_threshold + @{tg}.health_check[0].timeout
    error_message = "[drain] the API stops serving before the load balancer can notice it"
  }

  # New components.
  assert {
    condition     = @{cache}.transit_encryption_enabled && @{cache}.at_rest_encryption_enabled == "true" && @{cache}.security_group_ids == toset([@{sgCache}.id])
    error_message = "[cache] the cache is unencrypted or outside its security group"
  }
  assert {
    condition     = startswith(@{envParam.REDIS_URL}.value, "rediss://")
    error_message = "[cache-url] the instances do not get a TLS REDIS_URL"
  }
  assert {
    condition = (@{bucketBlock}.block_public_acls && @{bucketBlock}.block_public_policy && @{bucketBlock}.ignore_public_acls && @{bucketBlock}.restrict_public_buckets
    && @{bucketBlock}.bucket == @{bucket}.id)
    error_message = "[bucket-private] the attachments bucket can be made public"
  }
  assert {
    condition     = length([for r in @{bucketLifecycle}.rule : r if length(r.abort_incomplete_multipart_upload) > 0 && r.status == "Enabled"]) == 1
    error_message = "[bucket-lifecycle] unfinished uploads are never cleaned up"
  }
}

# 3. AWS publishes a new Amazon Linux AMI: the next plan must not roll the fleet by itself.
run "new_public_ami" {
  state_key = "stack"

  override_data {
    target = @{latestAmi}
    values = { insecure_value = "ami-00000000000000002", value = "ami-00000000000000002" }
  }

  assert {
    condition     = @{appTemplate}.image_id == "ami-00000000000000001" && @{migratorTemplate}.image_id == "ami-00000000000000001"
    error_message = "[ami-pinned] a newly published AMI changed the launch templates (the fleet would roll)"
  }
}
