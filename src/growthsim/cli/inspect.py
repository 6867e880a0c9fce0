"""`growthsim validate`, `show` and `distributions`: a scenario file checked and shown, and the
distributions an assumption may use, without simulating."""

from __future__ import annotations

from pathlib import Path

import typer

from growthsim.cli.app import EXIT_INPUT, Command, app
from growthsim.cli.common import (
    input_errors,
    load,
    make_console,
    print_diagnostics,
    scenario_path,
)
from growthsim.cli.options import SCENARIO_ARG, SET_OPTION
from growthsim.i18n import _, ngettext
from growthsim.scenario.diagnostics import ScenarioError

__all__ = ["distributions", "show", "validate"]


@app.command(cls=Command, help=_("Check scenario files and list every problem in them, without running anything."))
def validate(
    files: list[Path] = typer.Argument(..., metavar=_("FILES"), help=_("Scenario files to check."), show_default=False),
    strict: bool = typer.Option(
        False, "--strict", metavar="", help=_("Count warnings (numbers without a source) as problems.")
    ),
) -> None:
    """Check scenario files and list every problem in them, without running anything."""
    from growthsim.engine.run import pilot_check
    from growthsim.scenario.loading import load_scenario

    failed = 0
    console = make_console()
    for path in files:
        try:
            scenario = load_scenario(path)
            pilot_check(scenario)  # formulas that give no finite value show only on draws
        except ScenarioError as error:
            failed += 1
            print_diagnostics(error.diagnostics)
            errors = sum(d.severity == "error" for d in error.diagnostics)
            console.print(
                ngettext("✗ {path}: {n} problem", "✗ {path}: {n} problems", errors).format(path=path, n=errors),
                style="bold red",
                markup=False,
            )
            continue
        print_diagnostics(scenario.warnings)
        if strict and scenario.warnings:
            failed += 1
            console.print(
                ngettext(
                    "✗ {path}: {n} warning (--strict)", "✗ {path}: {n} warnings (--strict)", len(scenario.warnings)
                ).format(path=path, n=len(scenario.warnings)),
                style="bold red",
                markup=False,
            )
            continue
        console.print(
            _("✓ {path}: {indicators} indicators, {targets} targets").format(
                path=path, indicators=len(scenario.indicators), targets=len(scenario.targeted)
            ),
            style="green",
            markup=False,
        )
    if failed:
        raise typer.Exit(EXIT_INPUT)


@app.command(
    cls=Command,
    help=_("Show the scenario as growthsim reads it: baselines, assumptions with their sources, and targets."),
)
def show(scenario: Path | None = SCENARIO_ARG, overrides: list[str] | None = SET_OPTION) -> None:
    """Show the scenario as growthsim reads it: baselines, assumptions with their sources, and targets."""
    from growthsim.output.show import scenario_tables

    loaded = load(scenario_path(scenario), overrides)
    if loaded.warnings:
        print_diagnostics(loaded.warnings)
    console = make_console()
    for renderable in scenario_tables(loaded):
        console.print(renderable)
    if loaded.correlation_matrix or any(i.drivers for i in loaded.indicators):
        from growthsim.engine.achieved import achieved_correlations, link_shares
        from growthsim.engine.model import compile_model
        from growthsim.engine.run import resolve_seed
        from growthsim.output.show import correlations_table, links_table

        model = compile_model(loaded)
        seed = resolve_seed(None, loaded)
        with input_errors(ScenarioError):
            achieved = achieved_correlations(model, seed)
            shares = link_shares(model, seed)
        if shares:
            console.print(links_table(loaded, shares))
        console.print(correlations_table(achieved, model.correlation_method, {i.id: i.name for i in model.indicators}))


@app.command(cls=Command, help=_("List the distributions an assumption may use, with their parameters and an example."))
def distributions() -> None:
    """List the distributions an assumption may use, with their parameters and an example."""
    from growthsim.output.show import distributions_table

    console = make_console()
    console.print(distributions_table())
    console.print(
        _(
            'Rates and growths are written as quoted percentages ("6.5%"), changes and spreads in percentage '
            'points ("0.3pp"), counts and amounts as bare numbers. poisson and negative_binomial are for count '
            "indicators; other distributions on a count are rounded to whole numbers (never below 0)."
        ),
        markup=False,
    )
