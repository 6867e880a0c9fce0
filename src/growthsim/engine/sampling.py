"""Draws. The uniforms of every stream come from ``streams``; this module turns them into
draws of every input by the chosen design, correlates them, applies events and computes the linked
indicators.

Sampling methods. ``mc`` (the default) draws independent uniforms as above. ``lhs`` (Latin
hypercube) and ``sobol`` (scrambled Sobol' points) cut the draws into *replicates*: consecutive
runs of ``replicate_size(n)`` draws (a power of two that divides BLOCK_SIZE, so a replicate never
straddles two blocks), each an independently randomised design. Within a replicate every stream
is stratified (lhs: one uniform in each of the m equal slices of (0, 1), keyed by stream and
replicate, so streams stay keyed by id as under mc); Sobol' points are spread evenly in all
dimensions jointly, a dimension per stream in the order of their keys (so scenarios with the same
streams share their points). The replicates' independent estimates give the error bars
(``intervals.Probability.from_batches``): the binomial formula would overstate the error of these
designs, whose whole point is a smaller one.

Batches. Iman-Conover correlations rearrange a *group* of draws as a whole (``iman_conover_group``
of them, a power of two that divides BLOCK_SIZE, chosen from the run's size so that there are
at least MIN_BATCHES groups where the draws allow), which makes the draws of a group dependent and the
groups independent. ``batch_size`` is the run's unit of independence: the replicate (lhs, sobol), the
Iman-Conover group (mc with Iman-Conover correlations), or None when every draw is independent.
The error bars of a batched run come from its batches (see ``intervals``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import special

from growthsim.engine.conditioning import apply_known, drawn_shares
from growthsim.engine.events import apply_effects, hold_occurrences, occurrences
from growthsim.engine.links import compute_rows
from growthsim.engine.model import Model
from growthsim.engine.streams import (
    BLOCK_SIZE,
    STREAM_EVENT,
    STREAM_EVENT_GROUP,
    STREAM_LHS,
    STREAM_SOBOL,
    stream_key,
    uniforms,
)
from growthsim.i18n import _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError
from growthsim.stats.arrays import Bools, Floats
from growthsim.stats.dependence import gaussian_copula_scores, iman_conover_permutation
from growthsim.stats.distributions import as_quantity, clip_uniform, quantity_at

__all__ = [
    "METHODS",
    "MIN_BATCHES",
    "MIN_REPLICATES",
    "Draws",
    "batch_size",
    "iman_conover_group",
    "planned_draws",
    "replicate_size",
    "sample",
]


METHODS = ("mc", "lhs", "sobol")
MIN_REPLICATES = 16  # lhs and sobol: at least this many independent replicates give the error bar
# Iman-Conover groups. A run's error bars come from the spread of its groups' estimates, which
# wobbles less the more groups there are; but Iman-Conover imposes the correlation exactly on each
# group's sample, which biases a joint probability by about 0.3/group (measured on
# tests/test_error_bars.py's scenario: -0.29pp at 128 draws a group, -0.05pp at 512, none
# measurable from 2,048 on). So a run has at least MIN_BATCHES groups, each as large as that allows, never
# fewer than IMAN_CONOVER_SMALLEST draws, at most a block: the bias stays a small part of the
# error bar (0.6 MIN_BATCHES / sqrt(n) of it), and shrinks as the run grows.
MIN_BATCHES = 32
IMAN_CONOVER_SMALLEST = 512


def replicate_size(n_draws: int, method: str) -> int | None:
    """Draws per replicate for lhs and sobol (None for mc): the largest power of two that leaves at
    least MIN_REPLICATES replicates, at most a block (2 when there are very few draws)."""
    if method == "mc":
        return None
    if method not in METHODS:
        raise ValueError(f"unknown sampling method {method!r}; use one of {', '.join(METHODS)}")
    size = 1 << max(1, (max(n_draws // MIN_REPLICATES, 2)).bit_length() - 1)
    return min(size, BLOCK_SIZE)


def iman_conover_group(n_draws: int, n_correlated: int) -> int:
    """Draws rearranged together by Iman-Conover in a run of ``n_draws`` (part of the
    reproducibility contract): the largest power of two that leaves at least MIN_BATCHES groups
    (between MIN_BATCHES and twice as many, or more when the smallest size allows no fewer), at least
    IMAN_CONOVER_SMALLEST and 8 draws per correlated input, at most a block (so a group never
    straddles two blocks)."""
    smallest = max(IMAN_CONOVER_SMALLEST, 1 << (8 * n_correlated - 1).bit_length())
    size = 1 << max(0, (max(n_draws // MIN_BATCHES, 1)).bit_length() - 1)
    return min(BLOCK_SIZE, max(smallest, size))


def require_two_batches(model: Model, n_draws: int, batch: int | None, method: str = "mc") -> None:
    """A run's error bars come from its batches when its draws are dependent within them (Iman-Conover
    groups, lhs and sobol replicates): one batch gives none. Say how many draws a run of this
    scenario needs, at the --draws the planner gave, instead of failing to compute them."""
    if batch is not None and n_draws <= batch and method != "mc":
        raise ScenarioError(
            [
                Diagnostic(
                    "--draws",
                    None,
                    None,
                    "",
                    _(
                        "{n} draws are one replicate of --method {method}, and an error bar needs at least two: "
                        "draw at least {least}"
                    ).format(n=f"{n_draws:,}", method=method, least=f"{2 * batch:,}"),
                )
            ]
        )
    if batch is not None and n_draws <= batch:
        raise ScenarioError(
            [
                Diagnostic(
                    "--draws",
                    None,
                    None,
                    "",
                    _(
                        "{n} draws are one group of the Iman-Conover correlations ({batch} draws), and an error bar "
                        'needs at least two: draw at least {least}, or set correlation_method = "gaussian_copula"'
                    ).format(n=f"{n_draws:,}", batch=f"{batch:,}", least=f"{2 * batch:,}"),
                )
            ]
        )


def batch_size(model: Model, n_draws: int, method: str = "mc") -> int | None:
    """The run's unit of independence (see the module's docstring): draws per lhs/sobol replicate,
    draws per Iman-Conover group, or None when every draw is independent of the others."""
    if method != "mc":
        return replicate_size(n_draws, method)
    if model.correlated_rows and model.correlation_method == "iman_conover":
        return iman_conover_group(n_draws, len(model.correlated_rows))
    return None


def planned_draws(n_draws: int, method: str) -> int:
    """The draws a run makes: n_draws, rounded up to whole replicates for lhs and sobol."""
    size = replicate_size(n_draws, method)
    return n_draws if size is None else -(-n_draws // size) * size


def model_streams(model: Model) -> list[tuple[int, ...]]:
    """Every random stream a model draws from (indicators, then events and event groups), sorted by
    key: the dimensions of a Sobol' design."""
    keys = {
        key
        for key, distribution in zip(model.stream_keys, model.distributions, strict=True)
        if distribution is not None
    }
    for event in model.events:
        keys.add(stream_key(event.group, STREAM_EVENT_GROUP) if event.group else stream_key(event.id, STREAM_EVENT))
    return sorted(keys)


class _Design:
    """The uniforms of each stream for draws [start, stop) under a sampling method."""

    def __init__(self, model: Model, entropy: int, start: int, stop: int, method: str, size: int | None):
        self.entropy, self.start, self.stop, self.method, self.size = entropy, start, stop, method, size
        self.sobol: dict[tuple[int, ...], Floats] | None = None
        if method == "sobol":
            self._sobol(model_streams(model))

    def __call__(self, key: tuple[int, ...]) -> Floats:
        if self.method == "mc":
            return uniforms(self.entropy, key, self.start, self.stop)
        if self.method == "sobol":
            assert self.sobol is not None  # __init__ drew the points of a sobol design
            return self.sobol[key]
        assert self.size is not None  # lhs and sobol always have a replicate size (batch_size)
        out = np.empty(self.stop - self.start)
        for offset, replicate in self._replicates():
            seq = np.random.SeedSequence(self.entropy, spawn_key=(STREAM_LHS, *key, replicate))
            rng = np.random.Generator(np.random.PCG64(seq))
            part = out[offset : offset + self.size]
            part[:] = rng.permutation(self.size)
            part += rng.random(self.size)
            part *= 1.0 / self.size
        return clip_uniform(out, out=out)

    def _replicates(self) -> Iterator[tuple[int, int]]:
        """(offset in this chunk, replicate number) of each replicate the chunk holds."""
        assert self.size is not None  # lhs and sobol always have a replicate size (batch_size)
        if (self.stop - self.start) % self.size or self.start % self.size:
            raise ValueError("lhs and sobol sample whole replicates: see planned_draws")
        for offset in range(0, self.stop - self.start, self.size):
            yield offset, (self.start + offset) // self.size

    def _sobol(self, keys: list[tuple[int, ...]]) -> None:

        from scipy.stats import qmc

        assert self.size is not None  # lhs and sobol always have a replicate size (batch_size)
        points = np.empty((len(keys), self.stop - self.start))
        for offset, replicate in self._replicates():
            seq = np.random.SeedSequence(self.entropy, spawn_key=(STREAM_SOBOL, replicate))
            engine = qmc.Sobol(len(keys), scramble=True, seed=np.random.Generator(np.random.PCG64(seq)))
            with warnings.catch_warnings():  # 2 points (the smallest replicate) draw a balance warning
                warnings.simplefilter("ignore")
                points[:, offset : offset + self.size] = engine.random(self.size).T
        clip_uniform(points, out=points)
        self.sobol = dict(zip(keys, points, strict=True))


@dataclass(frozen=True)
class Draws:
    """Sampled assumptions for draws [start, stop): ``values`` has shape (n_indicators, stop - start).

    Row i holds indicator i's simulated quantity (growth, level, change or count) in code units,
    after the effects of the shock events that occurred; ``events`` (n_events, n) says which did.
    """

    start: int
    values: Floats
    events: Bools | None = None

    @property
    def n(self) -> int:
        return int(self.values.shape[1])


def sample(model: Model, entropy: int, start: int, stop: int, method: str = "mc", batch: int | None = None) -> Draws:
    """Draw every indicator's assumption for draws [start, stop) by inverse CDF.

    ``method`` is mc, lhs or sobol. ``batch`` is the run's ``batch_size``: lhs and sobol need it
    (and a chunk of whole replicates); with Iman-Conover it is the group size, by default that of
    a run of ``stop`` draws (give the run's own when sampling one chunk of a longer run)."""
    if batch is None:
        batch = batch_size(model, stop, method)
    with one_blas_thread():
        return _sample(model, entropy, start, stop, method, batch)


_blas_limited = 0  # depth of one_blas_thread() contexts: only the outermost one calls threadpoolctl


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """One BLAS thread inside: a matrix product split across threads may sum in another order, and
    the last bits of correlated draws would depend on the number of cores (measured: a sobol run
    differed between one and two workers in the 17th digit). simulate enters it once for a whole
    run, so that each block does not pay threadpoolctl's look-up (~0.6 ms)."""
    global _blas_limited
    if _blas_limited:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        _blas_limited += 1
        try:
            yield
        finally:
            _blas_limited -= 1


def _sample(model: Model, entropy: int, start: int, stop: int, method: str, batch: int | None) -> Draws:
    """The steps of a block of draws, in the order their meaning needs: each input drawn (held ones
    at their quantile), then correlated, then shocked by the events, then the linked rows computed
    from the rest (so an event on a driver reaches its dependents)."""
    design = _Design(model, entropy, start, stop, method, batch)
    values, own_uniforms = _draw_inputs(model, design)
    if model.correlated_rows:
        _correlate(model, values, own_uniforms, batch)
    occurred = _shock(model, design, values, own_uniforms)
    computed = set(model.computed_rows)
    shares = {
        row: drawn_shares(model.indicators[row].id, known, entropy, start, stop) for row, known in model.known.items()
    }
    for row, known in model.known.items():  # a driven row is conditioned once its links are added
        if row not in computed:
            apply_known(known, values[row], model.is_count[row], shares[row])
    if model.computed_rows:
        compute_rows(model, values, shares)
    return Draws(start, values, occurred)


def _draw_inputs(model: Model, design: _Design) -> tuple[Floats, dict[int, Floats]]:
    """Every drawn row's values, by inverse CDF of its stream's uniforms, and the uniforms of the
    rows that later steps need again (``own_uniforms``): a correlated row's, which the correlation
    rearranges or turns into normal scores, and the row an event may replace, which draws its
    replacement from the same uniform so that the draw stays paired with the scenario without it.
    A held input (a what-if, or sensitivity's low and high) takes the uniform of its quantile; a
    correlated held one is conditioned on in ``_correlate`` instead. Rows drawn through the Gaussian
    copula get their values there, once their uniforms are correlated."""
    held = dict(model.held)
    values = np.empty((len(model.indicators), design.stop - design.start))
    own_uniforms: dict[int, Floats] = {}
    correlated = set(model.correlated_rows)
    copula = model.correlation_method == "gaussian_copula"
    for row, (key, distribution, is_count) in enumerate(
        zip(model.stream_keys, model.distributions, model.is_count, strict=True)
    ):
        if distribution is None:
            continue  # derived: computed from the others after the events
        u = design(key)
        if row in held and row not in correlated:
            u = np.full_like(u, held[row])
        if row in model.replaced_rows or row in correlated:
            own_uniforms[row] = u
        if not (copula and row in correlated):
            values[row] = quantity_at(distribution, u, is_count)
            _require_finite_draws(model, row, values[row])
    return values, own_uniforms


def _require_finite_draws(model: Model, row: int, drawn: Floats) -> None:
    """A law whose parameters are finite may still draw values beyond a double (a lognormal of a huge
    spread): refuse them at the assumption, rather than let an infinity reach a table or a file."""
    bad = ~np.isfinite(drawn)
    if bad.any():
        indicator = model.indicators[row]
        on = indicator.assumption.on if indicator.assumption is not None else indicator.metric
        said = _(
            "{bad} of {n} draws of this assumption are beyond any finite number: its parameters are too "
            "extreme for its distribution"
        ).format(bad=f"{int(bad.sum()):,}", n=f"{bad.size:,}")
        raise ScenarioError([model.scenario.diagnostic(("indicators", indicator.id, on), said)])


def _shock(model: Model, design: _Design, values: Floats, own_uniforms: dict[int, Floats]) -> Bools:
    """Which events occur on each draw (held ones as held: a what-if on an event fixes its
    occurrences, not its probability), and their effects applied to ``values`` in place; returns
    the occurrences, (n_events, n) bools."""
    if not model.events:
        return np.zeros((0, design.stop - design.start), dtype=bool)

    def event_uniforms(name: str, is_group: bool) -> Floats:
        return design(stream_key(name, STREAM_EVENT_GROUP if is_group else STREAM_EVENT))

    occurred = occurrences(model.events, event_uniforms)
    if model.held_events:
        hold_occurrences(model.events, occurred, model.held_events)
    kinds = {indicator.id: indicator.kind for indicator in model.indicators}
    apply_effects(model.events, occurred, values, model.rows, kinds, own_uniforms.__getitem__)
    return occurred


def _correlate(model: Model, values: Floats, own_uniforms: dict[int, Floats], group: int | None) -> None:
    """Impose the scenario's correlations on the correlated rows of ``values``, in place
    (``group``: draws per Iman-Conover group). ``own_uniforms`` of those rows are rearranged (or
    recomputed from the correlated scores) with them, so that an event's replacement still draws
    from the uniform behind each value."""
    assert model.score_correlation is not None  # set with correlated_rows (compile_model): _sample calls this for those
    rows = list(model.correlated_rows)
    u = np.vstack([own_uniforms[row] for row in rows])
    held = [(rows.index(row), q) for row, q in model.held if row in model.correlated_rows]
    if held and model.correlation_method != "gaussian_copula":
        raise ValueError("holding a correlated input needs the Gaussian copula (Iman-Conover cannot rank a constant)")
    if model.correlation_method == "gaussian_copula":
        z = gaussian_copula_scores(u, model.score_correlation)
        if held:
            alone = [(k, q) for k, q in held if rows[k] in model.held_alone]
            _condition(z, model.score_correlation, [h for h in held if h not in alone])
            for k, q in alone:  # set after conditioning on the others: nothing moves with these
                z[k] = special.ndtri(q)
        for k, row in enumerate(rows):
            distribution = model.distributions[row]
            assert distribution is not None  # a correlated row is drawn: _draw_inputs kept its uniforms
            if row in model.replaced_rows:  # an event replacing this value draws through its uniform
                own_uniforms[row] = clip_uniform(special.ndtr(z[k]))
            values[row] = as_quantity(distribution.from_normal_score(z[k]), distribution, model.is_count[row])
        return
    # Iman-Conover group by group (groups lie inside blocks, so they do not depend on the chunk
    # size). The uniforms are rearranged with the values, so an event that replaces a value draws
    # from the uniform that produced it and stays paired (and correlated).
    permutation = iman_conover_permutation(values[rows], u, model.score_correlation, group)
    values[rows] = np.take_along_axis(values[rows], permutation, axis=1)
    for k, row in enumerate(rows):
        own_uniforms[row] = own_uniforms[row][permutation[k]]


def _condition(z: Floats, correlation: Floats, held: list[tuple[int, float]]) -> None:
    """Set the held rows' normal scores to their quantiles and move every other row as the
    correlation says, in place: for jointly normal scores, z + S[:, H] S[H, H]^-1 (c - z[H]) has
    the distribution of z given z[H] = c (the residual of a regression on z[H] is independent of
    it), drawn from the same randomness, so the held runs stay on common random numbers."""
    index = [k for k, _ in held]
    if not held:
        return
    target = special.ndtri(np.array([q for _, q in held]))[:, np.newaxis]
    weights = np.linalg.solve(correlation[np.ix_(index, index)], correlation[index, :]).T  # (k, h)
    z += weights @ (target - z[index])
    z[index] = target  # exactly, not up to rounding
