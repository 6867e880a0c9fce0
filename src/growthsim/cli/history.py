"""`growthsim history`: how each target's odds moved through the year, from the runs with --actuals;
as a table, JSON, or (--plot FILE) a chart."""

from __future__ import annotations

from pathlib import Path

import typer

from growthsim.cli.app import Command, app
from growthsim.cli.common import fail, load, make_console, write_utf8, writing
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
    plot: Path | None = typer.Option(
        None,
        "--plot",
        metavar=_("FILE"),
        help=_(
            "Also draw the odds against the as-of period into FILE (.png or .svg), one line per target. "
            "Needs matplotlib: pip install 'growthsim\\[plot]'."
        ),
    ),
) -> None:
    """How each target's odds moved through the year: the runs with --actuals, as recorded."""
    from growthsim.output.history import DEFAULT_HISTORY, read_history
    from growthsim.output.history_view import history_odds, history_table
    from growthsim.output.records import dumps
    from growthsim.output.staging import OutputError

    if output_format is OutputFormat.csv:
        raise typer.BadParameter(_("use --format table or json"), param_hint="--format")
    if plot is not None:  # a chart that cannot be drawn or written fails before the history is read
        _check_plot(plot)
    path = history_file or DEFAULT_HISTORY
    sha = load(scenario).sha256 if scenario is not None else None
    try:
        records = read_history(path, sha)
    except OutputError as error:
        raise fail(str(error)) from None
    if not records and (plot is not None or output_format is OutputFormat.table):
        raise fail(
            _("no runs with --actuals are recorded in {path}{which}: run growthsim run --actuals FILE first").format(
                path=path, which=_(" for {scenario}").format(scenario=scenario) if scenario else ""
            )
        )
    if plot is not None:
        _draw(records, plot)
    if output_format is OutputFormat.json:
        columns = [
            {"as_of": column.heading, "p_hit": column.p_hit, "p_hit_ci": {k: list(v) for k, v in column.ci.items()}}
            for column in history_odds(records)
        ]
        write_utf8(dumps({"history": str(path), "columns": columns}))
    else:
        title = _("How the odds moved: {name}").format(name=records[-1].scenario_name)
        make_console().print(history_table(records, title))
    if plot is not None:
        make_console(stderr=True).print(_("wrote {file}").format(file=plot), style="dim", markup=False)


def _check_plot(plot: Path) -> None:
    from growthsim.output.figures import ChartsUnavailable, check_chart_file, require_matplotlib
    from growthsim.output.staging import OutputError

    try:
        require_matplotlib()
        check_chart_file(plot)
    except (ChartsUnavailable, OutputError) as error:
        raise fail(str(error)) from None


def _draw(records, plot: Path) -> None:
    """The chart, drawn and then written whole (a failure leaves the file as it was)."""
    from growthsim.output.figures import chart_fonts, save_chart
    from growthsim.output.history_chart import history_chart

    fonts = chart_fonts()
    if fonts.hint:
        make_console(stderr=True).print(
            _("note: {note}").format(note=fonts.hint), style="yellow", markup=False, soft_wrap=True
        )
    figure = history_chart(records, fonts)
    with writing(plot):
        save_chart(figure, plot, fonts)
