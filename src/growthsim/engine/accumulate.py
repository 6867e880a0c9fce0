"""Accumulate outcomes chunk by chunk into a Summary (bounded memory, chunk-independent).

Everything accumulated is either an integer count or a sum taken per block of draws and added up
exactly (``math.fsum``) at the end, so the result is identical whatever the chunk size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol, overload

import numpy as np
import numpy.typing as npt

from growthsim.engine.designs import chunk_draws
from growthsim.engine.evaluation import Outcomes
from growthsim.engine.model import Model
from growthsim.engine.streams import BLOCK_SIZE
from growthsim.engine.summary import (
    PROFILE_PROBABILITIES,
    QUANTILES,
    EventSummary,
    IndicatorSummary,
    JointSummary,
    Summary,
)
from growthsim.scenario.types import Indicator
from growthsim.stats.arrays import Bools, Floats, Ints
from growthsim.stats.intervals import Estimate, Probability, mean_estimate
from growthsim.stats.sketch import QuantileSketch, add_rows

__all__ = ["Accumulator", "BatchCounts", "batch_sums", "share_of_draws"]


class Accumulator:
    """Feed it every chunk's Outcomes in order with ``add``; ``summary()`` gives the result.

    Parts of the draws can be accumulated elsewhere (another process) and merged: ``partial(start)``
    gives an empty accumulator for the draws from ``start`` on, on this one's quantile grids (fixed
    by the pilot, the first block), and ``merge`` adds a partial that continues where this one
    stands. Everything kept is a count, a sketch on a shared grid, or a per-block sum, so merged
    results are identical to accumulating every chunk here.

    ``batch`` (``sampling.batch_size``: draws per lhs/sobol replicate or Iman-Conover group) makes
    it also count hits batch by batch, for error bars from the batches (``intervals``); None when
    every draw is independent.
    """

    def __init__(
        self,
        model: Model,
        n_draws: int,
        seed: int,
        start: int = 0,
        method: str = "mc",
        batch: int | None = None,
        unit: int | None = None,
    ):
        self.model = model
        # the draws taken together: the pilot (the first unit fixes the quantile grids) and each
        # sum; sampling.chunk_draws, a block for all but the widest models. Chunks smaller than a
        # unit (compare runs its scenarios in the smallest unit of any) wait until one is complete.
        self.unit = unit or chunk_draws(model, batch)
        self._waiting: list[Outcomes] = []
        self.start = start  # the first draw this accumulator counts
        self.method = method
        self.batch = batch
        # per batch (last axis), lists of one array per chunk: draws, hits of each target, of each
        # stretch, the number of targets hit (a histogram), event occurrences, hits with each event
        self.batch_sizes: list[Ints] = []
        self.batch_hits: list[Ints] = []
        self.batch_stretch: list[Ints] = []
        self.batch_histogram: list[Ints] = []
        self.batch_events: list[Ints] = []
        self.batch_event_hits: list[Ints] = []
        self.n_draws = n_draws
        self.seed = seed
        n_ind, n_tgt = len(model.indicators), len(model.targets)
        self.sketches: list[QuantileSketch] | None = None
        self.difference_sketches: dict[int, QuantileSketch] = {}  # relative targets, by target index
        self.metric_block_sums: list[Floats] = []  # each (n_indicators, n_blocks_in_chunk)
        self.gap_block_sums: list[Floats] = []
        self.hits = np.zeros(n_tgt, dtype=np.int64)
        self.stretch_hits = np.zeros(n_tgt, dtype=np.int64)
        self.hit_count_histogram = np.zeros(n_tgt + 1, dtype=np.int64)
        self.event_counts = np.zeros(len(model.events), dtype=np.int64)
        self.event_hits = np.zeros((len(model.events), n_tgt), dtype=np.int64)  # hits on draws with the event
        self.seen = 0
        self._n_ind = n_ind

    def add(self, outcomes: Outcomes) -> None:
        waiting = sum(part.n for part in self._waiting)
        if outcomes.start != self.start + self.seen + waiting:
            raise ValueError("chunks must be added in order")
        self._waiting.append(outcomes)
        waiting += outcomes.n
        if waiting < self.unit and self.start + self.seen + waiting < self.n_draws:
            return  # a unit is not complete yet
        parts, self._waiting = self._waiting, []
        self._add_units(parts[0] if len(parts) == 1 else Outcomes.joined(parts))

    def _add_units(self, outcomes: Outcomes) -> None:
        """Whole units of draws (and the run's last, short one)."""
        if self.sketches is None:  # the pilot: the first unit, the same whatever the chunk size
            self.sketches = [
                QuantileSketch(outcomes.metric(row)[: self.unit], integer=self._is_integer(row))
                for row in range(self._n_ind)
            ]
            self.difference_sketches = {
                index: QuantileSketch(difference[: self.unit]) for index, difference in outcomes.differences.items()
            }
        for index, sketch in self.difference_sketches.items():
            sketch.add(outcomes.differences[index])
        metrics = outcomes.drawn
        if outcomes.levels:  # a flow whose target is a level is reported in it
            metrics = metrics.copy()
            for row, level in outcomes.levels.items():
                metrics[row] = level
        add_rows(self.sketches, metrics)
        self.metric_block_sums.append(batch_sums(metrics, self.unit))
        self.gap_block_sums.append(batch_sums(outcomes.gaps, self.unit))
        self.hits += np.count_nonzero(outcomes.hits, axis=1)
        for index, stretch in outcomes.stretch_hits.items():
            self.stretch_hits[index] += int(np.count_nonzero(stretch))
        if outcomes.events is not None and outcomes.events.size:
            self.event_counts += outcomes.events.sum(axis=1)
            for index, occurred in enumerate(outcomes.events):
                self.event_hits[index] += outcomes.hits[:, occurred].sum(axis=1)
        hit_counts = outcomes.hits.sum(axis=0)
        self.hit_count_histogram += np.bincount(hit_counts, minlength=len(self.model.targets) + 1)
        if self.batch is not None:
            self._add_batches(outcomes, hit_counts)
        self.seen += outcomes.n

    def _add_batches(self, outcomes: Outcomes, hit_counts: npt.NDArray[np.intp]) -> None:
        n_targets, size, n = len(self.model.targets), self.batch, outcomes.n
        assert size is not None  # add calls this only with a batch

        def per_batch(values: Bools | Ints) -> Ints:
            return batch_sums(values, size)

        self.batch_sizes.append(per_batch(np.ones((1, n), dtype=np.int64))[0])
        self.batch_hits.append(per_batch(outcomes.hits))
        stretch = np.zeros((n_targets, n), dtype=bool)
        for index, flags in outcomes.stretch_hits.items():
            stretch[index] = flags
        self.batch_stretch.append(per_batch(stretch))
        n_batches = -(-n // size)
        cells = (np.arange(n) // size) * (n_targets + 1) + hit_counts  # (batch, number of targets hit)
        histogram = np.bincount(cells, minlength=n_batches * (n_targets + 1)).reshape(n_batches, n_targets + 1)
        self.batch_histogram.append(histogram.T)
        events = outcomes.events if outcomes.events is not None else np.zeros((0, n), dtype=bool)
        self.batch_events.append(per_batch(events))
        self.batch_event_hits.append(
            np.stack([per_batch(outcomes.hits & occurred) for occurred in events])
            if len(events)
            else np.zeros((0, n_targets, n_batches), dtype=np.int64)
        )

    def partial(self, start: int) -> Accumulator:
        """An empty accumulator for draws from ``start`` (a block boundary) on, on this one's grids."""
        if self.sketches is None:
            raise ValueError("add the first chunk (the pilot that fixes the grids) before making partials")
        if start % BLOCK_SIZE:
            raise ValueError("a partial must start on a block boundary")
        other = Accumulator(self.model, self.n_draws, self.seed, start, self.method, self.batch, self.unit)
        other.sketches = [sketch.empty_like() for sketch in self.sketches]
        other.difference_sketches = {k: sketch.empty_like() for k, sketch in self.difference_sketches.items()}
        return other

    _BATCH_LISTS = ("batch_sizes", "batch_hits", "batch_stretch", "batch_histogram", "batch_events", "batch_event_hits")

    def merge(self, other: Accumulator) -> None:
        """Add a partial accumulator whose draws continue exactly where this one's end."""
        if other.start != self.start + self.seen:
            raise ValueError(
                f"partials must be merged in order: expected draws from {self.start + self.seen}, got {other.start}"
            )
        if other.seen == 0:
            return
        assert self.sketches is not None and other.sketches is not None  # a partial is made after the pilot
        for mine, theirs in zip(self.sketches, other.sketches, strict=True):
            mine.merge(theirs)
        for index, sketch in self.difference_sketches.items():
            sketch.merge(other.difference_sketches[index])
        self.metric_block_sums.extend(other.metric_block_sums)
        self.gap_block_sums.extend(other.gap_block_sums)
        for name in self._BATCH_LISTS:
            getattr(self, name).extend(getattr(other, name))
        for name in ("hits", "stretch_hits", "hit_count_histogram", "event_counts", "event_hits"):
            getattr(self, name).__iadd__(getattr(other, name))
        self.seen += other.seen

    def __getstate__(self) -> dict[str, object]:
        # A partial travels back from a worker process without its model (the receiver has it).
        return {k: v for k, v in self.__dict__.items() if k != "model"} | {"model": None}

    def _is_integer(self, row: int) -> bool:
        indicator = self.model.indicators[row]
        return indicator.kind == "count"

    def summary(self) -> Summary:
        if self.start != 0 or self.seen != self.n_draws:
            raise ValueError(f"accumulated {self.seen} of {self.n_draws} draws")
        n = self.n_draws
        all_batches = _Batches(self) if self.batch is not None else None

        def batches_for(*targets: int) -> _Batches | None:
            """The batches, where the error bars of these targets need them (see ``_Batches``)."""
            if all_batches is None or (self.method == "mc" and not self.model.rearranged_together(targets)):
                return None
            return all_batches

        deterministic = self.model.deterministic_targets
        metric_sums = _exact_sums(self.metric_block_sums, self._n_ind)
        gap_sums = _exact_sums(self.gap_block_sums, len(self.model.targets))
        probabilities = list(QUANTILES.values())
        results = []
        for row, indicator in enumerate(self.model.indicators):
            assert self.sketches is not None  # made from the first chunk (the pilot)
            sketch = self.sketches[row]
            values = sketch.quantiles(probabilities)
            quantiles = dict(zip(QUANTILES, (float(v) for v in values), strict=True))
            target_index = self.model.target_of_row.get(row)
            metric = indicator.metric if target_index is None else self.model.targets[target_index].target.metric
            hit = stretch = shortfall = differences = None
            tested, difference_error = sketch, None
            if target_index in self.difference_sketches:
                tested = self.difference_sketches[target_index]
                differences = dict(zip(QUANTILES, (float(v) for v in tested.quantiles(probabilities)), strict=True))
                difference_error = tested.error_at(probabilities)
            if target_index is not None:
                exact = target_index in deterministic
                hits = int(self.hits[target_index])
                batches = batches_for(target_index)
                hit = share_of_draws(hits, n, exact, batches, lambda b, t=target_index: b.hits[t])
                assert indicator.target is not None  # target_of_row holds the rows of indicators with a target
                if indicator.target.stretch is not None:
                    stretch = share_of_draws(
                        int(self.stretch_hits[target_index]), n, exact, batches, lambda b, t=target_index: b.stretch[t]
                    )
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
                    mean_gap_when_missed=shortfall,
                    difference_quantiles=differences,
                    difference_quantile_error=difference_error,
                    profile=tuple(float(v) for v in tested.quantiles(PROFILE_PROBABILITIES)),
                )
            )
        correlation_method = self.model.correlation_method if self.model.correlated_rows else None
        replicates: int | None = None
        if self.method != "mc":
            assert self.batch is not None  # lhs and sobol always have a replicate size (sampling.batch_size)
            replicates = n // self.batch
        return Summary(
            self.model.scenario,
            n,
            self.seed,
            tuple(results),
            self._joint(batches_for),
            self._event_summaries(batches_for),
            self.method,
            replicates,
            correlation_method,
            batches=None if all_batches is None else all_batches.sizes.size,
            batch_size=self.batch,
        )

    def _joint(self, batches_for: _BatchesFor) -> JointSummary:
        n, n_targets = self.n_draws, len(self.model.targets)
        batches = batches_for(*range(n_targets))
        histogram = self.hit_count_histogram
        every_target_exact = set(range(n_targets)) <= self.model.deterministic_targets
        shares = tuple(
            share_of_draws(int(histogram[k]), n, every_target_exact, batches, lambda b, k=k: b.histogram[k])
            for k in range(n_targets + 1)
        )
        counts = np.arange(n_targets + 1)
        if every_target_exact:
            value = float(np.dot(counts, histogram)) / n
            expected = Estimate(value, 0.0, (value, value))
        elif batches is None:
            expected = mean_estimate(
                float(np.dot(counts, histogram)),
                n=n,
                sum_squares=float(np.dot(counts**2, histogram)),
                bounds=(0, n_targets),
            )
        else:
            expected = mean_estimate(counts @ batches.histogram, batches.sizes, bounds=(0, n_targets))
        # a target that cannot be hit by construction (an input held where it misses) makes the
        # joint event impossible too: exactly 0, not "< 0.0038%" from a bound on 0 hits
        impossible = any(int(self.hits[k]) == 0 for k in self.model.deterministic_targets if k < n_targets)
        all_hit = Probability.exact(0.0, n) if impossible else shares[-1] if n_targets else None
        return JointSummary(
            n_targets=n_targets,
            all_hit=all_hit,
            expected_hits=float(np.dot(counts, histogram)) / n,
            hits_distribution=tuple(float(c) / n for c in histogram),
            all_hit_independent=float(np.prod(self.hits / n)) if n_targets else None,
            expected_hits_estimate=expected,
            hits_probabilities=shares,
        )

    def _event_summaries(self, batches_for: _BatchesFor) -> tuple[EventSummary, ...]:
        n = self.n_draws
        out = []
        for index, event in enumerate(self.model.events):
            occurred = int(self.event_counts[index])
            with_, without = {}, {}
            for t, ref in enumerate(self.model.targets):
                indicator_id = self.model.indicators[ref.row].id
                hits_with = int(self.event_hits[index, t])
                hits_without = int(self.hits[t]) - hits_with
                batches = batches_for(t)
                if batches is None:
                    with_[indicator_id] = Probability.from_counts(hits_with, occurred) if occurred else None
                    without[indicator_id] = (
                        Probability.from_counts(hits_without, n - occurred) if occurred < n else None
                    )
                    continue
                with_hits, occurrences = batches.event_hits[index, t], batches.events[index]
                with_[indicator_id] = Probability.from_batches(with_hits, occurrences) if occurred else None
                without[indicator_id] = (
                    Probability.from_batches(batches.hits[t] - with_hits, batches.sizes - occurrences)
                    if occurred < n
                    else None
                )
            batches = batches_for()  # an event occurs independently on each draw, unless stratified
            frequency = (
                Probability.from_counts(occurred, n)
                if batches is None
                else Probability.from_batches(batches.events[index], batches.sizes)
            )
            out.append(EventSummary(event, frequency, with_, without))
        return tuple(out)


class _BatchesFor(Protocol):
    """Accumulator.summary's batches_for: the batches, where the error bars of these targets need them."""

    def __call__(self, *targets: int) -> _Batches | None: ...


class BatchCounts(Protocol):
    """Counts per batch: ``sizes`` (n_batches,) and whatever ``_Counts`` picks from them."""

    @property
    def sizes(self) -> Ints: ...


class _Counts(Protocol):
    """_share's counts: what a batch adds up, for each batch (a lambda that binds its target)."""

    def __call__(self, batches: Any, /) -> Ints: ...


class _Batches:
    """An accumulator's per-batch counts, each with the batches along its last axis.

    Error bars come from them for every estimate of an lhs or sobol run, and under Iman-Conover for
    those that combine two or more rearranged rows (``Model.rearranged_together``); the others
    are binomial, exactly as with independent draws."""

    def __init__(self, accumulator: Accumulator):
        join: Callable[[Sequence[Ints]], Ints] = lambda parts: np.concatenate(parts, axis=-1)  # noqa: E731
        self.sizes = join(accumulator.batch_sizes)
        self.hits = join(accumulator.batch_hits)
        self.stretch = join(accumulator.batch_stretch)
        self.histogram = join(accumulator.batch_histogram)
        self.events = join(accumulator.batch_events)
        self.event_hits = join(accumulator.batch_event_hits)


def share_of_draws(hits: int, n: int, exact: bool, batches: BatchCounts | None, counts: _Counts) -> Probability:
    """A share of the draws with its error bar: none for an outcome fixed by construction, from
    the batches where they are needed (``counts(batches)``: the hits of each), else binomial."""
    if exact:
        return Probability.exact(hits / n, n)
    if batches is None:
        return Probability.from_counts(hits, n)
    return Probability.from_batches(counts(batches), batches.sizes)


@overload
def batch_sums(values: Floats, size: int) -> Floats: ...


@overload
def batch_sums(values: Bools | npt.NDArray[np.integer], size: int) -> Ints: ...


def batch_sums(values: Floats | Bools | npt.NDArray[np.integer], size: int) -> Floats | Ints:
    """Sums over each run of ``size`` draws, the last one possibly short: (rows, n) -> (rows, n_batches)
    (counts for flags, floats for values).

    A chunk starts on a block boundary and ``size`` divides a block (or is one), so these are the
    same numbers whatever the chunking."""
    rows, n = values.shape
    full = n - n % size
    parts = []
    if full:
        parts.append(values[:, :full].reshape(rows, full // size, size).sum(axis=2))
    if full < n:
        parts.append(values[:, full:].sum(axis=1, keepdims=True))
    return np.concatenate(parts, axis=1) if parts else np.zeros((rows, 0))


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


def _exact_sums(block_sums: list[Floats], rows: int) -> list[float]:
    if not block_sums:
        return [0.0] * rows
    stacked = np.concatenate(block_sums, axis=1)
    return [math.fsum(stacked[row]) for row in range(rows)]
