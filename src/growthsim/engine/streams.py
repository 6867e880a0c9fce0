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

__all__ = ["BLOCK_SIZE", "DRAWS_VERSION", "normals", "stream_key", "uniforms"]

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
    """Uniforms in (0, 1) for draws ``start`` (a multiple of BLOCK_SIZE) up to ``stop``; shape
    (stop - start,), written into ``out`` when given."""
    out = _blocks(entropy, key, start, stop, out, "random")
    clip_uniform(out, out=out)  # random() may return 0.0 (and stays below LARGEST_UNIFORM)
    return out


def normals(entropy: int, key: tuple[int, ...], start: int, stop: int, out: Floats | None = None) -> Floats:
    """Standard normal scores for draws ``start`` (a multiple of BLOCK_SIZE) up to ``stop``, from
    the same keyed block streams as ``uniforms`` (a row takes one or the other, never both)."""
    return _blocks(entropy, key, start, stop, out, "standard_normal")


def _blocks(entropy: int, key: tuple[int, ...], start: int, stop: int, out: Floats | None, method: str) -> Floats:
    if start % BLOCK_SIZE:
        raise ValueError(f"start must be a multiple of BLOCK_SIZE ({BLOCK_SIZE}), got {start}")
    if out is None:
        out = np.empty(stop - start)
    for block_start in range(start, stop, BLOCK_SIZE):
        n = min(BLOCK_SIZE, stop - block_start)
        seq = np.random.SeedSequence(entropy, spawn_key=(*key, block_start // BLOCK_SIZE))
        draw = getattr(np.random.Generator(np.random.PCG64(seq)), method)
        draw(n, out=out[block_start - start : block_start - start + n])
    return out
