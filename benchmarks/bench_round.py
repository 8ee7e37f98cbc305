"""A whole round at 11, 153 and 500 distinct councils, against reading anchors on the same files.

    python benchmarks/bench_round.py [--sizes 11 153 500] [--pandas-up-to 153]
                                     [--collate-only-from 500]

For each size: the round's settings (11: the region's own councils; otherwise made-up councils,
each with its own name, GSS code and DfE number), its workbooks filled with synthetic answers
(written into the answer cells as the workbook is made, with a revision mark of its own in the
workbook part as Excel leaves, in two processes, kept in a cache folder between runs: not
timed), then, each job in
a fresh process so that its peak memory is its own, and interleaved so that the machine's load
falls alike on each:

- build: every council's workbook and covering email (collate.generator.build.build_workbooks);
- calamine: python-calamine reading every sheet of every filled return (the floor);
- collate: collate.intake.collation.collate_folder, reading and checking every return;
- pandas: pandas.read_excel(path, sheet_name=None) on every return;
- round: collate.run.run_collation with every output and the report (what a manager runs);
- calamine again.

The collator reads returns, builds workbooks and writes packs in two processes where it can
(collate.workers): a job's processor time includes its worker processes', and its peak memory
is the largest of its own and its workers'.

It prints each wall-clock time and processor time (steadier on a shared machine), collate /
calamine and collate / pandas (calamine: the mean of its two
runs), the round (build + collation with outputs and report) and the peak resident memory of each
job, with the growth of the collate job's memory per council between the two largest sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "ie-bench-round"
MB = 1024 * 1024


def peak_rss() -> int:
    # The largest of this process and its worker processes (collate.workers), each on its own.
    rss = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return rss if sys.platform == "darwin" else rss * 1024


def settings_of(size: int):
    from collate.settings import LocalAuthority, load_settings

    settings = load_settings()
    if size == len(settings.local_authorities):
        return settings
    las = [
        LocalAuthority(
            name=f"Synthetic Council {i:03d}",
            short_name=f"Synthetic {i:03d}",
            gss_code=f"E0900{i:04d}",
            dfe_number=9000 + i,
        )
        for i in range(1, size + 1)
    ]
    return settings.model_copy(update={"local_authorities": las})


_ROUND: dict = {}


def _fill_one(args: tuple[int, int, str]) -> str:
    """One council's return with synthetic answers (those of a real council of the region),
    written straight into its answer cells as XlsxWriter writes the workbook: the file is the
    issued workbook with the answers in it (a quick stand-in for a council saving it)."""
    from collate.analysis.population import load_population
    from collate.generator import workbook
    from collate.generator.build import workbook_bytes, workbook_name
    from collate.generator.layout import build_layout
    from collate.load import load_instrument
    from collate.samples.returns import SEED, answers_for, load_sample_answers

    size, index, folder = args
    if _ROUND.get("size") != size:  # once per process and size
        settings = settings_of(size)
        instrument = load_instrument(settings.instrument_folder)
        _ROUND.update(
            size=size,
            settings=settings,
            instrument=instrument,
            region=load_settings_region(),
            population=load_population(settings.population_path, instrument.ethnicity),
            sample=load_sample_answers(),
            inputs=[
                (s.name, i.row, i.col, i.field.id)
                for s in build_layout(instrument, settings, settings.local_authorities[0]).sheets
                for i in s.inputs
                if i.field is not None
            ],
        )
    settings, instrument, region = _ROUND["settings"], _ROUND["instrument"], _ROUND["region"]
    la = settings.local_authorities[index]
    like = region[index % len(region)]
    rng = random.Random(f"{SEED}-{la.gss_code}")
    answers = answers_for(
        like, instrument, settings, _ROUND["sample"], _ROUND["population"][like.gss_code], rng
    )
    at = {(sh, r, c): answers[fid] for sh, r, c, fid in _ROUND["inputs"] if fid in answers}
    sheet = workbook._Worksheet
    blank, merge = sheet.write_blank, sheet.merge_range

    def write_blank(self, row, col, value, fmt=None):
        if (self.name, row, col) in at:
            return self.write(row, col, at[(self.name, row, col)], fmt)
        return blank(self, row, col, value, fmt)

    def merge_range(self, r1, c1, r2, c2, data, fmt=None):
        return merge(self, r1, c1, r2, c2, at.get((self.name, r1, c1), data), fmt)

    sheet.write_blank, sheet.merge_range = write_blank, merge_range
    try:
        data = workbook_bytes(instrument, settings, la)
    finally:
        sheet.write_blank, sheet.merge_range = blank, merge
    target = Path(folder) / workbook_name(la, settings)
    target.write_bytes(saved_as_by_excel(data, la.gss_code))
    return target.name


def saved_as_by_excel(data: bytes, mark: str) -> bytes:
    """The workbook with a revision mark of its own in its workbook part, as Excel leaves in
    every file it saves: so that no return shares its workbook part with another, as real
    returns do not, and the collator's reading of a part once for every return that shares it
    (collate.intake.package) does not flatter the figures."""
    import io
    import zipfile

    revision = (
        '<xr:revisionPtr xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/'
        f'revision" revIDLastSave="0" documentId="8_{{{mark}}}"/>'
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/workbook.xml":
                part = part.replace(b"<bookViews>", revision + b"<bookViews>", 1)
            dst.writestr(info, part)
    return out.getvalue()


def load_settings_region():
    from collate.settings import load_settings

    return list(load_settings().local_authorities)


def filled_folder(size: int) -> Path:
    from collate.load import load_instrument

    # Keyed by the instrument's fingerprint: returns filled from an older workbook would be
    # refused whole (an old template), and the benchmark would time the wrong work.
    fingerprint = load_instrument(settings_of(size).instrument_folder).fingerprint
    folder = CACHE / f"returns-{size}-{fingerprint}-excel"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.xlsx"):
        old.unlink()
    with Pool(2) as pool:
        pool.map(_fill_one, [(size, i, str(folder)) for i in range(size)], chunksize=4)
    done.write_text("ok")
    return folder


# -- one job, in its own process ------------------------------------------------------------


def job(name: str, size: int, folder: Path, work: Path) -> dict:
    from collate.load import load_instrument

    settings = settings_of(size)
    instrument = load_instrument(settings.instrument_folder)
    files = sorted(folder.glob("*.xlsx"))
    # Warm up: imports and caches, on one file.
    if name == "calamine":
        from python_calamine import CalamineWorkbook

        def run(paths):
            for p in paths:
                wb = CalamineWorkbook.from_path(str(p))
                for sheet in wb.sheet_names:
                    wb.get_sheet_by_name(sheet).to_python()

    elif name == "pandas":
        import pandas as pd

        def run(paths):
            for p in paths:
                pd.read_excel(p, sheet_name=None)

    elif name == "collate":
        from collate.intake.collation import collate_folder

        def run(paths):
            collate_folder(paths[0].parent, settings, instrument)

    elif name == "build":
        from collate.generator.build import build_workbooks

        def run(paths):
            build_workbooks(settings, work / "built", instrument=instrument, emails=True)

    elif name == "round":
        from collate.run import run_collation

        def run(paths):
            run_collation(paths[0].parent, work / "out", settings, instrument, report=True)

    else:
        raise ValueError(name)
    if name in ("calamine", "pandas"):
        run(files[:1])
    start, cpu = time.perf_counter(), processor_time()
    run(files)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu": processor_time() - cpu, "peak": peak_rss()}


def processor_time() -> float:
    """This process's processor time and that of its finished worker processes (the collator
    reads returns and writes packs in two processes: collate.workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def in_child(name: str, size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="ie-bench-") as work:
        out = subprocess.run(
            [sys.executable, __file__, "--job", name, str(size), work],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    if out.returncode != 0:
        raise RuntimeError(f"{name} {size}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[11, 153, 500])
    ap.add_argument(
        "--pandas-up-to", type=int, default=10_000, help="run pandas only up to this size"
    )
    ap.add_argument(
        "--collate-only-from",
        type=int,
        default=10_000,
        help="from this size on, run only calamine and collate (a busy machine)",
    )
    ap.add_argument("--job", nargs=3)
    args = ap.parse_args()
    if args.job:
        name, size, work = args.job
        size = int(size)
        print(json.dumps(job(name, size, filled_folder(size), Path(work))))
        return
    print(
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"CPython {platform.python_version()}, load {os.getloadavg()[0]:.1f}; "
        f"openpyxl {version('openpyxl')}, XlsxWriter {version('XlsxWriter')}, "
        f"python-calamine {version('python-calamine')}, pandas {version('pandas')}",
        flush=True,
    )
    results: dict[int, dict[str, dict]] = {}
    for size in args.sizes:
        t = time.perf_counter()
        filled_folder(size)
        print(f"{size} filled returns ready ({time.perf_counter() - t:.0f} s)", flush=True)
        brief = size >= args.collate_only_from
        order = ([] if brief else ["build"]) + ["calamine", "collate"]
        order += ["pandas"] if size <= args.pandas_up_to and not brief else []
        order += ([] if brief else ["round"]) + ["calamine2"]
        got: dict[str, dict] = {}
        for name in order:
            got[name] = in_child(name.rstrip("2"), size)
        results[size] = got
        cal = (got["calamine"]["seconds"] + got["calamine2"]["seconds"]) / 2
        col = got["collate"]["seconds"]
        line = f"{size:>4} councils: "
        if "build" in got:
            line += f"build {got['build']['seconds']:.1f} s, "
        line += f"collate {col:.2f} s = {col / cal:.1f}x calamine ({cal:.2f} s)"
        if "pandas" in got:
            pandas = got["pandas"]["seconds"]
            line += f" = {col / pandas:.2f}x pandas ({pandas:.1f} s)"
        if "round" in got:
            line += (
                f"; collation with outputs and report {got['round']['seconds']:.1f} s; "
                f"round (build + that) {got['build']['seconds'] + got['round']['seconds']:.1f} s"
            )
        print(line, flush=True)
        ccal = (got["calamine"]["cpu"] + got["calamine2"]["cpu"]) / 2
        print(
            "      processor time: "
            + ", ".join(f"{k} {v['cpu']:.2f} s" for k, v in got.items())
            + f"; collate {got['collate']['cpu'] / ccal:.1f}x calamine",
            flush=True,
        )
        print(
            "      peak memory: "
            + ", ".join(f"{k} {v['peak'] / MB:.0f} MB" for k, v in got.items()),
            flush=True,
        )
    sizes = sorted(results)
    if len(sizes) >= 2:
        a, b = sizes[-2], sizes[-1]
        for name in ("collate", "round", "build"):
            if name not in results[a] or name not in results[b]:
                continue
            grow = (results[b][name]["peak"] - results[a][name]["peak"]) / (b - a)
            print(f"{name}: peak memory grows {grow / 1024:.0f} KB a council from {a} to {b}")


if __name__ == "__main__":
    main()
