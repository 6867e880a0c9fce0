"""Replays: one model's draws kept to answer many trials that each change a little of it.

A goal seek (``solve``) asks for P(hit) at twenty or thirty values of one parameter; a tornado
(``sensitivity``) holds each input at its p10 and at its p90 in turn. Every trial runs on the same
seed and draws (common random numbers), so a trial differs from the model it starts from only in
the rows its change reaches: the indicator whose law or held value changed, the correlated
partners that a held input moves, the rows an event held always or never acts on, and every row
computed from them. A Replay keeps, for each block of the base model's draws, what the sampler
had just before the computed rows (``sampling.Kept``), and a trial recomputes only those rows
(``sampling.resample``), counting nothing but hits. What it gives is exactly what a full run of
the trial model gives (tests/test_replay.py checks it bit for bit) at a fraction of the cost: the
baseline's goal seek went from 27 reloads and full runs to one run and 27 replays.

A change it cannot localise (another correlation matrix, other events, a correlated input's law
under Iman-Conover, which rearranges all its rows together) is drawn in full on the same seeds:
slower, never different.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from growthsim.engine.accumulate import batch_sums, share_of_draws
from growthsim.engine.evaluation import hits_of
from growthsim.engine.model import Model
from growthsim.engine.run import model_chunks
from growthsim.engine.sampling import (
    Draws,
    Kept,
    batch_size,
    one_blas_thread,
    planned_draws,
    require_two_batches,
    resample,
    sample,
    sampled_model,
)
from growthsim.engine.streams import Cursor
from growthsim.stats.arrays import Ints
from growthsim.stats.intervals import Probability

__all__ = ["REPLAY_MEMORY", "Replay", "changed_rows", "downstream"]

# The most a replay keeps (bytes): about 17 MB for the baseline at its 100,000 draws. A run too
# large to keep replays each trial in full (still counting hits only).
REPLAY_MEMORY = 384 * 2**20


class Replay:
    """``model``'s draws (``n_draws`` on ``seed`` by ``method``), kept so that ``probabilities``
    of a trial model (the same scenario with a parameter, a held input or a held event changed)
    costs only the rows the change reaches."""

    def __init__(self, model: Model, n_draws: int, seed: int, method: str = "mc"):
        self.model = sampled_model(model, method)
        self.n_draws = planned_draws(n_draws, method)
        self.seed, self.method = seed, method
        self.batch = batch_size(self.model, self.n_draws, method)
        require_two_batches(self.model, self.n_draws, self.batch, method)
        self.chunks = model_chunks(self.model, self.n_draws, batch=self.batch)
        self.kept: list[Kept] | None = None
        if Kept.size_of(self.model, self.n_draws) <= REPLAY_MEMORY:
            with one_blas_thread():
                self.kept = []
                cursor = Cursor()
                for start, stop in self.chunks:
                    kept = self._sample(self.model, start, stop, cursor, keep=True).kept
                    assert kept is not None  # sample keeps what it is asked to
                    self.kept.append(kept)

    def probabilities(self, trial: Model, targets: Sequence[int] | None = None) -> dict[int, Probability]:
        """P(hit) of each of ``targets`` (indices into trial.targets; default all) in the trial,
        exactly as ``simulate(trial, n_draws, seed, method=method)`` reports them."""
        trial = sampled_model(trial, self.method)
        wanted = list(range(len(trial.targets))) if targets is None else list(targets)
        rows = None if self.kept is None else changed_rows(self.model, trial)
        computed = frozenset() if rows is None else downstream(trial, rows)
        hits = np.zeros(len(wanted), dtype=np.int64)
        per_batch: list[Ints] = []  # hits of each target in each batch, a chunk at a time
        batch_sizes: list[Ints] = []
        cursor = Cursor()  # a wide model draws a block in several chunks, in order
        with one_blas_thread():
            for index, (start, stop) in enumerate(self.chunks):
                if rows is None or self.kept is None:
                    draws = self._sample(trial, start, stop, cursor)
                else:
                    kept = self.kept[index]
                    draws = resample(
                        trial, kept, rows, computed, self.seed, start, stop, self.method, self.batch, cursor
                    )
                flags = hits_of(trial, draws, wanted)
                hits += np.count_nonzero(flags, axis=1)
                if self.batch is not None:
                    per_batch.append(batch_sums(flags, self.batch))
                    batch_sizes.append(batch_sums(np.ones((1, stop - start), dtype=bool), self.batch)[0])
        batches = _Batches(np.concatenate(per_batch, axis=1), np.concatenate(batch_sizes)) if per_batch else None
        exact = trial.deterministic_targets
        return {
            t: share_of_draws(
                int(hits[k]),
                self.n_draws,
                t in exact,
                batches if batches is not None and (self.method != "mc" or trial.rearranged_together([t])) else None,
                lambda b, k=k: b.hits[k],
            )
            for k, t in enumerate(wanted)
        }

    def _sample(self, model: Model, start: int, stop: int, cursor: Cursor, keep: bool = False) -> Draws:
        return sample(model, self.seed, start, stop, self.method, self.batch, keep=keep, cursor=cursor)


@dataclasses.dataclass(frozen=True)
class _Batches:
    """The per-batch counts ``share_of_draws`` takes, as an accumulator's (``accumulate._Batches``)."""

    hits: Ints  # (n_wanted_targets, n_batches)
    sizes: Ints  # (n_batches,)


def changed_rows(base: Model, trial: Model) -> frozenset[int] | None:
    """The rows whose values differ between the two models' draws on the same seed, before the
    computed rows (which a replay always recomputes); None when the difference is not local to some
    rows (then the trial is drawn in full)."""
    if (
        trial.rows != base.rows
        or trial.stream_keys != base.stream_keys
        or trial.correlated_rows != base.correlated_rows
        or trial.correlation_method != base.correlation_method
        or not _same_matrix(trial.score_correlation, base.score_correlation)
        or trial.events != base.events
        or trial.replaced_rows != base.replaced_rows
    ):
        return None
    held_base, held_trial = dict(base.held), dict(trial.held)
    rows = {
        row
        for row in range(len(trial.indicators))
        if trial.distributions[row] != base.distributions[row]
        or held_base.get(row) != held_trial.get(row)
        or (row in base.held_alone) != (row in trial.held_alone)
        or base.known.get(row) != trial.known.get(row)
        or base.links.get(row) != trial.links.get(row)
        or base.indicators[row].formula != trial.indicators[row].formula
    }
    correlated = set(trial.correlated_rows)
    if rows & correlated and trial.correlation_method != "gaussian_copula":
        return None  # Iman-Conover rearranges every correlated row by the ranks of all of them

    def conditioning(model: Model) -> set[tuple[int, float]]:  # held inputs that move their partners
        return {(row, q) for row, q in model.held if row in correlated and row not in model.held_alone}

    if conditioning(base) != conditioning(trial):
        rows |= correlated
    for event_id, _occurs in set(base.held_events) ^ set(trial.held_events):
        event = next(e for e in trial.events if e.id == event_id)
        # holding a grouped event always also stops the others of its group
        for other in trial.events:
            if other.id == event_id or (event.group is not None and other.group == event.group):
                rows |= {trial.rows[effect.indicator] for effect in other.effects}
    return frozenset(rows)


def downstream(model: Model, rows: frozenset[int]) -> frozenset[int]:
    """The computed rows that ``rows`` reach: each computed row among them or using one of them
    (by its formula or its drivers), directly or through other computed rows."""
    reached = set(rows)
    out = set()
    for row in model.computed_rows:  # in topological order: the rows each uses come before it
        indicator = model.indicators[row]
        used = (
            {model.rows[r.indicator] for r in indicator.formula.references} if indicator.formula is not None else set()
        )
        used |= {driver for driver, _elasticity, _at in model.links.get(row, ())}
        if row in reached or used & reached:
            reached.add(row)
            out.add(row)
    return frozenset(out)


def _same_matrix(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
