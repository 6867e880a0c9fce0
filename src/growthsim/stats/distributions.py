"""Probability distributions, all sampled by inverse CDF.

Every distribution maps uniforms ``u`` in (0, 1) to values through its quantile function ``ppf``.
Sampling by inverse CDF (rather than with a generator's own normal or Poisson routines) is what lets
Latin hypercube or Sobol uniforms be swapped in, and what gives two scenarios common random numbers:
the same uniforms for the same indicator give paired draws.

Which of them a scenario file may name, with what parameters, is scenario.families.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol, TypeAlias, cast

import numpy as np
import numpy.typing as npt
from scipy import special

from growthsim.stats.arrays import Floats

# The open interval every uniform is held in before a quantile function sees it: Generator.random()
# may return 0.0, and ppf(0) or ppf(1) would be an infinite value. One pair for every design
# (mc, lhs, sobol), the copulas and the round trips through normal scores.
SMALLEST_UNIFORM = 2.0**-54
LARGEST_UNIFORM = 1.0 - 2.0**-53


__all__ = [
    "Distribution",
    "as_quantity",
    "clip_uniform",
    "quantile_of",
    "quantity_at",
]


def clip_uniform(u: Floats, out: Floats | None = None) -> Floats:
    """``u`` held in [SMALLEST_UNIFORM, LARGEST_UNIFORM] (in place with ``out=u``)."""
    return np.clip(u, SMALLEST_UNIFORM, LARGEST_UNIFORM, out=out)


class Distribution:
    """A distribution of one assumption. ``ppf(u)`` maps uniforms of shape (n,) to values (n,)."""

    name: str = ""
    discrete: bool = False
    # Its values are a cheap function of a normal score (from_normal_score needs no CDF): plain
    # Monte Carlo draws it from normal scores directly, which costs half a uniform through ndtri.
    from_scores: bool = False

    def ppf(self, u: Floats) -> Floats:  # pragma: no cover - abstract
        raise NotImplementedError

    def from_normal_score(self, z: Floats) -> Floats:
        """The value whose normal score is z: ppf(Phi(z)). Normal-family distributions override this
        to skip the round trip through a uniform (the Gaussian copula works in normal scores)."""
        u = special.ndtr(z)
        return self.ppf(clip_uniform(u, out=u))

    def describe(self) -> dict[str, float | list[float]]:
        """The parameters in canonical form, in code units (rates as fractions)."""
        return dict(self._params)

    _params: dict[str, float | list[float]]  # the parameters in canonical form: each law sets them in __init__

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.describe() == other.describe()

    def __hash__(self) -> int:
        return hash((self.name, repr(sorted(self.describe().items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.describe().items())
        return f"{type(self).__name__}({args})"


class Normal(Distribution):
    name = "normal"
    from_scores = True

    def __init__(self, mean: float, sd: float):
        self.mean, self.sd = mean, sd
        self._params = {"mean": mean, "sd": sd}

    def ppf(self, u: Floats) -> Floats:
        return self.from_normal_score(special.ndtri(u))

    def from_normal_score(self, z: Floats) -> Floats:
        x = z * self.sd
        x += self.mean
        return x


class LogNormal(Distribution):
    """shift + exp(N(mu, sigma^2)), parametrised by the mean and sd of the variable itself."""

    name = "lognormal"
    from_scores = True

    def __init__(self, mean: float, sd: float, shift: float = 0.0):
        self.mean, self.sd, self.shift = mean, sd, shift
        m = mean - shift
        self.sigma = math.sqrt(math.log1p((sd / m) ** 2))
        self.mu = math.log(m) - self.sigma**2 / 2
        self._params = {"mean": mean, "sd": sd, "shift": shift}

    def ppf(self, u: Floats) -> Floats:
        return self.from_normal_score(special.ndtri(u))

    def from_normal_score(self, z: Floats) -> Floats:
        x = z * self.sigma
        x += self.mu
        np.exp(x, out=x)
        x += self.shift
        return x


class Uniform(Distribution):
    name = "uniform"

    def __init__(self, min: float, max: float):
        self.lo, self.hi = min, max
        self._params = {"min": min, "max": max}

    def ppf(self, u: Floats) -> Floats:
        return self.lo + (self.hi - self.lo) * u


class Triangular(Distribution):
    name = "triangular"

    def __init__(self, min: float, mode: float, max: float):
        self.lo, self.mode, self.hi = min, mode, max
        self._params = {"min": min, "mode": mode, "max": max}

    def ppf(self, u: Floats) -> Floats:
        return self._ppf_in_place(np.array(u, dtype=float))

    def from_normal_score(self, z: Floats) -> Floats:
        # ndtr's uniforms are this call's own, so they are worked in place; the triangle's inverse
        # is finite at 0 and 1, so they need no clipping (measured: 15% off this law's cost)
        return self._ppf_in_place(special.ndtr(z))

    def _ppf_in_place(self, u: Floats) -> Floats:
        """ppf(u), overwriting ``u``: lo + sqrt(u w (c - lo)) below the mode, hi - sqrt((1 - u) w
        (hi - c)) above it, one square root a draw and no temporary beyond one array and a mask."""
        lo, c, hi = self.lo, self.mode, self.hi
        width = hi - lo
        below = u < (c - lo) / width
        x = np.subtract(1.0, u)
        x *= width * (hi - c)
        u *= width * (c - lo)
        np.copyto(x, u, where=below)
        np.sqrt(x, out=x)
        np.subtract(hi, x, out=u)
        np.add(lo, x, out=u, where=below)
        return u


class Pert(Distribution):
    """Beta-PERT: min + (max - min) * Beta(a, b) with the mode weighted by ``lambda`` (4 classically)."""

    name = "pert"

    def __init__(self, min: float, mode: float, max: float, lamb: float = 4.0):
        self.lo, self.mode, self.hi, self.lamb = min, mode, max, lamb
        width = max - min
        self.a = 1 + lamb * (mode - min) / width
        self.b = 1 + lamb * (max - mode) / width
        self._params = {"min": min, "mode": mode, "max": max, "lambda": lamb}

    def ppf(self, u: Floats) -> Floats:
        return self.lo + (self.hi - self.lo) * special.betaincinv(self.a, self.b, u)


class SplitNormal(Distribution):
    """Two-piece normal (the Bank of England fan-chart form): a mode, a downside and an upside sd.

    The density is a normal with sd_down left of the mode and one with sd_up right of it, scaled to
    join at the mode; P(X <= mode) = sd_down / (sd_down + sd_up).
    """

    name = "split_normal"

    def __init__(self, mode: float, sd_down: float, sd_up: float):
        self.mode, self.sd_down, self.sd_up = mode, sd_down, sd_up
        self._params = {"mode": mode, "sd_down": sd_down, "sd_up": sd_up}

    def ppf(self, u: Floats) -> Floats:
        s1, s2 = self.sd_down, self.sd_up
        total = s1 + s2
        below = u <= s1 / total
        # Both halves through the lower tail of one ndtri: below the mode Phi^-1(u * total / (2 s1));
        # above it, mirrored, -Phi^-1((1 - u) * total / (2 s2)), which stays finite and precise as
        # u -> 1, where (u - p) * c + 1/2 would round to 1.
        argument = np.where(below, u * (total / (2 * s1)), (1.0 - u) * (total / (2 * s2)))
        x = special.ndtri(argument)
        x *= np.where(below, s1, -s2)
        x += self.mode
        return x


class StudentT(Distribution):
    name = "student_t"

    def __init__(self, mean: float, scale: float, df: float):
        self.mean, self.scale, self.df = mean, scale, df
        self._params = {"mean": mean, "scale": scale, "df": df}

    def ppf(self, u: Floats) -> Floats:
        # cast: scipy-stubs give stdtrit float32 | float64 (it has both loops); float64 uniforms get float64
        return cast(Floats, self.mean + self.scale * special.stdtrit(self.df, u))


class Fixed(Distribution):
    name = "fixed"

    def __init__(self, value: float):
        self.value = value
        self._params = {"value": value}

    def ppf(self, u: Floats) -> Floats:
        return np.full(np.shape(u), self.value, dtype=float)


class Empirical(Distribution):
    """Resampling of a list of values with equal weights (monotone in u, so draws stay paired)."""

    name = "empirical"

    def __init__(self, values: Sequence[float]):
        self.values: Floats = np.sort(np.asarray(values, dtype=float))
        self._params = {"values": [float(v) for v in values]}

    def ppf(self, u: Floats) -> Floats:
        n = self.values.size
        index = np.minimum((u * n).astype(np.intp), n - 1)
        return self.values[index]


_TABLE_FIELDS = ("_support", "_cdf", "_cdf_below", "_guide", "_guide_size")
# the fields above, as _TabulatedDiscrete holds them
_Table: TypeAlias = tuple[
    npt.NDArray[np.intp] | None, Floats | None, float | None, npt.NDArray[np.intp] | None, int | None
]
# (class, mean, sd) -> the fields above: tables built once per process
_TABLES: dict[tuple[type[Distribution], float, float], _Table] = {}


class _FrozenLaw(Protocol):
    """What the fallbacks use of a frozen scipy.stats distribution."""

    def ppf(self, q: Floats, /) -> Floats: ...


class _TabulatedDiscrete(Distribution):
    """A count distribution sampled by looking up a precomputed CDF table (exact inverse CDF).

    The table spans the quantiles 1e-15 .. 1 - 1e-15, which uniforms from a 53-bit generator reach
    only with probability ~1e-15; beyond it we fall back to scipy's own ppf. The table is built
    from the CDF in scipy.special (what scipy.stats uses inside), so a run does not pay the ~0.3 s
    import of scipy.stats unless such a fallback is needed.
    """

    discrete = True
    _MAX_TABLE = 5_000_000

    # The table (_TABLE_FIELDS), built by _build_table or shared through _TABLES. _support is None
    # when it would be too large (scipy's ppf is used instead), and then so are the others.
    _support: npt.NDArray[np.intp] | None
    _cdf: Floats | None
    _cdf_below: float | None
    _guide: npt.NDArray[np.intp] | None
    _guide_size: int | None

    def _cdf_of(self, k: npt.NDArray[np.integer]) -> Floats:  # pragma: no cover - abstract
        raise NotImplementedError

    def _frozen(self) -> _FrozenLaw:  # pragma: no cover - abstract
        """The scipy.stats distribution, for the rare fallbacks."""
        raise NotImplementedError

    def _tabulate(self, mean: float, sd: float) -> None:
        # A table takes ~10 ms to build, and goal seeks read the same scenario tens of times.
        key = (type(self), mean, sd)
        if key not in _TABLES:
            if len(_TABLES) >= 256:
                _TABLES.pop(next(iter(_TABLES)))
            self._build_table(mean, sd)
            _TABLES[key] = tuple(getattr(self, name) for name in _TABLE_FIELDS)
            for array in (self._support, getattr(self, "_cdf", None), getattr(self, "_guide", None)):
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False  # shared by every instance with these parameters
        for name, value in zip(_TABLE_FIELDS, _TABLES[key], strict=True):
            setattr(self, name, value)

    def _build_table(self, mean: float, sd: float) -> None:
        self._cdf = self._cdf_below = self._guide = self._guide_size = None
        lo = max(int(mean - 40 * sd), 0)  # far below the 1e-15 quantile: these left tails are light
        hi = int(mean + 10 * sd) + 10
        while self._cdf_of(np.array([hi]))[0] < 1 - 1e-15:  # heavy right tails: widen until past it
            hi *= 2
            if hi - lo > self._MAX_TABLE:  # enormous counts: scipy's ppf directly, slower but exact
                self._support = None
                return
        # bracket the two quantiles on a coarse grid first, then tabulate only between them
        coarse = np.unique(np.linspace(lo, hi, 1025).astype(np.int64))
        coarse_cdf = self._cdf_of(coarse)
        lo = int(coarse[max(int(np.searchsorted(coarse_cdf, 1e-15, side="right")) - 1, 0)])
        hi = int(coarse[min(int(np.searchsorted(coarse_cdf, 1 - 1e-15, side="left")), coarse.size - 1)])
        if hi - lo > self._MAX_TABLE:  # a count so spread that even its central table is enormous
            self._support = None
            return
        support = np.arange(lo, hi + 1)
        cdf = self._cdf_of(support)
        first = max(int(np.searchsorted(cdf, 1e-15, side="right")) - 1, 0)  # the last entry still below 1e-15
        last = int(np.searchsorted(cdf, 1 - 1e-15, side="left"))
        self._support = support[first : last + 1]
        self._cdf = cdf[first : last + 1]
        self._cdf_below = float(self._cdf_of(np.array([self._support[0] - 1]))[0]) if self._support[0] > 0 else 0.0
        # A guide table (Chen & Asau): guide[j] is the first index whose CDF reaches j / G. A
        # uniform in [j/G, (j+1)/G) has its answer between guide[j] and guide[j + 1]: with G four
        # times the table, that is one comparison for almost every draw instead of a binary search.
        self._guide_size = 4 * self._support.size
        self._guide = np.searchsorted(self._cdf, np.arange(self._guide_size + 1) / self._guide_size)

    def _index(self, u: Floats) -> npt.NDArray[np.intp]:
        """The first table index whose CDF is >= u (what searchsorted 'left' gives), via the guide."""
        # only ppf calls this, once it has a table: _build_table sets these with _support
        assert self._guide_size is not None and self._guide is not None and self._cdf is not None
        cell = np.minimum((u * self._guide_size).astype(np.intp), self._guide_size - 1)
        first, last = self._guide[cell], self._guide[cell + 1]
        last_entry = self._cdf.size - 1
        index = first + (self._cdf[np.minimum(first, last_entry)] < u)
        wide = last - first > 1
        if wide.any():  # cells spanning several table entries (the tails): search them properly
            index[wide] = np.searchsorted(self._cdf, u[wide], side="left")
        return index

    def ppf(self, u: Floats) -> Floats:
        if self._support is None:
            return self._frozen().ppf(u).astype(float)
        index = self._index(u)
        assert self._cdf_below is not None  # set with _support (see _build_table)
        out = self._support[np.minimum(index, self._support.size - 1)].astype(float)
        outside = (index >= self._support.size) | (u <= self._cdf_below)
        if outside.any():
            out[outside] = self._frozen().ppf(u[outside])
        return out


class Poisson(_TabulatedDiscrete):
    name = "poisson"

    def __init__(self, mean: float):
        self.mean = mean
        self._params = {"mean": mean}
        self._tabulate(mean, math.sqrt(mean))

    def _cdf_of(self, k: npt.NDArray[np.integer]) -> Floats:
        return np.where(k >= 0, special.pdtr(np.maximum(k, 0), self.mean), 0.0)

    def _frozen(self) -> _FrozenLaw:
        from scipy import stats

        return stats.poisson(self.mean)


class NegativeBinomial(_TabulatedDiscrete):
    """Counts more dispersed than Poisson: given by their mean and sd (sd^2 > mean)."""

    name = "negative_binomial"

    def __init__(self, mean: float, sd: float):
        self.mean, self.sd = mean, sd
        var = sd * sd
        self._p = mean / var
        self._n = mean * mean / (var - mean)
        self._params = {"mean": mean, "sd": sd}
        self._tabulate(mean, sd)

    def _cdf_of(self, k: npt.NDArray[np.integer]) -> Floats:
        # P(X <= k) = I_p(n, k + 1), the regularized incomplete beta (scipy.stats.nbinom's own cdf)
        return np.where(k >= 0, special.betainc(self._n, np.maximum(k, 0) + 1.0, self._p), 0.0)

    def _frozen(self) -> _FrozenLaw:
        from scipy import stats

        return stats.nbinom(self._n, self._p)


def quantity_at(distribution: Distribution, u: Floats, is_count: bool) -> Floats:
    """The simulated quantity at uniforms ``u``: the inverse CDF, made whole for a count indicator."""
    return as_quantity(distribution.ppf(u), distribution, is_count)


def as_quantity(drawn: Floats, distribution: Distribution, is_count: bool) -> Floats:
    """A drawn value as the indicator holds it: a continuous distribution on a count is rounded to
    the nearest whole number, never below zero."""
    if is_count and not distribution.discrete:
        drawn = np.maximum(np.rint(drawn), 0.0)
    return drawn


_QUANTILE_STEPS = 64  # bisection halvings: below a double's resolution in (0, 1)
_QUANTILE_EDGE = 1e-12  # a value beyond the law's range is held at its edge, not at an infinite score


def quantile_of(distribution: Distribution, value: float, is_count: bool = False) -> float:
    """The probability level at which ``distribution`` takes ``value``: F(value) for a continuous
    law, the middle of the step {u : quantity(u) = value} for one with ties (a count), so that a
    value held at the law's q-quantile gives q back. Found by bisection on the quantile function
    (every law here has one; not every one has a CDF). Clipped to (1e-12, 1 - 1e-12)."""

    def first_level(beyond: Callable[[float], bool]) -> float:  # the smallest u at which beyond(quantity(u)) holds
        low, high = 0.0, 1.0
        for _step in range(_QUANTILE_STEPS):
            middle = (low + high) / 2
            if beyond(float(quantity_at(distribution, np.array([middle]), is_count)[0])):
                high = middle
            else:
                low = middle
        return high

    reached = first_level(lambda x: x >= value)
    passed = first_level(lambda x: x > value)
    return float(np.clip((reached + passed) / 2, _QUANTILE_EDGE, 1.0 - _QUANTILE_EDGE))
