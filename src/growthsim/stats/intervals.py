"""Monte Carlo error bars: the standard error and 95% interval of every estimate growthsim reports.

Which formula is right depends on how the draws were made, not on what is estimated:

* **Independent draws** (plain Monte Carlo with independent inputs or the Gaussian copula, which
  correlates each draw on its own): a share of hits is binomial, SE sqrt(p(1 - p)/n), with the
  Wilson interval (honest near 0 and 1).
* **Batches** (Iman-Conover rearranges each group of draws as a whole, so the draws of a group
  are dependent; a Latin hypercube or Sobol' replicate is a design, stratified on purpose): the
  batches are independent and alike, the draws inside one are not, so the binomial formula is
  wrong (measured: 2.5x too small for a difference of two strongly correlated inputs under
  Iman-Conover, 15% too large for weakly correlated ones, far too large for lhs and sobol). The
  error comes from how much the batches' own estimates differ: every estimate is a ratio of
  batch totals, sum(y_b) / sum(x_b), whose variance the cluster (ratio) estimator gives,
  B/(B - 1) * sum((y_b - R x_b)^2) / (sum x_b)^2, with Student's t on B - 1 degrees of freedom
  for the interval. Batches of unequal size (a run's last, short one) are weighted by their size.

A reported SE is zero only for an outcome that is the same on every draw by construction
(``deterministic``); a share that merely came out 0 or 1 gets the SE its interval implies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import overload

import numpy as np

from growthsim.stats.arrays import Floats, Ints

__all__ = [
    "Z_95",
    "Estimate",
    "Probability",
    "batch_floor",
    "batch_ratio",
    "mean_estimate",
    "t_95",
    "wilson_interval",
]

Z_95 = 1.959963984540054  # the standard normal's 97.5% quantile


def t_95(degrees_of_freedom: int) -> float:
    """Student's t 97.5% quantile (scipy.special, not scipy.stats: a cold run stays fast)."""
    from scipy import special

    return float(special.stdtrit(degrees_of_freedom, 0.975))


@dataclass(frozen=True)
class Probability:
    """An estimated probability with its Monte Carlo standard error and 95% interval."""

    p: float
    se: float
    ci: tuple[float, float]
    n: int

    @property
    def margin(self) -> float:
        """Half the 95% interval: the '±' shown beside p (the interval itself may be lopsided)."""
        return (self.ci[1] - self.ci[0]) / 2

    @classmethod
    def exact(cls, p: float, n: int) -> Probability:
        """An outcome that is the same on every draw by construction: no Monte Carlo error."""
        return cls(p, 0.0, (p, p), n)

    @classmethod
    def from_counts(cls, hits: int, n: int) -> Probability:
        """From ``hits`` of ``n`` independent draws: binomial SE and Wilson interval. When no draw
        (or every draw) hits, the binomial SE would be 0; the SE is then the one the interval
        implies (its width over 2 z), since the outcome was not certain, only unobserved."""
        p = hits / n
        ci = wilson_interval(hits, n)
        se = math.sqrt(p * (1 - p) / n) if 0 < hits < n else (ci[1] - ci[0]) / (2 * Z_95)
        return cls(p, se, ci, n)

    @classmethod
    def from_batches(cls, hits: Ints, sizes: Ints) -> Probability:
        """From the hit counts of independent batches of ``sizes`` draws each (see the module's
        docstring). Batches can agree exactly (a stratified design hits a target on one input in
        the same number of strata each time; or no draw hits at all), so the SE is floored at half
        a hit per batch: estimates cannot be told apart more finely than that, and an error bar of
        zero would claim an exactness the draws do not have."""
        hits, sizes = np.asarray(hits, dtype=np.int64), np.asarray(sizes, dtype=np.int64)
        total, n = int(hits.sum()), int(sizes.sum())
        if hits.size < 2:
            return cls.from_counts(total, n)
        p, se, dof = batch_ratio(hits, sizes)
        se = max(se, batch_floor(hits.size, n))
        half = t_95(dof) * se
        return cls(p, se, (min(max(0.0, p - half), p), max(min(1.0, p + half), p)), n)


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate that is not a probability (expected hits, a difference of two
    probabilities), with its standard error and 95% interval."""

    value: float
    se: float
    ci: tuple[float, float]

    @property
    def margin(self) -> float:
        return (self.ci[1] - self.ci[0]) / 2


def wilson_interval(hits: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval: honest near 0 and 1, where p ± 2se would leave [0, 1]."""
    p = hits / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Rounding can put a bound a hair on the wrong side of p = 0 or 1: the interval always holds p.
    return min(max(0.0, centre - half), p), max(min(1.0, centre + half), p)


def batch_floor(batches: int, n: int) -> float:
    """The smallest SE a batched estimate is given: half a hit (or half a differing draw) per
    batch, sqrt(batches)/2 over n. Batches that agree exactly do not make an estimate exact."""
    return 0.5 * math.sqrt(batches) / n


def batch_ratio(totals: Floats | Ints, sizes: Floats | Ints) -> tuple[float, float, int]:
    """(R, SE of R, degrees of freedom) for R = sum(totals) / sum(sizes) over independent batches:
    ``totals[b]`` is what batch b adds up (hits, hit counts, differences), ``sizes[b]`` what it
    divides by (its draws, or the draws on which an event occurred)."""
    totals, sizes = np.asarray(totals, dtype=float), np.asarray(sizes, dtype=float)
    batches = totals.size
    denominator = math.fsum(sizes)
    ratio = math.fsum(totals) / denominator
    residuals = totals - ratio * sizes
    variance = batches / (batches - 1) * math.fsum(residuals * residuals) / denominator**2
    return ratio, math.sqrt(variance), batches - 1


@overload
def mean_estimate(
    totals: float, sizes: None = None, *, n: int, sum_squares: float, bounds: tuple[float, float] = ...
) -> Estimate: ...


@overload
def mean_estimate(
    totals: Floats | Ints,
    sizes: Floats | Ints,
    *,
    n: None = None,
    sum_squares: None = None,
    bounds: tuple[float, float] = ...,
) -> Estimate: ...


def mean_estimate(
    totals: float | Floats | Ints,
    sizes: Floats | Ints | None = None,
    *,
    n: int | None = None,
    sum_squares: float | None = None,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> Estimate:
    """The mean of a per-draw quantity, from batch totals (``totals``, ``sizes``) or, for
    independent draws, from its sum (``totals``, a number), ``sum_squares`` and ``n``; the interval
    is clipped to ``bounds``. A quantity that is zero on every draw (sum_squares 0, or every batch
    total 0 with nothing to floor) is exactly 0."""
    if sizes is None:
        assert n is not None and sum_squares is not None  # the first overload: a sum comes with them
        mean = float(totals) / n
        variance = max(sum_squares / n - mean * mean, 0.0) * n / max(n - 1, 1)
        se, half = math.sqrt(variance / n), Z_95 * math.sqrt(variance / n)
    else:
        assert isinstance(totals, np.ndarray)  # the second overload: batch totals come with their sizes
        mean, se, dof = batch_ratio(totals, sizes)
        half = t_95(dof) * se
    return Estimate(mean, se, (max(bounds[0], mean - half), min(bounds[1], mean + half)))
