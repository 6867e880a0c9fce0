"""Goal seek: the value of one assumption (or target) at which a target's P(hit) reaches a probability.

"What would investment growth have to be centred on for a 80% chance of +15%?" and, inverted,
"what is the highest GDP target we can set with 90% confidence?". Every trial runs on the same
seed and draws (common random numbers), so P(hit) changes with the parameter only through the
parameter, and bisection on it is well defined: P is monotone in a location parameter or a
threshold. The answer is found to ``tolerance`` in the parameter's own units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .diagnostics import Diagnostic, ScenarioError, did_you_mean
from .engine import simulate
from .quantities import Expect, format_value
from .scenario import Scenario, load_scenario
from .summary import Probability

__all__ = ["SolveResult", "solve", "central_parameter"]

# the parameter that centres each distribution (what "the assumption's central value" means)
_CENTRAL = {"normal": "mean", "lognormal": "mean", "student_t": "mean", "split_normal": "mode",
            "triangular": "mode", "pert": "mode", "fixed": "value", "poisson": "mean", "negative_binomial": "mean"}


@dataclass(frozen=True)
class SolveResult:
    parameter: str  # e.g. "fai.growth.mode"
    value: float | None  # in code units (rates as fractions); None when the goal cannot be reached
    written: str | None  # the value as a scenario file would write it ("17.3%")
    probability: Probability | None  # P(hit) achieved at that value
    goal: float
    reachable: bool
    message: str


def central_parameter(scenario: Scenario, indicator_id: str) -> str:
    """'fai.growth.mode': the key of the parameter that centres the indicator's assumption."""
    indicator = scenario.indicator(indicator_id)
    if indicator.assumption is None:
        raise ScenarioError([Diagnostic(scenario.path or "", None, None, f"indicators.{indicator_id}",
                                        "a derived indicator has no assumption of its own: give --param, e.g. the "
                                        "central value of an indicator its formula uses")])
    name = _CENTRAL.get(indicator.assumption.dist)
    if name is None or name not in indicator.assumption.written:
        raise ScenarioError([Diagnostic(scenario.path or "", None, None, f"indicators.{indicator_id}",
                                        f"a {indicator.assumption.dist} assumption has no single central value: "
                                        "give --param")])
    return f"{indicator_id}.{indicator.assumption.on}.{name}"


def solve(path: str | Path, indicator_id: str, goal: float, parameter: str | None = None, *,
          overrides: Sequence[str] = (), n_draws: int | None = None, seed: int | None = None,
          tolerance: float | None = None, progress: Callable[[int], None] | None = None) -> SolveResult:
    """Find the value of ``parameter`` (default: the central value of the indicator's assumption) at
    which P(hit) of ``indicator_id``'s target reaches ``goal``."""
    if not 0 < goal < 1:
        raise ValueError("the goal must be a probability strictly between 0 and 1")
    base = load_scenario(path, overrides)
    if indicator_id not in base.ids:
        raise ScenarioError([Diagnostic(str(path), None, None, "--indicator",
                                        f"no indicator {indicator_id!r}{did_you_mean(indicator_id, base.ids)}")])
    if base.indicator(indicator_id).target is None:
        raise ScenarioError([Diagnostic(str(path), None, None, "--indicator", f"{indicator_id} has no target")])
    parameter = parameter or central_parameter(base, indicator_id)
    expect, unit, current = _parameter_value(base, parameter)
    seed = seed if seed is not None else (base.seed if base.seed is not None else 20230101)
    n_draws = n_draws or base.draws
    # the answer to the precision a planner writes: 0.01pp for rates, about 1/1000 of an amount
    step_floor = 0.0001 if expect is not Expect.AMOUNT else max(abs(current) * 1e-3, 1e-6)
    tolerance = tolerance or step_floor

    def probability_at(value: float) -> Probability:
        written = _written(value, expect, unit)
        scenario = load_scenario(path, [*overrides, f"{parameter}={_quote(written)}"])
        summary = simulate(scenario, n_draws, seed)
        if progress is not None:
            progress(1)
        return next(r.hit for r in summary.indicators if r.indicator.id == indicator_id)

    # bracket the goal by stepping away from the current value, doubling the step each time
    step = max(abs(current) * 0.25, 0.01 if expect is not Expect.AMOUNT else 1.0)
    low_value, high_value = current, current
    p_current = probability_at(current)
    p_low = p_high = p_current
    for _ in range(12):
        if min(p_low.p, p_high.p) <= goal <= max(p_low.p, p_high.p):
            break
        # a trial outside the parameter's valid range (a negative sd ...) leaves that bound where it was
        trial = _safe(probability_at, low_value - step)
        if trial is not None:
            low_value, p_low = low_value - step, trial
        trial = _safe(probability_at, high_value + step)
        if trial is not None:
            high_value, p_high = high_value + step, trial
        step *= 2
    else:
        if p_low.p == p_high.p == p_current.p:
            return SolveResult(parameter, None, None, None, goal, False,
                               f"{indicator_id}'s P(hit) does not depend on {parameter} in this scenario (it stays "
                               f"{p_current.p:.1%} however far it moves): choose a parameter of {indicator_id} itself")
        return SolveResult(parameter, None, None, None, goal, False,
                           f"P(hit) stays between {min(p_low.p, p_high.p):.1%} and {max(p_low.p, p_high.p):.1%} "
                           f"for {parameter} from {format_value(low_value, expect, unit)} to "
                           f"{format_value(high_value, expect, unit)}: {goal:.0%} cannot be reached")
    # keep the half of the bracket that contains the goal, oriented so that P rises from a to b
    if p_low.p <= goal <= p_high.p:
        a, b = low_value, high_value
    else:
        a, b = high_value, low_value
    p_b = probability_at(b)
    for _ in range(60):
        if abs(b - a) <= tolerance:
            break
        middle = (a + b) / 2
        p_middle = probability_at(middle)
        if p_middle.p >= goal:
            b, p_b = middle, p_middle
        else:
            a = middle
    if expect is Expect.AMOUNT:  # no more digits than the tolerance resolves: 15208, not 15208.251953
        # rounded towards b's side of the bracket, where P(hit) is at least the goal (P is monotone)
        scale = 10.0 ** max(0, -math.floor(math.log10(tolerance)))
        b = (math.ceil(b * scale) if b > a else math.floor(b * scale)) / scale
        p_b = probability_at(b)
    written = _written(b, expect, unit)
    return SolveResult(parameter, b, written, p_b, goal, True,
                       f"{parameter} = {written} gives P(hit) = {p_b.p:.1%} (goal {goal:.0%})")


def _written(value: float, expect: Expect, unit: str) -> str:
    """The value as a scenario file (and --set) takes it: "17.3%", "0.5pp", or a plain number for an
    amount (format_value's thousands separators, "14,000户", are for reading, not for files)."""
    if expect is Expect.AMOUNT:  # with its unit: a target amount such as 16亿元 is ambiguous without it
        return np.format_float_positional(round(value, 6), trim="-") + (unit or "")
    return format_value(value, expect if expect is not Expect.SPREAD else Expect.POINTS, unit)


def _safe(probability_at, value: float) -> Probability | None:
    """P(hit) at ``value``, or None where the value is not allowed (a negative sd ...)."""
    try:
        return probability_at(value)
    except ScenarioError:
        return None


def _quote(written: str) -> str:
    return f'"{written}"' if not written.replace(".", "", 1).lstrip("-").isdigit() else written


def _parameter_value(scenario: Scenario, parameter: str) -> tuple[Expect, str, float]:
    """How the parameter is written, its unit, and its current value (code units)."""
    from .distributions import DISTRIBUTIONS, ROLE_SPREAD
    from .quantities import parse_quantity

    parts = parameter.split(".")
    if len(parts) != 3 or parts[0] not in scenario.ids:
        raise ScenarioError([Diagnostic("--param", None, None, parameter,
                                        "expected id.growth.<parameter> (or .level / .change), or id.target.<key>, "
                                        "e.g. fai.growth.mode or gdp.target.at_least")])
    indicator = scenario.indicator(parts[0])
    if parts[1] == "target":
        target = indicator.target
        value = {"at_least": target.value, "at_most": target.value, "about": target.value,
                 "tolerance": target.tolerance, "stretch": target.stretch}.get(parts[2]) if target else None
        if value is None:
            raise ScenarioError([Diagnostic("--param", None, None, parameter,
                                            f"{parts[0]}'s target has no {parts[2]!r} to solve for")])
        expect = target.expect
        if parts[2] == "tolerance" and expect is not Expect.AMOUNT:  # a tolerance is a spread: points
            expect = Expect.POINTS
        return expect, indicator.unit, value
    assumption = indicator.assumption
    if assumption is None or parts[1] != assumption.on or parts[2] not in assumption.written:
        raise ScenarioError([Diagnostic("--param", None, None, parameter,
                                        f"{parts[0]} has no parameter {'.'.join(parts[1:])!r}")])
    spec = DISTRIBUTIONS[assumption.dist].param(parts[2])
    expect = indicator.expect
    if spec.role == ROLE_SPREAD:
        expect = Expect.SPREAD if expect is not Expect.AMOUNT else Expect.AMOUNT
    value = parse_quantity(assumption.written[parts[2]], expect, indicator.unit)
    return expect, indicator.unit, value
