"""A report a planner can mail: one self-contained HTML file, in the language in use (Chinese by
default), for screen and print (A4: about a page for the overview, three targets a page).

For every target it says how likely it is (overview and an outcome chart), what drives it (the top
of the sensitivity tornado) and what it would take (goal seek: the central assumption at which
P(hit) reaches the goal, 80% by default); then the assumptions with their sources and rationales,
the comparison when several scenarios are given, and the run's manifest. With actuals, also the
year so far: each target's odds beside January's (the same draws without the actuals, as `run`
computes them) and, from the run history, how they moved release by release.

Self-contained: styles inline, charts as SVG in data: URIs (text drawn as outlines, so no font is
needed to show them, and they stay sharp when printed), no script, and a Content-Security-Policy
that forbids fetching anything, so the file shows the same offline as online."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from growthsim.analysis.compare import compare
from growthsim.analysis.sensitivity import sensitivity
from growthsim.analysis.solve import central_parameter, parameter_words, solve
from growthsim.analysis.yeartodate import january_odds
from growthsim.engine.model import compile_model
from growthsim.engine.run import map_on_cores, simulate
from growthsim.engine.summary import Summary
from growthsim.i18n import _, ngettext
from growthsim.output.charts import (
    comparison_chart,
    outcome_chart,
    overview_chart,
    tornado_chart,
)
from growthsim.output.comparison import comparison_to_dict
from growthsim.output.figures import chart_fonts, svg_text
from growthsim.output.folders import manifest
from growthsim.output.history import Recorded
from growthsim.output.history_chart import history_chart
from growthsim.output.records import summary_to_dict
from growthsim.scenario.diagnostics import ScenarioError
from growthsim.scenario.quantities import format_amount
from growthsim.scenario.types import Indicator, Scenario

__all__ = ["GENERATOR", "TORNADO_TOP", "Report", "TargetAdvice", "build_report", "goal_text"]


GENERATOR = "growthsim report"  # in <meta name="generator">: how a report file is recognised as ours


@dataclass(frozen=True)
class TargetAdvice:
    """What it would take: the central value of the target's own assumption at which P(hit) reaches
    the goal, or why that cannot be said. Facts only: report_html puts them in a sentence."""

    parameter: str | None
    current: str | None  # as written in the scenario
    needed: str | None  # None when not reachable or not applicable
    achieved: float | None
    already: bool = False  # P(hit) is at the goal already: `needed` is how far the assumption may fall
    what: str | None = None  # the parameter in words: 地区生产总值增速的最可能值
    interval: str | None = None  # the margin of error of `needed`, as solve writes it
    why_not: str | None = None  # plain text: why there is no answer (no file, a formula, a failed solve)
    reachable: bool = True  # False: within the values the parameter can take, P(hit) does not reach the goal


@dataclass(frozen=True)
class Report:
    summaries: tuple  # Summary per scenario
    comparison: Any  # Comparison or None (one scenario)
    drivers: dict  # indicator id -> TargetSensitivity (first scenario)
    advice: dict  # indicator id -> TargetAdvice (first scenario)
    goal: float
    analysis_draws: int
    manifest: dict
    charts: dict  # name -> SVG text
    # with actuals: each target's P(hit) without them (Probability by indicator id), and the run
    # history's records of the first scenario (output.history.read_history) with the file they are from
    january: dict | None = None
    history: tuple[Recorded, ...] = ()
    history_file: str | None = None


def build_report(
    scenarios: Sequence[Scenario],
    n_draws: int | None = None,
    seed: int | None = None,
    *,
    goal: float = 0.8,
    analysis_draws: int = 10_000,
    command_line: Sequence[str] = (),
    step: Callable[[str], None] | None = None,
    material: float | None = None,
    history: Sequence[Recorded] = (),
    history_file: str | None = None,
) -> Report:
    """Run everything the report shows. ``step(words)`` is told what is being done, in the
    language in use (for a progress line); ``material`` is compare's threshold of a material difference.
    ``history``: when the first scenario has actuals, its runs recorded in the run history (read from
    ``history_file``), shown in the year so far."""

    if not scenarios:
        raise ValueError("a report needs at least one scenario")
    if not 0 < goal < 1:
        raise ValueError("the goal must be a probability strictly between 0 and 1")
    step = step or (lambda words: None)
    started = time.perf_counter()
    first = scenarios[0]
    n_draws = int(n_draws if n_draws is not None else first.draws)
    step(
        ngettext(
            "simulating {n} scenario, {draws} draws", "simulating {n} scenarios, {draws} draws each", len(scenarios)
        ).format(n=len(scenarios), draws=f"{n_draws:,}")
    )
    summaries: tuple[Summary, ...]
    if len(scenarios) == 1:
        summaries = (simulate(first, n_draws, seed),)
        comparison = None
        document = summary_to_dict(summaries[0])
    else:
        comparison = compare(list(scenarios), n_draws, seed, material=material)
        summaries = comparison.summaries
        document = comparison_to_dict(comparison)
    used_seed = summaries[0].seed
    january = None
    if first.actuals is not None:  # the same draws without the actuals: the odds as seen in January
        step(_("the odds in January (the same draws without the actuals)"))
        january = january_odds(compile_model(dataclasses.replace(first, actuals=None)), n_draws, used_seed)
    else:
        history = ()
    step(_("what drives each target (sensitivity analysis, {draws} draws a trial)").format(draws=f"{analysis_draws:,}"))
    drivers = {t.indicator: t for t in sensitivity(first, None, analysis_draws, used_seed)}
    p_hits = {r.indicator.id: r.hit.p for r in summaries[0].indicators if r.hit is not None}
    jobs = [(indicator.id, goal, analysis_draws, used_seed, p_hits[indicator.id]) for indicator in first.targeted]
    step(_("what it would take: a goal seek for each of {n} targets").format(n=len(jobs)))

    def sought(done: int) -> None:
        step(_("goal seek {done} of {n} done").format(done=done, n=len(jobs)))

    # independent goal seeks of about half a second each: on every core
    advice = dict(zip([job[0] for job in jobs], map_on_cores(_run_advice, first, jobs, done=sought), strict=True))

    step(_("drawing charts"))
    fonts = chart_fonts()
    names = {i.id: i.name for s in scenarios for i in s.indicators}
    jobs_of_charts: list[tuple[str, str, Any]] = []  # (key in the report, kind of chart, what it shows)
    for index, summary in enumerate(summaries):
        if any(r.hit is not None for r in summary.indicators):
            jobs_of_charts.append((f"overview-{index}", "overview", summary))
    if comparison is not None:
        jobs_of_charts.append(("compare", "compare", comparison))
    for row in summaries[0].indicators:
        if row.hit is not None:
            jobs_of_charts.append((f"outcome-{row.indicator.id}", "outcome", row))
    for indicator_id, result in drivers.items():
        if result.drivers:
            jobs_of_charts.append((f"tornado-{indicator_id}", "tornado", result))
    if history:
        jobs_of_charts.append(("history", "history", list(history)))
    # ~0.25 s of matplotlib's text layout a chart, independent of each other: on every core
    shared = _ChartJobs(fonts, names, n_draws)
    charts = dict(
        zip([key for key, _kind, _what in jobs_of_charts], map_on_cores(_chart, shared, jobs_of_charts), strict=True)
    )

    import matplotlib

    record = manifest(document, list(command_line), {}, 0, time.perf_counter() - started)
    record.pop("files", None)
    record.pop("chunk_size", None)
    record["matplotlib"] = matplotlib.__version__
    record["chart_font"] = fonts.cjk
    record["analysis_draws"] = analysis_draws
    return Report(
        tuple(summaries),
        comparison,
        drivers,
        advice,
        goal,
        analysis_draws,
        record,
        charts,
        january,
        tuple(history),
        history_file if history else None,
    )


TORNADO_TOP = 5  # inputs in a target's tornado and table: the rest move it less


@dataclass(frozen=True)
class _ChartJobs:
    """What every chart of a report shares (map_on_cores sends it to each worker once)."""

    fonts: Any  # figures.ChartFonts
    names: dict[str, str]
    n_draws: int


def _chart(shared: _ChartJobs, job: tuple[str, str, Any]) -> str:
    """One chart of the report as SVG text (in a worker process: a module-level function)."""
    _key, kind, what = job
    fonts = shared.fonts
    if kind == "overview":
        figure = overview_chart(what, fonts)
    elif kind == "compare":
        figure = comparison_chart(what, fonts)
    elif kind == "outcome":
        figure = outcome_chart(what, shared.n_draws, fonts, shared.names, paper=True)
    elif kind == "tornado":
        figure = tornado_chart(what, top=TORNADO_TOP, fonts=fonts, paper=True)
    else:
        figure = history_chart(what, fonts)
    return svg_text(figure, fonts)


def _run_advice(scenario: Scenario, job) -> TargetAdvice:
    indicator_id, goal, n_draws, seed, p_hit = job
    return _advice(scenario, scenario.indicator(indicator_id), goal, n_draws, seed, p_hit)


def _advice(
    scenario: Scenario, indicator: Indicator, goal: float, n_draws: int, seed: int, p_hit: float
) -> TargetAdvice:

    if scenario.path is None:
        return TargetAdvice(None, None, None, None, why_not=_("the scenario was not read from a file: no goal seek"))
    try:
        parameter = central_parameter(scenario, indicator.id)
    except ScenarioError:
        why = (
            _("this indicator is computed by a formula: see what drives it below")
            if indicator.assumption is None
            else _("this indicator's assumption has no single central value: see what drives it below")
        )
        return TargetAdvice(None, None, None, None, why_not=why)
    name = parameter.rsplit(".", 1)[1]
    assert indicator.assumption is not None  # central_parameter has raised ScenarioError for one without
    current = _with_unit(indicator.assumption.written[name], indicator)
    what = parameter_words(indicator, name)
    try:
        result = solve(
            scenario.opened or scenario.path,
            indicator.id,
            goal,
            parameter,
            overrides=scenario.overrides,
            n_draws=n_draws,
            seed=seed,
            actuals=scenario.actuals,
            scenario=scenario,
        )
    except ScenarioError as error:  # a value the scenario cannot take: say so, do not fail the report
        return TargetAdvice(
            parameter, current, None, None, what=what, why_not=_("cannot solve: {error}").format(error=error)
        )
    if not result.reachable:
        return TargetAdvice(parameter, current, None, None, what=what, reachable=False)
    assert result.probability is not None  # a reachable goal comes with the P(hit) reached
    return TargetAdvice(
        parameter, current, result.written, result.probability.p, p_hit >= goal, what, result.interval_written
    )


def _with_unit(written, indicator: Indicator) -> str:
    """A parameter as written, with the indicator's unit where the file gave a bare number (14000 -> 14,000户,
    written as the report's other amounts are)."""
    if isinstance(written, (int, float)) and indicator.unit != "%":
        return format_amount(written, indicator.unit)
    return str(written)


def goal_text(goal: float) -> str:
    return f"{goal * 100:g}%"
