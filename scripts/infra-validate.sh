#!/usr/bin/env bash
# Checks the synthesized Terraform JSON against the real AWS provider schema, offline:
# `terraform init -backend=false` from a local provider mirror, then `terraform validate`.
#
#   scripts/infra-validate.sh              synthesize dev and prod, validate both
#   scripts/infra-validate.sh DIR...       validate stacks already synthesized (DIR/cdk.tf.json)
#   scripts/infra-validate.sh --preflight  exit 0 if validation can run here, else print why, exit 3
#
# Where Terraform or the mirror is missing it prints one line saying so and exits 0, so CI
# still goes on to the jest synth tests. Validation failures exit 1 with Terraform's errors.
# Env: TF_PROVIDER_MIRROR (default /opt/tf-plugins), TERRAFORM (default terraform).
set -euo pipefail

repo_root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${TF_PROVIDER_MIRROR:-/opt/tf-plugins}
terraform_bin=${TERRAFORM:-terraform}
# The provider version @cdktf/provider-aws generates for; the JSON pins exactly this.
provider_version=$(node -p "require('$repo_root/node_modules/@cdktf/provider-aws/package.json').cdktf.provider.version" 2>/dev/null || echo unknown)
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

# Prints why validation cannot run here, or nothing.
why_not() {
  if ! command -v "$terraform_bin" > /dev/null 2>&1; then
    echo "'$terraform_bin' is not on PATH"
  elif ! compgen -G "$mirror/*/hashicorp/aws/$provider_version" > /dev/null; then
    echo "no AWS provider $provider_version in the mirror $mirror (set TF_PROVIDER_MIRROR)"
  fi
}

reason=$(why_not)
if [ "${1:-}" = "--preflight" ]; then
  [ -z "$reason" ] && exit 0
  echo "$reason"
  exit 3
fi
if [ -n "$reason" ]; then
  echo "infra:validate did not run: $reason. Only the jest synth tests check the infrastructure here."
  exit 0
fi

cli_config=$(mktemp)
trap 'rm -f "$cli_config"' EXIT
# With only a filesystem mirror listed, Terraform installs from nowhere else.
cat > "$cli_config" <<HCL
provider_installation {
  filesystem_mirror {
    path = "$mirror"
  }
}
HCL
export TF_CLI_CONFIG_FILE=$cli_config

validate_dir() {
  local dir=$1 log
  echo "== terraform validate $dir"
  if [ ! -f "$dir/cdk.tf.json" ]; then
    echo "no cdk.tf.json in $dir" >&2
    return 1
  fi
  if ! log=$("$terraform_bin" -chdir="$dir" init -backend=false -input=false -no-color 2>&1); then
    echo "$log" >&2
    return 1
  fi
  "$terraform_bin" -chdir="$dir" validate -no-color
}

if [ $# -gt 0 ]; then
  status=0
  for dir in "$@"; do validate_dir "$dir" || status=1; done
  exit $status
fi

# Synthesize both environments from their committed settings files (cdktf/environments/):
# prod has every optional feature (HTTPS, domain, alarm email, S3 state, account guard) and
# gets an image tag, so those branches are validated too; dev stays minimal (bootstrap).
cd "$repo_root"
out=cdktf.out/validate
rm -rf "$out"
mkdir -p "$out"
synth() {
  local env=$1
  shift
  env -u INFRA_IMAGE_TAG -u INFRA_CERTIFICATE_ARN -u INFRA_DOMAIN_NAME -u INFRA_ALARM_EMAIL \
    -u INFRA_STATE_BUCKET -u INFRA_STATE_KEY -u INFRA_STATE_REGION -u INFRA_STATE_LOCK_TABLE \
    INFRA_ENV="$env" CDKTF_OUTDIR="$out/$env" "$@" node_modules/.bin/tsx cdktf/main.ts
}
synth dev
synth prod INFRA_IMAGE_TAG=validate-only

status=0
for env in dev prod; do validate_dir "$out/$env/stacks/tracker-$env" || status=1; done
[ $status -eq 0 ] && echo "infra:validate: dev and prod are valid for Terraform $("$terraform_bin" version | head -1 | cut -d' ' -f2) with AWS provider $provider_version"
exit $status
