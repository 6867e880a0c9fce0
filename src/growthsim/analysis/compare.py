"""Several scenarios side by side on common random numbers.

``compare`` runs every scenario on the same draws: the same indicator id gets the same uniforms in
each (streams are keyed by id), so a difference in P(hit) comes from the assumptions, not from
noise. Each difference to the first scenario carries its *paired* standard error, from the
per-draw differences of the hit flags (from their sums per batch where Iman-Conover makes the
draws of a group dependent, see ``intervals``); it is far smaller than the unpaired one whenever
the two scenarios share most of their randomness, which is exactly the what-if case.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from growthsim.engine.accumulate import Accumulator, batch_sums
from growthsim.engine.evaluation import evaluate
from growthsim.engine.links import own_part
from growthsim.engine.model import compile_model
from growthsim.engine.run import DEFAULT_CHUNK_SIZE, model_chunks, resolve_seed
from growthsim.engine.sampling import batch_size, chunk_draws, require_two_batches, sample
from growthsim.engine.streams import Cursor
from growthsim.engine.summary import Summary
from growthsim.i18n import _
from growthsim.scenario.types import Indicator, Scenario
from growthsim.stats.intervals import (
    Z_95,
    Estimate,
    Probability,
    batch_floor,
    batch_ratio,
    mean_estimate,
    t_95,
    wilson_interval,
)

__all__ = ["MATERIAL", "Channels", "Comparison", "ComparisonRow", "Difference", "compare"]


# A difference of P(hit) smaller than one percentage point changes no planner's judgement, however
# sure the simulation is of it (compare --material changes it).
MATERIAL = 0.01


@dataclass(frozen=True)
class Difference:
    """P(hit) in a scenario minus P(hit) in the first, on the same draws."""

    delta: float
    se: float  # paired: from the per-draw (or per-batch) differences of the hit flags
    se_unpaired: float  # what the same two estimates would have had on independent draws
    margin: float  # the 95% half-width: 1.96 se, or Student's t times se from batches

    @property
    def distinguishable(self) -> bool:
        """Is the difference larger than Monte Carlo noise (|delta| > its 95% margin)?"""
        return abs(self.delta) > self.margin and self.delta != 0

    def material(self, threshold: float) -> bool:
        """Does it matter to a planner: beyond noise *and* at least ``threshold`` (a share, 0.01 for
        one percentage point)? At 100,000 draws nearly every change is beyond noise."""
        return self.distinguishable and abs(self.delta) >= threshold - 1e-12


@dataclass(frozen=True)
class Channels:
    """Where a driven target's change came from: the change of the mean of what it tests (its
    drawn quantity: growth, level, change or count; for a relative target, the difference to the
    other indicator) against the first scenario, split into parts that add up to it. Paired, per
    draw, so each part has its error.

    For a link y = own + e (x - a), the change from scenario A to B is
        e_B (x_B - x_A)                      what the driver's own change brought (``drivers``)
      + e_B (x_A - a_B) - e_A (x_A - a_A)    the link itself restated: elasticity or reference (``settings``)
      + own_B - own_A                        the indicator's own part (``own``)
    and, for a relative target, minus the other indicator's change (``reference``)."""

    outcome: Estimate
    own: Estimate
    drivers: tuple[tuple[str, Estimate], ...]  # (driver id, e_B x the driver's change)
    settings: Estimate | None = None  # None when no link's elasticity or reference changed
    reference: Estimate | None = None  # relative targets: minus the change of the other indicator
    reference_id: str | None = None


@dataclass(frozen=True)
class ComparisonRow:
    """One target across the scenarios; ``None`` where a scenario lacks the indicator or its target."""

    id: str
    indicator: Indicator  # from the first scenario that has it
    summaries: tuple  # IndicatorSummary | None per scenario
    differences: tuple  # Difference | None per scenario (None for the first)
    # Channels | None per scenario: for a target driven by links (in either scenario), how its
    # drawn quantity's change splits between the links and its own part (None for the first)
    channels: tuple = ()


@dataclass(frozen=True)
class Comparison:
    summaries: tuple[Summary, ...]
    rows: tuple[ComparisonRow, ...]
    joint_differences: tuple  # Difference | None per scenario, for P(all)
    n_draws: int
    seed: int
    notes: tuple[str, ...] = ()  # how the scenarios were drawn, where it is not as `run` would
    material: float = MATERIAL  # the smallest difference of P(hit) that matters to a planner (a share)


class _PairedCounts:
    """Sums of per-draw differences d = hit_k - hit_first and of d^2 (d is -1, 0 or 1), and with
    ``batch`` (draws per batch, when the draws of a batch are dependent) the sums per batch."""

    def __init__(self, batch: int | None) -> None:
        self.batch = batch
        self.sum = 0
        self.sum_squares = 0
        self.batch_totals: list[np.ndarray] = []
        self.batch_sizes: list[np.ndarray] = []

    def add(self, first: np.ndarray, other: np.ndarray) -> None:
        d = other.astype(np.int8) - first.astype(np.int8)
        self.sum += int(d.sum(dtype=np.int64))
        self.sum_squares += int(np.count_nonzero(d))
        if self.batch is not None:
            self.batch_totals.append(batch_sums(d[np.newaxis, :], self.batch)[0])
            self.batch_sizes.append(batch_sums(np.ones((1, d.size)), self.batch)[0])

    def difference(self, first: Probability, other: Probability, n: int) -> Difference:
        unpaired = math.hypot(first.se, other.se)
        delta = other.p - first.p
        batches = sum(part.size for part in self.batch_totals)
        if self.sum_squares == 0:
            if (first.se == 0 and other.se == 0) or 0 < first.p < 1:
                # the same outcome on every draw, hits and misses alike: exactly no difference
                return Difference(delta, 0.0, unpaired, 0.0)
            # no draw hit (or every draw did) in either: the draws cannot tell them apart, which
            # bounds the difference by the share of draws that could have differed unseen
            if self.batch is None:
                bound = wilson_interval(0, n)[1]
                return Difference(delta, bound / Z_95, unpaired, bound)
            se = batch_floor(batches, n)
            return Difference(delta, se, unpaired, t_95(batches - 1) * se)
        if self.batch is None:
            estimate = mean_estimate(self.sum, n=n, sum_squares=self.sum_squares)
            return Difference(delta, estimate.se, unpaired, estimate.margin)
        totals, sizes = np.concatenate(self.batch_totals), np.concatenate(self.batch_sizes)
        _, se, dof = batch_ratio(totals, sizes)
        se = max(se, batch_floor(batches, n))  # as Probability.from_batches: never a false 0
        return Difference(delta, se, unpaired, t_95(dof) * se)


class _PairedMeans:
    """Per-draw differences of several quantities between two scenarios on the same draws: their
    sums and sums of squares (independent draws), or their sums per batch."""

    def __init__(self, batch: int | None, size: int) -> None:
        self.batch = batch
        self.sum = np.zeros(size)
        self.sum_squares = np.zeros(size)
        self.n = 0
        self.batch_totals: list[np.ndarray] = []
        self.batch_sizes: list[np.ndarray] = []

    def add(self, differences: np.ndarray) -> None:
        """``differences`` (size, n): per draw, each quantity's value in the scenario less the first's."""
        self.sum += differences.sum(axis=1)
        self.sum_squares += np.einsum("ij,ij->i", differences, differences)
        self.n += differences.shape[1]
        if self.batch is not None:
            self.batch_totals.append(batch_sums(differences, self.batch))
            self.batch_sizes.append(batch_sums(np.ones((1, differences.shape[1])), self.batch)[0])

    def estimate(self, k: int) -> Estimate:
        if self.batch is None:
            return mean_estimate(self.sum[k], n=self.n, sum_squares=self.sum_squares[k])
        return mean_estimate(np.concatenate([t[k] for t in self.batch_totals]), np.concatenate(self.batch_sizes))


class _ChannelCounts:
    """Channels of one driven target between the first scenario and another (see Channels)."""

    def __init__(self, indicator_id: str, models, batch: int | None) -> None:
        self.models = models
        self.rows = tuple(model.rows[indicator_id] for model in models)
        ref = [
            model.targets[model.target_of_row[row]].reference_row for model, row in zip(models, self.rows, strict=True)
        ]
        self.reference_ids = [
            None if r is None else model.indicators[r].id for model, r in zip(models, ref, strict=True)
        ]
        links = [
            {model.indicators[d].id: (e, a) for d, e, a in model.links.get(row, ())}
            for model, row in zip(models, self.rows, strict=True)
        ]
        self.links = links
        self.driver_ids = list(dict.fromkeys([*links[0], *links[1]]))
        self.restated = links[0] != links[1]
        # outcome, own, reference, settings, then one per driver
        self.means = _PairedMeans(batch, 4 + len(self.driver_ids))

    def add(self, first: np.ndarray, other: np.ndarray) -> None:
        (a, b), values = self.models, (first, other)
        (row_a, row_b) = self.rows
        parts = np.zeros((4 + len(self.driver_ids), first.shape[1]))
        parts[0] = other[row_b] - first[row_a]
        parts[1] = own_part(b, other, row_b) - own_part(a, first, row_a)
        for k, model, sign in ((0, a, 1.0), (1, b, -1.0)):  # minus the change of the other indicator
            if self.reference_ids[k] is not None:
                parts[2] += sign * values[k][model.rows[self.reference_ids[k]]]
        parts[0] += parts[2]
        for j, driver in enumerate(self.driver_ids):
            x_a = first[a.rows[driver]] if driver in a.rows else other[b.rows[driver]]
            x_b = other[b.rows[driver]] if driver in b.rows else x_a
            e_a, at_a = self.links[0].get(driver, (0.0, 0.0))
            e_b, at_b = self.links[1].get(driver, (0.0, 0.0))
            parts[4 + j] = e_b * (x_b - x_a)
            parts[3] += e_b * (x_a - at_b) - e_a * (x_a - at_a)
        self.means.add(parts)

    def channels(self) -> Channels:
        estimate = self.means.estimate
        reference = next((r for r in self.reference_ids if r is not None), None)
        return Channels(
            estimate(0),
            estimate(1),
            tuple((d, estimate(4 + k)) for k, d in enumerate(self.driver_ids)),
            estimate(3) if self.restated else None,
            estimate(2) if reference is not None else None,
            reference,
        )


def _pair_batch(*batches: int | None) -> int | None:
    """Batches for differences between runs batched as given: the largest (each a power of two
    laid from draw 0, so a larger batch holds whole batches of the other), None if all are None."""
    sizes = [b for b in batches if b is not None]
    return max(sizes) if sizes else None


def compare(
    scenarios: Sequence[Scenario],
    n_draws: int | None = None,
    seed: int | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
    material: float | None = None,
) -> Comparison:
    """Simulate every scenario on the same draws and compare each with the first.

    ``n_draws`` and ``seed`` default to the first scenario's; all scenarios use the same ones.
    ``material``: the smallest difference of P(hit) called material (default MATERIAL, one point).
    """
    material = MATERIAL if material is None else float(material)
    if not 0 <= material < 1:
        raise ValueError(_("the material difference must be between 0 and 1 (0.01 for one percentage point)"))
    if not scenarios:
        raise ValueError(_("compare needs at least one scenario"))
    scenarios, notes = _one_correlation_method(scenarios)
    models = [compile_model(s) for s in scenarios]
    first = scenarios[0]
    n_draws = int(n_draws if n_draws is not None else first.draws)
    entropy = resolve_seed(seed, first)
    # each scenario is drawn exactly as `run` would draw it (its own Iman-Conover groups)
    batches = [batch_size(model, n_draws) for model in models]
    for model, batch in zip(models, batches, strict=True):
        require_two_batches(model, n_draws, batch)
    accumulators = [
        Accumulator(model, n_draws, entropy, batch=batch) for model, batch in zip(models, batches, strict=True)
    ]

    ids = _target_ids(scenarios)
    target_index = [{m.indicators[ref.row].id: i for i, ref in enumerate(m.targets)} for m in models]
    paired = {
        (indicator_id, k): _PairedCounts(_pair_batch(batches[0], batches[k]))
        for indicator_id in ids
        for k in range(1, len(models))
        if indicator_id in target_index[0] and indicator_id in target_index[k]
    }
    paired_all = {k: _PairedCounts(_pair_batch(batches[0], batches[k])) for k in range(1, len(models))}

    def driven(model, indicator_id: str) -> bool:
        return bool(model.links.get(model.rows[indicator_id]))

    channels = {
        (indicator_id, k): _ChannelCounts(indicator_id, (models[0], models[k]), _pair_batch(batches[0], batches[k]))
        for (indicator_id, k) in paired
        if driven(models[0], indicator_id) or driven(models[k], indicator_id)
    }

    # the chunks of the widest scenario (sampling.chunk_draws); each keeps its own streams' cursor
    widest = min(range(len(models)), key=lambda k: chunk_draws(models[k], batches[k]))
    cursors = [Cursor() for _model in models]
    for start, stop in model_chunks(models[widest], n_draws, chunk_size, batches[widest]):
        outcomes = [
            evaluate(model, sample(model, entropy, start, stop, batch=batch, cursor=cursor))
            for model, batch, cursor in zip(models, batches, cursors, strict=True)
        ]
        for accumulator, outcome in zip(accumulators, outcomes, strict=True):
            accumulator.add(outcome)
        for (indicator_id, k), counts in paired.items():
            counts.add(outcomes[0].hits[target_index[0][indicator_id]], outcomes[k].hits[target_index[k][indicator_id]])
        for (_indicator_id, k), channel_counts in channels.items():
            channel_counts.add(outcomes[0].drawn, outcomes[k].drawn)
        all_first = _all_hit(outcomes[0].hits)
        for k, counts in paired_all.items():
            counts.add(all_first, _all_hit(outcomes[k].hits))
        if progress is not None:
            progress(stop, n_draws)

    summaries = tuple(a.summary() for a in accumulators)
    rows = []
    for indicator_id in ids:
        per_scenario = tuple(_row_of(summary, indicator_id) for summary in summaries)
        differences: list[Difference | None] = [None]
        for k in range(1, len(models)):
            pair_counts = paired.get((indicator_id, k))
            if pair_counts is None:
                differences.append(None)
            else:
                differences.append(pair_counts.difference(per_scenario[0].hit, per_scenario[k].hit, n_draws))
        indicator = next(row.indicator for row in per_scenario if row is not None)
        through = tuple(
            None if (indicator_id, k) not in channels else channels[indicator_id, k].channels()
            for k in range(len(models))
        )
        rows.append(ComparisonRow(indicator_id, indicator, per_scenario, tuple(differences), through))
    joint: list[Difference | None] = [None]
    for k, counts in paired_all.items():
        a, b = summaries[0].joint.all_hit, summaries[k].joint.all_hit
        same_targets = {i.id for i in scenarios[0].targeted} == {i.id for i in scenarios[k].targeted}
        # P(all) over different sets of targets are different events: no difference is reported
        joint.append(counts.difference(a, b, n_draws) if a and b and same_targets else None)
    return Comparison(summaries, tuple(rows), tuple(joint), n_draws, entropy, notes, material)


def _all_hit(hits: np.ndarray) -> np.ndarray:
    """Whether every target is hit, per draw: (n_targets, n) hit flags -> (n,)."""
    every = hits.all(axis=0)
    assert isinstance(every, np.ndarray)  # one axis of a 2-D array reduced (numpy's types allow a bool)
    return every


def _one_correlation_method(scenarios: Sequence[Scenario]) -> tuple[Sequence[Scenario], tuple[str, ...]]:
    """A scenario that holds a correlated input at a fixed value is drawn with the Gaussian copula
    (validation switches it; Iman-Conover cannot rank a constant). Compared with scenarios drawn
    with Iman-Conover, everything correlated would differ by the method alone, not by the
    assumptions: so the others are drawn with the copula too (the same distributions and rank
    correlations), and the comparison says so."""

    holds = any(compile_model(s).held for s in scenarios)
    switched = [s for s in scenarios if s.correlation_matrix and s.correlation_method != "gaussian_copula"]
    if not (holds and switched):
        return scenarios, ()
    note = _(
        "a scenario holds a correlated input at a fixed value, which needs the Gaussian copula: every scenario is compared drawn with it (the same distributions and rank correlations as Iman-Conover), so that only the assumptions differ: "
    ) + ", ".join(s.name for s in switched)
    return [dataclasses.replace(s, correlation_method="gaussian_copula") if s in switched else s for s in scenarios], (
        note,
    )


def _target_ids(scenarios: Sequence[Scenario]) -> list[str]:
    """Targeted indicator ids, in the first scenario's order, then those only later scenarios have."""
    ids: list[str] = []
    for scenario in scenarios:
        ids.extend(i.id for i in scenario.targeted if i.id not in ids)
    return ids


def _row_of(summary: Summary, indicator_id: str):
    row = next((r for r in summary.indicators if r.indicator.id == indicator_id), None)
    return row if row is not None and row.hit is not None else None
