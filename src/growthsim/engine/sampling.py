"""Draws. The random numbers of every stream come from a sampling design (``designs``); this
module turns them into draws of every input, correlates them, applies events and computes the
linked indicators. ``sample`` draws a block of a model; ``resample`` draws it again for a model
that differs from the first only in some rows (``replay``), from what ``sample(..., keep=True)``
kept of the first (``Kept``), recomputing those rows alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from scipy import special

from growthsim.engine.conditioning import Known, apply_known, drawn_shares
from growthsim.engine.designs import (
    METHODS,
    MIN_BATCHES,
    MIN_REPLICATES,
    Design,
    batch_size,
    blocks,
    chunk_draws,
    iman_conover_group,
    planned_draws,
    replicate_size,
    require_two_batches,
    sampled_model,
)
from growthsim.engine.events import apply_effects, hold_occurrences, occurrences
from growthsim.engine.links import compute_rows
from growthsim.engine.model import Model
from growthsim.engine.streams import STREAM_EVENT, STREAM_EVENT_GROUP, Cursor, stream_key
from growthsim.i18n import _
from growthsim.scenario.diagnostics import ScenarioError
from growthsim.stats.arrays import Bools, Floats
from growthsim.stats.dependence import correlate_scores, iman_conover_permutation
from growthsim.stats.distributions import as_quantity, clip_uniform, quantity_at

__all__ = [
    "METHODS",
    "MIN_BATCHES",
    "MIN_REPLICATES",
    "Draws",
    "Kept",
    "batch_size",
    "blocks",
    "chunk_draws",
    "iman_conover_group",
    "one_blas_thread",
    "planned_draws",
    "replicate_size",
    "require_two_batches",
    "resample",
    "sample",
    "sampled_model",
]


@dataclass(frozen=True)
class Draws:
    """Sampled assumptions for draws [start, stop): ``values`` has shape (n_indicators, stop - start).

    Row i holds indicator i's simulated quantity (growth, level, change or count) in code units,
    after the effects of the shock events that occurred; ``events`` (n_events, n) says which did.
    """

    start: int
    values: Floats
    events: Bools | None = None
    kept: Kept | None = None  # sample(..., keep=True): what a replay of the block needs

    @property
    def n(self) -> int:
        return int(self.values.shape[1])


@dataclass(frozen=True)
class Kept:
    """What ``resample`` needs of a block beside the random streams, which it draws again:

    inputs        (n_indicators, n)  the values just before the computed rows: drawn rows after
                                     correlations, events and the year so far; a driven row's own part
    outputs       (n_indicators, n)  the values after them: the block's draws
    scores        (k, n)             the copula rows' correlated normal scores, before any input is held
    own_uniforms  {row: (n,)}        the uniforms an event's replacement draws from
    shares        {row: (n,)}        each conditioned row's drawn share of the year (or None)
    known                            the model's year-to-date conditioning the shares were drawn for
    """

    inputs: Floats
    outputs: Floats
    scores: Floats | None
    own_uniforms: dict[int, Floats]
    shares: dict[int, Floats | None]
    known: dict[int, Known]

    @staticmethod
    def size_of(model: Model, n_draws: int) -> int:
        """Bytes kept for a run of ``n_draws``."""
        copula = len(model.correlated_rows) if model.correlation_method == "gaussian_copula" else 0
        rows = 2 * len(model.indicators) + copula + len(model.replaced_rows) + len(model.known)
        return 8 * rows * n_draws


def sample(
    model: Model,
    entropy: int,
    start: int,
    stop: int,
    method: str = "mc",
    batch: int | None = None,
    keep: bool = False,
    cursor: Cursor | None = None,
) -> Draws:
    """Draw every indicator's assumption for draws [start, stop) (see ``_draw_row``).

    ``method`` is mc, lhs or sobol. ``batch`` is the run's ``batch_size``: lhs and sobol need it
    (and a chunk of whole replicates); with Iman-Conover it is the group size, by default that of
    a run of ``stop`` draws (give the run's own when sampling one chunk of a longer run). With
    ``keep``, the draws carry what ``resample`` needs to draw them again for a changed model. A
    chunk that starts inside a block (a wide model's: ``chunk_draws``) needs the ``cursor`` that
    drew the block's earlier chunks."""
    if batch is None:
        batch = batch_size(model, stop, method)
    with one_blas_thread():
        return _sample(model, entropy, start, stop, method, batch, keep, cursor)


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


def _sample(
    model: Model,
    entropy: int,
    start: int,
    stop: int,
    method: str,
    batch: int | None,
    keep: bool,
    cursor: Cursor | None,
) -> Draws:
    """The steps of a block of draws, in the order their meaning needs: each input drawn (held ones
    at their quantile), then correlated, then shocked by the events, then conditioned on the year
    so far, then the linked rows computed from the rest (so an event on a driver reaches its
    dependents)."""
    design = Design(model, entropy, start, stop, method, batch, cursor)
    n = stop - start
    values = np.empty((len(model.indicators), n))
    own_uniforms: dict[int, Floats] = {}
    position = {row: k for k, row in enumerate(model.correlated_rows)}
    # the correlated rows' independent normal scores, in correlated_rows order: what both
    # correlation methods work on
    scores = np.empty((len(position), n)) if position else None
    for row, distribution in enumerate(model.distributions):
        if distribution is not None:  # a derived row is computed from the others at the end
            _draw_row(model, design, row, values, own_uniforms, scores, position.get(row))
    kept_scores = None
    if scores is not None:
        kept_scores = _correlate(model, values, own_uniforms, scores, batch, keep)
    occurred = _occurrences(model, design)
    _shock(model, occurred, values, own_uniforms, None)
    shares = {
        row: drawn_shares(model.indicators[row].id, known, entropy, start, stop) for row, known in model.known.items()
    }
    _condition_on_actuals(model, values, shares, model.known)
    kept = Kept(values.copy(), values, kept_scores, own_uniforms, shares, model.known) if keep else None
    if model.computed_rows:
        compute_rows(model, values, shares)  # into kept.outputs too: the same array
    return Draws(start, values, occurred, kept)


def resample(
    model: Model,
    kept: Kept,
    rows: frozenset[int],
    computed: frozenset[int],
    entropy: int,
    start: int,
    stop: int,
    method: str = "mc",
    batch: int | None = None,
    cursor: Cursor | None = None,
) -> Draws:
    """``sample(model, entropy, start, stop, method, batch)``, made from what ``kept`` holds of
    another model's block when the two differ only in ``rows`` (``replay.changed_rows``): those rows
    are drawn again (from their streams, or from the kept correlated scores), shocked and
    conditioned; the ``computed`` rows (those that use them: ``replay.downstream``) are computed
    again; the rest is as kept. The result is the same, bit for bit, as sampling the model afresh."""
    design = Design(model, entropy, start, stop, method, batch, cursor)
    values = kept.inputs.copy()
    settled = [row for row in model.computed_rows if row not in computed]
    values[settled] = kept.outputs[settled]
    own_uniforms = dict(kept.own_uniforms)
    copula = model.correlation_method == "gaussian_copula"
    correlated = set(model.correlated_rows)
    for row in sorted(rows):
        if model.distributions[row] is not None and not (copula and row in correlated):
            _draw_row(model, design, row, values, own_uniforms, None, None)
    if copula and rows & correlated:
        assert kept.scores is not None  # kept by a model with the same correlated rows (changed_rows)
        held = any(row in correlated for row, _q in model.held)  # conditioning changes the scores
        _copula_values(model, values, own_uniforms, kept.scores.copy() if held else kept.scores, rows & correlated)
    occurred = _occurrences(model, design)
    _shock(model, occurred, values, own_uniforms, rows)
    shares = dict(kept.shares)
    for row in rows & set(model.known):
        if kept.known.get(row) != model.known[row]:
            shares[row] = drawn_shares(model.indicators[row].id, model.known[row], entropy, start, stop)
    _condition_on_actuals(model, values, shares, {row: model.known[row] for row in rows if row in model.known})
    if computed:
        compute_rows(model, values, shares, only=computed)
    return Draws(start, values, occurred)


def _draw_row(
    model: Model,
    design: Design,
    row: int,
    values: Floats,
    own_uniforms: dict[int, Floats],
    scores: Floats | None,
    k: int | None,
) -> None:
    """Draw ``row`` into ``values`` (and its replacement uniforms into ``own_uniforms``).

    A row is drawn from its stream's normal scores when its law is a cheap function of a score
    (normal, lognormal: ``Distribution.from_scores``) or when the Gaussian copula correlates it
    (the copula works in scores); every other row by the inverse CDF of its stream's uniforms. A
    correlated row (``k``: its place in ``correlated_rows``) writes its independent scores into
    ``scores[k]``; a copula row's values wait for ``_correlate``. The uniforms of a row an event
    may replace are kept: the replacement draws from the same uniform, so that the draw stays
    paired with the scenario without the event. A held input (a what-if, or sensitivity's low and
    high) takes its quantile on every draw; a correlated held one is conditioned on in
    ``_correlate`` instead."""
    distribution, key, is_count = model.distributions[row], model.stream_keys[row], model.is_count[row]
    assert distribution is not None  # only drawn rows are drawn
    n = design.stop - design.start
    held = dict(model.held).get(row) if k is None else None
    into = None if scores is None or k is None else scores[k]
    if into is not None and model.correlation_method == "gaussian_copula":
        design.scores(key, out=into)
        return
    if distribution.from_scores:
        # an Iman-Conover row's scores are also the ones it is ranked by
        z = np.full(n, special.ndtri(held)) if held is not None else design.scores(key, out=into)
        values[row] = as_quantity(distribution.from_normal_score(z), distribution, is_count)
        if row in model.replaced_rows:
            own_uniforms[row] = clip_uniform(special.ndtr(z))
    else:
        u = np.full(n, held) if held is not None else design.uniforms(key)
        values[row] = quantity_at(distribution, u, is_count)
        if row in model.replaced_rows:
            own_uniforms[row] = u
        if into is not None:
            special.ndtri(u, out=into)
    _require_finite_draws(model, row, values[row])


def _condition_on_actuals(
    model: Model, values: Floats, shares: dict[int, Floats | None], known: dict[int, Known]
) -> None:
    """Condition the drawn rows of ``known`` on the year so far, in place (a driven row is
    conditioned by compute_rows, once its links are added)."""
    computed = set(model.computed_rows)
    for row, what in known.items():
        if row not in computed:
            apply_known(what, values[row], model.is_count[row], shares[row])


def _require_finite_draws(model: Model, row: int, drawn: Floats) -> None:
    """A law whose parameters are finite may still draw values beyond a double (a lognormal of a huge
    spread): refuse them at the assumption, rather than let an infinity reach a table or a file."""
    if np.isfinite(np.add.reduce(drawn)):  # one pass for the usual case: every draw finite
        return
    bad = ~np.isfinite(drawn)
    if bad.any():  # (or only their sum overflowed)
        indicator = model.indicators[row]
        on = indicator.assumption.on if indicator.assumption is not None else indicator.metric
        said = _(
            "{bad} of {n} draws of this assumption are beyond any finite number: its parameters are too "
            "extreme for its distribution"
        ).format(bad=f"{int(bad.sum()):,}", n=f"{bad.size:,}")
        raise ScenarioError([model.scenario.diagnostic(("indicators", indicator.id, on), said)])


def _occurrences(model: Model, design: Design) -> Bools:
    """Which events occur on each draw, (n_events, n) bools; held ones as held (a what-if on an
    event fixes its occurrences, not its probability)."""
    if not model.events:
        return np.zeros((0, design.stop - design.start), dtype=bool)

    def event_uniforms(name: str, is_group: bool) -> Floats:
        return design.uniforms(stream_key(name, STREAM_EVENT_GROUP if is_group else STREAM_EVENT))

    occurred = occurrences(model.events, event_uniforms)
    if model.held_events:
        hold_occurrences(model.events, occurred, model.held_events)
    return occurred


def _shock(
    model: Model, occurred: Bools, values: Floats, own_uniforms: dict[int, Floats], rows: frozenset[int] | None
) -> None:
    """The effects of the events that occurred (on ``rows``; None: on every row), applied to
    ``values`` in place."""
    if model.events:
        kinds = {indicator.id: indicator.kind for indicator in model.indicators}
        apply_effects(model.events, occurred, values, model.rows, kinds, own_uniforms.__getitem__, rows)


def _correlate(
    model: Model, values: Floats, own_uniforms: dict[int, Floats], scores: Floats, group: int | None, keep: bool
) -> Floats | None:
    """Impose the scenario's correlations on the correlated rows of ``values``, in place, from the
    rows' independent normal ``scores``: through the Gaussian copula (values from the correlated
    scores; returns a copy of those scores, before any input is held, when asked to ``keep``
    them), or by Iman-Conover in groups of ``group`` draws (values rearranged; the uniforms kept
    for replacements are rearranged with them, so that an event's replacement still draws from
    the uniform behind each value)."""
    assert model.score_correlation is not None  # set with correlated_rows (compile_model): _sample calls this for those
    rows = list(model.correlated_rows)
    if model.correlation_method == "gaussian_copula":
        assert model.score_factor is not None  # a model with correlated rows has their factor
        z = correlate_scores(scores, model.score_factor)
        kept = z.copy() if keep else None
        _copula_values(model, values, own_uniforms, z, frozenset(rows))
        return kept
    if any(row in model.correlated_rows for row, _q in model.held):
        raise ValueError("holding a correlated input needs the Gaussian copula (Iman-Conover cannot rank a constant)")
    # Iman-Conover group by group (groups lie inside blocks, so they do not depend on the chunk size)
    permutation = iman_conover_permutation(values[rows], scores, model.score_correlation, group)
    values[rows] = np.take_along_axis(values[rows], permutation, axis=1)
    for k, row in enumerate(rows):
        if row in own_uniforms:
            own_uniforms[row] = own_uniforms[row][permutation[k]]
    return None


def _copula_values(
    model: Model, values: Floats, own_uniforms: dict[int, Floats], z: Floats, rows: frozenset[int]
) -> None:
    """The values of the copula's ``rows`` from the correlated scores ``z`` (k, n), in place:
    held inputs at their quantile, their partners given them (``z`` is changed)."""
    correlated = list(model.correlated_rows)
    held = [(correlated.index(row), q) for row, q in model.held if row in model.correlated_rows]
    if held:
        alone = [(k, q) for k, q in held if correlated[k] in model.held_alone]
        assert model.score_correlation is not None  # a model with correlated rows has it
        _condition(z, model.score_correlation, [h for h in held if h not in alone])
        for k, q in alone:  # set after conditioning on the others: nothing moves with these
            z[k] = special.ndtri(q)
    for k, row in enumerate(correlated):
        if row not in rows:
            continue
        distribution = model.distributions[row]
        assert distribution is not None  # a correlated row is drawn (compile_model)
        if row in model.replaced_rows:  # an event replacing this value draws through its uniform
            own_uniforms[row] = clip_uniform(special.ndtr(z[k]))
        values[row] = as_quantity(distribution.from_normal_score(z[k]), distribution, model.is_count[row])
        _require_finite_draws(model, row, values[row])


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
