#!/usr/bin/env bash
# End-to-end HTTP load test (see benches/peers/src/bin/http_bench.rs):
#   bash benches/http/run.sh            # ROUNDS=40 SECS=1 CONNS=16 by default
# Builds the isolated peers crate in release mode, installs wrk (Debian) if missing, then runs
# the axum and actix-web servers pinned to one core and wrk pinned to the other.
set -euo pipefail
cd "$(dirname "$0")/../peers"
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
command -v taskset >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
cargo build --release --bin http_bench
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') model $(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(rustc -V), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)" >&2
exec ./target/release/http_bench run
