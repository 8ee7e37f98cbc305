"""Seconds per stage table for disclosure control, with and without the insider pass.

    python benchmarks/bench_disclosure.py [--sizes 11 153] [--tables 3]

For each size it makes ``--tables`` synthetic stage tables (seeded: the same tables every run):
each council's children at the stage drawn from a log-normal spread of sizes (tens to a couple
of thousand), split over the report's seven groups in the region's proportions, so that small
councils and small groups give many counts of 1 to 5; each council's child population by group
is its share of the region's, with noise. Each table goes through the published-table
suppression and then :func:`collate.measures.stage_protection._protect_stage`, timed once with the
check against a reader only and once with the insider pass too (each council knowing its own
withheld counts). It prints the seconds per table (wall clock and processor time, steadier on
a shared machine) and the withheld counts of each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collate.measures.stage_protection import _protect_stage  # noqa: E402
from collate.measures.suppression import suppress_table  # noqa: E402

#: The region's mix of children at a stage: White British, Other White, Mixed, Asian, Black,
#: Other, Refused or not yet obtained.
SHARES = [0.74, 0.07, 0.08, 0.04, 0.035, 0.02, 0.015]
KNOWN = list(range(6))


def table(size: int, seed: int) -> tuple[list[list[int]], list[dict[int, float]]]:
    rng = np.random.default_rng(seed)
    rows, pops = [], []
    for _ in range(size):
        n = int(np.clip(rng.lognormal(5.5, 0.9), 20, 3000))
        counts = rng.multinomial(n, SHARES).tolist()
        rows.append([*counts, sum(counts)])
        children = n * 200
        pop = {j: float(round(children * SHARES[j] * rng.uniform(0.7, 1.3))) for j in KNOWN}
        pops.append(pop)
    totals = [sum(col) for col in zip(*rows, strict=True)]
    region = {j: sum(p[j] for p in pops) for j in KNOWN}
    return [*rows, totals], [*pops, region]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[11, 153])
    parser.add_argument("--tables", type=int, default=3)
    args = parser.parse_args(argv)
    print(
        "councils  table  withheld (reader only)  wall s  cpu s  "
        "withheld (with insiders)  wall s  cpu s"
    )
    for size in args.sizes:
        for seed in range(args.tables):
            values, pops = table(size, seed)
            start = set(suppress_table(values).suppressed)
            out = []
            for insider in (False, True):
                t, cpu = time.perf_counter(), time.process_time()
                hidden, _ = _protect_stage(values, start, KNOWN, pops, insider_check=insider)
                out += [len(hidden), time.perf_counter() - t, time.process_time() - cpu]
            print(
                f"{size:8d}  {seed:5d}  {out[0]:22d}  {out[1]:6.2f}  {out[2]:5.2f}  "
                f"{out[3]:24d}  {out[4]:6.2f}  {out[5]:5.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
