"""Hypothesis strategies for valid scenario files.

The strategies build a small *specification* of a scenario (``ScenarioSpec``: indicators, their
assumptions and targets, every number kept as an exact decimal in the way the file writes it) and
render it as TOML with ``ScenarioSpec.toml()``. Keeping the specification around lets a test change
one thing -- raise a threshold, widen a tolerance, drop or reorder an indicator -- and render again.

Assumptions are built generically from ``growthsim.distributions.DISTRIBUTIONS``: for every
parameter the registry's *role* (location, spread, number, values) says how to write it, and the
registry's own ``build`` decides whether the parameters are valid. A distribution added to the
registry is therefore covered without touching this file (as long as its location parameters are
listed in increasing order, as ``min, mode, max`` and ``p05, p95`` are, and optional location
parameters are lower bounds, as ``shift`` is; any other constraint is met by rejection).

Every value stays in a sensible range for its kind, so that every generated text is a valid scenario:

========  ======================  ==========================  ===============================
kind      assumption (code)       written                     baseline
========  ======================  ==========================  ===============================
flow      growth  -5% .. 20%      "6.5%"; spreads "1.5pp"     bare amount in 亿元 (> 0)
rate      level   0.5% .. 15%     "5.5%"; spreads "0.3%"      "5.2%"
change    change  -2pp .. 3pp     "0.8pp"; spreads "0.2pp"    "55.3%" (the rate's level)
count     level   5 .. 50,000     bare counts or "1200户"     bare count
========  ======================  ==========================  ===============================
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from growthsim.scenario.families import (
    DISTRIBUTIONS,
    ROLE_LOCATION,
    ROLE_NUMBER,
    ROLE_SPREAD,
    ROLE_VALUES,
    ParamProblem,
    make_distribution,
)
from growthsim.scenario.targets import SIDES

from .conftest import HEADER, scenario_text

__all__ = [
    "KINDS",
    "AssumptionSpec",
    "IndicatorSpec",
    "Q",
    "ScenarioSpec",
    "TargetSpec",
    "assumptions",
    "distribution_names",
    "header",
    "indicators",
    "scenario_texts",
    "scenarios",
    "targets",
    "thresholds",
    "tolerances",
]

KINDS = ("flow", "rate", "change", "count")
ASSUMPTION_KEY = {"flow": "growth", "rate": "level", "change": "change", "count": "level"}
UNIT = {"flow": "亿元", "rate": "%", "change": "%", "count": "户"}
PERCENT_SUFFIXES = ("%", "pp")  # suffixes whose numbers are hundredths in code units


# --- exact written numbers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Q:
    """A number as a scenario file writes it: ``ticks / 10**decimals`` followed by ``suffix``.

    ``suffix`` is "%" or "pp" (the code value is a hundredth of the number), a unit such as
    "亿元" or "户", or "" for a bare number (written as a TOML number, not a string).
    """

    ticks: int
    decimals: int = 0
    suffix: str = ""

    @property
    def number(self) -> Decimal:
        return Decimal(self.ticks).scaleb(-self.decimals)

    @property
    def text(self) -> str:
        number = self.number
        return f"{number.normalize():f}" if number else "0"

    def toml(self) -> str:
        if self.suffix:
            return f'"{self.text}{self.suffix}"'
        return self.text if self.decimals == 0 else f"{float(self.number)!r}"

    @property
    def value(self) -> float:
        """The value in code units (rates as fractions), as growthsim reads it."""
        if self.suffix in PERCENT_SUFFIXES:
            return float(self.number / 100)
        return float(self.number)

    def plus(self, ticks: int) -> Q:
        return dataclasses.replace(self, ticks=self.ticks + ticks)

    def __str__(self) -> str:  # for hypothesis' failure reports
        return self.toml()


def _q_from_value(value: float, decimals: int, suffix: str) -> Q:
    """The Q nearest to a code-unit value (the inverse of ``Q.value``)."""
    number = value * 100 if suffix in PERCENT_SUFFIXES else value
    return Q(round(number * 10**decimals), decimals, suffix)


# Locations (in ticks of two decimals for rates, whole counts), per kind.
_LOCATION_TICKS = {"flow": (-500, 2000), "rate": (50, 1500), "change": (-200, 300), "count": (5, 50_000)}
_LOCATION_SUFFIX = {"flow": "%", "rate": "%", "change": "pp"}


def _location_suffix(kind: str) -> st.SearchStrategy[str]:
    if kind == "count":
        return st.sampled_from(["", UNIT["count"]])  # bare counts, or "1200户"
    return st.just(_LOCATION_SUFFIX[kind])


def _spread_suffix(kind: str) -> st.SearchStrategy[str]:
    if kind == "count":
        return st.sampled_from(["", UNIT["count"]])
    return st.sampled_from(["pp", "%"])  # a spread of a rate may be written either way


def _q(kind: str, ticks: int, suffix: str) -> Q:
    return Q(ticks, 0 if kind == "count" else 2, suffix)


@st.composite
def locations(draw, kind: str, n: int = 1, lowest: int | None = None) -> list[Q]:
    """``n`` location values of a kind, in increasing (non-decreasing) order."""
    lo, hi = _LOCATION_TICKS[kind]
    if lowest is not None:
        lo = lowest
    ticks = sorted(draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n)))
    suffix = draw(_location_suffix(kind))
    return [_q(kind, t, suffix) for t in ticks]


@st.composite
def spreads(draw, kind: str, scale: float) -> Q:
    """A spread (sd, scale, tolerance) for a kind; ``scale`` is the size of the locations, in ticks."""
    suffix = draw(_spread_suffix(kind))
    if kind == "count":
        # At least sqrt(scale) + 1: count noise is never less than Poisson noise (and a negative
        # binomial needs sd^2 > mean).
        floor = math.isqrt(int(scale)) + 2
        return Q(floor + draw(st.integers(0, max(int(scale * 0.5), 1))), 0, suffix)
    return Q(draw(st.integers(5, 800)), 2, suffix)  # 0.05pp .. 8pp


# --- assumptions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssumptionSpec:
    dist: str
    params: tuple[tuple[str, Any], ...]  # (name, Q | list[Q] | float), in the registry's order

    def code_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.params:
            if isinstance(value, list):
                out[name] = [v.value for v in value]
            elif isinstance(value, Q):
                out[name] = value.value
            else:
                out[name] = float(value)
        return out

    def distribution(self):
        return make_distribution(self.dist, self.code_params())

    def toml_lines(self) -> list[str]:
        lines = [f'dist = "{self.dist}"']
        for name, value in self.params:
            if isinstance(value, list):
                lines.append(f"{name} = [{', '.join(v.toml() for v in value)}]")
            elif isinstance(value, Q):
                lines.append(f"{name} = {value.toml()}")
            else:
                lines.append(f"{name} = {value!r}")
        lines.append('rationale = "generated by tests/strategies.py"')
        return lines


def distribution_names(kind: str) -> list[str]:
    """Every registered distribution an indicator of this kind may use."""
    return [name for name, spec in DISTRIBUTIONS.items() if kind == "count" or not spec.counts_only]


@st.composite
def assumptions(draw, kind: str, dist: str | None = None) -> AssumptionSpec:
    """A valid assumption for an indicator of ``kind``, from any registered distribution."""
    name = dist if dist is not None else draw(st.sampled_from(distribution_names(kind)))
    spec = DISTRIBUTIONS[name]
    form = draw(st.sampled_from(spec.forms))
    optional = [p for p in spec.optional if p not in form and draw(st.booleans())]
    chosen = [p.name for p in spec.params if p.name in form or p.name in optional]
    role = {p.name: p.role for p in spec.params}

    # Locations: optional ones (lower bounds such as a lognormal's shift) first, then the required
    # ones in the registry's order, all from one sorted list (p05 < p95, min <= mode <= max).
    location_names = [p for p in chosen if role[p] == ROLE_LOCATION and p in optional]
    location_names += [p for p in chosen if role[p] == ROLE_LOCATION and p not in optional]
    values: dict[str, Any] = {}
    if location_names:
        lowest = None
        if kind == "count" and spec.counts_only:
            lowest = 1  # counts-only distributions need a positive mean
        for p, q in zip(location_names, draw(locations(kind, len(location_names), lowest)), strict=True):
            values[p] = q
    scale = max([abs(q.ticks) for q in values.values()] + [100 if kind == "count" else 1])
    for p in chosen:
        if role[p] == ROLE_SPREAD:
            values[p] = draw(spreads(kind, scale))
        elif role[p] == ROLE_NUMBER:
            values[p] = draw(st.integers(12, 300)) / 10  # df, lambda: 1.2 .. 30
        elif role[p] == ROLE_VALUES:
            suffix = draw(_location_suffix(kind))
            lo, hi = _LOCATION_TICKS[kind]
            ticks = draw(st.lists(st.integers(lo, hi), min_size=2, max_size=6))
            values[p] = [_q(kind, t, suffix) for t in ticks]
    result = AssumptionSpec(name, tuple((p, values[p]) for p in chosen))
    try:
        result.distribution()
    except ParamProblem:
        assume(False)  # a constraint the generic recipe does not know; rare for the built-ins
    return result


# --- targets --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """One target. ``form`` is at_least, at_most, about, between or relative_to."""

    form: str
    value: Q | None = None  # at_least, at_most, about
    low: Q | None = None  # between
    high: Q | None = None  # between
    tolerance: Q | None = None  # about, relative_to
    side: str | None = None  # about, relative_to
    relative_to: str | None = None
    stretch: Q | None = None  # at_least, at_most
    shorthand: bool = False  # at_least/at_most without stretch: target = ">= 8%"

    def toml_lines(self) -> list[str]:
        if self.form == "between":
            lines = [f"between = [{self.low.toml()}, {self.high.toml()}]"]
        elif self.form == "relative_to":
            lines = [f'relative_to = "{self.relative_to}"']
        else:
            lines = [f"{self.form} = {self.value.toml()}"]
        if self.tolerance is not None:
            lines.append(f"tolerance = {self.tolerance.toml()}")
        if self.side is not None:
            lines.append(f'side = "{self.side}"')
        if self.stretch is not None:
            lines.append(f"stretch = {self.stretch.toml()}")
        lines.append('source = "generated by tests/strategies.py"')
        return lines

    def shorthand_text(self) -> str:
        op = ">=" if self.form == "at_least" else "<="
        return f'"{op} {self.value.text}{self.value.suffix}"'


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    kind: str
    assumption: AssumptionSpec
    basis: str | None = None
    baseline: Q | None = None
    target: TargetSpec | None = None

    @property
    def unit(self) -> str:
        return UNIT[self.kind]

    def toml_lines(self) -> list[str]:
        path = f"indicators.{self.id}"
        lines = [f"[{path}]", f'name = "指标 {self.id}"', f'unit = "{self.unit}"', f'kind = "{self.kind}"']
        if self.basis is not None:
            lines.append(f'basis = "{self.basis}"')
        if self.baseline is not None:
            lines.append(f"baseline = {self.baseline.toml()}")
        lines.append('source = "generated by tests/strategies.py"')
        target = self.target
        if target is not None and target.shorthand:
            lines.append(f"target = {target.shorthand_text()}")
        lines.append("")
        lines.append(f"[{path}.{ASSUMPTION_KEY[self.kind]}]")
        lines += self.assumption.toml_lines()
        lines.append("")
        if target is not None and not target.shorthand:
            lines.append(f"[{path}.target]")
            lines += target.toml_lines()
            lines.append("")
        return lines


def header(seed: int | None = 12345, draws: int = 20_000) -> str:
    """The standard scenario header (that of tests/conftest.py), with another seed or none."""
    if seed == 12345 and draws == 20_000:
        return HEADER
    simulation = f"[simulation]\ndraws = {draws}\n" + ("" if seed is None else f"seed = {seed}\n")
    return HEADER.split("[simulation]")[0] + simulation


@dataclass(frozen=True)
class ScenarioSpec:
    indicators: tuple[IndicatorSpec, ...]
    seed: int | None = field(default=12345)

    def toml(self, seed: int | str | None = "default") -> str:
        body = "\n".join(line for indicator in self.indicators for line in indicator.toml_lines())
        return scenario_text(body, header(self.seed if seed == "default" else seed))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    def index(self, indicator_id: str) -> int:
        return self.ids.index(indicator_id)

    def referenced(self) -> set[str]:
        """Ids that some relative target refers to (they cannot be removed)."""
        return {i.target.relative_to for i in self.indicators if i.target and i.target.form == "relative_to"}

    def with_target(self, index: int, target: TargetSpec | None) -> ScenarioSpec:
        indicators = list(self.indicators)
        indicators[index] = dataclasses.replace(indicators[index], target=target)
        return dataclasses.replace(self, indicators=tuple(indicators))

    def without(self, index: int) -> ScenarioSpec:
        assert self.indicators[index].id not in self.referenced()
        return dataclasses.replace(self, indicators=self.indicators[:index] + self.indicators[index + 1 :])

    def reordered(self, order) -> ScenarioSpec:
        return dataclasses.replace(self, indicators=tuple(self.indicators[i] for i in order))


# -- thresholds in the right metric

_METRIC_SUFFIX = {"rate": "%", "change": "pp"}


@st.composite
def thresholds(draw, indicator: IndicatorSpec, metric: str | None = None) -> Q:
    """A threshold for a target on ``indicator``, written as the file writes it.

    For a flow, ``metric`` "growth" gives "8%" and "level" (which needs a baseline) "650.25亿元".
    Most thresholds lie inside the assumption's 1%-99% range, so that P(hit) is neither 0 nor 1;
    some lie anywhere in the kind's range.
    """
    kind = indicator.kind
    if kind == "flow" and metric is None:
        metric = draw(st.sampled_from(["growth", "level"] if indicator.baseline is not None else ["growth"]))
    distribution = indicator.assumption.distribution()
    if draw(st.integers(0, 4)):  # near the distribution
        u = np.array([draw(st.floats(0.01, 0.99))])
        centre = float(distribution.ppf(u)[0])
        if not math.isfinite(centre):
            centre = 0.0
    else:
        lo, hi = _LOCATION_TICKS[kind]
        ticks = draw(st.integers(0 if kind == "count" else lo, hi))
        centre = ticks if kind == "count" else ticks / 10_000
    if kind == "flow" and metric == "level":
        level = indicator.baseline.value * (1 + centre)
        return _q_from_value(max(level, 0.0), 2, UNIT["flow"])
    if kind == "flow":
        return _q_from_value(centre, 2, "%")
    if kind == "count":
        suffix = draw(_location_suffix(kind))
        return Q(max(round(centre), 0), 0, suffix)
    return _q_from_value(centre, 2, _METRIC_SUFFIX[kind])


@st.composite
def tolerances(draw, indicator: IndicatorSpec, like: Q | None = None) -> Q:
    """A non-negative tolerance for an about or relative target (amounts for counts and flow levels)."""
    if indicator.kind == "count":
        return Q(draw(st.integers(0, 2_000)), 0, draw(_location_suffix("count")))
    if like is not None and like.suffix == UNIT["flow"]:  # a level target on a flow: an amount
        return Q(draw(st.integers(0, 10_000)), 2, draw(st.sampled_from(["", UNIT["flow"]])))
    return Q(draw(st.integers(0, 500)), 2, draw(st.sampled_from(["pp", "%"])))


def _same_family(a: IndicatorSpec, b: IndicatorSpec) -> bool:
    """May ``a`` carry a target relative to ``b``?"""
    return a.id != b.id and a.kind == b.kind and a.basis == b.basis and a.unit == b.unit


@st.composite
def targets(
    draw, indicator: IndicatorSpec, others: tuple[IndicatorSpec, ...] = (), forms: tuple[str, ...] | None = None
) -> TargetSpec:
    """A valid target for ``indicator``; relative ones refer to one of ``others`` of the same kind."""
    partners = [o for o in others if _same_family(indicator, o)]
    allowed = forms or ("at_least", "at_most", "about", "between", "relative_to")
    if not partners:
        allowed = tuple(f for f in allowed if f != "relative_to")
    form = draw(st.sampled_from(allowed))
    if form == "relative_to":
        partner = draw(st.sampled_from(partners))
        return TargetSpec(
            "relative_to",
            relative_to=partner.id,
            tolerance=draw(tolerances(indicator)),
            side=draw(st.sampled_from(SIDES)),
        )
    metric = None
    if indicator.kind == "flow":
        metric = draw(st.sampled_from(["growth", "level"] if indicator.baseline is not None else ["growth"]))
    value = draw(thresholds(indicator, metric))
    if form == "between":
        other = draw(thresholds(indicator, metric))
        other = dataclasses.replace(other, suffix=value.suffix)
        low, high = sorted([value, other], key=lambda q: q.ticks)
        if low.ticks == high.ticks:
            high = high.plus(draw(st.integers(1, 300)))
        return TargetSpec("between", low=low, high=high)
    if form == "about":
        return TargetSpec(
            "about", value=value, tolerance=draw(tolerances(indicator, value)), side=draw(st.sampled_from(SIDES))
        )
    stretch = None
    if draw(st.booleans()):
        step = draw(st.integers(0, 500 if indicator.kind != "count" else 5_000))
        stretch = value.plus(step if form == "at_least" else -step)
        if stretch.ticks < 0 and (indicator.kind == "count" or value.suffix == UNIT["flow"]):
            stretch = dataclasses.replace(stretch, ticks=0)  # levels and counts stay >= 0
    shorthand = stretch is None and draw(st.integers(0, 3)) == 0
    return TargetSpec(form, value=value, stretch=stretch, shorthand=shorthand)


# --- indicators and scenarios ---------------------------------------------------------------------

_IDS = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)


@st.composite
def indicators(draw, indicator_id: str, kind: str | None = None) -> IndicatorSpec:
    """An indicator without a target (add one with ``targets``)."""
    kind = kind or draw(st.sampled_from(KINDS))
    basis = draw(st.sampled_from(["real", "nominal"])) if kind == "flow" else None
    baseline = None
    if draw(st.integers(0, 3)):  # most indicators have a baseline
        if kind == "flow":
            baseline = Q(draw(st.integers(10, 100_000)), 1)  # 1.0 .. 10,000.0 亿元
        elif kind == "rate":
            baseline = Q(draw(st.integers(50, 1500)), 2, "%")
        elif kind == "change":
            baseline = Q(draw(st.integers(1000, 9000)), 2, "%")  # the rate's level: 10% .. 90%
        else:
            baseline = Q(draw(st.integers(0, 50_000)), 0)
    return IndicatorSpec(indicator_id, kind, draw(assumptions(kind)), basis, baseline)


@st.composite
def scenarios(
    draw,
    min_indicators: int = 1,
    max_indicators: int = 5,
    target_probability: float = 0.85,
    kinds: tuple[str, ...] = KINDS,
) -> ScenarioSpec:
    """A valid scenario of 1-5 indicators of random kinds; most (not all) carry a target."""
    ids = draw(st.lists(_IDS, min_size=min_indicators, max_size=max_indicators, unique=True))
    built = [draw(indicators(i, draw(st.sampled_from(kinds)))) for i in ids]
    with_targets = []
    for indicator in built:
        if draw(st.floats(0, 1)) < target_probability:
            indicator = dataclasses.replace(indicator, target=draw(targets(indicator, tuple(built))))
        with_targets.append(indicator)
    return ScenarioSpec(tuple(with_targets))


def scenario_texts(**kwargs) -> st.SearchStrategy[str]:
    """TOML texts of valid scenarios (see ``scenarios`` for the arguments)."""
    return scenarios(**kwargs).map(lambda spec: spec.toml())
