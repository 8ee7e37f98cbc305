"""At least 1,000 mutations of valid returns, each ending in acceptance or a coded finding.

The mutations (tests/fuzz.py) are made in memory from a seeded generator, so every run reads the
same files: bytes, zip structure, XML, cell values and names, in turn.
"""

from __future__ import annotations

import time

from fuzz import MUTATORS, mutations

from collate.intake.collation import status_of
from collate.intake.reader import read_return
from collate.settings import ROOT

COUNT = 1000
SAMPLES = ROOT / "sample_returns"


def test_every_mutation_ends_in_acceptance_or_a_coded_finding(settings, instrument, tmp_path):
    known = {r.code for r in instrument.checks.rules} | set(instrument.checks.file_checks)
    bases = [p.read_bytes() for p in sorted(SAMPLES.glob("SAMPLE_*.xlsx"))[:3]]
    limit = settings.intake.max_seconds_per_file
    path = tmp_path / "mutated.xlsx"
    layouts: dict = {}
    seen: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    slowest = 0.0
    for m in mutations(bases, COUNT):
        path.write_bytes(m.data)
        start = time.perf_counter()
        record = read_return(path, instrument, settings, layouts)
        took = time.perf_counter() - start
        slowest = max(slowest, took)
        where = f"{m.kind} ({m.detail})"
        assert took < limit + 2, f"{where} took {took:.1f} s"
        codes = {f.code for f in record.findings}
        assert codes <= known, f"{where}: unknown codes {codes - known}"
        status = status_of(record)
        if not record.findings:
            assert record.readable and status == "accepted", where
        else:
            assert all(f.message and f.file == path.name for f in record.findings), where
        seen[m.kind] = seen.get(m.kind, 0) + 1
        outcomes[status] = outcomes.get(status, 0) + 1
    assert sum(seen.values()) >= 1000
    assert set(seen) == {kind for kind, _ in MUTATORS}
    # The generator is not so gentle that everything passes, nor so rough that nothing does.
    assert outcomes.get("must resubmit", 0) > 100, outcomes
    assert slowest < limit
