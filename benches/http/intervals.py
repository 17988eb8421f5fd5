#!/usr/bin/env python3
"""Medians of the HTTP benchmark's per-round ratios, with a 95 % bootstrap interval.

    bash benches/http/run.sh 2> rounds.log      # the per-run lines go to stderr
    python3 benches/http/intervals.py rounds.log
    python3 benches/http/intervals.py run-1.log run-2.log   # the rounds of several runs pooled

Reads the `<framework> round N /<route>: <req/s> req/s ...` lines, pairs the routes of each
ratio round by round (as the tables do), and prints the median ratio, a 95 % interval of
that median (10 000 bootstrap resamples of the rounds, fixed seed), the medians of the
forward and backward rounds, and the ratio of the summed rates. Given several logs (runs of
the same code), it pools their rounds: each round is still paired within its own run. It
then also prints each run's median and the mean of those with a 95 % bootstrap interval over
the runs (10 000 resamples of the runs): the pooled interval treats every round as
independent, but whole runs move together (the host's speed drifts between runs), so the
run-level interval is the wider and more honest one when runs disagree.
"""
import random
import re
import statistics
import sys

PAIRS = [
    ("layer", "inline"),
    ("layer-body", "inline"),
    ("layer-handler", "inline"),
    ("layer-handler", "layer-body"),
    ("layer", "webhook-verify"),
    ("github-dedupe-default", "github"),
    ("github-dedupe", "github"),
    # The floors (twenty-first session), last so that the pairs above keep their intervals
    # (one random generator serves the pairs in this order).
    ("noop-layer", "inline"),
    ("buffer-layer", "inline"),
    ("layer", "buffer-layer"),
    ("layer-body", "buffer-layer"),
]
LINE = re.compile(r"(\w+) round (\d+) /([\w-]+): (\d+) req/s")


def main(paths):
    rates = {}
    for run, path in enumerate(paths):
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = LINE.match(line)
                if m:
                    fw, rnd, route, rps = m.group(1), int(m.group(2)), m.group(3), float(m.group(4))
                    rates.setdefault(fw, {}).setdefault(route, {})[(run, rnd)] = rps
    rng = random.Random(6)
    for fw, routes in rates.items():
        for a, b in PAIRS:
            if a not in routes or b not in routes:
                continue
            rounds = sorted(set(routes[a]) & set(routes[b]))
            r = [routes[a][k] / routes[b][k] for k in rounds]
            meds = sorted(
                statistics.median(rng.choice(r) for _ in r) for _ in range(10_000)
            )
            lo, hi = meds[249], meds[9_749]
            fwd = statistics.median(x for k, x in zip(rounds, r) if k[1] % 2 == 1)
            bwd = statistics.median(x for k, x in zip(rounds, r) if k[1] % 2 == 0) if len(r) > 1 else fwd
            total = sum(routes[a][k] for k in rounds) / sum(routes[b][k] for k in rounds)
            runs = sorted({k[0] for k in rounds})
            print(
                f"{fw:5} {a} / {b}: median {statistics.median(r):.3f}x, 95 % [{lo:.3f}, {hi:.3f}], "
                f"forward rounds {fwd:.3f}x, backward {bwd:.3f}x, summed rates {total:.3f}x, "
                f"{len(r)} rounds" + (f" of {len(runs)} runs" if len(paths) > 1 else "")
            )
            if len(runs) > 1:
                per_run = [
                    statistics.median(x for k, x in zip(rounds, r) if k[0] == run) for run in runs
                ]
                # Its own generator: the pooled intervals stay what they were before this line.
                by_run = random.Random(6)
                means = sorted(
                    statistics.mean(by_run.choice(per_run) for _ in per_run)
                    for _ in range(10_000)
                )
                print(
                    f"      run medians {' '.join(f'{m:.3f}' for m in per_run)}; their mean "
                    f"{statistics.mean(per_run):.3f}x, 95 % over runs [{means[249]:.3f}, "
                    f"{means[9_749]:.3f}]"
                )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: intervals.py ROUNDS_LOG [ROUNDS_LOG ...]")
    main(sys.argv[1:])
