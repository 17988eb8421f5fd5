#!/usr/bin/env python3
"""Median [min, max] of the paired guard / limit ratios over several runs of the verify bench,
per group and provider, and how many runs met the group's target.

    for i in $(seq 10); do PAIRED_ONLY=1 cargo bench --bench verify -- verify-256B > /tmp/v-$i.txt; done
    python3 benches/support/paired_summary.py /tmp/v-*.txt

MAX_LIMIT_NS=280 keeps only the rows whose limit took at most that many nanoseconds: the host
has slow spells in which the limit takes ~295 ns instead of ~266 ns at 256 B and the guard
slows down far more (BENCHMARKS.md, CI section); this shows the runs outside them apart.
"""
import os
import re
import statistics
import sys

ROW = re.compile(r"\| (verify-\w+) \| (\w+) \| ([\d.]+) (\S+) \| [\d.]+ \S+ \| \*\*([\d.]+)x\*\*")
UNIT_NS = {"ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6}
MAX_LIMIT_NS = float(os.environ["MAX_LIMIT_NS"]) if os.environ.get("MAX_LIMIT_NS") else None
TARGET = {"verify-256B": 1.5, "verify-4KiB": 1.10}


def main(paths):
    ratios = {}
    for path in paths:
        with open(path, encoding="utf-8") as out:
            for line in out:
                m = ROW.match(line)
                if not m:
                    continue
                limit_ns = float(m[3]) * UNIT_NS.get(m[4], 1.0)
                if MAX_LIMIT_NS is not None and limit_ns > MAX_LIMIT_NS:
                    continue
                ratios.setdefault((m[1], m[2]), []).append(float(m[5]))
    if not ratios:
        sys.exit("no paired rows found" + (" under MAX_LIMIT_NS" if MAX_LIMIT_NS else ""))
    for (group, provider), values in ratios.items():
        line = (f"{group:12} {provider:9} median {statistics.median(values):.3f}x "
                f"[{min(values):.3f}, {max(values):.3f}] over {len(values)} runs")
        if group in TARGET:
            met = sum(v <= TARGET[group] for v in values)
            line += f", <= {TARGET[group]:.2f}x in {met} of {len(values)}"
        print(line)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
