"""Before any return has arrived, the collator still writes every output without a problem."""

from collate.run import run_collation


def test_collating_an_empty_folder_writes_everything(settings, instrument, tmp_path):
    returns = tmp_path / "returns"
    returns.mkdir()
    result = run_collation(returns, tmp_path / "out", settings, instrument)
    assert result.problems == []
    assert result.exit_code == 1  # every council is 'not received'
    for name in ("report.docx", "dashboard.xlsx", "collated.xlsx", "returns.csv"):
        assert (tmp_path / "out" / name).is_file(), name
