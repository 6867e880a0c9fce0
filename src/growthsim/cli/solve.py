"""`growthsim solve`: the value of one assumption at which a target's probability reaches --prob."""

from __future__ import annotations

from pathlib import Path

import typer

from growthsim.cli.app import EXIT_INPUT, Command, app
from growthsim.cli.common import (
    fail,
    load,
    make_console,
    print_diagnostics,
    scenario_path,
    with_actuals,
    write_utf8,
)
from growthsim.cli.options import (
    ACTUALS_OPTION,
    SCENARIO_ARG,
    SEEDS,
    SET_OPTION,
    OutputFormat,
    bounded,
    converted,
    probability_option,
    resolve_indicator_id,
)
from growthsim.i18n import _
from growthsim.scenario.diagnostics import ScenarioError

__all__ = ["solve"]


@app.command(
    cls=Command, help=_("Goal seek: the value of one assumption (or target) at which a target's P(hit) reaches --prob.")
)
def solve(
    scenario: Path | None = SCENARIO_ARG,
    indicator: str = typer.Option(
        ...,
        "--indicator",
        "-i",
        metavar=_("ID"),
        help=_("The indicator whose target to reach: its id (fai) or its name (固定资产投资)."),
    ),
    probability: str = typer.Option(
        ..., "--prob", "-p", metavar=_("P"), callback=probability_option, help=_("The P(hit) to reach: 0.8 or 80%.")
    ),
    parameter: str | None = typer.Option(
        None,
        "--param",
        metavar=_("KEY"),
        help=_(
            "What to change (default: the central value of the indicator's "
            "own assumption, e.g. fai.growth.mode); gdp.target.at_least "
            "gives the highest target reachable with that probability."
        ),
    ),
    overrides: list[str] | None = SET_OPTION,
    actuals: Path | None = ACTUALS_OPTION,
    draws: int | None = typer.Option(
        None,
        "--draws",
        "-n",
        metavar=_("N"),
        callback=bounded(1000, 10_000_000),
        help=_("Draws per trial (default: the scenario's)."),
    ),
    seed: int | None = typer.Option(
        None, "--seed", metavar=_("SEED"), callback=SEEDS, help=_("Random seed for every trial.")
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        "-f",
        metavar=_("FORMAT"),
        help=_("table, or json (to standard output; csv is not offered)."),
    ),
) -> None:
    """Goal seek: the value of one assumption (or target) at which a target's P(hit) reaches --prob."""
    from growthsim.analysis.solve import solve as goal_seek
    from growthsim.output.records import dumps, solve_to_dict

    path = scenario_path(scenario)
    loaded = with_actuals(load(path, overrides), actuals)  # every problem in the files, reported as for run
    indicator = resolve_indicator_id(loaded, indicator)
    try:
        result = goal_seek(
            path,
            indicator,
            converted(probability),
            parameter,
            overrides=overrides or (),
            n_draws=draws,
            seed=seed,
            actuals=loaded.actuals,
        )
    except ScenarioError as error:
        print_diagnostics(error.diagnostics)
        raise typer.Exit(EXIT_INPUT) from None
    if output_format is OutputFormat.csv:
        raise typer.BadParameter(_("solve gives one answer: use --format table or json"), param_hint="--format")
    if output_format is OutputFormat.json:
        write_utf8(dumps(solve_to_dict(result, draws)))
        if not result.reachable:
            raise typer.Exit(EXIT_INPUT)
        return
    if not result.reachable:
        raise fail(result.message)
    assert result.probability is not None  # a reachable goal comes with the P(hit) reached
    console = make_console()
    console.print(
        _("{answer} ({n} draws per trial, seed {seed})").format(
            answer=result.message, n=f"{result.probability.n:,}", seed=result.seed
        ),
        markup=False,
    )
    known = loaded.actuals
    if known is not None and known.as_of is not None:  # what the answer's assumption means once months are known
        console.print(
            _(
                "The year so far ({period}, {file}) is taken in: the assumption is the January view of the "
                "whole year, and the rest of the year lies between it and the year so far (persistence "
                "{persistence})."
            ).format(period=known.as_of.words(), file=known.label, persistence=f"{known.persistence:g}"),
            markup=False,
        )
