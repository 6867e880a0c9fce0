"""Quantiles of many draws in bounded memory: a fixed-grid histogram that merges exactly.

A run of 10^7 draws cannot keep every draw of every indicator (that would be gigabytes), so each
indicator's metric is binned as the chunks stream past. The grid is fixed by a *pilot*: the first
block of draws (the same block whatever the chunk size, so results do not depend on chunking),
widened by half its range on each side. Values beyond the grid are counted, and the exact minimum
and maximum are kept.

Error bound (documented in the README): a continuous quantile is interpolated linearly inside its
bin, so it lies within one bin width, ``(pilot range) * 2 / N_BINS`` -- about 1/8000 of the pilot
range, roughly 0.001 standard deviations for a normal metric -- of the sample's inverted-CDF
quantile (the order statistic at rank ceil(q n)). That is far below the Monte Carlo error of any
quantile; other sample-quantile conventions (numpy's default interpolates between neighbouring
draws) differ from it by up to one spacing of the draws, which only matters for a few draws.

Heavy-tailed metrics (judged from the pilot) get bins at the pilot's quantiles instead of an even
grid, fine where the draws are dense; the same bound holds with each quantile's own bin width.

Integer metrics (counts) are counted exactly, one bin per integer, in a window around the pilot
with a sparse tally for values outside it: their quantiles are exact inverted-CDF quantiles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from growthsim.stats.arrays import Floats, Ints

__all__ = ["N_BINS", "QuantileSketch", "add_rows"]

N_BINS = 16_384
_SUB_BINS = 16  # heavy tails: bins per knot interval (1,024 knots -> about N_BINS bins)
_HEAVY_TAIL_RATIO = 12.0  # (p99.9 - p0.1) / IQR: 4.6 for a normal, 9.7 for Student-t df 4, 13 for df 3
_MAX_INTEGER_BINS = 1 << 21  # a dense window of 16 MB at most; values outside go to a sparse tally


class QuantileSketch:
    """Streaming quantiles of one metric. ``integer=True`` for whole-number data (exact)."""

    def __init__(self, pilot: Floats, integer: bool = False):
        pilot = np.asarray(pilot, dtype=float)
        self.edges: Floats | None = None  # heavy tails: knot edges at the pilot's quantiles
        lo, hi = float(pilot.min()), float(pilot.max())
        span = hi - lo
        self.integer = integer
        if integer:
            pad = max(math.ceil(span / 2), 1)
            first = math.floor(lo) - pad
            n_bins = int(math.ceil(hi) - math.floor(lo)) + 2 * pad + 1
            if n_bins > _MAX_INTEGER_BINS:  # centre a window of the largest size on the pilot's median
                n_bins = _MAX_INTEGER_BINS
                first = int(np.median(pilot)) - n_bins // 2
            self.lo = first - 0.5  # bin k covers [lo + k, lo + k + 1), i.e. the integer first + k
            self.width = 1.0
        else:
            # a span so small that a bin's width would underflow to 0 is treated as no span at all
            margin = span / 2 if span > 1e-290 else max(abs(lo) * 1e-9, 1e-12)
            self.lo = lo - margin
            n_bins = N_BINS
            self.width = (span + 2 * margin) / n_bins
            self.edges = _heavy_tail_edges(pilot, lo - margin, hi + margin)
            if self.edges is not None:
                n_bins = (self.edges.size - 1) * _SUB_BINS
        self.n_bins = n_bins
        self.counts = np.zeros(n_bins, dtype=np.int64)
        self.below = 0  # values left of the grid (for integers: also tallied exactly in the sparse part)
        self.above = 0
        self._sparse_values = np.empty(0)
        self._sparse_counts = np.empty(0, dtype=np.int64)
        self.n = 0
        self.min = math.inf
        self.max = -math.inf

    def empty_like(self) -> QuantileSketch:
        """A sketch on the same grid with nothing counted: for draws counted elsewhere, then merged."""
        other = object.__new__(QuantileSketch)
        other.__dict__.update(self.__dict__)
        other.counts = np.zeros_like(self.counts)
        other.below = other.above = other.n = 0
        other._sparse_values, other._sparse_counts = np.empty(0), np.empty(0, dtype=np.int64)
        other.min, other.max = math.inf, -math.inf
        return other

    def merge(self, other: QuantileSketch) -> None:
        """Add the counts of a sketch on the same grid (see empty_like): exact, so merging the
        sketches of parts of the draws gives the sketch of all of them."""
        if other.n_bins != self.n_bins or other.lo != self.lo or other.width != self.width:
            raise ValueError("only sketches on the same grid can be merged")
        self.counts += other.counts
        self.below += other.below
        self.above += other.above
        self.n += other.n
        self.min, self.max = min(self.min, other.min), max(self.max, other.max)
        if other._sparse_values.size:
            self._tally_counts(other._sparse_values, other._sparse_counts)

    @property
    def error_bound(self) -> float:
        """Largest distance between any reported quantile and the sample's inverted-CDF quantile."""
        if self.integer:
            return 0.0
        if self.edges is not None:
            return float(np.diff(self.edges).max()) / _SUB_BINS
        return self.width

    def error_at(self, probabilities: Sequence[float] | Floats) -> float:
        """The bound for these quantiles only: the widest bin any of them falls in."""
        if self.integer or self.edges is None or self.n == 0:
            return self.error_bound
        cumulative = self.below + np.cumsum(self.counts)
        bins = np.searchsorted(cumulative, np.asarray(probabilities, dtype=float) * self.n, side="left")
        if (bins >= self.n_bins).any() or (np.asarray(probabilities) * self.n <= self.below).any():
            return self.error_bound  # a quantile beyond the grid: only the global bound holds
        return float(np.diff(self.edges)[bins // _SUB_BINS].max()) / _SUB_BINS

    def _grid_position(self, values: Floats) -> Floats:
        """Fractional bin coordinate of each value (bin k covers [k, k + 1))."""
        if self.edges is None:
            position: Floats = values - self.lo
            position *= 1.0 / self.width
            return position
        position = np.interp(values, self.edges, np.arange(self.edges.size, dtype=float)) * _SUB_BINS
        position[values < self.edges[0]] = -1.0  # np.interp clamps; keep out-of-grid values out
        position[values >= self.edges[-1]] = self.n_bins
        return position

    def _values_at(self, positions: Floats) -> Floats:
        if self.edges is None:
            return self.lo + positions * self.width
        return np.interp(positions / _SUB_BINS, np.arange(self.edges.size, dtype=float), self.edges)

    def add(self, values: Floats) -> None:
        values = np.asarray(values, dtype=float)
        if values.size == 0:
            return
        self.n += values.size
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        # One bincount over n_bins + 2 slots: slot 0 counts the values left of the grid, slot
        # n_bins + 1 those right of it (clipping before the integer cast also keeps it a floor:
        # every position is >= 0 by then).
        position = self._grid_position(values)
        position += 1.0
        np.clip(position, 0.0, self.n_bins + 1.0, out=position)
        slots = np.bincount(position.astype(np.intp), minlength=self.n_bins + 2)
        self.counts += slots[1:-1]
        below, above = int(slots[0]), int(slots[-1])
        self.below += below
        self.above += above
        if self.integer and (below or above):
            inside = (values >= self.lo) & (values < self.lo + self.n_bins * self.width)
            self._tally(values[~inside])

    def _tally(self, outside: Floats) -> None:
        """Merge integer values outside the dense window into the exact sparse tally."""
        values, counts = np.unique(outside, return_counts=True)
        self._tally_counts(values, counts)

    def _tally_counts(self, values: Floats, counts: Ints) -> None:
        merged = np.concatenate([self._sparse_values, values])
        weights = np.concatenate([self._sparse_counts, counts])
        self._sparse_values, index = np.unique(merged, return_inverse=True)
        self._sparse_counts = np.bincount(index, weights=weights).astype(np.int64)

    def quantiles(self, probabilities: Sequence[float] | Floats) -> Floats:
        """Quantiles for probabilities in [0, 1] (inverted CDF for integers, interpolated otherwise)."""
        probabilities = np.asarray(probabilities, dtype=float)
        if self.n == 0:
            return np.full(probabilities.shape, np.nan)
        if self.min == self.max:
            return np.full(probabilities.shape, self.min)
        if self.integer:
            return self._integer_quantiles(probabilities)
        cumulative = self.below + np.cumsum(self.counts)
        ranks = probabilities.ravel() * self.n
        k = np.minimum(np.searchsorted(cumulative, ranks, side="left"), self.n_bins - 1)
        before = np.where(k > 0, cumulative[k - 1], self.below)
        counts = self.counts[k]
        fraction = np.divide(ranks - before, counts, out=np.zeros(ranks.shape), where=counts > 0)
        values = self._values_at(k + fraction)
        values = np.where(ranks <= self.below, self.min, values)  # below the grid
        values = np.where(ranks > cumulative[-1], self.max, values)  # above it
        return np.clip(values, self.min, self.max).reshape(probabilities.shape)

    def _integer_quantiles(self, probabilities: Floats) -> Floats:
        occupied = np.flatnonzero(self.counts)
        values = np.concatenate([self.lo + 0.5 + occupied, self._sparse_values])
        counts = np.concatenate([self.counts[occupied], self._sparse_counts])
        order = np.argsort(values, kind="stable")
        values, cumulative = values[order], np.cumsum(counts[order])
        ranks = probabilities * self.n
        index = np.minimum(np.searchsorted(cumulative, ranks, side="left"), values.size - 1)
        return values[index]


def _heavy_tail_edges(pilot: Floats, lo: float, hi: float) -> Floats | None:
    """Bin edges at the pilot's quantiles when its tails are heavy, else None (an even grid).

    An even grid over the whole pilot range puts almost every draw of a heavy-tailed metric
    (Student-t with df near 1, a wide lognormal) into a few central bins, so its quantiles would be
    off by far more than their Monte Carlo error. Edges at 1,024 pilot quantiles, each interval cut
    into _SUB_BINS even bins, make bins narrow where the draws are dense. It costs np.interp per
    value (about ten times an even grid), so light-tailed metrics keep the even grid.
    """
    q001, q25, q75, q999 = np.quantile(pilot, [0.001, 0.25, 0.75, 0.999])
    if not q75 > q25 or (q999 - q001) / (q75 - q25) <= _HEAVY_TAIL_RATIO:
        return None
    edges = np.unique(np.concatenate([[lo], np.quantile(pilot, np.linspace(0, 1, 1025)), [hi]]))
    return edges if edges.size >= 3 else None


# The draws an update of several sketches at once takes together: about 512 KB of doubles, so that
# its working arrays stay in the cache (measured: 12 rows of 65,536 draws at once ran at half the
# speed of one row at a time; 16 rows of 4,096 at four times it).
_CACHED_VALUES = 1 << 16


def add_rows(sketches: Sequence[QuantileSketch], values: Floats) -> None:
    """``sketches[k].add(values[k])`` for every k, even-grid ones a few rows at a time in one
    bincount: each row's grid positions are worked out as ``add`` does (the same operations, so
    the same counts), every row's slots offset into one array. A chunk of 1,000 indicators paid
    ~100 us a row for the calls alone. Sketches on heavy-tail knots and integer ones are added
    one by one."""
    even = [k for k, sketch in enumerate(sketches) if sketch.edges is None and not sketch.integer]
    for k, sketch in enumerate(sketches):
        if sketch.edges is not None or sketch.integer:
            sketch.add(values[k])
    if not even or values.shape[1] == 0:
        return
    rows_at_once = max(1, _CACHED_VALUES // values.shape[1])
    if rows_at_once == 1:
        for k in even:
            sketches[k].add(values[k])
        return
    for first in range(0, len(even), rows_at_once):
        group = even[first : first + rows_at_once]
        _add_even([sketches[k] for k in group], values[group])


def _add_even(group: list[QuantileSketch], rows: Floats) -> None:
    width = max(sketch.n_bins for sketch in group) + 2  # slot 0 below the grid, n_bins + 1 above it
    position = rows - np.array([[sketch.lo] for sketch in group])
    position *= np.array([[1.0 / sketch.width] for sketch in group])
    position += 1.0
    np.clip(position, 0.0, np.array([[sketch.n_bins + 1.0] for sketch in group]), out=position)
    slots = position.astype(np.intp)
    slots += (np.arange(len(group)) * width)[:, np.newaxis]
    counted = np.bincount(slots.ravel(), minlength=len(group) * width).reshape(len(group), width)
    lowest, highest = rows.min(axis=1), rows.max(axis=1)
    for k, sketch in enumerate(group):
        sketch.n += rows.shape[1]
        sketch.min = min(sketch.min, float(lowest[k]))
        sketch.max = max(sketch.max, float(highest[k]))
        sketch.counts += counted[k, 1 : sketch.n_bins + 1]
        sketch.below += int(counted[k, 0])
        sketch.above += int(counted[k, sketch.n_bins + 1])
