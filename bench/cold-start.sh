#!/usr/bin/env bash
# B7, empty data directory: time from starting the release binary to its
# first 200 from /healthz, and its resident memory at that moment.
# Usage: bench/cold-start.sh [runs]   (needs curl; build with cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LFF_BIN:-target/release/lff}
RUNS=${1:-7}
PORT=${PORT:-18590}
times=()
for i in $(seq "$RUNS"); do
  dir=$(mktemp -d)
  start=$(date +%s%N)
  LFF_DATA_DIR="$dir" LFF_LISTEN=127.0.0.1:$PORT LFF_ADMIN_PASSWORD=bench-password-1 "$BIN" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 20000); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  done
  end=$(date +%s%N)
  rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
  ms=$(( (end - start) / 1000000 ))
  times+=("$ms")
  echo "run $i: ${ms} ms to serving, RSS ${rss} KiB"
  kill -TERM "$pid"
  wait "$pid" || true
  rm -rf "$dir"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median: " a[int((NR+1)/2)] " ms over " NR " runs"}'
