"""Random streams: every random number growthsim draws comes from a stream named by a key.

Randomness is keyed, never positional. One seed becomes a ``numpy.random.SeedSequence``; each
indicator id, and each block of ``BLOCK_SIZE`` consecutive draws, gets its own child stream through
the spawn key ``(STREAM_INDICATOR, hash of the id, block index)``. Hence:

* adding, removing or reordering indicators leaves every other indicator's draws unchanged;
* two scenarios that share an indicator id share its random numbers (common random numbers), so
  their comparison is paired;
* the draws do not depend on the chunk size or on how many workers share the blocks; the first n
  draws of a longer run are the draws of a run of n (with Iman-Conover correlations, which
  rearrange each group of draws as a whole and size the groups by the run, this holds when both
  runs have groups of a whole block: from MIN_BATCHES blocks, 2,097,152 draws, on).

A stream gives uniforms (``uniforms``) or standard normal scores (``normals``, numpy's ziggurat:
about half the cost of a uniform passed through the inverse normal CDF); which one a row takes is
the sampler's choice (``sampling``), part of the reproducibility contract.

Compatibility rule: same DRAWS_VERSION + seed + number of draws (+ sampling method) -> identical
numbers. DRAWS_VERSION changes whenever a release changes how draws are made from a seed (it is
recorded in every run's manifest, JSON and workbook, so a planner can tell why two runs of one
seed differ).
"""

from __future__ import annotations

import hashlib

import numpy as np

from growthsim.stats.arrays import Floats
from growthsim.stats.distributions import clip_uniform

__all__ = ["BLOCK_SIZE", "DRAWS_VERSION", "Cursor", "normals", "stream_key", "uniforms"]

# 1: growthsim 0.1-0.2, every row from uniforms. 2: under plain Monte Carlo, rows drawn through the
# Gaussian copula or from a normal or lognormal law take normal scores directly (issue #16).
DRAWS_VERSION = 2

BLOCK_SIZE = 65_536  # part of the reproducibility contract: changing it changes every draw
STREAM_INDICATOR = 1  # spawn-key domain tags keep the kinds of stream apart
STREAM_EVENT = 2  # an independent shock event
STREAM_EVENT_GROUP = 3  # a group of mutually exclusive events
STREAM_LHS = 4  # Latin hypercube: a stream's permutation and jitter in one replicate
STREAM_SOBOL = 5  # the scrambling of one replicate's Sobol' points
STREAM_SEASONAL = 6  # an indicator's share of the year known by its year-to-date actuals


def stream_key(name: str, domain: int = STREAM_INDICATOR) -> tuple[int, int, int]:
    """A stable spawn-key prefix for a named stream (a 64-bit hash split into two 32-bit words)."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    return domain, digest >> 32, digest & 0xFFFFFFFF


def uniforms(entropy: int, key: tuple[int, ...], start: int, stop: int, out: Floats | None = None) -> Floats:
    """Uniforms in (0, 1) for draws ``start`` up to ``stop``; shape (stop - start,), written into
    ``out`` when given. A uniform takes one raw 64-bit number, so a chunk that starts inside a
    block jumps its stream there (PCG64.advance): the same uniforms as the block drawn whole."""
    if out is None:
        out = np.empty(stop - start)
    for block, offset, here in _segments(start, stop):
        bits = np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(*key, block)))
        if offset:
            bits.advance(offset)
        np.random.Generator(bits).random(here.stop - here.start, out=out[here])
    clip_uniform(out, out=out)  # random() may return 0.0 (and stays below LARGEST_UNIFORM)
    return out


def normals(
    entropy: int,
    key: tuple[int, ...],
    start: int,
    stop: int,
    out: Floats | None = None,
    cursor: Cursor | None = None,
) -> Floats:
    """Standard normal scores for draws ``start`` up to ``stop``, from the same keyed block streams
    as ``uniforms`` (a row takes one or the other, never both). The ziggurat takes a varying number
    of raw numbers a score, so a stream cannot jump into a block: a chunk that starts inside one
    continues the generator that ``cursor`` kept from the block's previous chunk (the block's
    chunks drawn in order give the scores of the block drawn whole)."""
    if out is None:
        out = np.empty(stop - start)
    for block, offset, here in _segments(start, stop):
        if cursor is not None:
            generator = cursor.take(entropy, key, block, offset)
        elif offset:
            raise ValueError(
                f"a chunk starting inside a block ({start}) needs the cursor of the block's earlier chunks"
            )
        else:
            generator = _generator(entropy, key, block)
        generator.standard_normal(here.stop - here.start, out=out[here])
        if cursor is not None:
            cursor.keep(entropy, key, block, offset + here.stop - here.start, generator)
    return out


class Cursor:
    """Where each normal-score stream stands in the blocks being drawn, for a run that draws a
    block in several chunks (a wide scenario: a block of 1,000 indicators would take 500 MB an
    array): the chunks of a block are drawn in order, each continuing the generators the last
    left. A stream's generator is dropped once its block is drawn."""

    def __init__(self) -> None:
        self._open: dict[tuple[int, tuple[int, ...], int], tuple[int, np.random.Generator]] = {}

    def take(self, entropy: int, key: tuple[int, ...], block: int, offset: int) -> np.random.Generator:
        if offset == 0:
            return _generator(entropy, key, block)
        at, generator = self._open.pop((entropy, key, block), (None, None))
        if generator is None or at != offset:
            raise ValueError(f"the chunks of block {block} are drawn in order: expected draw {at}, got {offset}")
        return generator

    def keep(self, entropy: int, key: tuple[int, ...], block: int, offset: int, generator: np.random.Generator) -> None:
        if offset < BLOCK_SIZE:
            self._open[(entropy, key, block)] = (offset, generator)


def _generator(entropy: int, key: tuple[int, ...], block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(*key, block))))


def _segments(start: int, stop: int) -> list[tuple[int, int, slice]]:
    """(block, offset in it, the part of [start, stop) it holds, as a slice of the output) for each
    block that draws [start, stop) overlap."""
    out = []
    position = start
    while position < stop:
        block, offset = divmod(position, BLOCK_SIZE)
        end = min(stop, (block + 1) * BLOCK_SIZE)
        out.append((block, offset, slice(position - start, end - start)))
        position = end
    return out
