#!/usr/bin/env python3
"""Median [min, max] of the paired guard / limit ratios over several runs of the verify bench,
per group and provider, and how many runs met the group's target.

    for i in $(seq 10); do PAIRED_ONLY=1 cargo bench --bench verify -- verify-256B > /tmp/v-$i.txt; done
    python3 benches/support/paired_summary.py /tmp/v-*.txt
"""
import re
import statistics
import sys

ROW = re.compile(r"\| (verify-\w+) \| (\w+) \| [\d.]+ \S+ \| [\d.]+ \S+ \| \*\*([\d.]+)x\*\*")
TARGET = {"verify-256B": 1.5, "verify-4KiB": 1.10}


def main(paths):
    ratios = {}
    for path in paths:
        with open(path, encoding="utf-8") as out:
            for line in out:
                m = ROW.match(line)
                if m:
                    ratios.setdefault((m[1], m[2]), []).append(float(m[3]))
    if not ratios:
        sys.exit("no paired rows found")
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
