#!/usr/bin/env bash
# The school directory: a page of 20 schools with their country and visit-card
# motto, read by a signed-in teacher over HTTP, on the demo network in the
# embedded on-disk defaults. Also times `lff demo` itself.
# Usage: bench/directory.sh [seconds] [connections]   (needs wrk and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LFF_BIN:-target/release/lff}
SECS=${1:-10}
CONNS=${2:-32}
PORT=${PORT:-18592}
dir=$(mktemp -d)
start=$(date +%s%N)
LFF_DATA_DIR="$dir" LFF_ADMIN_PASSWORD=bench-password-1 LFF_LOG=warn "$BIN" demo >/dev/null 2>&1
echo "lff demo: $(( ($(date +%s%N) - start) / 1000000 )) ms"
LFF_DATA_DIR="$dir" LFF_LISTEN=127.0.0.1:$PORT LFF_LOG=warn "$BIN" >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 20000); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; done
token=$(curl -sf "http://127.0.0.1:$PORT/graphql" -H 'content-type: application/json' \
  -d '{"query":"mutation { login(login: \"teacher.yerevan12\", password: \"demo-password-2026\") { token } }"}' |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
LFF_TOKEN="$token" wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s bench/directory.lua "http://127.0.0.1:$PORT/graphql"
echo "server RSS after the run: $(awk '/VmRSS/{print $2}' "/proc/$pid/status") KiB"
