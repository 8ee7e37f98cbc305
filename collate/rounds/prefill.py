"""Next round's workbooks with last round's answers carried forward (`build_templates.py
--prefill`): reads the last round's collated.xlsx and returns the generator's pre-fill step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from collate.errors import ToolkitError
from collate.instrument.model import Instrument
from collate.rounds.carried import carry_forward
from collate.rounds.history import COLLATED, earlier_rounds
from collate.settings import LocalAuthority, RoundSettings


def prefiller(
    previous: Path, settings: RoundSettings, instrument: Instrument
) -> tuple[Callable[[LocalAuthority, bytes], bytes], bool]:
    """The pre-fill step for `build_workbooks`, and whether the last round was synthetic (so
    the new workbooks are marked as samples too)."""
    previous = Path(previous)
    rounds = earlier_rounds(previous, None, settings, instrument)
    if not rounds:
        raise ToolkitError(f"{previous}: no earlier round's {COLLATED} found")
    last = rounds[-1]
    values = last.analysis.values

    def prefill(la: LocalAuthority, data: bytes) -> bytes:
        answers = values.get(la.name)
        if not answers:
            return data  # no usable return last round: a blank workbook
        new, _ = carry_forward(data, answers, instrument, last.name)
        return new

    return prefill, last.analysis.is_sample
