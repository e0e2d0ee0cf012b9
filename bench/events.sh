#!/usr/bin/env bash
# Live sessions: B8 with lff-bench qa, against the release server on the
# demo network in the embedded on-disk defaults (SurrealKV, sync=every).
# A demo teacher creates N students, who follow a live event's room and
# each upvote one of Q questions, R upvotes a second in all.
# Usage: bench/events.sh [participants] [rate] [runs]
# Needs: cargo build --release -p server -p bench
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LFF_BIN:-target/release/lff}
BENCH=${LFF_BENCH_BIN:-target/release/lff-bench}
N=${1:-500}
RATE=${2:-50}
RUNS=${3:-3}
PORT=${PORT:-18594}
ulimit -n "$(ulimit -Hn)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
LFF_DATA_DIR="$dir" LFF_ADMIN_PASSWORD=bench-password-1 LFF_LOG=warn "$BIN" demo >/dev/null 2>&1
for _ in $(seq "$RUNS"); do
  # The bench signs each student in from an address of its own, as if from
  # many schools; the server trusts it as a proxy for that.
  LFF_DATA_DIR="$dir" LFF_LISTEN=127.0.0.1:$PORT LFF_LOG=warn LFF_MAX_CONNECTIONS_PER_ADDRESS=100000 LFF_WS_MAX_PER_PERSON=100000 LFF_TRUSTED_PROXIES=127.0.0.1 "$BIN" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 20000); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; done
  "$BENCH" --url "http://127.0.0.1:$PORT" --server-pid "$pid" qa --participants "$N" --rate "$RATE" || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
done
