#!/usr/bin/env bash
# B4, first half: `{ me }` requests per second over HTTP with a bearer token,
# against the release binary with the embedded on-disk defaults.
# Usage: bench/me.sh [seconds] [connections]   (needs wrk and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LFF_BIN:-target/release/lff}
SECS=${1:-10}
CONNS=${2:-32}
PORT=${PORT:-18591}
dir=$(mktemp -d)
LFF_DATA_DIR="$dir" LFF_LISTEN=127.0.0.1:$PORT LFF_ADMIN_PASSWORD=bench-password-1 LFF_LOG=warn "$BIN" >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 20000); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; done
token=$(curl -sf "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
  -d '{"query":"mutation { login(login: \"admin\", password: \"bench-password-1\") { token } }"}' |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
LFF_TOKEN="$token" wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s bench/me.lua "http://127.0.0.1:$PORT/graphql"
echo "server RSS after the run: $(awk '/VmRSS/{print $2}' "/proc/$pid/status") KiB"
