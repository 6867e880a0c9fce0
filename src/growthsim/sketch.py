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

Integer metrics (counts) are counted exactly, one bin per integer, in a window around the pilot
with a sparse tally for values outside it: their quantiles are exact inverted-CDF quantiles.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["QuantileSketch", "N_BINS"]

N_BINS = 16_384
_MAX_INTEGER_BINS = 1 << 21  # a dense window of 16 MB at most; values outside go to a sparse tally


class QuantileSketch:
    """Streaming quantiles of one metric. ``integer=True`` for whole-number data (exact)."""

    def __init__(self, pilot: np.ndarray, integer: bool = False):
        pilot = np.asarray(pilot, dtype=float)
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
            pad = span / 2 if span > 0 else max(abs(lo) * 1e-9, 1e-12)
            self.lo = lo - pad
            n_bins = N_BINS
            self.width = (span + 2 * pad) / n_bins
        self.n_bins = n_bins
        self.counts = np.zeros(n_bins, dtype=np.int64)
        self.below = 0  # values left of the grid (for integers: also tallied exactly in the sparse part)
        self.above = 0
        self._sparse_values = np.empty(0)
        self._sparse_counts = np.empty(0, dtype=np.int64)
        self.n = 0
        self.min = math.inf
        self.max = -math.inf

    @property
    def error_bound(self) -> float:
        """Largest distance between a reported quantile and the sample's inverted-CDF quantile."""
        return 0.0 if self.integer else self.width

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=float)
        if values.size == 0:
            return
        self.n += values.size
        self.min = min(self.min, float(values.min()))
        self.max = max(self.max, float(values.max()))
        position = np.floor((values - self.lo) / self.width)
        inside = (position >= 0) & (position < self.n_bins)
        self.below += int(np.count_nonzero(position < 0))
        self.above += int(np.count_nonzero(position >= self.n_bins))
        self.counts += np.bincount(position[inside].astype(np.intp), minlength=self.n_bins)
        if self.integer and not inside.all():
            self._tally(values[~inside])

    def _tally(self, outside: np.ndarray) -> None:
        """Merge integer values outside the dense window into the exact sparse tally."""
        values, counts = np.unique(outside, return_counts=True)
        merged = np.concatenate([self._sparse_values, values])
        weights = np.concatenate([self._sparse_counts, counts])
        self._sparse_values, index = np.unique(merged, return_inverse=True)
        self._sparse_counts = np.bincount(index, weights=weights).astype(np.int64)

    def quantiles(self, probabilities) -> np.ndarray:
        """Quantiles for probabilities in [0, 1] (inverted CDF for integers, interpolated otherwise)."""
        probabilities = np.asarray(probabilities, dtype=float)
        if self.n == 0:
            return np.full(probabilities.shape, np.nan)
        if self.min == self.max:
            return np.full(probabilities.shape, self.min)
        if self.integer:
            return self._integer_quantiles(probabilities)
        cumulative = self.below + np.cumsum(self.counts)
        out = np.empty(probabilities.shape)
        for i, p in enumerate(probabilities.flat):
            rank = p * self.n
            if rank <= self.below:
                out.flat[i] = self.min
                continue
            if rank > cumulative[-1]:
                out.flat[i] = self.max
                continue
            k = int(np.searchsorted(cumulative, rank, side="left"))
            before = cumulative[k - 1] if k > 0 else self.below
            fraction = (rank - before) / self.counts[k] if self.counts[k] else 0.0
            value = self.lo + (k + fraction) * self.width
            out.flat[i] = min(max(value, self.min), self.max)
        return out

    def _integer_quantiles(self, probabilities: np.ndarray) -> np.ndarray:
        occupied = np.flatnonzero(self.counts)
        values = np.concatenate([self.lo + 0.5 + occupied, self._sparse_values])
        counts = np.concatenate([self.counts[occupied], self._sparse_counts])
        order = np.argsort(values, kind="stable")
        values, cumulative = values[order], np.cumsum(counts[order])
        ranks = probabilities * self.n
        index = np.minimum(np.searchsorted(cumulative, ranks, side="left"), values.size - 1)
        return values[index]
