"""Sampling designs: how many draws make a batch, and the random numbers of each stream for a
chunk of draws under a method.

Sampling methods. ``mc`` (the default) draws every stream independently (``streams``: uniforms,
or normal scores directly). ``lhs`` (Latin hypercube) and ``sobol`` (scrambled Sobol' points) cut
the draws into *replicates*: consecutive runs of ``replicate_size(n)`` draws (a power of two that
divides BLOCK_SIZE, so a replicate never straddles two blocks), each an independently randomised
design. Within a replicate every stream is stratified (lhs: one uniform in each of the m equal
slices of (0, 1), keyed by stream and replicate, so streams stay keyed by id as under mc); Sobol'
points are spread evenly in all dimensions jointly, a dimension per stream in the order of their
keys (so scenarios with the same streams share their points). The replicates' independent
estimates give the error bars (``intervals.Probability.from_batches``): the binomial formula
would overstate the error of these designs, whose whole point is a smaller one.

Batches. Iman-Conover correlations rearrange a *group* of draws as a whole (``iman_conover_group``
of them, a power of two that divides BLOCK_SIZE, chosen from the run's size so that there are
at least MIN_BATCHES groups where the draws allow), which makes the draws of a group dependent and the
groups independent. ``batch_size`` is the run's unit of independence: the replicate (lhs, sobol), the
Iman-Conover group (mc with Iman-Conover correlations), or None when every draw is independent.
The error bars of a batched run come from its batches (see ``intervals``).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator

import numpy as np
from scipy import special

from growthsim.engine.model import Model
from growthsim.engine.streams import (
    BLOCK_SIZE,
    STREAM_EVENT,
    STREAM_EVENT_GROUP,
    STREAM_LHS,
    STREAM_SOBOL,
    Cursor,
    normals,
    stream_key,
    uniforms,
)
from growthsim.i18n import _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError
from growthsim.stats.arrays import Floats
from growthsim.stats.distributions import clip_uniform

__all__ = [
    "IMAN_CONOVER_SMALLEST",
    "METHODS",
    "MIN_BATCHES",
    "MIN_REPLICATES",
    "WORKING_BYTES",
    "Design",
    "batch_size",
    "blocks",
    "chunk_draws",
    "iman_conover_group",
    "model_streams",
    "planned_draws",
    "replicate_size",
    "require_two_batches",
    "sampled_model",
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
    if batch is None or n_draws > batch:
        return
    if method != "mc":
        message = _(
            "{n} draws are one replicate of --method {method}, and an error bar needs at least two: "
            "draw at least {least}"
        ).format(n=f"{n_draws:,}", method=method, least=f"{2 * batch:,}")
    else:
        message = _(
            "{n} draws are one group of the Iman-Conover correlations ({batch} draws), and an error bar "
            'needs at least two: draw at least {least}, or set correlation_method = "gaussian_copula"'
        ).format(n=f"{n_draws:,}", batch=f"{batch:,}", least=f"{2 * batch:,}")
    raise ScenarioError([Diagnostic("--draws", None, None, "", message)])


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


class Design:
    """The random numbers of each stream for draws [start, stop) under a sampling method: its
    uniforms, or its normal scores. Under mc a stream gives either directly (``streams``); lhs and
    sobol designs are made of uniforms, and their scores are the uniforms' inverse normal CDF."""

    def __init__(
        self,
        model: Model,
        entropy: int,
        start: int,
        stop: int,
        method: str,
        size: int | None,
        cursor: Cursor | None = None,
    ):
        self.entropy, self.start, self.stop, self.method, self.size = entropy, start, stop, method, size
        self.cursor = cursor  # for a chunk inside a block: where the block's normal-score streams stand
        self.sobol: dict[tuple[int, ...], Floats] | None = None
        if method == "sobol":
            self._sobol(model_streams(model))

    def uniforms(self, key: tuple[int, ...]) -> Floats:
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

    def scores(self, key: tuple[int, ...], out: Floats | None = None) -> Floats:
        """Standard normal scores of the stream (into ``out`` when given)."""
        if self.method == "mc":
            return normals(self.entropy, key, self.start, self.stop, out, self.cursor)
        return special.ndtri(self.uniforms(key), out=out)

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


def sampled_model(model: Model, method: str) -> Model:
    """The model as ``method`` samples it: lhs and sobol correlate through the Gaussian copula.
    Iman-Conover rearranges whole groups, mixing the replicates whose independence the error
    bars rest on (and a replicate may be too small to rank); the copula imposes the same rank
    correlations draw by draw and keeps the design's structure."""
    if method != "mc" and model.correlated_rows and model.correlation_method != "gaussian_copula":
        return dataclasses.replace(model, correlation_method="gaussian_copula")
    return model


# What one working array of a chunk (indicators x draws, in doubles) may take: a chunk of the
# baseline's 22 indicators is a whole block (11 MB); one of 1,000 indicators, 4,096 draws (32 MB;
# a whole block would be 500 MB an array, and a run several GB).
WORKING_BYTES = 32 * 2**20
SMALLEST_CHUNK = 1024


def chunk_draws(model: Model, batch: int | None = None) -> int:
    """The draws a chunk of this model holds (part of the reproducibility contract: the quantile
    grids come from the first chunk, and sums are taken chunk by chunk): a block, or, for a model
    too wide for a block to stay near WORKING_BYTES an array, the largest power of two that does
    (at least SMALLEST_CHUNK, and at least a batch: an Iman-Conover group or a replicate is drawn
    whole). A power of two at most a block: a block is a whole number of chunks."""
    size = BLOCK_SIZE
    while size > SMALLEST_CHUNK and 8 * len(model.indicators) * size > WORKING_BYTES:
        size //= 2
    return max(size, batch or 0)


def blocks(n_draws: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of each block of a run of ``n_draws``, the last one short."""
    for start in range(0, n_draws, BLOCK_SIZE):
        yield start, min(start + BLOCK_SIZE, n_draws)
