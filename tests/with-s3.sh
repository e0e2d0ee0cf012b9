#!/usr/bin/env bash
# Runs a command with an S3-compatible server on loopback for the S3
# backend's tests: moto's server (`pip install 'moto[server]'`), a fresh
# bucket, and LFF_TEST_S3_URL plus the credentials it accepts in the
# command's environment. The server stops when the command ends.
# Usage: tests/with-s3.sh COMMAND [ARGS...]
set -euo pipefail
if ! python3 -c 'import moto.server' 2>/dev/null; then
  echo "with-s3: moto's server is not installed; install it with: pip install 'moto[server]'" >&2
  exit 2
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
  kill -0 "$moto" 2>/dev/null || { echo "with-s3: moto's server did not start:" >&2; cat "$log" >&2; exit 2; }
  sleep 0.1
done
curl -sf -o /dev/null -X PUT "http://127.0.0.1:$port/lff-test" || { echo "with-s3: could not create the bucket" >&2; exit 2; }
export AWS_ACCESS_KEY_ID=lff-test AWS_SECRET_ACCESS_KEY=lff-test-secret
export LFF_TEST_S3_URL="s3://lff-test/runs?endpoint=http://127.0.0.1:$port&region=us-east-1&path_style=true"
"$@"
