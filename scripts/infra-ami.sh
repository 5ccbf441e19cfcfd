#!/usr/bin/env bash
# Moves the AMI the instances of one environment run (the SSM parameter /tracker/<env>/ami-id,
# which Terraform creates once and then leaves alone), so a new AMI arrives with a deploy you
# choose instead of with whatever plan runs after AWS publishes one.
#
#   INFRA_ENV=prod scripts/infra-ami.sh             show the pinned and the latest Amazon Linux 2023 AMI
#   INFRA_ENV=prod scripts/infra-ami.sh latest      pin the latest one
#   INFRA_ENV=prod scripts/infra-ami.sh ami-0abc…   pin that one (e.g. to go back)
# Then deploy (scripts/deploy.sh): Terraform reads the parameter, the launch templates change,
# and the instance refresh rolls the fleet (rolling back on its alarms).
set -euo pipefail
cd "$(dirname "$0")/.."
export INFRA_ENV=${INFRA_ENV:-dev}
names=$(node_modules/.bin/tsx cdktf/main.ts names)
name() { node -e 'process.stdout.write(String(JSON.parse(process.argv[1])[process.argv[2]]))' "$names" "$1"; }
export AWS_REGION=$(name region)
parameter=$(name amiParameter)
public=$(name publicAmiParameter)

pinned=$(aws ssm get-parameter --name "$parameter" --query Parameter.Value --output text)
latest=$(aws ssm get-parameter --name "$public" --query Parameter.Value --output text)
echo "pinned: $pinned ($parameter)"
echo "latest: $latest ($public)"
case ${1:-} in
  '') exit 0 ;;
  latest) wanted=$latest ;;
  ami-*) wanted=$1 ;;
  *) echo "usage: INFRA_ENV=dev|prod $0 [latest|ami-...]" >&2; exit 2 ;;
esac
aws ec2 describe-images --image-ids "$wanted" --query 'Images[0].ImageId' --output text > /dev/null
aws ssm put-parameter --name "$parameter" --value "$wanted" --data-type aws:ec2:image --type String --overwrite > /dev/null
echo "pinned $wanted; deploy to roll it out"
