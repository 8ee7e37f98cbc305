"""The `collate` command: the catalogue, the status view, help for every command, and the
README's commands (every one it tells a programme manager to type must exist)."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from collate.cli import main
from collate.settings import ROOT

SAMPLES = ROOT / "sample_returns"
README = ROOT / "README.md"
STATUS_LINE = re.compile(
    r"^(.+?)\s{2,}(accepted with queries|accepted|must resubmit|not received)\s+\d+\s+\d+",
    flags=re.MULTILINE,
)


def all_codes(instrument) -> list[str]:
    return [r.code for r in instrument.checks.rules] + list(instrument.checks.file_checks)


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- collate rules --------------------------------------------------------------------------


def test_rules_prints_every_code(instrument):
    res = CliRunner().invoke(main, ["rules"])
    assert res.exit_code == 0, res.output
    printed = set(re.findall(r"^([A-Z]+\d+)\s", res.output, flags=re.MULTILINE))
    assert printed == set(all_codes(instrument))
    for code in ("REQ01", "VAL07", "DIA01", "FILE16", "QRY01"):
        rule = instrument.checks.rule(code)
        assert rule.title in res.output


def test_rules_csv_export_has_every_code(instrument, tmp_path):
    target = tmp_path / "checks.csv"
    res = CliRunner().invoke(main, ["rules", "--format", "csv", "--out", str(target)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(target, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert sorted(table["code"]) == sorted(all_codes(instrument))
    assert {"code", "severity", "title", "message"} <= set(table.columns)
    assert set(table["severity"]) == {"error", "query"}
    assert str(len(table)) in res.output and str(target) in res.output


# -- collate status -------------------------------------------------------------------------


def test_status_lists_every_council_and_writes_nothing(settings, tmp_path, monkeypatch):
    returns = tmp_path / "returns"
    returns.mkdir()
    for la in ("Essex", "Thurrock"):
        source = SAMPLES / f"SAMPLE_{la}_anti-racist-practice-return_2026-27.xlsx"
        shutil.copy2(source, returns / source.name)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    outputs = ROOT / "outputs"
    before = (tree(returns), tree(cwd), tree(outputs) if outputs.exists() else None)

    res = CliRunner().invoke(main, ["status", str(returns)])

    assert res.exit_code == 0, res.output
    status = dict(STATUS_LINE.findall(res.output))
    assert list(status) == [la.name for la in settings.local_authorities], res.output
    assert status["Essex"] == "accepted"
    assert status["Thurrock"] == "accepted with queries"
    assert {status[la.name] for la in settings.local_authorities} - {
        "accepted",
        "accepted with queries",
    } == {"not received"}
    assert "9 not received" in res.output
    after = (tree(returns), tree(cwd), tree(outputs) if outputs.exists() else None)
    assert after == before, "collate status must not write any file"
    assert not os.listdir(cwd)


# -- help -----------------------------------------------------------------------------------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            found += _commands(cmd, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("command", _commands(main), ids=lambda c: " ".join(c) or "collate")
def test_every_command_has_help(command):
    res = CliRunner().invoke(main, [*command, "--help"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Usage:")
    # A sentence of help beyond the usage line.
    assert len([line for line in res.output.splitlines() if line.strip()]) >= 3


# -- the README -----------------------------------------------------------------------------


def readme_commands() -> list[str]:
    """Every line of every ```bash block in the README."""
    if not README.exists():
        return []
    blocks = re.findall(
        r"^\s*```bash\s*\n(.*?)^\s*```",
        README.read_text(encoding="utf-8"),
        flags=re.MULTILINE | re.DOTALL,
    )
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_the_readme_has_commands():
    if not README.exists():
        pytest.skip("no README.md yet")
    assert readme_commands(), "README.md has no ```bash blocks"


@pytest.mark.parametrize("line", readme_commands() or ["(no README)"])
def test_each_readme_command_exists(line):
    if not README.exists():
        pytest.skip("no README.md yet")
    words = shlex.split(line)
    program, args = words[0], words[1:]
    if program.startswith("./") or program.endswith((".sh", ".py")):
        script = ROOT / program
        assert script.is_file(), f"README runs {program}, which does not exist"
        assert os.access(script, os.X_OK), f"{program} is not executable"
        return
    if program in ("python", "python3"):
        if args[0] == "-m":
            module, rest = args[1], args[2:]
            assert importlib.util.find_spec(module) is not None, f"no module {module}"
            if module == "collate" and rest and rest[0] in main.commands:
                assert rest[0] in main.commands
            elif module == "collate" and rest and not rest[0].startswith("-"):
                assert rest[0].isupper(), f"'{rest[0]}' is neither a command nor a placeholder"
            return
        script = ROOT / args[0]
        assert script.is_file(), f"README runs {args[0]}, which does not exist"
        return
    if program in ("collate", "build-templates"):
        assert shutil.which(program) or importlib.util.find_spec("collate"), program
        return
    if program == "export":
        return
    pytest.fail(f"README command not understood by this test: {line}")
