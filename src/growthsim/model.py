"""Stage 2: compile a validated Scenario into the arrays and index tables the engine works on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dependence import marginal_of, nearest_correlation, score_correlations
from .distributions import Distribution, Fixed
from .events import Event
from .sampling import stream_key
from .scenario import Indicator, Scenario
from .targets import Target

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
    rows: dict[str, int] | None = None  # indicator id -> row
    replaced_rows: frozenset[int] = frozenset()  # rows some event may replace: their uniforms are kept
    correlated_rows: tuple[int, ...] = ()  # rows the correlation matrix covers, in its order
    correlation: np.ndarray | None = None  # (k, k) for correlated_rows
    correlation_method: str = "iman_conover"
    # The normal-score correlation whose rank correlation is ``correlation`` (Pearson's relation for
    # normal pairs, rho_rank = (6/pi) asin(rho / 2), inverted; adjusted for pairs with ties): both
    # methods correlate normal scores, so with it the numbers a planner writes mean rank
    # correlations whichever method is used.
    score_correlation: np.ndarray | None = None
    derived_rows: tuple[int, ...] = ()  # rows computed by formulas, in an order that respects their references
    # (row, q): the row drawn at its own q-quantile on every draw, its correlated partners drawn given
    # that value (sensitivity analysis). Empty for a run.
    held: tuple[tuple[int, float], ...] = ()
    # (event id, occurs): the event held on every draw, always or never (sensitivity analysis)
    held_events: tuple[tuple[str, bool], ...] = ()
    # per target, the sources of randomness its tested quantity depends on: drawn rows (ints) and
    # shock events (ids). None: the same on every draw by construction (no Monte Carlo error).
    target_inputs: tuple[frozenset, ...] = ()

    @property
    def deterministic_targets(self) -> frozenset[int]:
        """Targets whose tested quantity is the same on every draw: their P(hit) is exact."""
        return frozenset(index for index, inputs in enumerate(self.target_inputs) if not inputs)

    def rearranged_together(self, targets) -> bool:
        """Do these targets (indices) depend on two or more rows that Iman-Conover rearranges
        together? Only then are the hits of a group's draws dependent: a target on one
        rearranged row sees the same set of values in each group, in an order independent of
        everything else, so its hit count is binomial as with independent draws."""
        if self.correlation_method != "iman_conover":
            return False
        used = set().union(*(self.target_inputs[t] for t in targets))
        return len(used.intersection(self.correlated_rows)) >= 2


def _derived_order(indicators, rows: dict[str, int]) -> tuple[int, ...]:
    """Derived rows, each after every derived row its formula uses (validation ruled out cycles)."""
    derived = {i.id: i for i in indicators if i.formula is not None}
    order: list[str] = []

    def place(indicator_id: str) -> None:
        if indicator_id in order:
            return
        for reference in derived[indicator_id].formula.references:
            if reference.indicator in derived:
                place(reference.indicator)
        order.append(indicator_id)

    for indicator_id in derived:
        place(indicator_id)
    return tuple(rows[i] for i in order)


def _random_inputs(indicators, rows: dict[str, int], events) -> list[frozenset]:
    """For each row, the sources of randomness its value depends on: the rows drawn from a
    distribution that is not a fixed value (by row number), and the shock events that move it (by
    event id); a derived row has those of the rows its formula uses. Empty: the same on every draw."""
    inputs: list[frozenset] = [
        frozenset({row}) if indicator.assumption is not None
        and not isinstance(indicator.assumption.distribution, Fixed) else frozenset()
        for row, indicator in enumerate(indicators)
    ]
    for event in events:
        for effect in event.effects:
            inputs[rows[effect.indicator]] |= {event.id}
    for row in _derived_order(indicators, rows):  # references before the rows that use them
        inputs[row] = frozenset().union(*(inputs[rows[r.indicator]] for r in indicators[row].formula.references))
    return inputs


def _score_correlation(scenario: Scenario) -> np.ndarray | None:
    """The normal-score correlation that gives the scenario's rank correlations, ties included
    (``dependence.score_correlations``), repaired to a valid matrix where it is not one."""
    if not scenario.correlation_matrix:
        return None
    ids, matrix = scenario.correlation_matrix
    marginals = [_marginal(scenario.indicator(indicator_id)) for indicator_id in ids]
    return nearest_correlation(score_correlations(np.array(matrix), marginals)[0])


def _marginal(indicator: Indicator):
    assumption = indicator.assumption
    return marginal_of(assumption.distribution if assumption else None, indicator.kind == "count")


def compile_model(scenario: Scenario) -> Model:
    indicators = scenario.indicators
    rows = {indicator.id: row for row, indicator in enumerate(indicators)}
    targets: list[TargetRef] = []
    target_of_row: dict[int, int] = {}
    for row, indicator in enumerate(indicators):
        target = indicator.target
        if target is None:
            continue
        reference = rows[target.relative_to] if target.op == "relative" else None
        flow_level = indicator.kind == "flow" and target.metric == "level"
        target_of_row[row] = len(targets)
        targets.append(TargetRef(row, target, reference, indicator.baseline if flow_level else None))
    inputs = _random_inputs(indicators, rows, scenario.events)
    target_inputs = tuple(inputs[ref.row] | (inputs[ref.reference_row] if ref.reference_row is not None else set())
                          for ref in targets)
    return Model(
        scenario=scenario,
        indicators=indicators,
        stream_keys=tuple(stream_key(i.id) for i in indicators),
        distributions=tuple(i.assumption.distribution if i.assumption else None for i in indicators),
        derived_rows=_derived_order(indicators, rows),
        is_count=tuple(i.kind == "count" for i in indicators),
        targets=tuple(targets),
        target_of_row=target_of_row,
        target_inputs=target_inputs,
        events=scenario.events,
        rows=rows,
        replaced_rows=frozenset(rows[e.indicator] for event in scenario.events for e in event.effects
                                if e.kind == "replace"),
        correlated_rows=tuple(rows[i] for i in scenario.correlation_matrix[0]) if scenario.correlation_matrix else (),
        correlation=np.array(scenario.correlation_matrix[1]) if scenario.correlation_matrix else None,
        correlation_method=scenario.correlation_method,
        score_correlation=_score_correlation(scenario),
    )
