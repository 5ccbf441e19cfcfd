#!/usr/bin/env bash
# Makes a Redis reachable on 127.0.0.1:6379 for the rate-limit tests; installs Debian's
# redis-server and starts it (no persistence, loopback only) when nothing answers there.
set -euo pipefail
ready() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 && [[ $reply == +PONG* ]]) 2>/dev/null; }
ready && exit 0
if ! command -v redis-server >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "Redis did not become ready on 127.0.0.1:6379" >&2
exit 1
