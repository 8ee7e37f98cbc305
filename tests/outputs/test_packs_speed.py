"""The packs made with the round's shared work done once (`pack_maker`) hold exactly what
`pack_data` makes for each council on its own (with progress: tests/rounds/test_history.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path

from collate.analysis.round import analyse_collation
from collate.intake.collation import collate_folder
from collate.outputs.la_packs import pack_data, pack_maker

ROOT = Path(__file__).resolve().parents[2]


def test_every_pack_is_what_pack_data_makes(settings, instrument):
    collation = collate_folder(ROOT / "sample_returns", settings, instrument)
    an = analyse_collation(collation, today=dt.date(2026, 11, 24))
    make = pack_maker(an)
    assert an.las
    for la in an.las:
        # repr: the same values of the same types, in the same order
        assert repr(asdict(make(la))) == repr(asdict(pack_data(an, la))), la
