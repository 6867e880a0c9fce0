"""Compile a validated Scenario into the arrays and index tables the engine works on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from growthsim.engine.conditioning import Known, known_parts
from growthsim.engine.streams import stream_key
from growthsim.scenario.events import Event
from growthsim.scenario.targets import Target
from growthsim.scenario.types import Indicator, Scenario
from growthsim.stats.arrays import Floats
from growthsim.stats.dependence import (
    Marginal,
    cholesky_factor,
    marginal_of,
    nearest_correlation,
    score_correlations,
)
from growthsim.stats.distributions import Distribution, Fixed, quantile_of

__all__ = ["Model", "TargetRef", "compile_model"]


@dataclass(frozen=True)
class TargetRef:
    """A target bound to rows of the draws matrix."""

    row: int  # the indicator's row in Draws.values
    target: Target
    reference_row: int | None  # relative targets: the other indicator's row
    baseline: float | None  # level targets on flows: tested = baseline * (1 + growth)

    @property
    def tests_level_of_flow(self) -> bool:
        return self.target.metric == "level" and self.baseline is not None and self.reference_row is None


@dataclass(frozen=True)
class Model:
    scenario: Scenario
    indicators: tuple[Indicator, ...]
    stream_keys: tuple[tuple[int, ...], ...]
    distributions: tuple[Distribution | None, ...]  # None for derived indicators
    is_count: tuple[bool, ...]
    targets: tuple[TargetRef, ...]  # in indicator order; an indicator has at most one target
    target_of_row: dict[int, int]  # indicator row -> index into targets
    events: tuple[Event, ...] = ()
    rows: dict[str, int] = field(default_factory=dict)  # indicator id -> row (compile_model fills it)
    replaced_rows: frozenset[int] = frozenset()  # rows some event may replace: their uniforms are kept
    correlated_rows: tuple[int, ...] = ()  # rows the correlation matrix covers, in its order
    correlation: Floats | None = None  # (k, k) for correlated_rows
    correlation_method: str = "iman_conover"
    # The normal-score correlation whose rank correlation is ``correlation`` (Pearson's relation for
    # normal pairs, rho_rank = (6/pi) asin(rho / 2), inverted; adjusted for pairs with ties): both
    # methods correlate normal scores, so with it the numbers a planner writes mean rank
    # correlations whichever method is used.
    score_correlation: Floats | None = None
    # rows computed after the draws (formulas, links), each after the rows it uses (see links)
    computed_rows: tuple[int, ...] = ()
    # driven row -> ((driver row, elasticity, at), ...) in code units
    links: dict[int, tuple[tuple[int, float, float], ...]] = field(default_factory=dict)
    # (row, q): the row drawn at its own q-quantile on every draw, its correlated partners drawn given
    # that value. Sensitivity holds inputs so; a fixed value that replaced a distribution holds its
    # row at the value's quantile in that law (Assumption.law).
    held: tuple[tuple[int, float], ...] = ()
    # Held rows that do not move their correlated partners (which keep their own law): sensitivity
    # measures so what reaches a target through the links alone.
    held_alone: frozenset[int] = frozenset()
    # (event id, occurs): the event held on every draw, always or never (sensitivity analysis)
    held_events: tuple[tuple[str, bool], ...] = ()
    # per target, the sources of randomness its tested quantity depends on: drawn rows (ints) and
    # shock events (ids). None: the same on every draw by construction (no Monte Carlo error).
    target_inputs: tuple[frozenset[int | str], ...] = ()
    # row -> what the year-to-date actuals fix of it (conditioning): applied once the row's annual
    # outcome without them is known, before the rows computed from it
    known: dict[int, Known] = field(default_factory=dict)

    @cached_property
    def score_factor(self) -> Floats | None:
        """The Cholesky factor of ``score_correlation``: factored once per model, not per block
        (a 1000-indicator matrix takes a tenth of a second to factor)."""
        return None if self.score_correlation is None else cholesky_factor(self.score_correlation)

    @property
    def deterministic_targets(self) -> frozenset[int]:
        """Targets whose tested quantity is the same on every draw: their P(hit) is exact."""
        return frozenset(index for index, inputs in enumerate(self.target_inputs) if not inputs)

    def rearranged_together(self, targets: Iterable[int]) -> bool:
        """Do these targets (indices) depend on two or more rows that Iman-Conover rearranges
        together? Only then are the hits of a group's draws dependent: a target on one
        rearranged row sees the same set of values in each group, in an order independent of
        everything else, so its hit count is binomial as with independent draws."""
        if self.correlation_method != "iman_conover":
            return False
        used = set().union(*(self.target_inputs[t] for t in targets))
        return len(used.intersection(self.correlated_rows)) >= 2


def _random_inputs(
    indicators: tuple[Indicator, ...],
    rows: dict[str, int],
    events: tuple[Event, ...],
    order: tuple[int, ...],
    whole_years: frozenset[int] = frozenset(),
) -> list[frozenset[int | str]]:
    """For each row, the sources of randomness its value depends on: the rows drawn from a
    distribution that is not a fixed value (by row number), and the shock events that move it (by
    event id); a derived row has those of the rows its formula uses, a driven row its own and its
    drivers'; a row whose whole year is known, none. Empty: the same on every draw."""
    inputs: list[frozenset[int | str]] = [
        frozenset({row})
        if indicator.assumption is not None and not isinstance(indicator.assumption.distribution, Fixed)
        else frozenset()
        for row, indicator in enumerate(indicators)
    ]
    for event in events:
        for effect in event.effects:
            inputs[rows[effect.indicator]] |= {event.id}
    for row in whole_years:
        inputs[row] = frozenset()
    for row in order:  # the rows each uses come before it
        indicator = indicators[row]
        used = [r.indicator for r in indicator.formula.references] if indicator.formula is not None else []
        used += [d.indicator for d in indicator.drivers]
        inputs[row] = frozenset() if row in whole_years else inputs[row].union(*(inputs[rows[u]] for u in used))
    return inputs


def _score_correlation(scenario: Scenario) -> Floats | None:
    """The normal-score correlation that gives the scenario's rank correlations, ties included
    (``dependence.score_correlations``), repaired to a valid matrix where it is not one."""
    if not scenario.correlation_matrix:
        return None
    ids, matrix = scenario.correlation_matrix
    marginals = [_marginal(scenario.indicator(indicator_id)) for indicator_id in ids]
    return nearest_correlation(score_correlations(np.array(matrix), marginals)[0])


def _marginal(indicator: Indicator) -> Marginal | None:
    """What the correlations are stated for: the indicator's law (for a held fixed value, the law it
    is held within)."""
    assumption = indicator.assumption
    if assumption is None:
        return marginal_of(None, False)
    return marginal_of(assumption.law or assumption.distribution, indicator.kind == "count")


def _holds(indicators: tuple[Indicator, ...], correlated_rows: tuple[int, ...]) -> tuple[tuple[int, float], ...]:
    """(row, q) for each correlated row holding a fixed value within a law (Assumption.law): q is the
    value's quantile in that law, at which its partners are drawn."""
    holds = []
    for row in correlated_rows:
        assumption = indicators[row].assumption
        if assumption is not None and assumption.law is not None and isinstance(assumption.distribution, Fixed):
            holds.append(
                (row, quantile_of(assumption.law, assumption.distribution.value, indicators[row].kind == "count"))
            )
    return tuple(holds)


def computation_order(indicators: tuple[Indicator, ...], rows: dict[str, int]) -> tuple[int, ...]:
    """The derived and driven rows, each after every row it uses (formula references, drivers)."""
    computed = {i.id: i for i in indicators if i.formula is not None or i.drivers}
    order: list[str] = []
    placed: set[str] = set()

    def uses(indicator: Indicator) -> list[str]:
        referenced = [r.indicator for r in indicator.formula.references] if indicator.formula is not None else []
        return referenced + [d.indicator for d in indicator.drivers]

    def place(indicator_id: str) -> None:
        # iterative depth-first search: a chain of a thousand links must not exhaust the stack
        stack = [(indicator_id, iter(uses(computed[indicator_id])))]
        visiting = {indicator_id}
        while stack:
            node, pending = stack[-1]
            for used in pending:
                if used in computed and used not in placed and used not in visiting:
                    visiting.add(used)
                    stack.append((used, iter(uses(computed[used]))))
                    break
            else:
                stack.pop()
                visiting.discard(node)
                placed.add(node)
                order.append(node)

    for indicator_id in computed:
        if indicator_id not in placed:
            place(indicator_id)
    return tuple(rows[i] for i in order)


def compile_model(scenario: Scenario) -> Model:
    indicators = scenario.indicators
    rows = {indicator.id: row for row, indicator in enumerate(indicators)}
    targets: list[TargetRef] = []
    target_of_row: dict[int, int] = {}
    for row, indicator in enumerate(indicators):
        target = indicator.target
        if target is None:
            continue
        reference: int | None = None
        if target.op == "relative":
            assert target.relative_to is not None  # a relative target is made with the id it names (validation)
            reference = rows[target.relative_to]
        flow_level = indicator.kind == "flow" and target.metric == "level"
        target_of_row[row] = len(targets)
        targets.append(TargetRef(row, target, reference, indicator.baseline if flow_level else None))
    order = computation_order(indicators, rows)
    known = known_parts(indicators, rows, scenario.actuals)
    whole_years = frozenset(row for row, part in known.items() if part.whole_year)
    inputs = _random_inputs(indicators, rows, scenario.events, order, whole_years)
    correlated_rows = tuple(rows[i] for i in scenario.correlation_matrix[0]) if scenario.correlation_matrix else ()
    target_inputs = tuple(
        inputs[ref.row] | (inputs[ref.reference_row] if ref.reference_row is not None else set()) for ref in targets
    )
    return Model(
        scenario=scenario,
        indicators=indicators,
        stream_keys=tuple(stream_key(i.id) for i in indicators),
        distributions=tuple(i.assumption.distribution if i.assumption else None for i in indicators),
        computed_rows=order,
        links={
            rows[i.id]: tuple((rows[d.indicator], d.elasticity, d.at) for d in i.drivers)
            for i in indicators
            if i.drivers
        },
        held=_holds(indicators, correlated_rows),
        is_count=tuple(i.kind == "count" for i in indicators),
        targets=tuple(targets),
        target_of_row=target_of_row,
        target_inputs=target_inputs,
        known=known,
        events=scenario.events,
        rows=rows,
        replaced_rows=frozenset(
            rows[e.indicator] for event in scenario.events for e in event.effects if e.kind == "replace"
        ),
        correlated_rows=correlated_rows,
        correlation=np.array(scenario.correlation_matrix[1]) if scenario.correlation_matrix else None,
        correlation_method=scenario.correlation_method,
        score_correlation=_score_correlation(scenario),
    )
