#!/usr/bin/env bash
# A/B of two builds of the HTTP benchmark on the dedupe pair (github, github-dedupe-default):
# alternates the two binaries, RUNS times each, every run ROUNDS alternating rounds of both
# routes, and pools each build's rounds with intervals.py. A single run's median moves by
# ~1.5 % between runs of the same code; four runs of 60 rounds each resolve ~1 %.
#
#   (cd benches/peers && cargo build --release --bin http_bench) && cp benches/peers/target/release/http_bench /tmp/http_bench-a
#   git apply <change> && (cd benches/peers && cargo build --release --bin http_bench) && cp benches/peers/target/release/http_bench /tmp/http_bench-b
#   bash benches/http/ab.sh /tmp/http_bench-a /tmp/http_bench-b          # RUNS=4 ROUNDS=60 FRAMEWORKS=axum
#   ENV_B='GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432' \
#     bash benches/http/ab.sh /tmp/http_bench-a /tmp/http_bench-a        # the same build, B with an environment
#
# Logs go to OUT (default a new temporary directory; relative to where the script is started),
# named a-<i>.log and b-<i>.log.
# Installs wrk and taskset if missing, as run.sh does.
set -euo pipefail
a=$(realpath "$1")
b=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
# Absolute: the runs below start from benches/peers, so a relative OUT (from where the script
# was started) would name a directory that is not there.
out=$(realpath "$out")
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v taskset >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
cd "$here/../peers"
# Into every log: the runs' ratios depend on the CPU (BENCHMARKS.md, "Machines").
machine="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" || true
export ROUTES=${ROUTES:-github,github-dedupe-default} FRAMEWORKS=${FRAMEWORKS:-axum}
export ROUNDS=${ROUNDS:-60} SECS=${SECS:-1}
for i in $(seq 1 "${RUNS:-4}"); do
  for side in a b; do
    if [ "$side" = a ]; then bin=$a; extra=${ENV_A:-}; else bin=$b; extra=${ENV_B:-}; fi
    # shellcheck disable=SC2086 # ENV_A / ENV_B are NAME=value words for env
    { echo "machine: $machine"; env $extra "$bin" run; } >"$out/$side-$i.log" 2>&1
    echo "$side-$i: $(grep -o 'dedupe-default / github[^*]*\*\*[0-9.]*x\*\*' "$out/$side-$i.log" | grep -o '[0-9.]*x' | tr '\n' ' ')"
  done
done
for side in a b; do
  echo "$side pooled:"
  python3 "$here/intervals.py" "$out/$side"-*.log
done
echo "logs: $out"
