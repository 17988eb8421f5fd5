#!/usr/bin/env python3
"""Medians of req/s and of the server's CPU time per request, per framework and route, over
the rounds of one or more run logs (`benches/http/run.sh` or `ab.sh` output), then the CPU
cost of each compared pair **paired round by round**.

    python3 benches/http/cpu.py benches/http/runs/2026-12-07-fourteenth/[ab]-*.log

The CPU column is read by the server itself (`/proc/<pid>/task/*/schedstat`), so the
difference between two routes is what the extra work costs in server time per request.

Compare routes with the paired lines, not with the per-route medians: the host's speed moves
between rounds (this guest has fast and slow spells), so two routes' medians over rounds can
come from different spells. Run Q of the fourteenth session: the per-route medians give axum's
`layer` 20.59 us against `inline` 19.91 us (0.967x), while the same rounds paired give +1.76 us
per request (0.918x, as the run's own table says).
"""
import re
import statistics
import sys

LINE = re.compile(r"(axum|actix) round (\d+) (\S+): (\d+) req/s.*server CPU ([\d.]+) us")
# (route, baseline), as in intervals.py.
PAIRS = [
    ("/layer", "/inline"),
    ("/layer-body", "/inline"),
    ("/layer-handler", "/inline"),
    ("/layer-handler", "/layer-body"),
    ("/layer", "/webhook-verify"),
    ("/github-dedupe-default", "/github"),
    ("/github-dedupe", "/github"),
    ("/noop-layer", "/inline"),
    ("/buffer-layer", "/inline"),
    ("/layer", "/buffer-layer"),
    ("/layer-body", "/buffer-layer"),
]


def main(paths):
    rounds = {}
    for run, path in enumerate(paths):
        with open(path, encoding="utf-8") as log:
            for line in log:
                m = LINE.match(line)
                if m:
                    key = (run, int(m[2]))
                    rounds.setdefault((m[1], m[3]), {})[key] = (int(m[4]), float(m[5]))
    if not rounds:
        sys.exit("no rounds found")
    for (framework, route), values in sorted(rounds.items()):
        rate = statistics.median(v[0] for v in values.values())
        cpu = statistics.median(v[1] for v in values.values())
        print(f"{framework:5} {route:24} {len(values):5} rounds  median {rate:8.0f} req/s  "
              f"server CPU {cpu:6.2f} us/request")
    print("paired round by round (median over rounds):")
    for framework in sorted({f for f, _ in rounds}):
        for route, base in PAIRS:
            a, b = rounds.get((framework, route)), rounds.get((framework, base))
            if not a or not b:
                continue
            keys = sorted(set(a) & set(b))
            diff = statistics.median(a[k][1] - b[k][1] for k in keys)
            ratio = statistics.median(b[k][1] / a[k][1] for k in keys)
            print(f"{framework:5} {route} vs {base}: {diff:+.2f} us/request, CPU ratio "
                  f"{ratio:.3f}x ({base}'s CPU over {route}'s), {len(keys)} rounds")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
