#!/usr/bin/env bash
# `npm test`'s pretest, and the first step of `npm run test:db` (and test:e2e, test:slow,
# test:coverage). Outside CI it installs nothing: without a PostgreSQL at
# TEST_DATABASE_URL (default 127.0.0.1:5432) the suite starts an embedded PostgreSQL of its
# own; an installed but stopped Redis is started (the rate-limit tests need one at
# TEST_REDIS_URL, default 127.0.0.1:6379); without Chromium the IDE and CORS browser tests fail
# saying how to install it.
# In CI (CI=true, on a fresh Debian machine as root) it installs and starts the system
# PostgreSQL, Redis and Debian's Chromium when missing, so the suite also runs on a system server.
set -euo pipefail
cd "$(dirname "$0")/../.."
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}

if [ "${CI:-}" != true ]; then
  [ -x "$chromium" ] || echo "pretest: no Chromium at $chromium: the browser tests will fail (install chromium, or set CHROMIUM_PATH)" >&2
  if [ -z "${TEST_REDIS_URL:-}" ]; then
    if command -v redis-server >/dev/null; then
      bash scripts/ci/ensure-redis.sh
    else
      echo "pretest: no redis-server: the rate-limit tests will fail (install redis-server, or set TEST_REDIS_URL)" >&2
    fi
  fi
  exit 0
fi

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
if [ -z "${TEST_DATABASE_URL:-}" ] && can_install; then
  bash scripts/ci/ensure-postgres.sh
fi
if [ -z "${TEST_REDIS_URL:-}" ] && can_install; then
  bash scripts/ci/ensure-redis.sh
fi
if [ ! -x "$chromium" ] && can_install; then
  echo "pretest: installing Debian's chromium for the browser tests (about a minute)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
