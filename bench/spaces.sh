#!/usr/bin/env bash
# Twinning spaces: B1 (fan-out), B2 (idle sockets), B3 (durable posting)
# with lff-bench, against the release server on the demo network in the
# embedded on-disk defaults (SurrealKV, sync=every).
# Usage: bench/spaces.sh [subscribers] [rate] [seconds]
# Needs: cargo build --release -p server -p bench
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LFF_BIN:-target/release/lff}
BENCH=${LFF_BENCH_BIN:-target/release/lff-bench}
N=${1:-1000}
RATE=${2:-10}
SECS=${3:-20}
PORT=${PORT:-18593}
# Every subscriber is a socket on both sides.
ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d)
LFF_DATA_DIR="$dir" LFF_ADMIN_PASSWORD=bench-password-1 LFF_LOG=warn "$BIN" demo >/dev/null 2>&1
# The load generator is one address signed in as few people: lift the
# per-address and per-person caps that protect a real server from one client.
run() {
  LFF_DATA_DIR="$dir" LFF_LISTEN=127.0.0.1:$PORT LFF_LOG=warn LFF_MAX_CONNECTIONS_PER_ADDRESS=100000 LFF_WS_MAX_PER_PERSON=100000 "$BIN" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 20000); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; done
  "$BENCH" --url "http://127.0.0.1:$PORT" --server-pid "$pid" "$@" || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}
trap 'rm -rf "$dir"' EXIT
# A fresh server for each, so that one's memory does not colour the next.
run fanout --subscribers "$N" --rate "$RATE" --seconds "$SECS"
run idle --subscribers "$N"
run post --concurrency 32 --seconds "$SECS"
