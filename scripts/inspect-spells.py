#!/usr/bin/env python3
"""Slow spells in a `scale --interleave --samples FILE` timeline.

Each line of FILE is `size start_ns took_ns`, in the order the inspects ran.
A sample is slow when it took over 1.3 x its size's p50. A spell is a stretch
of 0.5 ms windows in each of which at least a fifth of the samples were
slow. For every size this prints its p50 and p99, how many of its samples
were slow, and how many of those fell in spells; then the spells, each with
how many slow samples of each size it holds. A spell that falls on one size
only moves that size's p99 (BENCHMARKS.md, "Round eighteen").

    python3 scripts/inspect-spells.py FILE
"""

import math
import sys
from collections import defaultdict

WINDOW_NS = 500_000
SLOW = 1.3
SPELL_SHARE = 0.2


def quantile(sorted_values, q):
    """The q-quantile as `scale` takes it: the ceil(q * n)-th smallest."""
    idx = min(max(math.ceil(q * len(sorted_values)), 1), len(sorted_values)) - 1
    return sorted_values[idx]


def main(path):
    rows = []
    with open(path) as f:
        for line in f:
            size, start, took = line.split()
            rows.append((int(size), int(start), int(took)))
    if not rows:
        sys.exit(f"{path}: no samples")
    by_size = defaultdict(list)
    for size, _, took in rows:
        by_size[size].append(took)
    p50 = {}
    for size, took in sorted(by_size.items()):
        took.sort()
        p50[size] = quantile(took, 0.5)

    # Each sample's size, 0.5 ms window and whether it was slow, once.
    marked = [(size, start // WINDOW_NS, took > SLOW * p50[size]) for size, start, took in rows]
    windows = defaultdict(lambda: [0, 0])
    for _, w, slow in marked:
        windows[w][0] += 1
        windows[w][1] += slow
    in_spell = {w for w, (n, slow) in windows.items() if slow >= SPELL_SHARE * n}

    slow_total = defaultdict(int)
    slow_in_spells = defaultdict(int)
    spells = []
    current = None
    for size, w, slow in marked:
        if w in in_spell:
            if current is None or w > current["last"] + 1:
                current = {"from": w, "last": w, "slow": defaultdict(int)}
                spells.append(current)
            current["last"] = w
        if slow:
            slow_total[size] += 1
            if w in in_spell:
                slow_in_spells[size] += 1
                current["slow"][size] += 1

    for size, took in sorted(by_size.items()):
        print(
            f"size {size}: p50 {p50[size] / 1000:.2f} us, p99 {quantile(took, 0.99) / 1000:.2f} us, "
            f"{slow_total[size]} slow of {len(took)}, {slow_in_spells[size]} of them in spells"
        )
    print(f"{len(spells)} spells:")
    for s in spells:
        counts = ", ".join(f"{size}: {n}" for size, n in sorted(s["slow"].items()))
        print(
            f"  {s['from'] * WINDOW_NS / 1e6:8.1f} ms, {(s['last'] - s['from'] + 1) * WINDOW_NS / 1e6:.1f} ms long,"
            f" slow samples {{{counts}}}"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
