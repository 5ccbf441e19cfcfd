#!/usr/bin/env bash
# Deploys one environment to AWS (see docs/operating/deploy-aws.md):
#   1. first time only: create the infrastructure with no instances (no image exists yet)
#   2. first time only: generate the API secrets (JWT_SECRET, DATABASE_PASSWORD)
#   3. build the image and push it to ECR (skipped if the tag is already there)
#   4. run `npm run db:migrate` once, on a throwaway instance, through SSM Run Command
#   5. deploy the stack with the new image tag (`cdktf deploy`, or terraform/tofu on the JSON)
#   6. roll the Auto Scaling group with an instance refresh and wait for healthy targets
#
# Usage: INFRA_ENV=dev|prod scripts/deploy.sh [IMAGE_TAG]    (default tag: the git commit)
# Env:   INFRA_DEPLOY_TOOL=cdktf|terraform|tofu (default cdktf), CDKTF_CLI (default: the
#        repository's pinned CLI, node_modules/.bin/cdktf). Everything else (account, certificate,
#        domain, state bucket) comes from the committed cdktf/environments/<env>.json.
# Needs: AWS credentials, aws CLI v2, docker with buildx, node_modules installed.
set -euo pipefail
cd "$(dirname "$0")/.."

export INFRA_ENV=${INFRA_ENV:-dev}
if [ $# -gt 0 ]; then
  tag=$1
else
  if [ -n "$(git status --porcelain)" ]; then
    echo "The working tree has uncommitted changes; commit them or pass an explicit image tag." >&2
    exit 1
  fi
  tag=$(git rev-parse --short=12 HEAD)
fi
tool=${INFRA_DEPLOY_TOOL:-cdktf}
cdktf_cli=${CDKTF_CLI:-node_modules/.bin/cdktf}
export CHECKPOINT_DISABLE=1

names=$(node_modules/.bin/tsx cdktf/main.ts names)
name() { node -e 'process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))' "$names" "$1"; }
stack=$(name stack)
export AWS_REGION=$(name region) AWS_DEFAULT_REGION=$(name region)
step() { printf '\n==> %s\n' "$*"; }

deploy_stack() { # $1: image tag, empty for bootstrap (0 instances)
  if [ -n "$1" ]; then export INFRA_IMAGE_TAG=$1; else unset INFRA_IMAGE_TAG; fi
  case $tool in
    cdktf) $cdktf_cli deploy "$stack" --auto-approve ;;
    terraform | tofu)
      CDKTF_OUTDIR=cdktf.out node_modules/.bin/tsx cdktf/main.ts
      "$tool" -chdir="cdktf.out/stacks/$stack" init -input=false
      "$tool" -chdir="cdktf.out/stacks/$stack" apply -input=false -auto-approve ;;
    *) echo "INFRA_DEPLOY_TOOL must be cdktf, terraform or tofu" >&2; exit 1 ;;
  esac
}

# Polls "$@" every 10 s until it prints one of the wanted words; fails on any other final word.
wait_for() { # $1: seconds, $2: ok|ok2, $3: pending|pending2, rest: command
  local deadline=$((SECONDS + $1)) ok=$2 pending=$3 value
  shift 3
  while :; do
    value=$("$@")
    if [[ "|$ok|" == *"|$value|"* ]]; then return 0; fi
    if [[ -n "$pending" && "|$pending|" != *"|$value|"* ]]; then echo "ended as $value" >&2; return 1; fi
    if [ $SECONDS -ge $deadline ]; then echo "timed out (last: $value)" >&2; return 1; fi
    sleep 10
  done
}

# 1. Bootstrap
repository=$(name repository)
# Only a missing repository means "first deploy": a bootstrap run on a live stack would
# scale it to zero, so any other error stops here.
if ! lookup=$(aws ecr describe-repositories --repository-names "$repository" 2>&1 > /dev/null); then
  if [[ "$lookup" != *RepositoryNotFoundException* ]]; then echo "$lookup" >&2; exit 1; fi
  step "First deploy of $stack: creating the infrastructure without instances (RDS takes 10-20 min)"
  deploy_stack ""
fi

# 2. Secrets, generated once and never stored in Terraform state
secret=$(name appSecret)
versions=$(aws secretsmanager list-secret-version-ids --secret-id "$secret" --query 'length(Versions)' --output text)
if [ "$versions" = 0 ]; then
  step "Generating JWT_SECRET and DATABASE_PASSWORD into $secret"
  random() { aws secretsmanager get-random-password --password-length "$1" --exclude-punctuation --query RandomPassword --output text; }
  secret_file=$(mktemp)
  chmod 600 "$secret_file"
  printf '{"JWT_SECRET":"%s","DATABASE_PASSWORD":"%s"}' "$(random 64)" "$(random 40)" > "$secret_file"
  aws secretsmanager put-secret-value --secret-id "$secret" --secret-string "file://$secret_file" > /dev/null
  rm -f "$secret_file"
fi

# 3. Image
repository_url=$(aws ecr describe-repositories --repository-names "$repository" --query 'repositories[0].repositoryUri' --output text)
image="$repository_url:$tag"
if aws ecr describe-images --repository-name "$repository" --image-ids imageTag="$tag" > /dev/null 2>&1; then
  step "$image is already in ECR (tags are immutable); not rebuilding"
else
  step "Building and pushing $image for $(name imagePlatform)"
  aws ecr get-login-password | docker login --username AWS --password-stdin "${repository_url%%/*}"
  docker buildx build --platform "$(name imagePlatform)" --tag "$image" --push .
fi

# 4. Migrations, once, before any instance runs the new code
step "Running db:migrate from $tag on a throwaway instance"
instance=$(aws ec2 run-instances --launch-template "LaunchTemplateName=$(name migratorLaunchTemplate)" \
  --query 'Instances[0].InstanceId' --output text)
trap 'aws ec2 terminate-instances --instance-ids "$instance" > /dev/null || true' EXIT
ssm_ping() { aws ssm describe-instance-information --filters "Key=InstanceIds,Values=$instance" \
  --query 'InstanceInformationList[0].PingStatus' --output text; }
wait_for 600 Online "" ssm_ping
command_id=$(aws ssm send-command --document-name "$(name migrateDocument)" --instance-ids "$instance" \
  --parameters "ImageTag=$tag" --cloud-watch-output-config "CloudWatchOutputEnabled=true,CloudWatchLogGroupName=$(name logGroup)" \
  --query Command.CommandId --output text)
invocation() { aws ssm get-command-invocation --command-id "$command_id" --instance-id "$instance" --query "$1" --output text 2> /dev/null || echo Pending; }
migrate_status() { invocation Status; }
migrated=0
wait_for 1900 Success "Pending|InProgress|Delayed" migrate_status && migrated=1
invocation StandardOutputContent
invocation StandardErrorContent >&2
aws ec2 terminate-instances --instance-ids "$instance" > /dev/null
trap - EXIT
[ $migrated = 1 ] || { echo "Migration failed; nothing was deployed." >&2; exit 1; }

# 5. Infrastructure with the new tag (a changed launch template starts an instance refresh)
step "Deploying $stack with image $tag"
deploy_stack "$tag"

# 6. Roll and wait
group=$(name autoScalingGroup)
latest_refresh() { aws autoscaling describe-instance-refreshes --auto-scaling-group-name "$group" --max-records 1 \
  --query "InstanceRefreshes[0].$1" --output text; }
case $(latest_refresh Status) in
  Pending | InProgress) ;; # started by Terraform because the launch template changed
  *)
    step "Starting an instance refresh of $group"
    aws autoscaling start-instance-refresh --auto-scaling-group-name "$group" \
      --preferences "{\"MinHealthyPercentage\":100,\"MaxHealthyPercentage\":200,\"InstanceWarmup\":60,\"SkipMatching\":true,\"AutoRollback\":true,\"AlarmSpecification\":{\"Alarms\":[\"$(name prefix)-5xx-rate\",\"$(name prefix)-unhealthy-hosts\"]}}" > /dev/null ;;
esac
step "Waiting for instance refresh $(latest_refresh InstanceRefreshId)"
refresh_status() { latest_refresh Status; }
wait_for 3600 Successful "Pending|InProgress" refresh_status

target_group=$(aws elbv2 describe-target-groups --names "$(name targetGroup)" --query 'TargetGroups[0].TargetGroupArn' --output text)
health() {
  local desired healthy
  desired=$(aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$group" --query 'AutoScalingGroups[0].DesiredCapacity' --output text)
  healthy=$(aws elbv2 describe-target-health --target-group-arn "$target_group" --query "length(TargetHealthDescriptions[?TargetHealth.State=='healthy'])" --output text)
  [ "$healthy" -ge "$desired" ] && [ "$desired" -gt 0 ] && echo ready || echo "$healthy/$desired"
}
step "Waiting for healthy targets"
wait_for 900 ready "" health

dns=$(aws elbv2 describe-load-balancers --names "$(name loadBalancer)" --query 'LoadBalancers[0].DNSName' --output text)
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://$dns/health" || true)
step "Deployed $tag to $stack: http://$dns (GET /health through the ALB answered $code; 301 means HTTPS redirect)"
