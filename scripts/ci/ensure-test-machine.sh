#!/usr/bin/env bash
# `npm test`'s pretest: what the suite needs beyond npm packages, on a fresh machine of this
# kind. PostgreSQL on 127.0.0.1:5432 (unless TEST_DATABASE_URL points elsewhere), Redis on
# 127.0.0.1:6379 (unless TEST_REDIS_URL does) and Debian's
# Chromium for the IDE's browser test, each installed and started only when missing. Without
# root or apt-get it says what is missing and leaves the failing tests to say the rest.
set -euo pipefail
cd "$(dirname "$0")/../.."
can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  if can_install || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    bash scripts/ci/ensure-postgres.sh
  else
    echo "pretest: no PostgreSQL on 127.0.0.1:5432 and no root to install it; set TEST_DATABASE_URL" >&2
  fi
fi

if [ -z "${TEST_REDIS_URL:-}" ]; then
  if can_install || command -v redis-server >/dev/null; then
    bash scripts/ci/ensure-redis.sh
  else
    echo "pretest: no Redis on 127.0.0.1:6379 and no root to install it; set TEST_REDIS_URL" >&2
  fi
fi

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if can_install; then
    echo "pretest: installing Debian's chromium for the IDE browser test (about a minute)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "pretest: $chromium is missing (apt-get install chromium, or set CHROMIUM_PATH); the IDE browser test will fail" >&2
  fi
fi
