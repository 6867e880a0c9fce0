"""Goal seek: the value of one assumption (or target) at which a target's P(hit) reaches a probability.

"What would investment growth have to be centred on for a 80% chance of +15%?" and, inverted,
"what is the highest GDP target we can set with 90% confidence?". Every trial runs on the same
seed and draws (common random numbers), so P(hit) changes with the parameter only through the
parameter, and bisection on it is well defined: P is monotone in a location parameter or a
threshold. The answer is found to ``tolerance`` in the parameter's own units."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from growthsim.analysis.curve import ProbabilityCurve, goal_crossings
from growthsim.engine.model import compile_model
from growthsim.engine.replay import Replay
from growthsim.engine.run import resolve_seed
from growthsim.i18n import _, pgettext
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, did_you_mean
from growthsim.scenario.families import DISTRIBUTIONS, PARAMETER_WORDS, ROLE_SPREAD, ROLE_VALUES
from growthsim.scenario.loading import load_scenario
from growthsim.scenario.parameters import with_parameter
from growthsim.scenario.quantities import (
    Expect,
    format_percent,
    format_points,
    format_value,
    parse_quantity,
)
from growthsim.scenario.targets import Target
from growthsim.scenario.types import Actuals, Scenario
from growthsim.stats.intervals import Probability

__all__ = ["SolveResult", "central_parameter", "parameter_phrase", "parameter_words", "solve"]


# the parameter that centres each distribution (what "the assumption's central value" means)
_CENTRAL = {
    "normal": "mean",
    "lognormal": "mean",
    "student_t": "mean",
    "split_normal": "mode",
    "triangular": "mode",
    "pert": "mode",
    "fixed": "value",
    "poisson": "mean",
    "negative_binomial": "mean",
}


@dataclass(frozen=True)
class SolveResult:
    parameter: str  # e.g. "fai.growth.mode"
    value: float | None  # in code units (rates as fractions); None when the goal cannot be reached
    written: str | None  # the value as a scenario file would write it ("17.3%"), rounded to its interval
    probability: Probability | None  # P(hit) achieved at that value
    goal: float
    reachable: bool
    message: str
    # The 95% Monte Carlo interval of the answer: where P(hit) crosses goal -/+ its own margin.
    # An end is None where P(hit) never gets that far (its best value lies between).
    interval: tuple[float | None, float | None] | None = None  # (lower, upper) in value
    # A target met only between two values (between, about on both sides) has a goal reached on
    # each side of the value where P(hit) is highest: the other side's answer, and that best value
    # with its P(hit). None where P(hit) only rises (or only falls) with the parameter.
    other: SolveResult | None = None
    best: tuple[float, float] | None = None
    seed: int | None = None  # the seed of every trial
    interval_written: str | None = None  # the interval as shown: '[22.3%, 22.8%]'


def parameter_words(indicator, name: str) -> str:
    """The parameter ``name`` of the indicator's assumption in words: 地区生产总值增速的最可能值; for a
    driven indicator, of its own part (自身部分（驱动因素之外）: its outcome adds the links)."""
    on = "" if indicator.assumption.on == "level" else pgettext("metric", indicator.assumption.on)
    own = _(" (its own part, besides its drivers)") if indicator.drivers else ""
    words = _("the {parameter} of {name} {on}{own}").format(
        parameter=_(PARAMETER_WORDS.get(name, name)), name=indicator.name, on=on, own=own
    )
    return " ".join(words.split())  # no double space where there is no {on} (a level)


def parameter_phrase(scenario: Scenario, parameter: str) -> str:
    """'地区生产总值增速自身部分（驱动因素之外）的最可能值（gdp.growth.mode）', or the key where it is not
    an assumption's parameter (a target's threshold)."""
    indicator_id, key, *rest = parameter.split(".")
    indicator = scenario.indicator(indicator_id)
    if indicator.assumption is None or key != indicator.assumption.on or not rest:
        return parameter
    return _("{words} ({key})").format(words=parameter_words(indicator, rest[0]), key=parameter)


def central_parameter(scenario: Scenario, indicator_id: str) -> str:
    """'fai.growth.mode': the key of the parameter that centres the indicator's assumption."""
    indicator = scenario.indicator(indicator_id)
    if indicator.assumption is None:
        raise ScenarioError(
            [
                Diagnostic(
                    scenario.path or "",
                    None,
                    None,
                    f"indicators.{indicator_id}",
                    _(
                        "a derived indicator has no assumption of its own: give --param, e.g. the "
                        "central value of an indicator its formula uses"
                    ),
                )
            ]
        )
    name = _CENTRAL.get(indicator.assumption.dist)
    if name is None or name not in indicator.assumption.written:
        raise ScenarioError(
            [
                Diagnostic(
                    scenario.path or "",
                    None,
                    None,
                    f"indicators.{indicator_id}",
                    _("a {dist} assumption has no single central value: give --param").format(
                        dist=indicator.assumption.dist
                    ),
                )
            ]
        )
    return f"{indicator_id}.{indicator.assumption.on}.{name}"


def solve(
    path: str | Path,
    indicator_id: str,
    goal: float,
    parameter: str | None = None,
    *,
    overrides: Sequence[str] = (),
    n_draws: int | None = None,
    seed: int | None = None,
    tolerance: float | None = None,
    progress: Callable[[int], None] | None = None,
    actuals: Actuals | None = None,
    scenario: Scenario | None = None,
) -> SolveResult:
    """Find the value of ``parameter`` (default: the central value of the indicator's assumption) at
    which P(hit) of ``indicator_id``'s target reaches ``goal``.

    P(hit) is scanned outwards from the current value (steps doubling each way) until it can go no
    further (a one-sided target: until it has passed the goal), then every crossing of the goal is
    found by bisection between the scanned points, so a target met only between two values (P
    rises, then falls) gets an answer on each side of its best value. Each answer comes with its Monte Carlo interval (where P crosses the goal minus and
    plus its margin) and is rounded to it. With ``actuals`` (read against the scenario at ``path``),
    every trial is conditioned on the year so far. ``scenario``: the one at ``path`` with
    ``overrides``, when the caller has read it already (a report's goal seeks: not read again)."""
    if not 0 < goal < 1:
        raise ValueError(_("the goal must be a probability strictly between 0 and 1"))
    base = dataclasses.replace(scenario or load_scenario(path, overrides), actuals=actuals)
    if indicator_id not in base.ids:
        raise ScenarioError(
            [
                Diagnostic(
                    str(path),
                    None,
                    None,
                    "--indicator",
                    _("no indicator {id!r}{hint}").format(id=indicator_id, hint=did_you_mean(indicator_id, base.ids)),
                )
            ]
        )
    if base.indicator(indicator_id).target is None:
        raise ScenarioError(
            [Diagnostic(str(path), None, None, "--indicator", _("{id} has no target").format(id=indicator_id))]
        )
    parameter = parameter or central_parameter(base, indicator_id)
    expect, unit, current = _parameter_value(base, parameter)
    seed = resolve_seed(seed, base)  # one rule for every command; the same seed for every trial
    n_draws = n_draws or base.draws
    # the answer to the precision a planner writes: 0.01pp for rates, about 1/1000 of an amount,
    # whole numbers for a count's target (its P(hit) only changes at whole numbers)
    whole = parameter.split(".")[1] == "target" and base.indicator(parameter.split(".")[0]).kind == "count"
    step_floor = 1.0 if whole else 0.0001 if expect is not Expect.AMOUNT else max(abs(current) * 1e-3, 1e-6)
    tolerance = tolerance or step_floor

    # Every trial on one run's draws (engine.replay): a trial of an assumption's parameter changes
    # that law alone (scenario.parameters) and redraws only the rows it reaches; a trial of a
    # target, which every check of the file may concern, is read through --set, and redraws nothing.
    model = compile_model(base)
    replay = Replay(model, n_draws, seed)
    target_index = model.target_of_row[model.rows[indicator_id]]

    def run(value: float) -> Probability:
        written = _written(value, expect, unit, exact=True)  # a trial is run at the value, not a rounding
        indicator, on, name = parameter.split(".")
        if on == "target":
            trial = dataclasses.replace(
                load_scenario(path, [*overrides, f"{parameter}={_quote(written)}"]), actuals=actuals
            )
        else:
            trial = with_parameter(base, indicator, name, value, written)
        hit = replay.probabilities(compile_model(trial), [target_index])[target_index]
        if progress is not None:
            progress(1)
        return hit

    curve = ProbabilityCurve(run)
    target = base.indicator(indicator_id).target
    assert target is not None  # checked above
    two_sided = target.op == "between" or (target.op in ("about", "relative") and target.side == "both")
    curve.scan(
        current,
        abs(current) * 0.25 if current else 0.01 if expect is not Expect.AMOUNT else 1.0,
        goal,
        monotone=not two_sided,
    )
    describe = functools.partial(format_value, expect=expect, unit=unit)
    answers = goal_crossings(curve, goal, tolerance)
    if not answers:
        return SolveResult(
            parameter, None, None, None, goal, False, curve.why_not(goal, indicator_id, parameter, describe), seed=seed
        )
    answers.sort(key=lambda answer: abs(answer[0] - current))  # the nearest first
    best = curve.best() if len(answers) > 1 else None
    results = []
    for value, rising_towards, interval in answers:
        rounded, step = _round_to_interval(value, interval, rising_towards, step_floor)
        nearest = _to_step(value, step, 0)
        if nearest != rounded and curve.probability(nearest).p >= goal:  # a bisection stops short of a jump
            rounded = nearest
        written = _written(rounded, expect, unit)
        load_scenario(path, [*overrides, f"{parameter}={_quote(written)}"])  # the answer as a file holds it
        hit = curve.probability(rounded)
        shown = _interval_words(interval, expect, unit, step)
        if curve.probability(current).p >= goal:  # reached already: how far the assumption may move
            sentence = _(
                "{name}'s P(hit) is {goal} or more already: {what} could go from {current} to {value} "
                "(margin of error {interval}) and P(hit) would still be {p}."
            )
        elif rounded >= current:
            sentence = _(
                "For {name}'s P(hit) to reach {goal}, {what} must rise from {current} to {value} "
                "(margin of error {interval}); P(hit) is then {p}."
            )
        else:
            sentence = _(
                "For {name}'s P(hit) to reach {goal}, {what} must fall from {current} to {value} "
                "(margin of error {interval}); P(hit) is then {p}."
            )
        results.append(
            SolveResult(
                parameter,
                rounded,
                written,
                hit,
                goal,
                True,
                sentence.format(
                    name=base.indicator(indicator_id).name,
                    goal=f"{goal:.0%}",
                    what=parameter_phrase(base, parameter),
                    current=describe(current),
                    value=written,
                    interval=shown,
                    p=f"{hit.p:.1%}",
                ),
                interval,
                None,
                best,
                seed,
                shown,
            )
        )
    first = results[0]
    if len(results) > 1:
        other = results[1]
        # two answers: best was found (above); a reachable result has its value and P(hit)
        assert best is not None and first.value is not None and other.probability is not None
        sentence = (
            _(
                "{answer}; this is below {best}, where P(hit) is highest ({p}); on the other side {parameter} "
                "= {other} (P(hit) = {other_p}) also reaches the goal"
            )
            if first.value < best[0]
            else _(
                "{answer}; this is above {best}, where P(hit) is highest ({p}); on the other side {parameter} "
                "= {other} (P(hit) = {other_p}) also reaches the goal"
            )
        )
        message = sentence.format(
            answer=first.message,
            best=describe(best[0]),
            p=f"{best[1]:.1%}",
            parameter=parameter,
            other=other.written,
            other_p=f"{other.probability.p:.1%}",
        )
        first = dataclasses.replace(first, message=message, other=other)
    return first


def _round_to_interval(
    value: float, interval: tuple[float | None, float | None], direction: float, floor: float
) -> tuple[float, float]:
    """``value`` with no more digits than its interval resolves: to the power of ten at or below
    the interval's half-width (0.17pp wide on each side: to 0.1pp), never finer than ``floor``'s,
    rounded towards ``direction``, the side on which P(hit) is at least the goal; and that step."""
    ends = [end for end in interval if end is not None]
    half = max(abs(end - value) for end in ends) if ends else floor
    step = 10.0 ** math.floor(math.log10(max(half, floor)))
    return _to_step(value, step, direction), step


def _to_step(value: float, step: float, direction: float) -> float:
    """``value`` rounded to a multiple of ``step``: up for a positive ``direction``, down for a
    negative one, to the nearest for 0."""
    units = value / step
    rounded = (
        round(units) if direction == 0 else math.ceil(units - 1e-9) if direction > 0 else math.floor(units + 1e-9)
    ) * step
    return float(np.format_float_positional(rounded, precision=12, trim="-"))


def _interval_words(interval: tuple[float | None, float | None], expect: Expect, unit: str, step: float) -> str:
    """'[22.3%, 22.8%]', each end rounded outwards to the answer's step and shown with its digits
    ('[2.43%, 2.50%]'); an open end (P(hit) never gets that far) as '…'."""
    digits = max(0, -math.floor(math.log10(step * (100 if expect is not Expect.AMOUNT else 1)) + 1e-9))

    def shown(end: float | None, direction: int) -> str:
        if end is None:
            return "…"
        value = _to_step(end, step, direction)
        if expect is Expect.AMOUNT:
            return f"{value:,.{digits}f}{unit}"
        return f"{value * 100:.{digits}f}{'%' if expect is Expect.PERCENT else 'pp'}"

    return f"[{shown(interval[0], -1)}, {shown(interval[1], 1)}]"


def _written(value: float, expect: Expect, unit: str, exact: bool = False) -> str:
    """The value as a scenario file (and --set) takes it: "17.3%", "0.5pp", or a plain number for an
    amount (format_value's thousands separators, "14,000户", are for reading, not for files).
    ``exact``: to 1e-6pp (a trial value), not to the 0.01pp a planner writes."""
    if expect is Expect.AMOUNT:  # with its unit: a target amount such as 16亿元 is ambiguous without it
        return np.format_float_positional(round(value, 6), trim="-") + (unit or "")
    if exact:
        return (format_percent if expect is Expect.PERCENT else format_points)(value, digits=8)
    return format_value(value, expect if expect is not Expect.SPREAD else Expect.POINTS, unit)


def _quote(written: str) -> str:
    return f'"{written}"' if not written.replace(".", "", 1).lstrip("-").isdigit() else written


def _param_error(parameter: str, message: str) -> ScenarioError:
    """A problem with --param, named by the key the planner gave."""
    return ScenarioError([Diagnostic("--param", None, None, parameter, message)])


def _target_keys(target: Target) -> dict[str, float]:
    """The numbers a target is written with, by their key in the file."""
    forms = {">=": "at_least", "<=": "at_most", "about": "about"}
    keys = {}
    if target.op in forms and target.value is not None:
        keys[forms[target.op]] = target.value
    if target.tolerance is not None:
        keys["tolerance"] = target.tolerance
    if target.stretch is not None:
        keys["stretch"] = target.stretch
    return keys


def _parameter_value(scenario: Scenario, parameter: str) -> tuple[Expect, str, float]:
    """How the parameter is written, its unit, and its current value (code units)."""

    parts = parameter.split(".")
    if len(parts) != 3 or parts[0] not in scenario.ids:
        raise _param_error(
            parameter,
            _(
                "expected id.growth.<parameter> (or .level / .change), or id.target.<key>, "
                "e.g. fai.growth.mode or gdp.target.at_least"
            ),
        )
    indicator = scenario.indicator(parts[0])
    if parts[1] == "target":
        target = indicator.target
        # only the keys the target is written with: solving for at_most of an at_least target would
        # silently turn the floor into a ceiling
        keys = _target_keys(target) if target is not None else {}
        value = keys.get(parts[2])
        if value is None:
            if not keys:
                raise _param_error(parameter, _("{id} has no target").format(id=parts[0]))
            raise _param_error(
                parameter,
                _("{id}'s target has no {key!r}: it is written with {keys}; solve for {choices}").format(
                    id=parts[0],
                    key=parts[2],
                    keys=", ".join(keys),
                    choices=_(" or ").join(f"{parts[0]}.target.{key}" for key in keys),
                ),
            )
        assert target is not None  # value is None without a target
        expect = target.expect
        if parts[2] == "tolerance" and expect is not Expect.AMOUNT:  # a tolerance is a spread: points
            expect = Expect.POINTS
        return expect, indicator.unit, value
    assumption = indicator.assumption
    # a parameter of its distribution as written: "dist" is in the file but names the law, not a number
    spec = None if assumption is None else DISTRIBUTIONS[assumption.dist].param(parts[2])
    if assumption is None or parts[1] != assumption.on or parts[2] not in assumption.written or spec is None:
        raise _param_error(parameter, _("{id} has no parameter {key!r}").format(id=parts[0], key=".".join(parts[1:])))
    if spec.role == ROLE_VALUES:  # an empirical law's list: no one number to move
        raise _param_error(
            parameter,
            _("{parameter} is a list of values: goal seek moves one number, such as a mean or a mode").format(
                parameter=parameter
            ),
        )
    expect = indicator.expect
    if spec.role == ROLE_SPREAD:
        expect = Expect.SPREAD if expect is not Expect.AMOUNT else Expect.AMOUNT
    value = parse_quantity(assumption.written[parts[2]], expect, indicator.unit)
    return expect, indicator.unit, value
