"""`growthsim compare` (scenarios on the same random draws) and `growthsim diff` (what differs
between two scenario files, without simulating)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from growthsim.cli.app import Command, app
from growthsim.cli.common import (
    ChartFolder,
    input_errors,
    invoked_command_line,
    load,
    make_console,
    print_diagnostics,
    progress_bar,
    scenario_path,
    with_actuals,
    write_utf8,
    writing,
)
from growthsim.cli.options import (
    ACTUALS_OPTION,
    MATERIAL_OPTION,
    PLOT_OPTION,
    SEEDS,
    SET_OPTION,
    OutputFormat,
    bounded,
    converted,
)
from growthsim.i18n import _
from growthsim.scenario.diagnostics import ScenarioError

__all__ = ["compare", "diff"]


@app.command(
    cls=Command,
    help=_("Compare scenarios on the same random draws: P(hit) per target and whether each difference is real."),
)
def compare(
    scenarios: list[Path] | None = typer.Argument(
        None,
        metavar=_("SCENARIOS"),
        help=_("Scenario files; the first is the reference (default with --what-if: the bundled baseline)."),
        show_default=False,
    ),
    what_if: list[str] | None = typer.Option(
        None,
        "--what-if",
        metavar=_("KEY=VALUE"),
        help=_(
            "Add the first scenario changed by these values as one more scenario: "
            "growthsim compare --what-if fai.growth.mode=5%. Repeatable (all go into one what-if)."
        ),
    ),
    overrides: list[str] | None = SET_OPTION,
    actuals: Path | None = ACTUALS_OPTION,
    draws: int | None = typer.Option(
        None,
        "--draws",
        "-n",
        metavar=_("N"),
        callback=bounded(1, 1_000_000_000),
        help=_("Number of draws (default: the first scenario's)."),
    ),
    seed: int | None = typer.Option(
        None,
        "--seed",
        metavar=_("SEED"),
        callback=SEEDS,
        help=_("Random seed for all scenarios (default: the first scenario's)."),
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        "-f",
        metavar=_("FORMAT"),
        help=_("table for people; json or csv (long form) on standard output."),
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar=_("DIR"),
        help=_(
            "Folder to write compare.xlsx (a workbook), compare.csv (long form, UTF-8 with "
            "BOM), compare.json and manifest.json; all or nothing."
        ),
    ),
    plot: Path | None = PLOT_OPTION,
    material: str | None = MATERIAL_OPTION,  # a share after material_option
) -> None:
    """Compare scenarios on the same random draws: P(hit) per target and whether each difference is real."""
    from growthsim.analysis.compare import compare as compare_scenarios
    from growthsim.engine.run import DEFAULT_CHUNK_SIZE
    from growthsim.output.comparison import comparison_rows, comparison_table, comparison_to_dict
    from growthsim.output.folders import compare_to_folder
    from growthsim.output.records import dumps, rows_to_csv

    scenarios = list(scenarios or [])
    if what_if and not scenarios:
        scenarios = [scenario_path(None)]
    if len(scenarios) + bool(what_if) < 2:
        raise typer.BadParameter(
            _("give at least two scenario files, or one and --what-if KEY=VALUE"), param_hint="SCENARIOS"
        )
    loaded = [with_actuals(load(path, overrides), actuals) for path in scenarios]
    if what_if:
        loaded.append(with_actuals(load(scenarios[0], overrides, what_if), actuals))
    for scenario in loaded:
        if scenario.warnings:
            print_diagnostics(scenario.warnings)
    n_draws = draws if draws is not None else loaded[0].draws
    from growthsim.output.charts import comparison_charts

    with (
        ChartFolder(plot, out, "compare") as charts,
        progress_bar(n_draws * len(loaded)) as progress,
        input_errors(ScenarioError),
    ):
        if out is None:
            comparison = compare_scenarios(loaded, n_draws, seed, progress=progress, material=converted(material))
        else:
            with writing(out):
                comparison = compare_to_folder(
                    loaded,
                    out,
                    n_draws,
                    seed,
                    chunk_size=DEFAULT_CHUNK_SIZE,
                    progress=progress,
                    command_line=invoked_command_line(),
                    material=converted(material),
                    extra=charts.into_out(comparison_charts),
                )
        charts.finish(comparison_charts, comparison)
    for note in comparison.notes:
        make_console(stderr=True).print(_("note: {note}").format(note=note), style="yellow", markup=False)
    if output_format is OutputFormat.json:
        write_utf8(dumps(comparison_to_dict(comparison)))
    elif output_format is OutputFormat.csv:
        from growthsim.output.folders import COMPARISON_COLUMNS

        write_utf8(rows_to_csv(comparison_rows(comparison), COMPARISON_COLUMNS), bom=True)
    else:
        make_console().print(comparison_table(comparison))
    if out is not None:
        make_console(stderr=True).print(
            _("wrote {folder}: {files}").format(
                folder=f"{out}{os.sep}", files="compare.xlsx, compare.csv, compare.json, manifest.json"
            ),
            style="dim",
            markup=False,
        )
    charts.note()


@app.command(
    cls=Command,
    help=_(
        "List what differs between two scenarios' assumptions, targets and events (after extends), without simulating."
    ),
)
def diff(
    a: Path = typer.Argument(..., metavar=_("A"), help=_("The first scenario file."), show_default=False),
    b: Path = typer.Argument(..., metavar=_("B"), help=_("The second scenario file."), show_default=False),
    overrides: list[str] | None = SET_OPTION,
    output_format: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        "-f",
        metavar=_("FORMAT"),
        help=_("table for people; json on standard output (csv: not offered)."),
    ),
) -> None:
    """List what differs between two scenarios' assumptions, targets and events (after extends), without simulating."""
    from growthsim.analysis.diff import diff as diff_scenarios
    from growthsim.output.diff import diff_table, diff_to_dict
    from growthsim.output.records import dumps

    if output_format is OutputFormat.csv:
        raise typer.BadParameter(_("diff prints a table or JSON"), param_hint="--format")
    first, second = load(a, overrides), load(b, overrides)
    changes = diff_scenarios(first, second)
    if output_format is OutputFormat.json:
        write_utf8(dumps(diff_to_dict(changes, first, second)))
        return
    if not changes:
        make_console().print(_("{a} and {b} describe the same scenario.").format(a=a, b=b), markup=False)
        return
    make_console().print(diff_table(changes, first, second))
