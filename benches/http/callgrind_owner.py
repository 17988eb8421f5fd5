#!/usr/bin/env python3
"""Per-request difference of callgrind events between two routes, summed by who owns the code.

Reads the profiles that `KEEP=<dir> bash benches/http/callgrind.sh` keeps (`<dir>/cg.<route>`
and `<dir>/requests.<route>`), takes every function's own (self) cost with
`callgrind_annotate --auto=no --inclusive=no`, divides by the route's request count, and sums
the differences by owner:

- `crate`: webhook-guard's functions, and code of other crates inlined into them (the
  function's name mentions `webhook_guard`, or its source is under the crate's `src/`);
- `axum`, `hyper`: functions whose name mentions them;
- `extensions`: `http`'s extension map and the `hashbrown` table under it;
- `libc`: `malloc`, `free`, `memcpy`/`memmove`;
- `other`: the rest (tokio, tower, http, bytes, http-body-util, the benchmark's handlers).

The functions that were on the stack when callgrind dumped (the server's main loop) carry the
whole run as their own cost in such a dump; they are left out (any function with 90 % or more
of a route's total). The owners' sums then add up to the difference of the two routes' totals,
which the first column prints for checking.

    KEEP=/tmp/cg CACHE=1 ROUTES=inline,layer-body,layer SECS=8 bash benches/http/callgrind.sh
    python3 benches/http/callgrind_owner.py /tmp/cg inline layer
    python3 benches/http/callgrind_owner.py /tmp/cg inline layer crate   # list one owner's functions

Events: I1mr (first-level instruction-cache misses, with CACHE=1) and Ir (instructions).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind_diff import annotate  # noqa: E402  (one parser and one stack rule for both)

def owner(fn):
    """Who owns a `file:function` entry of `callgrind_annotate`."""
    path, _, name = fn.partition(":")
    crate_source = "src/" in path and not any(
        x in path for x in ("registry", "/rustc/", "/rust/deps", "benches/"))
    if "webhook_guard" in name or crate_source:
        return "crate"
    for who in ("axum", "hyper"):
        if who in name:
            return who
    if "hashbrown" in name or "http::extensions" in name:
        return "extensions"
    if re.search(r"malloc|free|memcpy|memmove", name):
        return "libc"
    return "other"


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    d, a, b = sys.argv[1:4]
    only = sys.argv[4] if len(sys.argv) == 5 else None
    rows = {}
    for event in ("I1mr", "Ir"):
        (ta, ca), (tb, cb) = annotate(d, a, event), annotate(d, b, event)
        sums = {}
        for fn in set(ca) | set(cb):
            x = cb.get(fn, 0) - ca.get(fn, 0)
            sums[owner(fn)] = sums.get(owner(fn), 0) + x
            rows.setdefault(fn, {})[event] = x
        if not only:
            parts = ", ".join(f"{k} {v:+.0f}" for k, v in sorted(sums.items(), key=lambda t: -abs(t[1])))
            print(f"{event} a request, {b} - {a}: {tb - ta:+.0f} in all; by owner: {parts}")
    if only:
        print(f"{only}'s functions, {b} - {a}, a request (I1mr, Ir):")
        for fn, v in sorted(rows.items(), key=lambda kv: -abs(kv[1].get("I1mr", 0))):
            if owner(fn) == only and (abs(v.get("I1mr", 0)) >= 1 or abs(v.get("Ir", 0)) >= 20):
                print(f"{v.get('I1mr', 0):7.1f} {v.get('Ir', 0):8.1f}  {fn[:160]}")


if __name__ == "__main__":
    main()
