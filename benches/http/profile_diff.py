#!/usr/bin/env python3
"""Where one route's extra time per request goes: the per-request time of every symbol in the
profiles of two routes (`benches/http/profile.sh` output with all symbols kept), averaged over
runs, and the largest differences.

    for i in 1 2 3; do for r in github github-dedupe-default; do
      TOP=100000 bash benches/http/profile.sh $r > /tmp/prof/$r-$i.txt; done; done
    python3 benches/http/profile_diff.py /tmp/prof/github-*.txt -- /tmp/prof/github-dedupe-default-*.txt

The server is saturated, so a symbol's time per request is its share of the samples over the
route's rate (requests/s). Shares are noisy between runs (a profile is 5 s); a symbol that one
route never runs (dedupe's) is measured far better than a difference in shared code.
"""
import collections
import re
import sys

SYMBOL = re.compile(r"^\s+([\d.]+)%\s+\[.\]\s+(.*)")


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
            if m:
                per[m.group(2)[:110]] += float(m.group(1)) / 100 / rate * 1e9
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
    dedupe = [(b.get(k, 0), k) for k in b if "dedupe" in k or "KeyHasher" in k]
    print("dedupe's own symbols in the second set: %.0f ns per request" % sum(v for v, _ in dedupe))


if __name__ == "__main__":
    main(sys.argv[1:])
