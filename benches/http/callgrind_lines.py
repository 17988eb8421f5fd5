#!/usr/bin/env python3
"""The machine instructions a function runs per request, and the cache lines they sit on.

    INSTR=1 KEEP=/tmp/cg CACHE=1 ROUTES=layer bash benches/http/callgrind.sh
    python3 benches/http/callgrind_lines.py /tmp/cg layer 'VerifyWebhook<S> as .*::call::\\{\\{closure'
    python3 benches/http/callgrind_lines.py /tmp/cg layer '<regex>' BINARY   # + the executed code

Reads a profile kept by `callgrind.sh` with `INSTR=1` (costs per instruction address), and
prints, for every function whose name matches the regular expression, its own instructions a
request (`Ir`; calls to other functions are not counted), its simulated first-level
instruction-cache misses a request (`I1mr`, with `CACHE=1`), how many distinct instructions
ran at least once every other request, and the 64-byte lines those sit on. Given the server's
binary too, it prints the executed instructions of each function in address order from `objdump
-d`, `...` where the path skips code: what the hot path of a function actually is.
"""
import collections
import re
import subprocess
import sys


def load(path):
    """{function: {address: Counter(event -> total)}} from a callgrind file with instr positions."""
    names, costs, events = {}, collections.defaultdict(dict), []
    current, addr, line, after_calls = None, 0, 0, False

    def name(spec):
        m = re.match(r"\((\d+)\)(?: (.*))?", spec)
        if not m:
            return spec
        if m.group(2):
            names[m.group(1)] = m.group(2)
        return names.get(m.group(1), "?")

    def position(tok, last):
        if tok == "*":
            return last
        if tok[0] in "+-":
            return last + int(tok, 0)
        return int(tok, 0)

    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if raw.startswith("events:"):
                events = raw.split()[1:]
            elif raw.startswith("positions:") and "instr" not in raw:
                sys.exit(f"{path}: no instruction positions (run callgrind.sh with INSTR=1)")
            elif raw.startswith("fn="):
                current = name(raw[3:])
            elif raw.startswith("cfn="):
                name(raw[4:])
            elif raw.startswith("calls="):
                after_calls = True
            elif raw and (raw[0].isdigit() or raw[0] in "+-*"):
                toks = raw.split()
                addr = position(toks[0], addr)
                line = position(toks[1], line) if len(toks) > 1 else line
                if after_calls:  # the inclusive cost of a call: not this function's own
                    after_calls = False
                    continue
                c = costs[current].setdefault(addr, collections.Counter())
                for event, value in zip(events, toks[2:]):
                    c[event] += int(value)
    return costs


def main(args):
    if len(args) < 3:
        sys.exit(__doc__)
    directory, route, pattern = args[0], args[1], args[2]
    binary = args[3] if len(args) > 3 else None
    requests = int(open(f"{directory}/requests.{route}", encoding="utf-8").read())
    costs = load(f"{directory}/cg.{route}")
    for fn, by_addr in sorted(costs.items(), key=lambda kv: -sum(c["Ir"] for c in kv[1].values())):
        if not fn or not re.search(pattern, fn):
            continue
        hot = sorted(a for a, c in by_addr.items() if c["Ir"] / requests >= 0.5)
        ir = sum(c["Ir"] for c in by_addr.values()) / requests
        i1 = sum(c.get("I1mr", 0) for c in by_addr.values()) / requests
        print(f"{fn[:160]}\n    Ir {ir:.1f}, I1mr {i1:.1f} a request; {len(hot)} instructions "
              f"run, on {len({a // 64 for a in hot})} cache lines")
        if binary and hot:
            out = subprocess.run(
                ["objdump", "-d", "--no-show-raw-insn", "-C", f"--start-address={hot[0]:#x}",
                 f"--stop-address={hot[-1] + 16:#x}", binary],
                check=True, capture_output=True, text=True).stdout
            wanted, gap = set(hot), False
            for text in out.splitlines():
                m = re.match(r"\s*([0-9a-f]+):", text)
                if not m:
                    continue
                if int(m.group(1), 16) in wanted:
                    if gap:
                        print("    ...")
                    print("   " + text[:140])
                    gap = False
                else:
                    gap = True


if __name__ == "__main__":
    main(sys.argv[1:])
