"""The generator's command line (run as `python build_templates.py`)."""

from __future__ import annotations

from pathlib import Path

import click

from collate.errors import ToolkitError
from collate.generator.build import build_workbooks, choose_las
from collate.load import load_instrument
from collate.settings import ROOT, load_settings


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Round settings file (default: templates/round.yaml).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "outputs" / "templates",
    show_default="outputs/templates",
    help="Folder to write the workbooks to.",
)
@click.option(
    "--la",
    "las",
    multiple=True,
    metavar="NAME",
    help="Build only this council's workbook (repeat for several).",
)
@click.option("--no-email", is_flag=True, help="Do not write covering email drafts.")
@click.option(
    "--final",
    is_flag=True,
    help="Build the workbooks to send: refuse while any contact address or the sheet password "
    "is still a placeholder.",
)
@click.option(
    "--prefill",
    type=click.Path(exists=True, path_type=Path),
    help="Last round's collated.xlsx (or the folder of kept rounds): carry each council's text "
    "and choice answers forward into its new workbook, marked 'carried forward'. Counts are "
    "never carried forward.",
)
def main(
    config: Path | None,
    out: Path,
    las: tuple[str, ...],
    no_email: bool,
    final: bool,
    prefill: Path | None = None,
) -> None:
    """Build one locked, validated return workbook per council, a manifest and covering emails."""
    try:
        settings = load_settings(config)
        placeholders = settings.placeholders()
        if placeholders:
            heading = (
                "NOT BUILT: these are still placeholders. Set them, then run again:"
                if final
                else "WARNING: not ready to send. These are still placeholders (fine for a "
                "trial; `--final` refuses until they are set):"
            )
            click.secho(heading, fg="red", bold=True, err=True)
            for problem in placeholders:
                click.secho(f"  - {problem}", fg="red", err=True)
            if final:
                raise SystemExit(1)
        instrument = load_instrument(settings.instrument_folder)
        chosen = choose_las(settings, las)
        carry, sample = None, False
        if prefill is not None:
            from collate.rounds.prefill import prefiller

            carry, sample = prefiller(prefill, settings, instrument)
        with click.progressbar(
            length=len(chosen), label="Building workbooks", show_pos=True
        ) as bar:
            built = build_workbooks(
                settings,
                out,
                chosen,
                instrument,
                emails=not no_email,
                progress=lambda _la: bar.update(1),
                prefill=carry,
                sample=sample,
            )
    except ToolkitError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Built {len(built)} workbook(s) for round {settings.round} "
        f"(instrument version {instrument.version}) in {out}"
    )
    click.echo(f"  manifest: {out / 'manifest.csv'}")
    if not no_email:
        click.echo(f"  covering email drafts: {out / 'emails'}")
