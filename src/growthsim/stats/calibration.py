"""Fitting the spread of a record of errors (outcome minus target, year by year) as a split normal,
robustly, and pooling short records across places by empirical Bayes.

A record of a place's targets and outcomes is short (ten to fifteen years) and has outliers (a
pandemic year), and its errors are skewed (growth targets are missed by more than they are beaten).
So:

* **The fit** is the maximum-likelihood split normal (mode, a downside and an upside sd) of the
  errors *winsorized* at ``WINSOR`` of their own fitted sds from the mode, iterated from the median
  and the normalized MAD: an outlier counts as a value at 2.5 sd, not at its full size, so one
  pandemic year cannot double a spread, while a record without outliers is fitted as it is.
  Winsorizing a normal at 2.5 sd shrinks its second moment by a known factor
  (0.978 at 2.5 sd), divided out, and the sds use n - 1 (like a sample sd), so a
  record drawn from a split normal is recovered without bias.
  Given the mode, the split normal's likelihood is maximised at sd_down = S1^(1/3) (S1^(1/3) +
  S2^(1/3))^(1/2) / sqrt(n) (S1, S2: the sums of squared deviations below and above it; Villani &
  Larsson 2006), and the mode itself minimises S1^(1/3) + S2^(1/3) (the profile likelihood).
* **Pooling** (``shrink``): a normal-normal model. Each place's estimate y_i (a bias, or the log of
  a spread) has sampling variance v_i; the places' true values are N(M, tau^2). tau^2 is estimated
  by the method of moments (DerSimonian & Laird 1986), M as the precision-weighted mean, and each
  estimate moves towards M by the weight B_i = v_i / (v_i + tau^2): a short or noisy record moves
  far, a long one little, and when the places agree (tau^2 = 0) all take the pooled value.

Everything here is arithmetic on arrays of numbers; what the numbers mean is the analysis's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from growthsim.stats.arrays import Floats

__all__ = [
    "MAX_ASYMMETRY",
    "MIN_POOL",
    "WINSOR",
    "Pooled",
    "SplitNormalFit",
    "fit_split_normal",
    "robust_scale",
    "shrink",
    "split_normal_cdf",
    "split_normal_quantile",
]

MAD_TO_SD = 1.482602218505602  # 1 / Phi^-1(3/4): the normalized MAD estimates a normal's sd
WINSOR = 2.5  # errors beyond 2.5 fitted sds from the mode count as at 2.5 sds
MAX_ASYMMETRY = 3.0  # neither half's sd below a third of the other's (see _profile_mode)
MIN_POOL = 3  # places needed to estimate how far they differ (tau^2); with fewer, no pooling
_ITERATIONS = 20


def _winsor_consistency(c: float) -> float:
    """E[min(|Z|, c)^2] for a standard normal Z: a half-normal's second moment after winsorizing at c."""
    tail = 0.5 * math.erfc(c / math.sqrt(2))  # P(Z > c)
    density = math.exp(-c * c / 2) / math.sqrt(2 * math.pi)
    return 1.0 - 2.0 * (c * density + tail) + 2.0 * c * c * tail


def robust_scale(x: Floats) -> float:
    """The normalized median absolute deviation (a normal's sd, unmoved by a few outliers); where
    more than half the values are equal, the mean absolute deviation from the median scaled to a
    normal's sd; 0 for a constant record."""
    x = np.asarray(x, dtype=float)
    deviations = np.abs(x - np.median(x))
    mad = float(np.median(deviations)) * MAD_TO_SD
    if mad > 0:
        return mad
    return float(deviations.mean()) * math.sqrt(math.pi / 2)


@dataclass(frozen=True)
class SplitNormalFit:
    """A split normal fitted to n errors; ``winsorized``: how many were pulled in to WINSOR sds."""

    mode: float
    sd_down: float
    sd_up: float
    n: int
    winsorized: int = 0

    @property
    def sd(self) -> float:
        """The sd of the fitted law itself (both halves): sqrt of its variance."""
        s1, s2 = self.sd_down, self.sd_up
        return math.sqrt((1 - 2 / math.pi) * (s2 - s1) ** 2 + s1 * s2)

    @property
    def mode_variance(self) -> float:
        """The sampling variance of the mode, approximately: the halves' mean variance over n (as a
        mean's; the pooling's v_i)."""
        return (self.sd_down**2 + self.sd_up**2) / 2 / self.n

    def side_counts(self, x: Floats) -> tuple[int, int]:
        x = np.asarray(x, dtype=float)
        return int(np.count_nonzero(x < self.mode)), int(np.count_nonzero(x >= self.mode))


def _sides(x: Floats, mode: float) -> tuple[float, float]:
    d = x - mode
    below = d < 0
    return float(np.sum(d[below] ** 2)), float(np.sum(d[~below] ** 2))


def _profile_mode(x: Floats) -> float:
    """The mode maximising the split normal's profile likelihood, the minimum of S1^(1/3) + S2^(1/3),
    sought between the values' quartiles (found on a grid, refined by golden section).

    Unrestricted, a short record's likelihood is often highest with the mode on its largest or
    smallest value and one half's sd 0 (measured: a third of 12-year records drawn from a split
    normal 2:1): a target that can never be beaten. Between the quartiles, a quarter of the
    record lies on each side of the mode, which is the split normal's shape for halves up to 3:1."""

    def cost(mode: float) -> float:
        s1, s2 = _sides(x, mode)
        return float(s1 ** (1 / 3) + s2 ** (1 / 3))

    lo, hi = (float(q) for q in np.quantile(x, [0.25, 0.75]))
    if hi <= lo:
        return float(lo)
    grid = np.linspace(lo, hi, 201)
    costs = np.array([cost(m) for m in grid])
    k = int(np.argmin(costs))
    a, b = float(grid[max(k - 1, 0)]), float(grid[min(k + 1, grid.size - 1)])
    ratio = (math.sqrt(5) - 1) / 2
    for _step in range(60):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if cost(c) <= cost(d):
            b = d
        else:
            a = c
    return (a + b) / 2


def _mle(x: Floats, consistency: float) -> tuple[float, float, float]:
    n = x.size
    mode = _profile_mode(x)
    s1, s2 = (s / consistency for s in _sides(x, mode))
    a, b = s1 ** (1 / 3), s2 ** (1 / 3)
    scale = math.sqrt((a + b) / max(n - 1, 1))  # n - 1: a sample sd's degrees of freedom
    return mode, a * scale, b * scale


def fit_split_normal(errors: Floats, winsor: float | None = WINSOR) -> SplitNormalFit:
    """The robust split-normal fit of ``errors`` (at least two values): see the module's docstring.
    ``winsor=None`` gives the plain maximum-likelihood fit."""
    x = np.asarray(errors, dtype=float)
    if x.size < 2:
        raise ValueError("a spread needs at least two errors")
    if winsor is None:
        mode, s1, s2 = _mle(x, 1.0)
        return SplitNormalFit(mode, s1, s2, x.size)
    consistency = _winsor_consistency(winsor)
    centre = float(np.median(x))
    spread = robust_scale(x)
    if spread == 0:
        return SplitNormalFit(centre, 0.0, 0.0, x.size)
    low, high = centre - winsor * spread, centre + winsor * spread
    previous = None
    for _step in range(_ITERATIONS):
        clipped = np.clip(x, low, high)
        mode, s1, s2 = _mle(clipped, consistency)
        bounds = (mode - winsor * s1, mode + winsor * s2)
        if previous is not None and np.allclose(bounds, previous, rtol=0, atol=1e-12 * (1 + spread)):
            break
        previous = bounds
        low, high = bounds
    winsorized = int(np.count_nonzero((x < low) | (x > high)))
    # a short record can still put almost nothing on one side: held at MAX_ASYMMETRY, the shape the
    # quartile restriction assumes
    s1, s2 = max(s1, s2 / MAX_ASYMMETRY), max(s2, s1 / MAX_ASYMMETRY)
    return SplitNormalFit(mode, s1, s2, x.size, winsorized)


def split_normal_cdf(x: float, mode: float, sd_down: float, sd_up: float) -> float:
    """P(X <= x) for the split normal (stats.distributions.SplitNormal's law)."""
    total = sd_down + sd_up
    if total == 0:
        return 1.0 if x >= mode else 0.0
    if x < mode:
        return 2 * sd_down / total * float(special.ndtr((x - mode) / sd_down))
    if sd_up == 0:
        return 1.0
    return 1.0 - 2 * sd_up / total * float(special.ndtr((mode - x) / sd_up))


def split_normal_quantile(p: float, mode: float, sd_down: float, sd_up: float) -> float:
    """The p-quantile of the split normal."""
    total = sd_down + sd_up
    if total == 0:
        return mode
    if p <= sd_down / total:
        return mode + sd_down * float(special.ndtri(p * total / (2 * sd_down)))
    return mode - sd_up * float(special.ndtri((1 - p) * total / (2 * sd_up)))


@dataclass(frozen=True)
class Pooled:
    """Estimates moved towards their pool: ``values[i] = weights[i] * pooled + (1 - weights[i]) *
    estimates[i]``; ``tau2``: the variance of the true values across the places (0: they agree)."""

    values: Floats
    weights: Floats
    pooled: float
    tau2: float


def shrink(estimates: Sequence[float] | Floats, variances: Sequence[float] | Floats) -> Pooled:
    """The normal-normal empirical-Bayes shrinkage of ``estimates`` with sampling ``variances``
    (DerSimonian-Laird tau^2): see the module's docstring. Needs MIN_POOL estimates or more."""
    y = np.asarray(estimates, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.size < MIN_POOL:
        raise ValueError(f"pooling needs at least {MIN_POOL} estimates")
    if (v <= 0).any():
        raise ValueError("sampling variances must be positive")
    w = 1 / v
    fixed = float(np.sum(w * y) / np.sum(w))
    q = float(np.sum(w * (y - fixed) ** 2))
    tau2 = max(0.0, (q - (y.size - 1)) / (float(np.sum(w)) - float(np.sum(w**2)) / float(np.sum(w))))
    w_star = 1 / (v + tau2)
    pooled = float(np.sum(w_star * y) / np.sum(w_star))
    weights = v / (v + tau2)
    return Pooled(weights * pooled + (1 - weights) * y, weights, pooled, tau2)
