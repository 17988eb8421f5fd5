#!/usr/bin/env bash
# Smoke-runs every cargo-fuzz target for a few seconds: `bash fuzz/smoke.sh [seconds per target]`
# (default 8). Installs what it needs: the nightly toolchain if rustup has none, cargo-fuzz if
# `cargo fuzz` is absent. Fails on the first crash, leaving the input in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-8}"

if ! rustup toolchain list | grep '^nightly' >/dev/null; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
cargo +nightly fuzz --version

# The library forbids unsafe code, so AddressSanitizer adds little but time: no sanitizer, as in
# the campaign (cargo fuzz still builds with debug assertions and overflow checks).
cargo +nightly fuzz build -s none

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in $(cargo +nightly fuzz list); do
  mkdir -p "$work/$t" artifacts
  # New inputs go to the scratch directory; the committed seeds are only read.
  if ! cargo +nightly fuzz run -s none "$t" "$work/$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="artifacts/$t-" >"$work/$t.log" 2>&1; then
    tail -n 60 "$work/$t.log"
    echo "fuzz target $t failed; input saved under fuzz/artifacts/" >&2
    exit 1
  fi
  printf '%-20s %s\n' "$t" "$(grep -o 'number_of_executed_units: [0-9]*' "$work/$t.log")"
done
