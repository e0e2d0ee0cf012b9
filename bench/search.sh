#!/usr/bin/env bash
# B5: search over generated multilingual materials (100,000 by default) on
# the embedded on-disk defaults: the time to load and index them (lff demo,
# then lff reindex alone), the engine alone (the `engine` example of the
# search crate, on the index the server built), then through GraphQL with
# lff-bench (latency of 200 queries with typos, prefixes, endings, filters;
# how soon a new material is found after its commit).
# Usage: bench/search.sh [materials] [rounds]
# Needs: cargo build --release -p server -p bench && cargo build --release -p search --example engine
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LFF_BIN:-target/release/lff}
BENCH=${LFF_BENCH_BIN:-target/release/lff-bench}
ENGINE=${LFF_ENGINE_BIN:-target/release/examples/engine}
N=${1:-100000}
ROUNDS=${2:-5}
PORT=${PORT:-18594}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
secs() { python3 -c "import time; print(time.time())"; }
t0=$(secs)
LFF_DATA_DIR="$dir" LFF_ADMIN_PASSWORD=bench-password-1 LFF_LOG=warn "$BIN" demo --materials "$N" >/dev/null
t1=$(secs)
echo "lff demo --materials $N (network, materials and their index): $(python3 -c "print(round($t1 - $t0, 1))") s"
out=$(LFF_DATA_DIR="$dir" LFF_LOG=warn "$BIN" reindex 2>/dev/null | tail -n 1)
t2=$(secs)
docs=$(echo "$out" | grep -o '[0-9]\+' | head -n 1)
echo "lff reindex: $docs documents in $(python3 -c "print(round($t2 - $t1, 1))") s, $(python3 -c "print(round($docs / ($t2 - $t1)))") documents/s"
"$ENGINE" "$dir/search" bench/search-queries.tsv "$ROUNDS"
LFF_DATA_DIR="$dir" LFF_LISTEN=127.0.0.1:$PORT LFF_LOG=warn "$BIN" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 20000); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; done
"$BENCH" --url "http://127.0.0.1:$PORT" --server-pid "$pid" search --queries bench/search-queries.tsv --rounds "$ROUNDS" || true
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
