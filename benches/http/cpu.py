#!/usr/bin/env python3
"""Medians of req/s and of the server's CPU time per request, per framework and route, over
the rounds of one or more run logs (`benches/http/run.sh` or `ab.sh` output).

    python3 benches/http/cpu.py benches/http/runs/2026-12-07-fourteenth/[ab]-*.log

The CPU column is read by the server itself (`/proc/<pid>/task/*/schedstat`), so the
difference between two routes is what the extra work costs in server time per request.
"""
import re
import statistics
import sys

LINE = re.compile(r"(axum|actix) round \d+ (\S+): (\d+) req/s.*server CPU ([\d.]+) us")


def main(paths):
    rounds = {}
    for path in paths:
        with open(path, encoding="utf-8") as log:
            for line in log:
                m = LINE.match(line)
                if m:
                    rounds.setdefault((m[1], m[2]), []).append((int(m[3]), float(m[4])))
    if not rounds:
        sys.exit("no rounds found")
    for (framework, route), values in sorted(rounds.items()):
        rate = statistics.median(v[0] for v in values)
        cpu = statistics.median(v[1] for v in values)
        print(f"{framework:5} {route:24} {len(values):5} rounds  median {rate:8.0f} req/s  "
              f"server CPU {cpu:6.2f} us/request")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
