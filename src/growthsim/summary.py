"""Stage 5: accumulate outcomes chunk by chunk into a Summary (bounded memory, chunk-independent).

Everything accumulated is either an integer count or a sum taken per block of draws and added up
exactly (``math.fsum``) at the end, so the result is identical whatever the chunk size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .evaluation import Outcomes
from .events import Event
from .model import Model
from .sampling import BLOCK_SIZE
from .scenario import Indicator, Scenario
from .sketch import QuantileSketch
from .targets import Target

__all__ = [
    "QUANTILES",
    "PROFILE_PROBABILITIES",
    "Probability",
    "IndicatorSummary",
    "JointSummary",
    "Summary",
    "Accumulator",
]

# The tested quantity's quantiles at these probabilities: enough to draw its distribution (charts)
# without keeping the draws. The outer 0.1% on each side is left out of pictures anyway.
PROFILE_PROBABILITIES = tuple(float(p) for p in np.linspace(0.001, 0.999, 500))

QUANTILES = {"p05": 0.05, "p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p90": 0.90, "p95": 0.95}
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Probability:
    """An estimated probability with its Monte Carlo standard error and 95% Wilson interval."""

    p: float
    se: float
    ci: tuple[float, float]
    n: int

    @classmethod
    def from_counts(cls, hits: int, n: int) -> "Probability":
        p = hits / n
        se = math.sqrt(p * (1 - p) / n)
        return cls(p, se, wilson_interval(hits, n), n)

    @classmethod
    def from_replicates(cls, hits: np.ndarray, size: int) -> "Probability":
        """From the hit counts of independent replicates of ``size`` draws each (lhs, sobol): the
        standard error is the spread of the replicates' estimates, the interval Student's t on it.

        A stratified design can make every replicate's count the same (a target on one input hits
        in the same number of strata each time), so the spread is floored at half a hit per
        replicate: the estimates cannot be told apart more finely than that, and an error bar of
        zero would claim an exactness the design does not have."""
        hits = np.asarray(hits, dtype=np.int64)
        replicates = hits.size
        total, n = int(hits.sum()), replicates * size
        p = total / n
        if replicates < 2:
            binomial = cls.from_counts(total, n)
            return cls(p, binomial.se, binomial.ci, n)
        from scipy.stats import t

        spread = max(float(np.std(hits / size, ddof=1)), 0.5 / size)
        se = spread / math.sqrt(replicates)
        half = float(t.ppf(0.975, replicates - 1)) * se
        return cls(p, se, (min(max(0.0, p - half), p), max(min(1.0, p + half), p)), n)


def wilson_interval(hits: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval: honest near 0 and 1, where p ± 2se would leave [0, 1]."""
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Rounding can put a bound a hair on the wrong side of p = 0 or 1: the interval always holds p.
    return min(max(0.0, centre - half), p), max(min(1.0, centre + half), p)


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: Indicator
    metric: str  # what `mean` and `quantiles` describe: growth, level or change
    mean: float
    quantiles: dict[str, float]
    level_quantiles: dict[str, float] | None
    quantile_error: float  # bound on the sketch's error, in the metric's units
    hit: Probability | None = None
    stretch: Probability | None = None
    expected_shortfall: float | None = None  # mean gap over the draws that miss; None if none miss
    difference_quantiles: dict[str, float] | None = None  # relative targets: own minus the other's metric
    # quantiles at PROFILE_PROBABILITIES of what the target tests (for a relative target, the
    # difference; without a target, the metric): the outcome distribution, for charts
    profile: tuple[float, ...] = ()

    @property
    def target(self) -> Target | None:
        return self.indicator.target


@dataclass(frozen=True)
class JointSummary:
    n_targets: int
    all_hit: Probability | None
    expected_hits: float
    hits_distribution: tuple[float, ...]  # P(exactly k targets hit), k = 0 .. n_targets
    all_hit_independent: float | None = None  # the product of the P(hit)s: P(all) if targets were independent


@dataclass(frozen=True)
class EventSummary:
    """How often a shock event occurred, and each target's P(hit) on the draws with and without it."""

    event: Event
    frequency: Probability
    hit_with: dict[str, Probability | None]  # indicator id -> P(hit | event); None if it never occurred
    hit_without: dict[str, Probability | None]

    def effect_on(self, indicator_id: str) -> float | None:
        with_, without = self.hit_with.get(indicator_id), self.hit_without.get(indicator_id)
        return None if with_ is None or without is None else with_.p - without.p


@dataclass(frozen=True)
class Summary:
    scenario: Scenario
    n_draws: int
    seed: int
    indicators: tuple[IndicatorSummary, ...]
    joint: JointSummary
    events: tuple[EventSummary, ...] = ()
    method: str = "mc"  # how the uniforms were drawn: mc, lhs or sobol
    replicates: int | None = None  # lhs, sobol: independent replicates behind the error bars
    correlation_method: str | None = None  # how correlations were imposed (lhs, sobol: always the copula)
    precision: tuple[float, bool] | None = None  # --precision: (the half-width asked, whether it was reached)


class Accumulator:
    """Feed it every chunk's Outcomes in order with ``add``; ``summary()`` gives the result.

    Parts of the draws can be accumulated elsewhere (another process) and merged: ``partial(start)``
    gives an empty accumulator for the draws from ``start`` on, on this one's quantile grids (fixed
    by the pilot, the first block), and ``merge`` adds a partial that continues where this one
    stands. Everything kept is a count, a sketch on a shared grid, or a per-block sum, so merged
    results are identical to accumulating every chunk here.
    """

    def __init__(self, model: Model, n_draws: int, seed: int, start: int = 0, method: str = "mc",
                 replicate: int | None = None):
        self.model = model
        self.start = start  # the first draw this accumulator counts
        self.method = method
        self.replicate = replicate  # lhs, sobol: draws per replicate (None for mc)
        # per replicate, hits of each target, of each stretch and of all targets: lists of (k, r) arrays
        self.replicate_hits: list[np.ndarray] = []
        self.replicate_stretch: list[np.ndarray] = []
        self.replicate_all: list[np.ndarray] = []
        self.n_draws = n_draws
        self.seed = seed
        n_ind, n_tgt = len(model.indicators), len(model.targets)
        self.sketches: list[QuantileSketch] | None = None
        self.difference_sketches: dict[int, QuantileSketch] = {}  # relative targets, by target index
        self.metric_block_sums: list[np.ndarray] = []  # each (n_indicators, n_blocks_in_chunk)
        self.gap_block_sums: list[np.ndarray] = []
        self.hits = np.zeros(n_tgt, dtype=np.int64)
        self.stretch_hits = np.zeros(n_tgt, dtype=np.int64)
        self.hit_count_histogram = np.zeros(n_tgt + 1, dtype=np.int64)
        self.event_counts = np.zeros(len(model.events), dtype=np.int64)
        self.event_hits = np.zeros((len(model.events), n_tgt), dtype=np.int64)  # hits on draws with the event
        self.seen = 0
        self._n_ind = n_ind

    def add(self, outcomes: Outcomes) -> None:
        if outcomes.start != self.start + self.seen:
            raise ValueError("chunks must be added in order")
        if self.sketches is None:  # the pilot: the first block, the same whatever the chunk size
            self.sketches = [
                QuantileSketch(outcomes.metric(row)[:BLOCK_SIZE], integer=self._is_integer(row))
                for row in range(self._n_ind)
            ]
            self.difference_sketches = {
                index: QuantileSketch(difference[:BLOCK_SIZE]) for index, difference in outcomes.differences.items()
            }
        for index, sketch in self.difference_sketches.items():
            sketch.add(outcomes.differences[index])
        sums = np.empty((self._n_ind, -(-outcomes.n // BLOCK_SIZE)))
        for row, sketch in enumerate(self.sketches):
            metric = outcomes.metric(row)
            sketch.add(metric)
            sums[row] = _block_sums(metric[np.newaxis, :])[0]
        self.metric_block_sums.append(sums)
        self.gap_block_sums.append(_block_sums(outcomes.gaps))
        self.hits += outcomes.hits.sum(axis=1)
        for index, stretch in outcomes.stretch_hits.items():
            self.stretch_hits[index] += int(np.count_nonzero(stretch))
        if outcomes.events is not None and outcomes.events.size:
            self.event_counts += outcomes.events.sum(axis=1)
            for index, occurred in enumerate(outcomes.events):
                self.event_hits[index] += outcomes.hits[:, occurred].sum(axis=1)
        hit_counts = outcomes.hits.sum(axis=0)
        self.hit_count_histogram += np.bincount(hit_counts, minlength=len(self.model.targets) + 1)
        if self.replicate is not None:
            self._add_replicates(outcomes, hit_counts)
        self.seen += outcomes.n

    def _add_replicates(self, outcomes: Outcomes, hit_counts: np.ndarray) -> None:
        n_targets, size = len(self.model.targets), self.replicate
        per_replicate = lambda flags: flags.reshape(flags.shape[0], -1, size).sum(axis=2)  # noqa: E731
        self.replicate_hits.append(per_replicate(outcomes.hits))
        stretch = np.zeros((n_targets, outcomes.n), dtype=bool)
        for index, flags in outcomes.stretch_hits.items():
            stretch[index] = flags
        self.replicate_stretch.append(per_replicate(stretch))
        self.replicate_all.append(per_replicate((hit_counts == n_targets)[np.newaxis, :]))

    def partial(self, start: int) -> "Accumulator":
        """An empty accumulator for draws from ``start`` (a block boundary) on, on this one's grids."""
        if self.sketches is None:
            raise ValueError("add the first chunk (the pilot that fixes the grids) before making partials")
        if start % BLOCK_SIZE:
            raise ValueError("a partial must start on a block boundary")
        other = Accumulator(self.model, self.n_draws, self.seed, start, self.method, self.replicate)
        other.sketches = [sketch.empty_like() for sketch in self.sketches]
        other.difference_sketches = {k: sketch.empty_like() for k, sketch in self.difference_sketches.items()}
        return other

    def merge(self, other: "Accumulator") -> None:
        """Add a partial accumulator whose draws continue exactly where this one's end."""
        if other.start != self.start + self.seen:
            raise ValueError(f"partials must be merged in order: expected draws from {self.start + self.seen}, "
                             f"got {other.start}")
        if other.seen == 0:
            return
        for mine, theirs in zip(self.sketches, other.sketches):
            mine.merge(theirs)
        for index, sketch in self.difference_sketches.items():
            sketch.merge(other.difference_sketches[index])
        self.metric_block_sums.extend(other.metric_block_sums)
        self.gap_block_sums.extend(other.gap_block_sums)
        self.replicate_hits.extend(other.replicate_hits)
        self.replicate_stretch.extend(other.replicate_stretch)
        self.replicate_all.extend(other.replicate_all)
        for name in ("hits", "stretch_hits", "hit_count_histogram", "event_counts", "event_hits"):
            getattr(self, name).__iadd__(getattr(other, name))
        self.seen += other.seen

    def __getstate__(self) -> dict:
        # A partial travels back from a worker process without its model (the receiver has it).
        return {k: v for k, v in self.__dict__.items() if k != "model"} | {"model": None}

    def _is_integer(self, row: int) -> bool:
        indicator = self.model.indicators[row]
        return indicator.kind == "count"

    def summary(self) -> Summary:
        if self.start != 0 or self.seen != self.n_draws:
            raise ValueError(f"accumulated {self.seen} of {self.n_draws} draws")
        n = self.n_draws
        metric_sums = _exact_sums(self.metric_block_sums, self._n_ind)
        gap_sums = _exact_sums(self.gap_block_sums, len(self.model.targets))
        probabilities = list(QUANTILES.values())
        results = []
        for row, indicator in enumerate(self.model.indicators):
            sketch = self.sketches[row]
            values = sketch.quantiles(probabilities)
            quantiles = dict(zip(QUANTILES, (float(v) for v in values)))
            target_index = self.model.target_of_row.get(row)
            metric = indicator.metric if target_index is None else self.model.targets[target_index].target.metric
            hit = stretch = shortfall = differences = None
            tested = sketch
            if target_index in self.difference_sketches:
                tested = self.difference_sketches[target_index]
                values = tested.quantiles(probabilities)
                differences = dict(zip(QUANTILES, (float(v) for v in values)))
            if target_index is not None:
                hits = int(self.hits[target_index])
                hit = self._probability(self.replicate_hits, target_index, hits)
                if indicator.target.stretch is not None:
                    stretch = self._probability(self.replicate_stretch, target_index,
                                                int(self.stretch_hits[target_index]))
                misses = n - hits
                shortfall = gap_sums[target_index] / misses if misses else None
            results.append(
                IndicatorSummary(
                    indicator=indicator,
                    metric=metric,
                    mean=metric_sums[row] / n,
                    quantiles=quantiles,
                    level_quantiles=_level_quantiles(indicator, metric, quantiles),
                    quantile_error=sketch.error_at(probabilities),
                    hit=hit,
                    stretch=stretch,
                    expected_shortfall=shortfall,
                    difference_quantiles=differences,
                    profile=tuple(float(v) for v in tested.quantiles(PROFILE_PROBABILITIES)),
                )
            )
        n_targets = len(self.model.targets)
        distribution = tuple(float(c) / n for c in self.hit_count_histogram)
        joint = JointSummary(
            n_targets=n_targets,
            all_hit=self._probability(self.replicate_all, 0, int(self.hit_count_histogram[-1])) if n_targets else None,
            expected_hits=float(np.dot(np.arange(n_targets + 1), self.hit_count_histogram)) / n,
            hits_distribution=distribution,
            all_hit_independent=float(np.prod(self.hits / n)) if n_targets else None,
        )
        replicates = None if self.replicate is None else n // self.replicate
        correlation_method = self.model.correlation_method if self.model.correlated_rows else None
        return Summary(self.model.scenario, n, self.seed, tuple(results), joint, self._event_summaries(),
                       self.method, replicates, correlation_method)

    def _probability(self, per_replicate: list[np.ndarray], index: int, hits: int) -> Probability:
        if self.replicate is None:
            return Probability.from_counts(hits, self.n_draws)
        return Probability.from_replicates(np.concatenate([part[index] for part in per_replicate]), self.replicate)

    def _event_summaries(self) -> tuple[EventSummary, ...]:
        n = self.n_draws
        out = []
        for index, event in enumerate(self.model.events):
            occurred = int(self.event_counts[index])
            with_, without = {}, {}
            for t, ref in enumerate(self.model.targets):
                indicator_id = self.model.indicators[ref.row].id
                hits_with = int(self.event_hits[index, t])
                hits_without = int(self.hits[t]) - hits_with
                with_[indicator_id] = Probability.from_counts(hits_with, occurred) if occurred else None
                without[indicator_id] = Probability.from_counts(hits_without, n - occurred) if occurred < n else None
            out.append(EventSummary(event, Probability.from_counts(occurred, n), with_, without))
        return tuple(out)


def _level_quantiles(indicator: Indicator, metric: str, quantiles: dict[str, float]) -> dict[str, float] | None:
    """Quantiles of the 2023 level, where a baseline is known (a monotone map of the metric's)."""
    if metric == "level":
        return dict(quantiles)
    if indicator.baseline is None:
        return None
    if metric == "growth":
        return {k: indicator.baseline * (1 + v) for k, v in quantiles.items()}
    if metric == "change":
        return {k: indicator.baseline + v for k, v in quantiles.items()}
    return None


def _block_sums(values: np.ndarray) -> np.ndarray:
    """Sums over each BLOCK_SIZE run of draws: (rows, n) -> (rows, n_blocks).

    A chunk always starts on a block boundary, so these are the same numbers whatever the chunking.
    """
    rows, n = values.shape
    full = n // BLOCK_SIZE
    parts = []
    if full:
        parts.append(values[:, : full * BLOCK_SIZE].reshape(rows, full, BLOCK_SIZE).sum(axis=2))
    if n % BLOCK_SIZE:
        parts.append(values[:, full * BLOCK_SIZE :].sum(axis=1, keepdims=True))
    return np.concatenate(parts, axis=1) if parts else np.zeros((rows, 0))


def _exact_sums(block_sums: list[np.ndarray], rows: int) -> list[float]:
    if not block_sums:
        return [0.0] * rows
    stacked = np.concatenate(block_sums, axis=1)
    return [math.fsum(stacked[row]) for row in range(rows)]
