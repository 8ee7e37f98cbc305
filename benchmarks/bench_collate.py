"""How long, and how much memory, collating a folder of returns takes, against a plain read.

    python benchmarks/bench_collate.py [--sizes 11 153 1530] [--trace-sizes 11 153]

Each folder holds copies of the 11 synthetic sample returns, renamed (0001_SAMPLE_Bedford...).
Copies of one council's return are several returns from that council, so the bigger folders also
exercise the newest-wins rule. Two jobs read each folder:

- collate: `collate.intake.collation.collate_folder`, i.e. read every return and run every check (no
  outputs written);
- plain read: `pandas.read_excel(path, sheet_name=None)` on every file, the least any tool must do
  to see what is in a workbook.

Every (job, size) runs in a fresh process, so that the peak resident memory it reports
(getrusage maxrss) is that job's alone. The process first reads one file to warm up (imports,
caches), notes its peak RSS, then reads the folder: the growth in peak RSS is what reading N
returns costs beyond reading one, and should stay flat as N grows. Python's own peak allocation
comes from a second run under tracemalloc, which slows Python down about five-fold and so is not
timed, and by default is made only for the smaller folders (--trace-sizes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_returns"
MB = 1024 * 1024
TARGET_RATIO = 1.5


def peak_rss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024  # Linux reports kilobytes


def fill_folder(folder: Path, size: int) -> list[Path]:
    """`size` returns in `folder`: the sample returns copied round-robin under new names."""
    samples = sorted(SAMPLES.glob("*.xlsx"))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(size):
        source = samples[i % len(samples)]
        target = folder / f"{i + 1:04d}_{source.name}"
        shutil.copyfile(source, target)
        written.append(target)
    return written


# -- the child: one job on one folder, in its own process -------------------------------------


def _collate_job():
    from collate.intake.collation import collate_folder
    from collate.load import load_instrument
    from collate.settings import load_settings

    settings = load_settings()
    instrument = load_instrument(settings.instrument_folder)

    def run(folder: Path) -> int:
        collation = collate_folder(folder, settings, instrument)
        return len(collation.records)

    return run


def _plain_job():
    import pandas as pd

    def run(folder: Path) -> int:
        n = 0
        for path in sorted(folder.glob("*.xlsx")):
            pd.read_excel(path, sheet_name=None)
            n += 1
        return n

    return run


def child(job: str, folder: Path, warmup: Path, trace: bool) -> dict:
    run = _collate_job() if job == "collate" else _plain_job()
    run(warmup)  # imports, caches and one file's worth of memory, outside the measurement
    rss_before = peak_rss_bytes()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    n = run(folder)
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    return {
        "files": n,
        "seconds": seconds,
        "rss_before": rss_before,
        "rss_growth": peak_rss_bytes() - rss_before,
        "traced_peak": traced_peak,
    }


def in_child(job: str, folder: Path, warmup: Path, trace: bool = False) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        job,
        "--folder",
        str(folder),
        "--warmup",
        str(warmup),
    ]
    if trace:
        cmd.append("--trace")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- the parent: build the folders, run every child, print the table --------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    python = platform.python_version()
    libraries = f"openpyxl {version('openpyxl')}, pandas {version('pandas')}"
    return f"{platform.platform()}; {os.cpu_count()} CPUs ({cpu}); Python {python}; {libraries}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[11, 153, 1530])
    parser.add_argument(
        "--trace-sizes",
        type=int,
        nargs="*",
        default=[11, 153],
        help="sizes also run under tracemalloc (slow: about five times longer)",
    )
    parser.add_argument("--child", choices=["collate", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.folder, args.warmup, args.trace)))
        return 0

    print(f"Machine: {machine()}")
    print(
        "Collating copies of the 11 sample returns: collate_folder (read + every check, no "
        "outputs) against pandas.read_excel(sheet_name=None)."
    )
    print(
        "RSS growth: peak resident memory beyond reading one file; traced: tracemalloc peak "
        "(separate, untimed run).\n"
    )
    header = (
        f"{'returns':>8} {'collate s':>10} {'ms/file':>8} {'plain s':>9} {'ms/file':>8} "
        f"{'ratio':>6} {'RSS+ MB':>8} {'plain RSS+':>10} {'traced MB':>10} "
        f"{'plain traced':>12}"
    )
    print(header)
    print("-" * len(header))
    worst_ratio = 0.0
    growth = []
    with tempfile.TemporaryDirectory(prefix="ie-bench-collate-") as tmp:
        warmup = Path(tmp) / "warmup"
        fill_folder(warmup, 1)
        for size in args.sizes:
            folder = Path(tmp) / f"n{size}"
            fill_folder(folder, size)
            col = in_child("collate", folder, warmup)
            plain = in_child("plain", folder, warmup)
            traced = traced_plain = None
            if size in args.trace_sizes:
                traced = in_child("collate", folder, warmup, trace=True)["traced_peak"]
                traced_plain = in_child("plain", folder, warmup, trace=True)["traced_peak"]
            ratio = col["seconds"] / plain["seconds"]
            worst_ratio = max(worst_ratio, ratio)
            growth.append((size, col["rss_growth"]))
            print(
                f"{size:>8} {col['seconds']:>10.1f} {1000 * col['seconds'] / size:>8.0f} "
                f"{plain['seconds']:>9.1f} {1000 * plain['seconds'] / size:>8.0f} "
                f"{ratio:>6.2f} {col['rss_growth'] / MB:>8.1f} {plain['rss_growth'] / MB:>10.1f} "
                f"{_mb(traced):>10} {_mb(traced_plain):>12}",
                flush=True,
            )
            shutil.rmtree(folder)
    print(
        f"\nTarget: collate within {TARGET_RATIO}x of the plain read "
        f"({'met' if worst_ratio <= TARGET_RATIO else 'NOT met'}: worst {worst_ratio:.2f}x), "
        "and memory flat as the count grows (growth below)."
    )
    if len(growth) > 1:
        (n0, g0), (n1, g1) = growth[0], growth[-1]
        per_file = (g1 - g0) / (n1 - n0) / 1024
        print(
            f"RSS growth from {n0} to {n1} returns: {(g1 - g0) / MB:+.1f} MB "
            f"({per_file:+.1f} KB per extra return)."
        )
    return 0


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / MB:.1f}"


if __name__ == "__main__":
    sys.exit(main())
