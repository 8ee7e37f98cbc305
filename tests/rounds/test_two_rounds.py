"""Two rounds end to end with real files: the synthetic previous round (built, filled and
collated), then this round's workbooks pre-filled from it, filled again, re-saved through
LibreOffice and collated against it. Movements and the trend are checked against figures worked
by hand from the raw answers (the Katz interval written out with `math`, not SciPy)."""

from __future__ import annotations

import math
import random
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from collate.analysis.population import load_population
from collate.generator.build import build_workbooks
from collate.instrument.model import defined_name
from collate.rounds.history import load_round
from collate.rounds.prefill import prefiller
from collate.run import run_collation
from collate.samples.filler import fill_workbook
from collate.samples.libreoffice import resave_xlsx
from collate.samples.previous_round import make_previous_history
from collate.samples.returns import SEED, answers_for, load_sample_answers

COUNCILS = ("Essex", "Luton")
LEVEL_POINTS = {"Not yet in place": 0, "Developing": 1, "Established": 2, "Leading": 3}


@pytest.fixture(scope="module")
def second_round(settings, instrument, libreoffice, tmp_path_factory):
    root = tmp_path_factory.mktemp("two-rounds")
    history = root / "rounds"
    kept = make_previous_history(settings, instrument, history)
    # Build this round's workbooks pre-filled from the last round.
    carry, sample = prefiller(kept, settings, instrument)
    chosen = [settings.la_by_name(n) for n in COUNCILS]
    built = build_workbooks(
        settings, root / "built", chosen, instrument, emails=False, sample=sample, prefill=carry
    )
    # Fill them again as the councils would: this year's counts and dates (never carried);
    # Essex also reviews pledge 1, rating every criterion Established; Luton reviews nothing.
    sample_answers = load_sample_answers()
    population = load_population(settings.population_path, instrument.ethnicity)
    returns = root / "returns"
    returns.mkdir()
    typed: dict[str, dict] = {}
    for b in built:
        now = answers_for(
            b.la,
            instrument,
            settings,
            sample_answers,
            population[b.la.gss_code],
            random.Random(f"{SEED}-{b.la.gss_code}"),
        )
        answers = {
            k: v
            for k, v in now.items()
            if (f := instrument.fields_by_id.get(k)) is not None
            and (f.is_number or f.type == "date")
        }
        if b.la.name == "Essex":
            for c in instrument.pledges[0].criteria:
                answers[c.level.id] = "Established"
        typed[b.la.name] = answers
        filled = fill_workbook(b.path, root / f"filled-{b.path.name}", answers)
        resaved = resave_xlsx(filled, root / "lo")
        (returns / b.path.name).write_bytes(resaved.read_bytes())
    out = root / "out"
    result = run_collation(returns, out, settings, instrument, previous=kept)
    return {
        "history": history,
        "kept": kept,
        "returns": returns,
        "out": out,
        "result": result,
        "typed": typed,
        "built": built,
    }


def _table(path: Path, sheet: str) -> pd.DataFrame:
    raw = pd.read_excel(path, engine="openpyxl", sheet_name=sheet, header=None, dtype=object)
    head = int(raw.index[raw.iloc[:, 0].astype(str) == "la"][0])
    table = raw.iloc[head + 1 :].reset_index(drop=True)
    table.columns = [str(c) for c in raw.iloc[head]]
    return table


def test_carried_forward_answers_are_marked_after_libreoffice(second_round, instrument):
    path = next(second_round["returns"].glob("*Luton*"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    cell = _cell(wb, "foundations.pledge_adopted")
    assert cell.value, "the pledge answer should have been carried forward"
    assert cell.comment is not None and "Carried forward from round 2025-26" in cell.comment.text


def _cell(wb, field_id: str):
    ((sheet, ref),) = list(wb.defined_names.get(defined_name(field_id)).destinations)
    return wb[sheet][ref.replace("$", "")]


def test_counts_and_dates_are_never_carried_forward(second_round, instrument):
    for b in second_round["built"]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(b.path)
        for f in instrument.fields:
            if f.is_number or f.type == "date":
                value = _cell(wb, f.id).value
                assert value is None or (f.section == "cover"), (b.la.name, f.id, value)
        carried = [f for f in instrument.fields if f.type == "long_text"]
        assert any(_cell(wb, f.id).value for f in carried)


def test_unreviewed_sections_raise_a_query(second_round):
    result = second_round["result"]
    queries = {
        name: {f.sheet for f in r.record.findings if f.code == "QRY02"}
        for name, r in result.collation.results.items()
        if r.record
    }
    # Luton changed nothing it was given: every carried section is queried.
    assert {"Foundations", "Diagnostic"} <= queries["Luton"]
    # Essex reviewed its self-assessment, so only its other carried sections are queried.
    assert "Diagnostic" not in queries["Essex"]
    assert "Foundations" in queries["Essex"]


def test_pledge_movement_hand_worked(second_round, instrument):
    kept = second_round["kept"]
    answers = _table(kept, "All answers")
    essex = answers[answers["la"] == "Essex"].set_index("field_id")["value"]
    before = sum(LEVEL_POINTS[essex[c.level.id]] for c in instrument.pledges[0].criteria)
    now = 2 * len(instrument.pledges[0].criteria)  # every criterion Established
    moves = _table(second_round["out"] / "collated.xlsx", "Progress by pledge")
    row = moves[(moves["la"] == "Essex") & (moves["pledge"] == 1)].iloc[0]
    assert row["points_before"] == before
    assert row["points_now"] == now
    assert row["points_change"] == now - before


def _katz(a: int, n: int, c: int, m: int) -> tuple[float, float, float]:
    rr = (a / n) / (c / m)
    se = math.sqrt(1 / a - 1 / n + 1 / c - 1 / m)
    return rr, rr * math.exp(-1.959964 * se), rr * math.exp(1.959964 * se)


def _leaving(values: pd.Series) -> tuple[float, float, float]:
    def total(group: str) -> int:
        keys = [k for k in values.index if k.startswith("workforce.pay_band.")]
        return sum(int(float(values[k])) for k in keys if k.endswith(f".{group}"))

    a = int(float(values["workforce.events.leavers.minority_ethnic"]))
    c = int(float(values["workforce.events.leavers.white"]))
    return _katz(a, total("minority_ethnic"), c, total("white"))


def test_workforce_trend_hand_worked(second_round):
    then = _table(second_round["kept"], "All answers")
    now = _table(second_round["out"] / "collated.xlsx", "All answers")
    before = _leaving(then[then["la"] == "Essex"].set_index("field_id")["value"])
    after = _leaving(now[now["la"] == "Essex"].set_index("field_id")["value"])
    trend = _table(second_round["out"] / "collated.xlsx", "Workforce trend")
    row = trend[(trend["la"] == "Essex") & (trend["indicator"].astype(str) == "8")].iloc[0]
    assert row["value_before"] == pytest.approx(before[0])
    assert row["low_before"] == pytest.approx(before[1], rel=1e-5)
    assert row["high_before"] == pytest.approx(before[2], rel=1e-5)
    assert row["value_now"] == pytest.approx(after[0])
    assert row["low_now"] == pytest.approx(after[1], rel=1e-5)
    expected = (
        "up" if after[1] > before[2] else "down" if after[2] < before[1] else "no clear change"
    )
    assert row["trend"] == expected


def test_the_second_round_is_compared_and_reported(second_round):
    out = second_round["out"]
    assert not second_round["result"].problems
    about = pd.read_excel(
        out / "collated.xlsx", engine="openpyxl", sheet_name="About this round", header=None
    )
    pairs = dict(zip(about[0], about[1], strict=False))
    assert pairs["Compared with round"] == "2025-26"
    assert (out / "dashboard.xlsx").exists()
    assert sorted(p.name for p in (out / "la_packs").glob("*.docx")) == [
        "Essex.docx",
        "Luton.docx",
    ]
    assert load_round(second_round["kept"], *_settings_instrument(second_round)) is not None


def _settings_instrument(second_round):
    r = second_round["result"].collation
    return r.settings, r.instrument
