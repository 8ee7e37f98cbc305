"""Placeholders are caught when the workbooks are built: a trial build warns, loudly, and
`build_templates.py --final` refuses until every contact address and the password are real."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from collate.generator.cli import main
from collate.settings import PASSWORD_ENV, TEMPLATES, load_settings


@pytest.fixture
def real_round(tmp_path) -> Path:
    """A copy of the templates with every address set, as before a real round."""
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    path = copy / "round.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["contact"]["email"] = "anti-racist-practice@improvement-east.org.uk"
    for la in data["local_authorities"]:
        la["email"] = f"returns@{la['short_name'].lower().replace(' ', '')}.gov.uk"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_shipped_settings_are_placeholders(monkeypatch, settings):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    problems = " ".join(settings.placeholders())
    assert settings.contact.email in problems
    assert "Placeholder contact address (.example) for Bedford, Cambridgeshire" in problems
    assert PASSWORD_ENV in problems


def test_a_trial_build_warns_but_builds(monkeypatch, tmp_path):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    result = CliRunner().invoke(main, ["--out", str(tmp_path / "out"), "--la", "Essex"])
    assert result.exit_code == 0, result.output
    assert "WARNING: not ready to send" in result.output
    assert "--final" in result.output
    assert list((tmp_path / "out").glob("*.xlsx"))


def test_final_refuses_while_anything_is_a_placeholder(monkeypatch, tmp_path):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    result = CliRunner().invoke(main, ["--out", str(tmp_path / "out"), "--la", "Essex", "--final"])
    assert result.exit_code != 0
    assert "NOT BUILT" in result.output and PASSWORD_ENV in result.output
    assert not (tmp_path / "out").exists()


def test_final_refuses_a_missing_council_contact(monkeypatch, real_round, tmp_path):
    monkeypatch.setenv(PASSWORD_ENV, "a-real-password")
    data = yaml.safe_load(real_round.read_text(encoding="utf-8"))
    del data["local_authorities"][3]["email"]
    real_round.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["--config", str(real_round), "--out", str(tmp_path), "--final"]
    )
    assert result.exit_code != 0
    assert "No contact address for Essex" in result.output


def test_final_builds_once_everything_is_set(monkeypatch, real_round, tmp_path):
    monkeypatch.setenv(PASSWORD_ENV, "a-real-password")
    assert load_settings(real_round).placeholders() == []
    result = CliRunner().invoke(
        main,
        ["--config", str(real_round), "--out", str(tmp_path / "out"), "--la", "Luton", "--final"],
    )
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.output and "NOT BUILT" not in result.output
