"""`growthsim history`: how each target's odds moved through the year, from the runs with --actuals."""

from __future__ import annotations

from pathlib import Path

import typer

from growthsim.cli.app import Command, app
from growthsim.cli.common import fail, load, make_console, write_utf8
from growthsim.cli.options import HISTORY_OPTION, OutputFormat
from growthsim.i18n import _

__all__ = ["history"]


@app.command(
    cls=Command, help=_("How each target's odds moved through the year: the runs with --actuals, as recorded.")
)
def history(
    scenario: Path | None = typer.Argument(
        None,
        metavar=_("SCENARIO"),
        help=_("Only the runs of this scenario file (as it is now: the same content); default: every run."),
        show_default=False,
    ),
    history_file: Path | None = HISTORY_OPTION,
    output_format: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", metavar=_("FORMAT"), help=_("table for people; json for programs.")
    ),
) -> None:
    """How each target's odds moved through the year: the runs with --actuals, as recorded."""
    from growthsim.output.history import DEFAULT_HISTORY, read_history
    from growthsim.output.history_view import history_columns, history_table
    from growthsim.output.records import dumps
    from growthsim.output.staging import OutputError

    path = history_file or DEFAULT_HISTORY
    sha = load(scenario).sha256 if scenario is not None else None
    try:
        records = read_history(path, sha)
    except OutputError as error:
        raise fail(str(error)) from None
    if output_format is OutputFormat.csv:
        raise typer.BadParameter(_("use --format table or json"), param_hint="--format")
    if output_format is OutputFormat.json:
        columns = history_columns(records)
        write_utf8(dumps({"history": str(path), "columns": [{"as_of": h, "p_hit": odds} for h, odds in columns]}))
        return
    if not records:
        raise fail(
            _("no runs with --actuals are recorded in {path}{which}: run growthsim run --actuals FILE first").format(
                path=path, which=_(" for {scenario}").format(scenario=scenario) if scenario else ""
            )
        )
    title = _("How the odds moved: {name}").format(name=records[-1].scenario_name)
    make_console().print(history_table(records, title))
