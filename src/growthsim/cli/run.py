"""`growthsim run`: project a scenario and report each target's probability."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import typer

from growthsim.cli.app import Command, app
from growthsim.cli.common import (
    ChartFolder,
    fail,
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
    HISTORY_OPTION,
    NO_HISTORY_OPTION,
    PLOT_OPTION,
    SCENARIO_ARG,
    SEEDS,
    SET_OPTION,
    Method,
    OutputFormat,
    bounded,
    converted,
    precision_option,
)
from growthsim.i18n import _, ngettext
from growthsim.scenario.diagnostics import ScenarioError

__all__ = ["run"]


@app.command(cls=Command, help=_("Project the scenario and report the probability of hitting each target."))
def run(
    scenario: Path | None = SCENARIO_ARG,
    overrides: list[str] | None = SET_OPTION,
    draws: int | None = typer.Option(
        None,
        "--draws",
        "-n",
        metavar=_("N"),
        callback=bounded(1, 1_000_000_000),
        help=_("Number of Monte Carlo draws (default: the scenario's, else 100000)."),
    ),
    seed: int | None = typer.Option(
        None,
        "--seed",
        metavar=_("SEED"),
        callback=SEEDS,
        help=_("Random seed (default: the scenario's; same seed, same numbers)."),
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        "-f",
        metavar=_("FORMAT"),
        help=_("table for people; json or csv on standard output for programs."),
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar=_("DIR"),
        help=_(
            "Folder to write summary.xlsx (a workbook for Excel and WPS), summary.csv (UTF-8 "
            "with BOM), summary.json and manifest.json; all or nothing."
        ),
    ),
    export_draws: bool = typer.Option(
        False, "--export-draws", metavar="", help=_("Also write every draw to draws.csv in the --out folder.")
    ),
    plot: Path | None = PLOT_OPTION,
    actuals: Path | None = ACTUALS_OPTION,
    history: Path | None = HISTORY_OPTION,
    no_history: bool = NO_HISTORY_OPTION,
    verbose: bool = typer.Option(
        False,
        "--verbose",
        "-v",
        metavar="",
        help=_("Also show each correlation as asked, as used and as achieved in the draws."),
    ),
    strict: bool = typer.Option(
        False,
        "--strict",
        metavar="",
        help=_("Stop on warnings (e.g. a correlation matrix that had to be repaired) instead of running."),
    ),
    method: Method = typer.Option(
        Method.mc,
        "--method",
        metavar=_("METHOD"),
        help=_(
            "How the draws are spread: mc (independent), lhs (Latin hypercube) or sobol "
            "(scrambled Sobol' points); lhs and sobol reach the same precision with "
            "fewer draws, their error bars come from independent replicates."
        ),
    ),
    precision: str | None = typer.Option(
        None,
        "--precision",
        metavar=_("HALF-WIDTH"),
        callback=precision_option,
        help=_(
            "Draw until every P(hit)'s 95% margin is at most this, e.g. 0.2pp "
            "(--draws is then the most to draw; default 10,000,000)."
        ),
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        "-w",
        metavar=_("PROCESSES"),
        callback=bounded(1, 256),
        help=_(
            "Processes to share the draws (default: every core from 1,000,000 "
            "draws, else 1). The numbers do not change."
        ),
    ),
    chunk_size: int | None = typer.Option(
        None,
        "--chunk-size",
        metavar=_("N"),
        min=1,
        hidden=True,
        help=_("Draws per chunk (memory only; results do not change)."),
    ),
) -> None:
    """Project the scenario and report the probability of hitting each target."""
    from growthsim.analysis.yeartodate import january_odds
    from growthsim.engine.model import compile_model
    from growthsim.engine.run import (
        DEFAULT_CHUNK_SIZE,
        PRECISION_MAX_DRAWS,
        auto_workers,
        half_widths,
        simulate,
    )
    from growthsim.output.folders import EXCEL_MAX_ROWS, simulate_to_folder
    from growthsim.output.records import csv_rows, dumps, rows_to_csv, summary_to_dict
    from growthsim.output.tables import events_table, summary_table

    if export_draws and out is None:
        raise typer.BadParameter(
            _("--export-draws writes draws.csv into the --out folder: give --out DIR too"), param_hint="--export-draws"
        )
    if export_draws and precision is not None:
        raise typer.BadParameter(
            _("--export-draws needs a fixed number of draws: give --draws instead of --precision"),
            param_hint="--export-draws",
        )
    loaded = with_actuals(load(scenario_path(scenario), overrides), actuals)
    if loaded.warnings:
        print_diagnostics(loaded.warnings)
        if strict:
            raise fail(
                ngettext(
                    "{n} warning and --strict: nothing was run",
                    "{n} warnings and --strict: nothing was run",
                    len(loaded.warnings),
                ).format(n=len(loaded.warnings))
            )
    model = compile_model(loaded)
    recording = loaded.actuals is not None and not no_history
    if recording:  # a history that cannot be written fails now, not after the run
        from growthsim.output.history import DEFAULT_HISTORY, check_history, record_run
        from growthsim.output.staging import OutputError

        history = history or DEFAULT_HISTORY
        try:
            check_history(history)
        except OutputError as error:
            raise fail(str(error)) from None
    if plot is not None and not loaded.targeted:
        raise fail(
            _("{path}: the scenario has no targets, so there is nothing to chart (--plot)").format(path=loaded.path)
        )
    if precision is not None and not loaded.targeted:
        raise fail(
            _(
                "{path}: the scenario has no targets, so there is no P(hit) whose precision --precision "
                "could reach; give --draws instead"
            ).format(path=loaded.path)
        )
    n_draws = draws if draws is not None else (PRECISION_MAX_DRAWS if precision is not None else loaded.draws)
    chunk_size = chunk_size or DEFAULT_CHUNK_SIZE
    workers = workers or auto_workers(n_draws)
    method_name = method.value
    from growthsim.output.charts import run_charts

    with ChartFolder(plot, out, "run") as charts, progress_bar(n_draws) as progress, input_errors(ScenarioError):
        january = None
        if loaded.actuals is not None:  # the same run without the actuals: how the odds have moved since January
            january = january_odds(
                compile_model(dataclasses.replace(loaded, actuals=None)),
                n_draws if precision is None else loaded.draws,
                seed,
                chunk_size=chunk_size,
                workers=workers,
                method=method_name,
            )
        if out is not None:
            with writing(out):
                summary = simulate_to_folder(
                    model,
                    out,
                    n_draws,
                    seed,
                    export_draws=export_draws,
                    chunk_size=chunk_size,
                    progress=progress,
                    workers=workers,
                    method=method_name,
                    precision=converted(precision),
                    command_line=invoked_command_line(),
                    extra=charts.into_out(run_charts),
                    january=january,
                )
        else:
            summary = simulate(
                model,
                n_draws,
                seed,
                chunk_size=chunk_size,
                progress=progress,
                workers=workers,
                method=method_name,
                precision=converted(precision),
            )
        charts.finish(run_charts, summary)

    if recording:
        assert history is not None  # set above when recording
        try:
            record_run(history, summary, january)
        except OutputError as error:
            raise fail(str(error)) from None
    if output_format is OutputFormat.json:
        write_utf8(dumps(summary_to_dict(summary, january)))
    elif output_format is OutputFormat.csv:
        write_utf8(rows_to_csv(csv_rows(summary, january)), bom=True)
    else:
        make_console().print(summary_table(summary, january))
        if summary.events:
            make_console().print(events_table(summary))
        if verbose and (model.correlated_rows or model.links):
            from growthsim.engine.achieved import achieved_correlations
            from growthsim.output.show import correlations_table

            names = {i.id: i.name for i in model.indicators}
            achieved = achieved_correlations(model, summary.seed, summary.n_draws)
            make_console().print(correlations_table(achieved, model.correlation_method, names))
    if summary.n_draws < 1_000 and precision is None:
        make_console(stderr=True).print(
            _(
                "note: only {n} draws: every probability is rough (see its ±); use 10,000 or more for numbers to report"
            ).format(n=f"{summary.n_draws:,}"),
            style="yellow",
            markup=False,
        )
    if summary.precision is not None:
        asked = converted(precision)
        assert asked is not None  # a summary has a precision only when --precision was given
        widths = half_widths(summary)
        widest = max(widths, key=widths.__getitem__)
        if summary.precision[1]:
            note = _("precision reached: every P(hit) within ±{reached}pp (asked ±{asked}pp) with {n} draws").format(
                reached=f"{widths[widest] * 100:.2f}", asked=f"{asked * 100:g}", n=f"{summary.n_draws:,}"
            )
            make_console(stderr=True).print(note, style="dim", markup=False)
        else:
            make_console(stderr=True).print(
                _(
                    "precision not reached within {n} draws: {indicator} has ±{reached}pp (asked ±{asked}pp); allow "
                    "more with --draws"
                ).format(
                    n=f"{summary.n_draws:,}",
                    indicator=widest,
                    reached=f"{widths[widest] * 100:.2f}",
                    asked=f"{asked * 100:g}",
                ),
                style="yellow",
                markup=False,
            )
    if out is not None:
        files = "summary.xlsx, summary.csv, summary.json, manifest.json" + (", draws.csv" if export_draws else "")
        note = _("wrote {folder}: {files}").format(folder=f"{out}{os.sep}", files=files)
        if export_draws and n_draws >= EXCEL_MAX_ROWS:
            note += _(" (draws.csv has more rows than Excel opens: {rows})").format(rows=f"{EXCEL_MAX_ROWS:,}")
        make_console(stderr=True).print(note, style="dim", markup=False)
    charts.note()
