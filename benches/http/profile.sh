#!/usr/bin/env bash
# Where one route of the HTTP benchmark spends the server's time, under load: starts the
# server (one worker, pinned to CPU 0), fills it for 4 s with wrk (CPU 1), then samples it with
# `perf record` for 5 s of a second wrk run and prints the top symbols and the sum of those
# that match FILTER.
#   bash benches/http/profile.sh                            # github-dedupe-default on axum
#   bash benches/http/profile.sh github actix               # ROUTE FRAMEWORK
#   STORE_KEYS=3000 bash benches/http/profile.sh            # the default route's store resized
#   FILTER='dedupe' bash benches/http/profile.sh            # which symbols the sum covers
#   KEEP=1 bash benches/http/profile.sh                     # keep perf.data (for perf annotate)
#   BIN=/tmp/http_bench-a bash benches/http/profile.sh      # a saved build instead (A/B runs)
# Installs wrk, perf (Debian: linux-perf) and taskset if missing. In a VM without PMU counters perf
# samples on the CPU clock, which is what the figures in BENCHMARKS.md used.
set -euo pipefail
route=${1:-github-dedupe-default}
framework=${2:-axum}
port=${PORT:-9420}
filter=${FILTER:-webhook_guard::dedupe|hash_one|sip::Hasher|foldhash}
cd "$(dirname "$0")/../peers"
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v perf >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }
command -v taskset >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
bin=${BIN:-./target/release/http_bench}
[ -n "${BIN:-}" ] || cargo build --release --bin http_bench
dir=$(mktemp -d)
script=$("$bin" script "$route" "$dir")
taskset -c 0 "$bin" serve "$framework" "$port" >/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
taskset -c 1 wrk -t1 -c16 -d4s -s "$script" "http://127.0.0.1:$port/$route" >/dev/null
taskset -c 1 wrk -t1 -c16 -d7s -s "$script" "http://127.0.0.1:$port/$route" >"$dir/wrk.txt" &
load=$!
sleep 1
perf record -q -F 5000 -g -p "$server" -o "$dir/perf.data" -- sleep 5 >/dev/null 2>&1
wait "$load"
huge=$(awk '/AnonHugePages/ {print $2 " kB"}' "/proc/$server/smaps_rollup" 2>/dev/null || true)
echo "/$route on $framework${STORE_KEYS:+ (STORE_KEYS=$STORE_KEYS)}${GLIBC_TUNABLES:+ ($GLIBC_TUNABLES)}:" \
  "$(grep Requests/sec "$dir/wrk.txt"), server memory on huge pages: ${huge:-?}"
perf report -i "$dir/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | cut -c1-150 | sed -E 's/ +$//' >"$dir/symbols.txt"
head -n "${TOP:-12}" "$dir/symbols.txt"
echo "sum of the symbols matching '$filter':"
{ grep -E "$filter" "$dir/symbols.txt" || true; } | awk '{s += $1; print "  " $0} END {printf "  total %.2f%%\n", s}'
if [ -n "${KEEP:-}" ]; then
  echo "samples kept: $dir/perf.data (perf annotate -i $dir/perf.data --stdio -s SYMBOL)"
else
  rm -rf "$dir"
fi
