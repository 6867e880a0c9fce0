"""`growthsim sensitivity`: what moves each target's probability."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from growthsim._version import __version__
from growthsim.cli.app import Command, app
from growthsim.cli.common import (
    ChartFolder,
    fail,
    input_errors,
    invoked_command_line,
    load,
    make_console,
    scenario_path,
    with_actuals,
    write_utf8,
    writing,
)
from growthsim.cli.options import (
    ACTUALS_OPTION,
    PLOT_OPTION,
    SCENARIO_ARG,
    SEEDS,
    SET_OPTION,
    OutputFormat,
    bounded,
    resolve_indicator_id,
)
from growthsim.i18n import _
from growthsim.scenario.diagnostics import ScenarioError, did_you_mean

__all__ = ["sensitivity"]


@app.command(
    cls=Command,
    help=_("Which assumptions and events move each target's P(hit): a tornado, rank correlations, why misses miss."),
)
def sensitivity(
    scenario: Path | None = SCENARIO_ARG,
    indicator: str | None = typer.Option(
        None, "--indicator", "-i", metavar=_("ID"), help=_("Only this indicator's target: its id or its name.")
    ),
    overrides: list[str] | None = SET_OPTION,
    actuals: Path | None = ACTUALS_OPTION,
    draws: int = typer.Option(
        20_000,
        "--draws",
        "-n",
        metavar=_("N"),
        callback=bounded(1000, 10_000_000),
        help=_("Draws per trial (two trials per input)."),
    ),
    seed: int | None = typer.Option(
        None, "--seed", metavar=_("SEED"), callback=SEEDS, help=_("Random seed for every trial.")
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        "-f",
        metavar=_("FORMAT"),
        help=_("table for people; json or csv on standard output."),
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar=_("DIR"),
        help=_(
            "Folder to write sensitivity.xlsx (for Excel "
            "and WPS), sensitivity.csv (UTF-8 with BOM), sensitivity.json and manifest.json."
        ),
    ),
    plot: Path | None = PLOT_OPTION,
) -> None:
    """Which assumptions and events move each target's P(hit): a tornado, rank correlations, why misses miss."""
    from growthsim.analysis.sensitivity import sensitivity as analyse
    from growthsim.engine.run import DEFAULT_CHUNK_SIZE
    from growthsim.engine.streams import DRAWS_VERSION
    from growthsim.output.folders import finish_folder
    from growthsim.output.records import (
        SENSITIVITY_COLUMNS,
        dumps,
        rows_to_csv,
        scenario_fields,
        sensitivity_rows,
    )
    from growthsim.output.staging import SENSITIVITY_OUTPUT, StagedOutput
    from growthsim.output.tables import sensitivity_tables

    loaded = with_actuals(load(scenario_path(scenario), overrides), actuals)
    if not loaded.targeted:
        raise fail(_("{path}: the scenario has no targets, so nothing to analyse").format(path=loaded.path))
    if indicator is not None:
        indicator = resolve_indicator_id(loaded, indicator)
    if indicator is not None and indicator not in [i.id for i in loaded.targeted]:
        raise fail(
            _("no target on {indicator!r}{hint}").format(
                indicator=indicator, hint=did_you_mean(indicator, [i.id for i in loaded.targeted])
            )
        )
    from growthsim.output.charts import sensitivity_charts

    columns = SENSITIVITY_COLUMNS
    with ChartFolder(plot, out, "sensitivity") as charts:
        with input_errors(ScenarioError):
            started = time.perf_counter()
            results = analyse(loaded, indicator, draws, seed)
            elapsed = time.perf_counter() - started
        rows = sensitivity_rows(results)
        document = {
            "schema": "growthsim.sensitivity/1",
            "growthsim_version": __version__,
            "draws_version": DRAWS_VERSION,
            "scenario": scenario_fields(loaded),
            "draws": draws,
            "seed": results[0].seed,
            "targets": rows,
        }
        from growthsim.output.frames import sensitivity_records

        flat = sensitivity_records(results)
        if out is not None:
            extra = charts.into_out(sensitivity_charts)
            with writing(out), StagedOutput(out, SENSITIVITY_OUTPUT) as staged:
                from growthsim.output.workbook import write_sensitivity_workbook

                finish_folder(
                    staged,
                    "sensitivity",
                    document,
                    rows_to_csv(flat, columns),
                    invoked_command_line(),
                    DEFAULT_CHUNK_SIZE,
                    elapsed,
                    extra=None if extra is None else lambda f: extra(f, results),
                    workbook=lambda path, record: write_sensitivity_workbook(path, results, loaded, record),
                )
        charts.finish(sensitivity_charts, results)
    if output_format is OutputFormat.json:
        write_utf8(dumps(document))
    elif output_format is OutputFormat.csv:
        write_utf8(rows_to_csv(flat, columns), bom=True)
    else:
        for table in sensitivity_tables(results):
            make_console().print(table)
    charts.note()
