#!/usr/bin/env python3
"""Where one route's extra time per request goes: the per-request time of every symbol in the
profiles of two routes (`benches/http/profile.sh` output with all symbols kept), averaged over
runs, and the largest differences.

    mkdir -p /tmp/prof; for i in 1 2 3; do for r in github github-dedupe-default; do
      TOP=100000 bash benches/http/profile.sh $r > /tmp/prof/$r-$i.txt; done; done
    python3 benches/http/profile_diff.py /tmp/prof/github-[0-9].txt -- /tmp/prof/github-dedupe-default-*.txt

(`github-*.txt` would also match the dedupe route's profiles.)

The server is saturated, so a symbol's time per request is its share of the samples over the
route's rate (requests/s). Shares are noisy between runs (a profile is 5 s); a symbol that one
route never runs (dedupe's) is measured far better than a difference in shared code.
FILTER (a regular expression, the same default as profile.sh's) picks the symbols whose
summed time it also prints for each set; with LIST=1 it also lists those symbols one by one.
USER_ONLY=1 leaves out the kernel's symbols (timer samples of the host's noise in a guest).
"""
import collections
import os
import re
import signal
import sys

SYMBOL = re.compile(r"^\s+([\d.]+)%\s+\[(.)\]\s+(.*)")
# profile.sh's default FILTER.
FILTER = os.environ.get("FILTER", r"webhook_guard::dedupe|hash_one|sip::Hasher|foldhash")
# USER_ONLY=1: leave out the kernel's symbols (`[k]`). In a guest without PMU counters, perf
# samples on a timer, and many samples land in the kernel's interrupt paths
# (`_raw_spin_unlock_irqrestore`) whatever the route: they swell the "all symbols" totals.
USER_ONLY = bool(os.environ.get("USER_ONLY"))


def load(paths):
    per = collections.defaultdict(float)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        # The symbol list comes first; the filtered sum after it repeats some symbols.
        text = text.split("sum of the symbols matching")[0]
        for line in text.splitlines():
            m = SYMBOL.match(line)
            if m and not (USER_ONLY and m.group(2) == "k"):
                per[m.group(3)] += float(m.group(1)) / 100 / rate * 1e9
    return {k: v / len(paths) for k, v in per.items()}


def main(args):
    if "--" not in args:
        sys.exit(__doc__)
    cut = args.index("--")
    a, b = load(args[:cut]), load(args[cut + 1:])
    print("ns per request, all symbols: %.0f -> %.0f" % (sum(a.values()), sum(b.values())))
    diff = sorted(((b.get(k, 0) - a.get(k, 0)), k) for k in set(a) | set(b))
    print("largest increases:")
    for v, k in diff[::-1][:25]:
        print("  %+7.1f ns  %s" % (v, k))
    print("largest decreases:")
    for v, k in diff[:10]:
        print("  %+7.1f ns  %s" % (v, k))
    picked = re.compile(FILTER)
    a_sum, b_sum = (sum(v for k, v in x.items() if picked.search(k)) for x in (a, b))
    print("symbols matching %r: %.0f -> %.0f ns per request" % (FILTER, a_sum, b_sum))
    if os.environ.get("LIST"):
        # Each matching symbol on its own line, largest first in the second set.
        for k in sorted((k for k in set(a) | set(b) if picked.search(k)), key=lambda k: -b.get(k, 0)):
            print("  %7.1f -> %7.1f ns  %s" % (a.get(k, 0), b.get(k, 0), k))


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into `head`
    main(sys.argv[1:])
