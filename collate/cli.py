"""The `collate` command: a thin layer over the library.

collate RETURNS_DIR            collate the returns and write every output (same as `collate run`)
collate status RETURNS_DIR     who has returned, who has not, who must resubmit
collate rules                  print or export the check catalogue
collate report                 rewrite the Word report from an existing collated.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from collate.errors import ToolkitError
from collate.outputs.folder import OutputError
from collate.settings import ROOT, load_settings

DEFAULT_OUT = ROOT / "outputs"


class DefaultGroup(click.Group):
    """`collate DIR` means `collate run DIR`, as the README promises."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _load(config: Path | None):
    from collate.load import load_instrument

    settings = load_settings(config)
    return settings, load_instrument(settings.instrument_folder)


config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Round settings file (default: templates/round.yaml).",
)
manifest_option = click.option(
    "--manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The manifest.csv written when the workbooks were built: a return must then carry "
    "the mark of a workbook issued to the council it names.",
)
returns_argument = click.argument(
    "returns_dir", type=click.Path(exists=True, file_okay=False, path_type=Path)
)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="improvement-east-collate")
def main() -> None:
    """Collate the councils' returns, check them, score them and write the report."""


def _refuse(exc: OutputError) -> None:
    """The outputs could not be written: say why plainly (no usage text) and exit 2."""
    click.echo(f"Error: {exc}", err=True)
    sys.exit(2)


@main.command()
@returns_argument
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default="outputs",
    help="Folder to write the outputs to.",
)
@config_option
@manifest_option
@click.option("--no-report", is_flag=True, help="Skip the Word report.")
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    help="The last round's collated.xlsx (or the folder of kept rounds): adds the progress "
    "since then to collated.xlsx and the report.",
)
@click.option(
    "--history",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of kept rounds: this round is kept there, and compared with the latest "
    "earlier round there unless --previous says otherwise.",
)
def run(
    returns_dir: Path,
    out: Path,
    config: Path | None,
    manifest: Path | None,
    no_report: bool,
    previous: Path | None = None,
    history: Path | None = None,
) -> None:
    """Read every return in RETURNS_DIR, check it and write the outputs.

    Exit status: 0 when every council's return is accepted (queries allowed), 1 when any is
    missing or must be resubmitted (all outputs are still written), 2 for a usage error.
    """
    from collate.intake.collation import list_returns
    from collate.intake.manifest import load_manifest
    from collate.outputs.returns_table import attention_lines, summary_line
    from collate.run import run_collation

    try:
        settings, instrument = _load(config)
        issued = load_manifest(manifest) if manifest else None
        files, _ = list_returns(returns_dir)
        with click.progressbar(
            length=len(files), label="Reading returns", show_pos=True, file=sys.stderr
        ) as bar:
            result = run_collation(
                returns_dir,
                out,
                settings,
                instrument,
                progress=lambda _p: bar.update(1),
                report=not no_report,
                manifest=issued,
                previous=previous,
                history=history,
            )
    except OutputError as exc:
        _refuse(exc)
    except ToolkitError as exc:
        raise click.UsageError(str(exc)) from None
    collation = result.collation
    click.echo(summary_line(collation))
    for la_result in collation.results.values():
        if not la_result.usable:
            click.echo(f"  {la_result.la.name}: {la_result.status}")
    for line in attention_lines(collation):
        click.secho(line, fg="red" if line.startswith("ATTENTION") else None, bold=True)
    click.echo("Written:")
    for name, path in result.outputs.items():
        click.echo(f"  {name}: {path}")
    for problem in result.problems:
        click.echo(f"  PROBLEM: {problem}", err=True)
    for kept in result.kept:
        click.secho(f"  KEPT YOUR EDITS: {kept.message}", fg="yellow", bold=True)
    sys.exit(result.exit_code)


@main.command()
@returns_argument
@config_option
@manifest_option
def status(returns_dir: Path, config: Path | None, manifest: Path | None) -> None:
    """Show who has returned, who has not and who must resubmit, without writing anything."""
    from collate.intake.collation import collate_folder
    from collate.intake.manifest import load_manifest
    from collate.outputs.returns_table import attention_lines, summary_line

    try:
        settings, instrument = _load(config)
        issued = load_manifest(manifest) if manifest else None
        collation = collate_folder(returns_dir, settings, instrument, manifest=issued)
    except ToolkitError as exc:
        raise click.UsageError(str(exc)) from None
    width = max(len(n) for n in collation.results) + 2
    click.echo(f"{'Council'.ljust(width)}{'Status'.ljust(24)}{'Errors':>7}{'Queries':>9}  File")
    for name, r in collation.results.items():
        errors = len(r.record.errors) if r.record else 0
        queries = len(r.record.queries) if r.record else 0
        file = r.record.file_name if r.record else ""
        click.echo(f"{name.ljust(width)}{r.status.ljust(24)}{errors:>7}{queries:>9}  {file}")
    for rec in collation.unidentified:
        click.echo(
            f"{'(not identified)'.ljust(width)}{'not usable'.ljust(24)}"
            f"{len(rec.errors):>7}{len(rec.queries):>9}  {rec.file_name}"
        )
    click.echo(summary_line(collation))
    for line in attention_lines(collation):
        click.secho(line, fg="red" if line.startswith("ATTENTION") else None, bold=True)


@main.command()
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="Print as a table, or export as CSV or Excel.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to export to (for csv and xlsx).",
)
def rules(config: Path | None, fmt: str, out: Path | None) -> None:
    """Print or export the check catalogue: code, severity, message and fields."""
    import pandas as pd

    from collate.outputs.safe import export_table

    try:
        _, instrument = _load(config)
    except ToolkitError as exc:
        raise click.UsageError(str(exc)) from None
    df = pd.DataFrame(instrument.checks.table())
    if fmt == "table":
        for row in df.itertuples(index=False):
            click.echo(f"{row.code:<7} {row.severity:<6} {row.title}")
            click.echo(f"        {row.message}")
            click.echo(f"        applies to: {row.fields} ({row.where})")
        return
    target = out or Path(f"check_catalogue.{fmt}")
    export_table(df, target, "Checks", fmt)
    click.echo(f"Wrote {len(df)} checks to {target}")


@main.command()
@click.option(
    "--collated",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=DEFAULT_OUT / "collated.xlsx",
    show_default="outputs/collated.xlsx",
    help="The collated workbook to write the report from.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default="outputs",
    help="Folder to write report.docx to.",
)
@config_option
@click.option(
    "--previous",
    type=click.Path(exists=True, path_type=Path),
    help="The last round's collated.xlsx (or the folder of kept rounds), for the report's "
    "'Since last round' section.",
)
def report(collated: Path, out: Path, config: Path | None, previous: Path | None = None) -> None:
    """Write the Word diagnostic report from an existing collated.xlsx."""
    from collate.report import write_report_from_collated

    try:
        settings, instrument = _load(config)
        rounds = []
        if previous is not None:
            from collate.rounds.history import earlier_rounds

            rounds = earlier_rounds(previous, None, settings, instrument)
        path = write_report_from_collated(collated, out, settings, instrument, rounds)
    except OutputError as exc:
        _refuse(exc)
    except ToolkitError as exc:
        raise click.UsageError(str(exc)) from None
    if path.name != "report.docx":
        click.secho(
            "KEPT YOUR EDITS: report.docx has been changed since the collator wrote it, so it has "
            f"been kept as it is. The new report is {path.name}.",
            fg="yellow",
            bold=True,
        )
    click.echo(f"Wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
