"""Wide scenarios (#16 width): a model too wide for a block of draws to stay near WORKING_BYTES an
array is drawn in chunks of part of a block (sampling.chunk_draws), each block's chunks in order.
The draws are those of the block drawn whole, so every P(hit) is the same as with whole blocks;
results do not depend on the number of workers or the chunk size; compare and the replays of
solve and sensitivity give each scenario what run gives it; memory does not grow with the draws.

The tests make the baseline "wide" by shrinking WORKING_BYTES, so that they run in seconds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from growthsim import load_scenario
from growthsim.analysis.compare import compare
from growthsim.engine import designs
from growthsim.engine.model import compile_model
from growthsim.engine.replay import Replay
from growthsim.engine.run import model_chunks, simulate
from growthsim.engine.sampling import chunk_draws
from growthsim.engine.streams import BLOCK_SIZE

from .conftest import BASELINE, REPO

DOWNSIDE = REPO / "scenarios" / "luolong-2023-downside.toml"
N = 3 * BLOCK_SIZE + 5_000


def _hits(summary) -> dict[str, tuple]:
    return {row.indicator.id: (row.hit.p, row.hit.ci) for row in summary.indicators if row.hit}


def _everything(summary) -> dict[str, tuple]:
    return {
        row.indicator.id: (row.hit.p if row.hit else None, row.mean, tuple(row.quantiles.values()))
        for row in summary.indicators
    }


@pytest.fixture
def narrow_blocks(monkeypatch):
    """Working arrays of 8 KB a row: the baseline's 22 indicators in chunks of 4,096 draws."""
    monkeypatch.setattr(designs, "WORKING_BYTES", 22 * 8 * 4096)


def test_a_wide_model_is_drawn_in_chunks_of_part_of_a_block(narrow_blocks):
    model = compile_model(load_scenario(BASELINE))
    assert chunk_draws(model) == 4096
    pieces = model_chunks(model, N)
    assert pieces[0] == (0, 4096) and pieces[-1][1] == N and all(b - a <= 4096 for a, b in pieces)


def test_the_draws_are_those_of_whole_blocks(monkeypatch):
    """Every P(hit) (a count of hits on the same draws) is the same drawn in chunks of 4,096."""
    scenario = load_scenario(BASELINE)
    whole = simulate(scenario, N, seed=5)
    monkeypatch.setattr(designs, "WORKING_BYTES", 22 * 8 * 4096)
    assert _hits(simulate(scenario, N, seed=5)) == _hits(whole)


def test_workers_and_chunk_sizes_do_not_change_a_wide_run(narrow_blocks):
    scenario = load_scenario(BASELINE)
    alone = _everything(simulate(scenario, N, seed=5))
    assert _everything(simulate(scenario, N, seed=5, workers=2)) == alone
    assert _everything(simulate(scenario, N, seed=5, chunk_size=4 * BLOCK_SIZE)) == alone


def test_compare_gives_a_wide_scenario_what_run_gives_it(narrow_blocks):
    first, second = load_scenario(BASELINE), load_scenario(DOWNSIDE)
    comparison = compare([first, second], N, 5)
    for scenario, summary in zip((first, second), comparison.summaries, strict=True):
        assert _everything(summary) == _everything(simulate(scenario, N, seed=5))


def test_a_wide_replay_is_the_full_run(narrow_blocks):
    base = compile_model(load_scenario(BASELINE))
    trial = compile_model(load_scenario(BASELINE, ["gdp.growth.mode=6.5%"]))
    replay = Replay(base, N, 5)
    got = {index: (p.p, p.ci) for index, p in replay.probabilities(trial).items()}
    full = simulate(trial, N, seed=5)
    expected = {trial.target_of_row[trial.rows[i]]: value for i, value in _hits(full).items()}
    assert got == expected


WIDE_MEMORY = """
import json, resource, sys
sys.path.insert(0, {benchmarks!r})
from workloads import stress_text
from growthsim import parse_scenario
from growthsim.engine.run import simulate
scenario = parse_scenario(stress_text(300, 30, 2))
simulate(scenario, {n}, seed=1)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def _peak_kb(n: int) -> int:
    code = WIDE_MEMORY.format(benchmarks=str(REPO / "benchmarks"), n=n)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600)
    return int(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_wide_runs_memory_does_not_grow_with_its_draws():
    """330 indicators in chunks of 8,192 draws: the peak at 3 blocks of draws is within 10% of the
    peak at 1 (a whole block of them would be 170 MB an array)."""
    small, large = _peak_kb(BLOCK_SIZE), _peak_kb(3 * BLOCK_SIZE)
    assert large < small * 1.1, (small, large)
