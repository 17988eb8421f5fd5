#!/usr/bin/env bash
# Instructions the HTTP server runs per request, route by route, counted by callgrind: immune
# to the host's noise, which moves the req/s ratios of run.sh by several percent from run to
# run. For each route: start the server under callgrind, warm it with wrk, zero the counters,
# send load for SECS seconds, dump, and divide the instructions by the requests wrk completed.
#   bash benches/http/callgrind.sh                                   # inline,layer-body,layer on axum
#   ROUTES=inline,layer-handler FRAMEWORK=axum SECS=10 bash benches/http/callgrind.sh
#   BIN=/tmp/http_bench-a bash benches/http/callgrind.sh             # a saved build
#   CACHE=1 ROUTES=github,github-dedupe-default bash benches/http/callgrind.sh  # + simulated misses
#   KEEP=/tmp/cg CACHE=1 bash benches/http/callgrind.sh   # keep each route's profile (cg.<route>)
#     and its request count (requests.<route>), for benches/http/callgrind_diff.py
#   INSTR=1 KEEP=/tmp/cg CACHE=1 ROUTES=layer bash benches/http/callgrind.sh  # costs per machine
#     instruction too (--dump-instr=yes), for benches/http/callgrind_lines.py
# Prints one line per route and each route's difference from the first. Installs valgrind and
# wrk if missing. The server is slowed ~50x under valgrind: the counts cover a few thousand
# requests, which is plenty for a per-request average (each request runs the same path).
set -euo pipefail
routes=${ROUTES:-inline,layer-body,layer}
framework=${FRAMEWORK:-axum}
secs=${SECS:-10}
port=${PORT:-9430}
cd "$(dirname "$0")/../peers"
command -v valgrind >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
bin=${BIN:-./target/release/http_bench}
[ -n "${BIN:-}" ] || cargo build --release --bin http_bench
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
first=""
for route in ${routes//,/ }; do
  script=$("$bin" script "$route" "$dir")
  valgrind --tool=callgrind ${CACHE:+--cache-sim=yes} ${INSTR:+--dump-instr=yes} --callgrind-out-file="$dir/cg.$route" "$bin" serve "$framework" "$port" \
    >/dev/null 2>"$dir/valgrind.$route" &
  server=$!
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  wrk -t1 -c4 -d2s -s "$script" "http://127.0.0.1:$port/$route" >/dev/null
  callgrind_control -z "$server" >/dev/null 2>&1
  wrk -t1 -c4 -d"${secs}s" -s "$script" "http://127.0.0.1:$port/$route" >"$dir/wrk.$route"
  callgrind_control -d "$server" >/dev/null 2>&1
  kill "$server"
  wait "$server" 2>/dev/null || true
  requests=$(awk '/requests in/ {print $1}' "$dir/wrk.$route")
  errors=$(awk '/Non-2xx/ {print $NF}' "$dir/wrk.$route")
  if [ "${requests:-0}" -le 0 ]; then
    echo "/$route: wrk completed no request; the server said:" >&2
    tail -n 20 "$dir/valgrind.$route" >&2
    exit 1
  fi
  # callgrind_control's dump (`<out>.1`) holds only what ran between the zeroing and the dump.
  total=$(awk '/^summary:/ {print $2}' "$dir/cg.$route.1")
  # With CACHE=1: the events line names the counters (Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw).
  misses=""
  if [ -n "${CACHE:-}" ]; then
    misses=$(awk -v n="$requests" '/^events:/ {for (i = 2; i <= NF; i++) name[i] = $i}
      /^summary:/ {for (i = 2; i <= NF; i++) v[name[i]] = $i}
      END {printf ", D1 misses %.1f, LL data misses %.2f, I1 misses %.1f, LL instruction misses %.2f a request",
        (v["D1mr"] + v["D1mw"]) / n, (v["DLmr"] + v["DLmw"]) / n, v["I1mr"] / n, v["ILmr"] / n}' "$dir/cg.$route.1")
  fi
  if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP" && cp "$dir/cg.$route.1" "$KEEP/cg.$route" && echo "$requests" >"$KEEP/requests.$route"
  fi
  per=$(( total / requests ))
  line="$framework /$route: $per instructions a request ($requests requests${errors:+, $errors non-2xx})$misses"
  if [ -z "$first" ]; then
    first=$per
    echo "$line"
  else
    echo "$line, $(( per - first )) over /${routes%%,*}"
  fi
done
