"""Correlated assumptions: when GDP disappoints, industry, investment and revenue usually do too.

Two ways to impose a correlation matrix C on draws whose marginal distributions are fixed:

* ``iman_conover`` (the default): within each group of draws, rearrange each indicator's sampled
  values so that their ranks follow a matrix of normal scores with correlation C (Iman & Conover
  1982). The values themselves are untouched, so every marginal distribution is kept exactly,
  discrete ones included; C is met as a rank (Spearman-type) correlation, up to sampling error.
* ``gaussian_copula``: correlate the normal scores of the uniforms (z -> L z) before the inverse
  CDFs. Several times cheaper (no sorting); every marginal is exact in distribution rather than
  in the sample.

Both work on normal scores; the model converts the rank correlations a planner writes into the
score correlation that produces them (rho_score = 2 sin(pi rho_rank / 6), or for a pair with ties
the score correlation solved from the inputs' mid-distribution functions: ``score_correlations``).

Planners fill in pairs by judgement, and such a matrix is often not positive semi-definite (not a
possible correlation matrix). ``nearest_correlation`` repairs it (Higham 2002, alternating
projections with Dykstra's correction) to the closest valid one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import cast

import numpy as np
import numpy.typing as npt
from scipy import special

from growthsim.stats.arrays import Floats
from growthsim.stats.distributions import Distribution, clip_uniform, quantity_at

__all__ = [
    "METHODS",
    "Marginal",
    "average_ranks",
    "cholesky_factor",
    "correlate_scores",
    "gaussian_copula",
    "iman_conover",
    "is_correlation_matrix",
    "marginal_of",
    "nearest_correlation",
    "rank_to_score",
    "score_correlations",
    "spearman",
    "spearman_at",
]

METHODS = ("iman_conover", "gaussian_copula")
_PSD_TOLERANCE = 1e-10


def is_correlation_matrix(matrix: Floats) -> bool:
    """Symmetric, unit diagonal, entries in [-1, 1], and positive semi-definite."""
    matrix = np.asarray(matrix, dtype=float)
    return (
        np.allclose(matrix, matrix.T)
        and np.allclose(np.diag(matrix), 1.0)
        and bool(np.all(np.abs(matrix) <= 1 + 1e-12))
        and _positive_semidefinite(matrix)
    )


def _positive_semidefinite(matrix: Floats) -> bool:
    """A Cholesky factor exists for a positive definite matrix, the usual case, at a quarter of the
    cost of its eigenvalues (1000 indicators: 0.04 s against 0.17 s); only a matrix it refuses (a
    singular one, or not semi-definite) has its smallest eigenvalue computed."""
    try:
        np.linalg.cholesky(matrix)
        return True
    except np.linalg.LinAlgError:
        return float(np.linalg.eigvalsh(matrix).min()) >= -_PSD_TOLERANCE


def nearest_correlation(matrix: Floats, tolerance: float = 1e-10, max_iterations: int = 1000) -> Floats:
    """The nearest correlation matrix in the Frobenius norm (Higham 2002); a valid one is returned as is."""
    a: Floats = np.asarray(matrix, dtype=float)
    if is_correlation_matrix(a):
        valid: Floats = a.copy()
        return valid
    y: Floats = a.copy()
    correction = np.zeros_like(a)
    for _ in range(max_iterations):
        r = y - correction
        values, vectors = np.linalg.eigh((r + r.T) / 2)
        x = (vectors * np.maximum(values, 0.0)) @ vectors.T  # projection onto the PSD cone
        correction = x - r
        y_next = x.copy()
        np.fill_diagonal(y_next, 1.0)  # projection onto unit-diagonal matrices
        converged = np.linalg.norm(y_next - y, "fro") <= tolerance * max(1.0, float(np.linalg.norm(y, "fro")))
        y = y_next
        if converged:
            break
    # Tiny negative eigenvalues from rounding: lift them so that a Cholesky factor exists.
    values, vectors = np.linalg.eigh((y + y.T) / 2)
    y = (vectors * np.maximum(values, 0.0)) @ vectors.T
    scale = 1.0 / np.sqrt(np.diag(y))
    return y * scale[:, None] * scale[None, :]


def _cholesky(matrix: Floats) -> Floats:
    """A Cholesky factor that tolerates semi-definite matrices (a tiny ridge where needed)."""
    # cast: numpy's stubs give cholesky of any float array as floating[Any]; of float64 it is float64
    try:
        return cast(Floats, np.linalg.cholesky(matrix))
    except np.linalg.LinAlgError:
        ridge = 1e-12
        while True:
            try:
                return cast(Floats, np.linalg.cholesky((matrix + ridge * np.eye(len(matrix))) / (1 + ridge)))
            except np.linalg.LinAlgError:
                ridge *= 10


def gaussian_copula(uniforms: Floats, correlation: Floats) -> Floats:
    """Correlated uniforms (k, n) from independent ones: Phi(L Phi^-1(u)) with L L' = correlation."""
    u = special.ndtr(gaussian_copula_scores(uniforms, correlation))
    return clip_uniform(u)


def gaussian_copula_scores(uniforms: Floats, correlation: Floats) -> Floats:
    """Correlated normal scores (k, n) from independent uniforms: L Phi^-1(u) with L L' = correlation."""
    return correlate_scores(special.ndtri(uniforms), cholesky_factor(correlation))


def cholesky_factor(correlation: Floats) -> Floats:
    """L with L L' = correlation (nudged to positive definite if it is only semi-definite): the
    factor ``correlate_scores`` takes, computed once per run rather than once per block."""
    return _cholesky(correlation)


def correlate_scores(scores: Floats, factor: Floats) -> Floats:
    """Correlated normal scores (k, n) from independent ones: L z, in place in ``scores`` where the
    factor is sparse (a new array otherwise)."""
    return _sparse_product(factor, scores) if _is_sparse(factor) else factor @ scores


def _is_sparse(factor: Floats) -> bool:
    """Mostly zeros: a chain or blocks of correlated indicators (each correlated with a few others)
    give a Cholesky factor with a few entries a row, where a dense product wastes nearly all its work
    (measured: 200 indicators in a chain, 1.0 s dense against 0.04 s sparse per 262,144 draws)."""
    return factor.shape[0] >= 8 and int(np.count_nonzero(factor)) <= factor.size // 8


def _sparse_product(factor: Floats, scores: Floats) -> Floats:
    """factor @ scores for a lower-triangular factor, in place in ``scores``, one multiply-add per
    non-zero entry. Rows are done last to first: row i needs rows j <= i, which are still as drawn."""
    row = np.empty(scores.shape[1])
    scratch = np.empty(scores.shape[1])
    for i in range(factor.shape[0] - 1, -1, -1):
        columns = np.flatnonzero(factor[i, : i + 1])
        np.multiply(scores[columns[-1]], factor[i, columns[-1]], out=row)
        for j in columns[:-1]:
            np.multiply(scores[j], factor[i, j], out=scratch)
            row += scratch
        scores[i] = row
    return scores


def iman_conover(values: Floats, uniforms: Floats, correlation: Floats, group: int | None = None) -> Floats:
    """Rearrange each row of ``values`` (k, n) to follow ``correlation`` in rank; returns a new array."""
    permutation = iman_conover_permutation(values, special.ndtri(uniforms), correlation, group)
    return np.take_along_axis(values, permutation, axis=1)


def iman_conover_permutation(
    values: Floats, scores: Floats, correlation: Floats, group: int | None = None
) -> npt.NDArray[np.intp]:
    """For each row, the order of its draws (k, n) that makes the rows follow ``correlation`` in rank:
    ``values[row][permutation[row]]`` is the rearranged row. Apply the same permutation to anything
    else tied to a draw (its uniform, for an event that replaces the value) to keep them paired.

    Draws are rearranged within consecutive groups of ``group`` draws (default: all n as one; the
    last group may be short), each group on its own: the groups stay independent of each other,
    which is what the error bars of a run rest on (``intervals``).

    ``scores`` are the normal scores behind each row's own draws (so the arrangement is random and
    keyed like the draws), decorrelated by their sample correlation and recorrelated by the target:
    M* = M inv(P)' Q' with P P' = corr(M) and Q Q' = C. Each row's sorted values are then laid out
    in the rank order of its column of M*. Ties (counts) are kept as values; only their places move.
    """
    k, n = values.shape
    group = n if group is None else min(group, n)
    permutation = np.empty((k, n), dtype=np.intp)
    full = n - n % group
    target = _cholesky(correlation)
    if full:
        permutation[:, :full] = _group_permutations(values[:, :full], scores[:, :full], target, group)
    if full < n:
        permutation[:, full:] = _group_permutations(values[:, full:], scores[:, full:], target, n - full) + full
    return permutation


def _group_permutations(values: Floats, scores: Floats, target: Floats, size: int) -> npt.NDArray[np.intp]:
    """iman_conover_permutation for (k, g * size) draws in g groups of ``size``, all at once
    (``target``: the Cholesky factor of the correlation asked)."""
    k, n = values.shape
    groups = n // size
    offsets = (np.arange(groups) * size)[:, np.newaxis, np.newaxis]
    if size < k + 2:  # too few draws to estimate a score correlation: leave them as drawn
        as_drawn: npt.NDArray[np.intp] = np.broadcast_to(np.arange(n), (k, n)).copy()
        return as_drawn
    scores = scores.reshape(k, groups, size).transpose(1, 0, 2)  # (g, k, size)
    scores = scores - scores.mean(axis=2, keepdims=True)
    covariance = scores @ scores.transpose(0, 2, 1)
    scale = 1.0 / np.sqrt(np.diagonal(covariance, axis1=1, axis2=2))
    sample_correlation = covariance * scale[:, :, np.newaxis] * scale[:, np.newaxis, :]
    try:
        sample_factor = np.linalg.cholesky(sample_correlation)
    except np.linalg.LinAlgError:  # a near-singular group: one at a time, with a ridge where needed
        sample_factor = np.stack([_cholesky(matrix) for matrix in sample_correlation])
    target_scores = target @ np.linalg.solve(sample_factor, scores)
    by_value = np.argsort(values.reshape(k, groups, size).transpose(1, 0, 2), axis=2, kind="stable")
    local = np.empty_like(by_value)
    # the draw of rank r in value goes where the target score of rank r stands
    np.put_along_axis(local, np.argsort(target_scores, axis=2, kind="stable"), by_value, axis=2)
    permutation: npt.NDArray[np.intp] = (local + offsets).transpose(1, 0, 2).reshape(k, n)
    return permutation


# --- ties: rank correlations of counts and of few-valued inputs -------------------------------------

_TIE_GRID = 4096  # the marginal is read at this many evenly spaced probabilities
_MEHLER_TERMS = 600  # r^600 < 1e-13 for |r| <= 0.95: ample for any correlation a planner writes


class Marginal:
    """What a rank correlation sees of an input: its mid-distribution function h = (F(x) + F(x-)) / 2
    as a function of the input's normal score, read from its quantile function on a grid. Spearman's
    correlation (with average ranks for ties) is the correlation of h(X) and h(Y); a count, an
    empirical list or a rounded value has steps in h (ties), which pull it below the normal-score
    relation 2 sin(pi rho / 6) assumes."""

    def __init__(self, quantity: Callable[[Floats], Floats]):
        u = (np.arange(_TIE_GRID) + 0.5) / _TIE_GRID
        values = quantity(u)
        _, first, counts = np.unique(values, return_index=True, return_counts=True)
        self.h = np.repeat((first + (counts - 1) / 2 + 0.5) / _TIE_GRID, counts)  # mid-ranks, in (0, 1)
        self.ties = bool((counts > 1).any())
        self.constant = counts.size == 1
        self._coefficients: Floats | None = None

    def coefficients(self) -> Floats:
        """E[h(Z) psi_k(Z)] / sd(h), k = 1 .. _MEHLER_TERMS, for the normalised Hermite polynomials
        psi_k; by Stein's identity E[h psi_k] = E[h' psi_(k-1)] / sqrt(k), and h' is a sum of jumps."""
        if self._coefficients is None:
            steps = np.diff(self.h)
            where = np.flatnonzero(steps)
            t = special.ndtri((where + 1) / _TIE_GRID)
            weight = steps[where] * np.exp(-t * t / 2) / np.sqrt(2 * np.pi)
            out = np.empty(_MEHLER_TERMS)
            previous, current = np.zeros_like(t), np.ones_like(t)  # psi_(k-2), psi_(k-1)
            for k in range(1, _MEHLER_TERMS + 1):
                out[k - 1] = (weight @ current) / np.sqrt(k)
                previous, current = current, (t * current - np.sqrt(k - 1) * previous) / np.sqrt(k)
            self._coefficients = out / self.h.std()
        return self._coefficients


def marginal_of(distribution: Distribution | None, is_count: bool) -> Marginal | None:
    """The Marginal of an input drawn from ``distribution`` (None: no distribution, a derived row).
    Remembered by law: validation, compiling and every trial of a goal seek ask for the same
    inputs' marginals, and a count's Hermite coefficients take ~15 ms each."""
    if distribution is None:
        return None
    return _marginal(distribution, is_count)


@functools.lru_cache(maxsize=4096)
def _marginal(distribution: Distribution, is_count: bool) -> Marginal:
    return Marginal(lambda u: quantity_at(distribution, u, is_count))


def spearman_at(score_correlation: float, a: Marginal, b: Marginal) -> float:
    """The Spearman correlation of two inputs whose normal scores have this correlation (Mehler's
    expansion of the bivariate normal density: corr(h_a, h_b) = sum_k r^k a_k b_k). At +-1 the
    inputs move as one (or exactly opposite), and the correlation is read off the grid directly:
    the series converges slowly there for inputs with steps."""
    if abs(score_correlation) == 1:
        other = b.h if score_correlation > 0 else b.h[::-1]
        return float(np.corrcoef(a.h, other)[0, 1])
    powers = score_correlation ** np.arange(1, _MEHLER_TERMS + 1)
    return float(powers @ (a.coefficients() * b.coefficients()))


def score_correlations(
    rank_correlation: Floats, marginals: list[Marginal | None]
) -> tuple[Floats, list[tuple[int, int, float]]]:
    """The normal-score correlations that give the asked rank correlations: 2 sin(pi rho / 6)
    between continuous inputs; for a pair with ties, the score correlation at which the Spearman
    correlation is the one asked (``marginals[i]``: row i's Marginal; None or a constant one: no
    adjustment). Also the pairs (i, j, most achievable) whose asked value ties cannot reach: their
    score correlation is then +-1, the closest they come. May need a repair to be PSD."""
    scores = rank_to_score(rank_correlation)
    beyond = []
    asked_pairs = np.argwhere(np.triu(np.asarray(rank_correlation) != 0, k=1))  # the pairs asked for, i < j
    for i, j in asked_pairs.tolist():
        a, b, asked = marginals[i], marginals[j], float(rank_correlation[i, j])
        if a is None or b is None or a.constant or b.constant or not (a.ties or b.ties):
            continue
        limit = spearman_at(math.copysign(1.0, asked), a, b)
        if abs(asked) >= abs(limit):
            scores[i, j] = scores[j, i] = math.copysign(1.0, asked)
            if abs(asked) - abs(limit) > 5e-4:
                beyond.append((i, j, limit))
            continue
        from scipy import (
            optimize,  # only here: a cold run without ties does not pay for importing it
        )

        scores[i, j] = scores[j, i] = optimize.brentq(
            lambda r, a=a, b=b, asked=asked: spearman_at(r, a, b) - asked,
            min(0.0, math.copysign(1.0, asked)),
            max(0.0, math.copysign(1.0, asked)),
            xtol=1e-10,
        )
    return scores, beyond


def rank_to_score(rank_correlation: Floats) -> Floats:
    """The normal-score correlation whose rank correlation is the given one: 2 sin(pi rho / 6)
    (Pearson's relation for normal pairs, inverted). Both methods correlate normal scores, so this is
    what makes the numbers a planner writes mean rank correlations. May need a repair to be PSD."""
    scores = 2.0 * np.sin(np.pi * np.asarray(rank_correlation, dtype=float) / 6.0)
    np.fill_diagonal(scores, 1.0)
    return scores


def average_ranks(values: Floats) -> Floats:
    """Ranks 1..n of ``values`` (n,), ties given the average of the ranks they span: what
    scipy.stats.rankdata gives by default, without importing scipy.stats (1.3 s on the project's
    machines, more than a whole tornado)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # where each run of equal values begins
    counts = np.diff(np.r_[starts, values.size])
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(starts + (counts + 1) / 2.0, counts)  # the mean of ranks start+1 .. start+count
    return ranks


def spearman(values: Floats) -> Floats:
    """Spearman rank correlation matrix of the rows of ``values`` (k, n), ties given average ranks."""
    if values.shape[0] < 2:
        return np.ones((values.shape[0], values.shape[0]))
    ranks = np.vstack([average_ranks(row) for row in values])
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant row (a fixed value) has no rank correlation
        correlation: Floats = np.atleast_2d(np.corrcoef(ranks))
        return correlation
