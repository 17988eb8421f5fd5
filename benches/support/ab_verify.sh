#!/bin/bash
# A/B of verify-bench binaries: runs each binary's paired table in turn, ROUNDS times, and
# prints per provider the median of the runs' paired ratios (guard / limit) and every run's.
#
#   cargo bench --bench verify --no-run   # prints the binary's path; copy it, e.g. /tmp/vb-a
#   (change the code, build again, copy to /tmp/vb-b)
#   ROUNDS=5 SECS=1.5 bash benches/support/ab_verify.sh verify-256B /tmp/vb-a /tmp/vb-b
#
# FILTER is the `PAIRED_ONLY` filter (`group/provider`, e.g. verify-256B/standard). The binaries
# alternate (a b a b ...) so that both see the same machine; each runs on CPU 1.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: ROUNDS=5 SECS=1.5 bash $0 FILTER BIN..." >&2
  exit 2
fi
filter=$1
shift
out=$(mktemp)
for _ in $(seq "${ROUNDS:-5}"); do
  for bin in "$@"; do
    PAIRED_ONLY=1 PAIRED_SECS=${SECS:-1.5} taskset -c 1 "$bin" --bench "$filter" 2>/dev/null |
      awk -v b="$bin" -F'|' '/^\| (verify|rotation|multisig)/ {
        r = $6; gsub(/[* x]/, "", r); split(r, a, "["); gsub(/ /, "", $3); print b, $3, a[1] }'
  done
done > "$out"
python3 - "$out" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    binary, provider, ratio = line.split()
    runs[(provider, binary)].append(float(ratio))
if not runs:
    sys.exit("no paired rows: check the filter and the binaries")
for (provider, binary), v in sorted(runs.items()):
    print(f"{provider:9s} {binary:24s} median {statistics.median(v):.3f}  runs "
          + " ".join(f"{x:.3f}" for x in v))
PY
rm -f "$out"
