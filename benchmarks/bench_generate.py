"""How long, and how much memory, it takes to build a round's return workbooks.

    python benchmarks/bench_generate.py [--sizes 11 153] [--no-tracemalloc]

Two rounds are built, emails included, into a temporary folder: the 11 real councils, and 153
synthetic ones (every English upper-tier authority, roughly, with made-up names and E0900xxxx
codes). Each size runs in a fresh process so that the peak resident memory (getrusage maxrss)
belongs to that size alone. Time comes from a plain run; Python's own peak allocation comes from
a second run under tracemalloc, which slows Python down and so is not timed.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from importlib.metadata import version
from pathlib import Path

from collate.generator.build import build_workbooks
from collate.load import load_instrument
from collate.settings import LocalAuthority, RoundSettings, load_settings

MB = 1024 * 1024


def synthetic_councils(n: int) -> list[LocalAuthority]:
    """n made-up councils with valid, unique GSS codes and DfE numbers (E0900xxxx, 9xxx)."""
    return [
        LocalAuthority(
            name=f"Synthetic Council {i:03d}",
            short_name=f"Synthetic {i:03d}",
            gss_code=f"E0900{i:04d}",
            dfe_number=9000 + i,
        )
        for i in range(1, n + 1)
    ]


def round_of(size: int) -> RoundSettings:
    settings = load_settings()
    if size == len(settings.local_authorities):
        return settings
    return settings.model_copy(update={"local_authorities": synthetic_councils(size)})


def peak_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports kilobytes


def build_once(settings: RoundSettings, instrument) -> tuple[float, int, int]:
    """Build every workbook and email; return (seconds, files written, bytes written)."""
    with tempfile.TemporaryDirectory(prefix="ie-bench-") as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        built = build_workbooks(settings, out, instrument=instrument, emails=True)
        seconds = time.perf_counter() - start
        files = [p for p in out.rglob("*") if p.is_file()]
        assert len(built) == len(settings.local_authorities)
        return seconds, len(files), sum(p.stat().st_size for p in files)


def measure(size: int, use_tracemalloc: bool) -> dict[str, float]:
    """One size, in the current (fresh) process."""
    start = time.perf_counter()
    settings = round_of(size)
    instrument = load_instrument(settings.instrument_folder)
    load_seconds = time.perf_counter() - start
    seconds, files, written = build_once(settings, instrument)
    result = {
        "councils": size,
        "load_s": load_seconds,
        "build_s": seconds,
        "per_workbook_ms": 1000 * seconds / size,
        "files": files,
        "written_mb": written / MB,
        "maxrss_mb": peak_rss_bytes() / MB,
        "tracemalloc_mb": float("nan"),
    }
    if use_tracemalloc:
        tracemalloc.start()
        build_once(settings, instrument)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["tracemalloc_mb"] = peak / MB
    return result


def _child(size: int, use_tracemalloc: bool, queue) -> None:
    queue.put(measure(size, use_tracemalloc))


def measure_in_fresh_process(size: int, use_tracemalloc: bool) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(size, use_tracemalloc, queue))
    proc.start()
    result = queue.get()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"the benchmark for {size} councils failed (exit {proc.exitcode})")
    return result


def machine() -> list[str]:
    return [
        f"platform:  {platform.platform()}",
        f"machine:   {platform.machine()} {platform.processor() or ''}".rstrip(),
        f"CPUs:      {os.cpu_count()} (the build uses one)",
        f"python:    {platform.python_implementation()} {platform.python_version()}",
        f"packages:  xlsxwriter {version('xlsxwriter')}, openpyxl {version('openpyxl')}, "
        f"pydantic {version('pydantic')}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[11, 153])
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the second, traced run (faster)"
    )
    args = parser.parse_args(argv)

    print("Building return workbooks (xlsx + covering .eml) into a temporary folder")
    for line in machine():
        print("  " + line)
    print()
    head = (
        f"{'councils':>8}  {'load s':>7}  {'build s':>8}  {'ms/wb':>7}  {'files':>5}  "
        f"{'written MB':>10}  {'maxrss MB':>9}  {'tracemalloc MB':>14}"
    )
    print(head)
    print("-" * len(head))
    for size in args.sizes:
        r = measure_in_fresh_process(size, not args.no_tracemalloc)
        print(
            f"{r['councils']:>8}  {r['load_s']:>7.2f}  {r['build_s']:>8.2f}  "
            f"{r['per_workbook_ms']:>7.0f}  {r['files']:>5}  {r['written_mb']:>10.1f}  "
            f"{r['maxrss_mb']:>9.0f}  {r['tracemalloc_mb']:>14.1f}",
            flush=True,
        )
    print()
    print("maxrss: peak resident memory of the process (getrusage), taken after the timed run.")
    print("tracemalloc: peak memory allocated by Python during a second, untimed run.")


if __name__ == "__main__":
    main()
