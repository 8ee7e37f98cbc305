"""Time to write report.docx for the 11 sample LAs and for 153 (the sample LAs copied and
renamed, as a stand-in for every English council).

    python benchmarks/bench_report.py
"""

from __future__ import annotations

import copy
import tempfile
import time
from pathlib import Path

from collate.analysis.round import analyse, analyse_collation
from collate.intake.collation import collate_folder
from collate.load import load_instrument
from collate.report import write_report
from collate.settings import LocalAuthority, load_settings

ROOT = Path(__file__).resolve().parent.parent


def many(settings, instrument, base, n: int):
    """An analysis of n LAs: each sample LA's answers copied under new names and codes."""
    las, values = [], {}
    originals = list(settings.local_authorities)
    for i in range(n):
        src = originals[i % len(originals)]
        name = src.name if i < len(originals) else f"{src.name} {i // len(originals) + 1}"
        las.append(
            LocalAuthority(name=name, short_name=name, gss_code=src.gss_code, dfe_number=10000 + i)
        )
        values[name] = copy.deepcopy(base.values[src.name])
    big = settings.model_copy(update={"local_authorities": las})
    # the GSS code of a copy points at its original's population
    return analyse(values, big, instrument, {}, True, base.today)


def main() -> None:
    settings = load_settings()
    instrument = load_instrument(settings.instrument_folder)
    base = analyse_collation(collate_folder(ROOT / "sample_returns", settings, instrument))
    with tempfile.TemporaryDirectory() as tmp:
        for n in (11, 153):
            an = base if n == 11 else many(settings, instrument, base, n)
            start = time.perf_counter()
            path = write_report(an, Path(tmp) / str(n))
            took = time.perf_counter() - start
            print(
                f"{n:>4} LAs: report.docx written in {took:6.2f} s "
                f"({path.stat().st_size / 1024:,.0f} KiB)"
            )


if __name__ == "__main__":
    main()
