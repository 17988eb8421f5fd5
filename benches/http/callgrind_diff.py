#!/usr/bin/env python3
"""Per-function difference of one callgrind event between two routes, per request.

Reads the profiles that `KEEP=<dir> bash benches/http/callgrind.sh` keeps (`<dir>/cg.<route>`
and `<dir>/requests.<route>`), runs `callgrind_annotate --show=<event>` on each, divides each
function's own (self) cost by the route's request count, and prints the functions whose cost
differs most. Inlined code counts under the function it was inlined into (callgrind names it
by its source file, so one function can appear under two names).

    KEEP=/tmp/cg CACHE=1 ROUTES=github,github-dedupe-default bash benches/http/callgrind.sh
    python3 benches/http/callgrind_diff.py /tmp/cg github github-dedupe-default I1mr

Events: Ir (instructions); with CACHE=1 also I1mr (first-level instruction-cache misses),
D1mr/D1mw (first-level data-cache misses), DLmr/DLmw (last-level data-cache misses).
"""
import re
import subprocess
import sys

def annotate(d, route, event):
    """One route's profile: (its total, {`file:function`: own cost}), each a request.

    The functions on the stack when callgrind dumped (the server's loop, from `main` down) carry
    the whole run as their own cost in such a dump: any function with 90 % or more of the total
    is left out, so that the remaining costs add up to what the request path ran.
    """
    n = int(open(f"{d}/requests.{route}").read())
    # `--auto=no`: without it, the annotated source lines of the same functions came out in
    # the list too, each line's cost beside its function's (twentieth session).
    out = subprocess.run(["callgrind_annotate", f"--show={event}", "--threshold=100",
                          "--auto=no", "--inclusive=no", f"{d}/cg.{route}"],
                         capture_output=True, text=True, check=True).stdout
    total = 0.0
    cost = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
        if not m:
            continue
        value = int(m.group(1).replace(",", "")) / n
        name = re.sub(r" \[[^\]]*\]$", "", m.group(2))
        if "PROGRAM TOTALS" in name:
            total = value
        else:
            cost[name] = cost.get(name, 0) + value
    return total, {k: v for k, v in cost.items() if v < 0.9 * total}


def load(d, route, event):
    """[`annotate`]'s costs by function name alone (the source file of inlined code dropped)."""
    cost = {}
    for fn, value in annotate(d, route, event)[1].items():
        if ":" in fn and fn.startswith(("/", ".")):
            fn = fn.split(":", 1)[1]
        cost[fn] = cost.get(fn, 0) + value
    return cost


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    d, a, b, event = sys.argv[1:5]
    ca, cb = load(d, a, event), load(d, b, event)
    diff = sorted(((cb.get(k, 0) - ca.get(k, 0)), k) for k in set(ca) | set(cb))
    print(f"{event} a request, {b} - {a} (self cost by function):")
    for x, k in diff[::-1][:20]:
        print(f"{x:8.1f}  {k[:150]}")
    print("...")
    for x, k in diff[:8]:
        print(f"{x:8.1f}  {k[:150]}")


if __name__ == "__main__":
    main()
