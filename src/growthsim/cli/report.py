"""`growthsim report`: the HTML report."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from growthsim.cli.app import Command, app
from growthsim.cli.common import (
    fail,
    input_errors,
    invoked_command_line,
    load,
    make_console,
    print_diagnostics,
    scenario_path,
    with_actuals,
    writing,
)
from growthsim.cli.options import (
    ACTUALS_OPTION,
    HISTORY_OPTION,
    MATERIAL_OPTION,
    SEEDS,
    SET_OPTION,
    bounded,
    converted,
)
from growthsim.i18n import _
from growthsim.scenario.diagnostics import ScenarioError

__all__ = ["report"]


@app.command(
    cls=Command,
    help=_(
        "Write an HTML report: every target's probability, chart, drivers and what it would take, the\nassumptions with their sources, the comparison of several scenarios, and the run's manifest."
    ),
)
def report(
    scenarios: list[Path] | None = typer.Argument(
        None,
        metavar=_("SCENARIOS"),
        help=_(
            "Scenario files; with several, they are also compared (the first is the reference). "
            "Default: the bundled baseline."
        ),
        show_default=False,
    ),
    html_file: Path = typer.Option(
        ..., "--html", metavar=_("FILE"), help=_("The HTML file to write: one self-contained file that opens offline.")
    ),
    overrides: list[str] | None = SET_OPTION,
    actuals: Path | None = ACTUALS_OPTION,
    history: Path | None = HISTORY_OPTION,
    draws: int | None = typer.Option(
        None,
        "--draws",
        "-n",
        metavar=_("N"),
        callback=bounded(1, 1_000_000_000),
        help=_("Number of draws (default: the first scenario's)."),
    ),
    seed: int | None = typer.Option(
        None, "--seed", metavar=_("SEED"), callback=SEEDS, help=_("Random seed (default: the first scenario's).")
    ),
    goal: float = typer.Option(
        0.8, "--goal", metavar=_("P"), help=_('The P(hit) for "what it would take", as a fraction: 0.8 for 80%.')
    ),
    analysis_draws: int = typer.Option(
        10_000,
        "--analysis-draws",
        metavar=_("N"),
        callback=bounded(1000, 1_000_000),
        help=_("Draws per trial of the sensitivity analysis and the goal seek."),
    ),
    material: str | None = MATERIAL_OPTION,  # a share after material_option
) -> None:
    """Write an HTML report: every target's probability, chart, drivers and what it would take, the
    assumptions with their sources, the comparison of several scenarios, and the run's manifest."""
    from growthsim.output.figures import ChartsUnavailable, require_matplotlib
    from growthsim.output.report import GENERATOR, build_report
    from growthsim.output.report_html import report_html
    from growthsim.output.staging import OutputError, check_single_file, write_single_file

    if not 0 < goal < 1:
        raise typer.BadParameter(_("give a probability strictly between 0 and 1, e.g. 0.8"), param_hint="--goal")
    if not html_file.suffix and not _is_folder(html_file):  # '--html 报告' should still open with a double click
        html_file = html_file.with_name(html_file.name + ".html")
    try:
        require_matplotlib()
        check_single_file(html_file, GENERATOR)
    except (ChartsUnavailable, OutputError) as error:
        raise fail(str(error)) from None
    loaded = [with_actuals(load(path, overrides), actuals) for path in (scenarios or [scenario_path(None)])]
    for scenario in loaded:
        if scenario.warnings:
            print_diagnostics(scenario.warnings)
    if not loaded[0].targeted:
        raise fail(
            _(
                "{path}: the scenario has no targets: a report says how likely each target is, so give "
                "targets (see growthsim show) or use growthsim run"
            ).format(path=loaded[0].path)
        )
    records, history_file = _history(loaded[0], history)
    console = make_console(stderr=True)
    started = time.monotonic()

    def step(words: str) -> None:  # the report takes half a minute: say what it is doing, and since when
        console.print(
            _("… {words} ({seconds} s)").format(words=words, seconds=f"{time.monotonic() - started:.0f}"),
            style="dim",
            markup=False,
        )

    with input_errors(ScenarioError):
        built = build_report(
            loaded,
            draws,
            seed,
            goal=goal,
            analysis_draws=analysis_draws,
            command_line=invoked_command_line(),
            step=step,
            material=converted(material),
            history=records,
            history_file=history_file,
        )
    with writing(html_file):
        write_single_file(html_file, report_html(built), GENERATOR)
    console.print(
        _("wrote {file} ({size} MB): open it in a browser, print it, or mail it; it needs no network").format(
            file=html_file, size=f"{html_file.stat().st_size / 1e6:.1f}"
        ),
        style="dim",
        markup=False,
    )


def _history(scenario, history: Path | None):
    """With actuals, the scenario's runs in the run history (for the year so far), read before the
    long run so that a file that is not a history fails at once; without actuals, none."""
    if scenario.actuals is None:
        return [], None
    from growthsim.output.history import DEFAULT_HISTORY, read_history
    from growthsim.output.staging import OutputError

    path = history or DEFAULT_HISTORY
    try:
        return read_history(path, scenario.sha256), str(path)
    except OutputError as error:
        raise fail(str(error)) from None


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long to look up: check_single_file says so
        return False
