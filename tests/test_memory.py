"""Bounded memory (docs/architecture.md): a run keeps summaries, not draws, so its peak memory does
not grow with the number of draws. numpy reports its arrays to tracemalloc, which measures them."""

from __future__ import annotations

import tracemalloc

from growthsim import load_scenario, simulate
from growthsim.engine.streams import BLOCK_SIZE

from .conftest import BASELINE


def _peak_bytes(scenario, n_draws: int) -> int:
    tracemalloc.start()
    try:
        simulate(scenario, n_draws=n_draws, seed=1, workers=1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_draws():
    scenario = load_scenario(BASELINE)
    simulate(scenario, n_draws=BLOCK_SIZE, seed=1, workers=1)  # caches (catalogs, tables) outside the measure
    few = _peak_bytes(scenario, 2 * BLOCK_SIZE)
    many = _peak_bytes(scenario, 16 * BLOCK_SIZE)  # 8 times the draws
    # Kept draws would make it 8 times larger; per-block summaries (exact sums, a few counts per
    # block) grow by a few kilobytes. One block's working arrays set the peak.
    assert many < 1.25 * few, (few, many)
