#!/usr/bin/env bash
# Starts an example server, drives it with deliveries signed by the providers' own SDKs, and
# checks both the HTTP answers and the server's stdout (one line per accepted delivery).
#
#   bash interop/run.sh [axum_receiver|actix_receiver] [cargo features]
set -euo pipefail
cd "$(dirname "$0")"
example=${1:-axum_receiver}
features=${2:-axum}
port=${PORT:-3917}
npm install --no-audit --no-fund --silent >/dev/null
(cd .. && cargo build -q --example "$example" --features "$features")
out=$(mktemp); err=$(mktemp); expect=$(mktemp)
(cd .. && PORT=$port exec cargo run -q --example "$example" --features "$features") >"$out" 2>"$err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out" "$err" "$expect"' EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
BASE_URL="http://127.0.0.1:$port" EXPECT_FILE="$expect" node sdk_interop.mjs
sleep 0.2
if ! diff <(sort "$expect") <(sort "$out"); then
  echo "FAIL: the server's stdout is not exactly one line per accepted delivery:" >&2
  cat "$out" >&2
  exit 1
fi
echo "server stdout: $(wc -l <"$out") lines, one per accepted delivery"
