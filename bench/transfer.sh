#!/usr/bin/env bash
# Material files: B6 (a 100 MiB file up through the resumable path and down
# again) with lff-bench, against the release server on the demo network in
# the embedded on-disk defaults (SurrealKV, files on disk with fsync).
# Usage: bench/transfer.sh [MiB] [runs]
# Needs: cargo build --release -p server -p bench
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LFF_BIN:-target/release/lff}
BENCH=${LFF_BENCH_BIN:-target/release/lff-bench}
MIB=${1:-100}
RUNS=${2:-5}
PORT=${PORT:-18594}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
LFF_DATA_DIR="$dir" LFF_ADMIN_PASSWORD=bench-password-1 LFF_LOG=warn "$BIN" demo >/dev/null 2>&1
LFF_DATA_DIR="$dir" LFF_LISTEN=127.0.0.1:$PORT LFF_LOG=warn "$BIN" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 20000); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; done
"$BENCH" --url "http://127.0.0.1:$PORT" --server-pid "$pid" transfer --mib "$MIB" --runs "$RUNS" || true
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
