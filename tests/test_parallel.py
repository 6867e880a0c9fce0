"""Worker processes (#6 §2): the same seed gives the same numbers with any number of workers and any
chunk size, because every block's random streams are keyed by seed, indicator and block."""

from __future__ import annotations

import numpy as np
import pytest

from growthsim import load_scenario, parse_scenario
from growthsim.engine.run import simulate
from growthsim.engine.streams import BLOCK_SIZE
from growthsim.output.records import summary_to_dict
from growthsim.stats.sketch import QuantileSketch

from .conftest import REPO, scenario_text

# Every kind of state an accumulator keeps: a heavy-tailed metric (quantile-knot grid), counts that
# spill out of their dense window (sparse tally), a relative target (difference sketch), a stretch,
# an event, and Iman-Conover correlations (rearranged block by block).
MIXED = scenario_text(
    """
    [indicators.gdp]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    target = { at_least = "6%", stretch = "8%", source = "t" }
    growth = { dist = "student_t", mean = "6%", scale = "1pp", df = 1.5, rationale = "t" }

    [indicators.income]
    name = "居民收入"
    unit = "元"
    kind = "flow"
    basis = "real"
    target = { relative_to = "gdp", tolerance = "1pp", side = "at_least", source = "t" }
    growth = { dist = "normal", mean = "5.5%", sd = "1pp", rationale = "t" }

    [indicators.firms]
    name = "新增企业"
    unit = "家"
    kind = "count"
    target = { at_least = 30, source = "t" }
    level = { dist = "negative_binomial", mean = 30, sd = 60, rationale = "t" }

    [events.shock]
    name = "冲击"
    probability = "10%"
    rationale = "t"
    effects = [{ indicator = "gdp", add = "-3pp" }]

    [correlations]
    gdp = { income = 0.6 }
    """
)
N = 5 * BLOCK_SIZE + 123


def _everything(summary):
    document = summary_to_dict(summary)
    profiles = [row.profile for row in summary.indicators]
    return document, profiles


@pytest.mark.parametrize("path", [None, REPO / "scenarios" / "luolong-2023-downside.toml"])
def test_workers_and_chunk_sizes_do_not_change_any_number(path):
    scenario = parse_scenario(MIXED) if path is None else load_scenario(path)
    reference = _everything(simulate(scenario, N, seed=11))
    for workers, chunk_size in ((2, BLOCK_SIZE), (3, BLOCK_SIZE), (2, 2 * BLOCK_SIZE), (1, 4 * BLOCK_SIZE)):
        assert _everything(simulate(scenario, N, seed=11, workers=workers, chunk_size=chunk_size)) == reference, (
            workers,
            chunk_size,
        )


def test_spawned_workers_give_the_same_numbers(monkeypatch):
    """Windows and macOS start workers by spawn: the model and the pilot travel pickled."""
    import growthsim.engine.run as engine

    monkeypatch.setattr(engine, "START_METHOD", "spawn")
    scenario = parse_scenario(MIXED)
    n = 3 * BLOCK_SIZE
    assert _everything(simulate(scenario, n, seed=4, workers=2)) == _everything(simulate(scenario, n, seed=4))


def test_a_scenario_error_in_a_worker_is_reported_as_such():
    """A formula that fails only on later draws fails in a worker; the error must come back as the
    located ScenarioError it is, not as a broken process pool."""
    import pickle

    from growthsim import ScenarioError
    from growthsim.scenario.diagnostics import Diagnostic

    error = ScenarioError([Diagnostic("s.toml", 3, 5, "indicators.x.formula", "no finite value")])
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, ScenarioError) and again.diagnostics == error.diagnostics
    assert str(again) == str(error)


def test_one_chunk_with_workers_is_simply_run_here():
    scenario = parse_scenario(MIXED)
    assert _everything(simulate(scenario, 1000, seed=2, workers=4)) == _everything(simulate(scenario, 1000, seed=2))


@pytest.mark.parametrize("integer, heavy", [(False, False), (False, True), (True, False)])
def test_merged_sketches_equal_one_sketch(integer, heavy):
    rng = np.random.default_rng(5)
    if integer:
        data = rng.negative_binomial(0.3, 0.01, 50_000).astype(float)
    elif heavy:
        data = rng.standard_t(1.2, 50_000)
    else:
        data = rng.standard_normal(50_000)
    whole = QuantileSketch(data[:1000], integer=integer)
    whole.add(data)
    parts = QuantileSketch(data[:1000], integer=integer)
    parts.add(data[:20_000])
    rest = parts.empty_like()
    rest.add(data[20_000:])
    parts.merge(rest)
    probabilities = np.linspace(0, 1, 101)
    assert np.array_equal(whole.quantiles(probabilities), parts.quantiles(probabilities))
    assert (whole.n, whole.below, whole.above, whole.min, whole.max) == (
        parts.n,
        parts.below,
        parts.above,
        parts.min,
        parts.max,
    )


def test_sketches_on_other_grids_are_not_merged():
    a = QuantileSketch(np.arange(10.0))
    b = QuantileSketch(np.arange(20.0))
    with pytest.raises(ValueError, match="same grid"):
        a.merge(b)


@pytest.mark.skipif(not hasattr(__import__("os"), "killpg"), reason="needs POSIX process groups")
def test_ctrl_c_stops_the_workers_and_leaves_nothing(tmp_path):
    """Ctrl-C reaches the whole process group: the workers ignore it, the main process stops them
    at once (it used to wait for every queued run) and discards the half-written --out folder."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "growthsim", "run", "-n", "100000000", "-w", "2", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(3)  # well into the workers' runs
    os.killpg(process.pid, signal.SIGINT)
    try:
        assert process.wait(timeout=10) == 130  # the run had ~25 s to go
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert list(tmp_path.iterdir()) == []


def _scaled(shared, job):
    return shared * job


@pytest.mark.parametrize("start_method", [None, "spawn"])
def test_map_on_cores_keeps_the_order_and_shares_once(monkeypatch, start_method):
    import growthsim.engine.run as engine

    monkeypatch.setattr(engine, "START_METHOD", start_method)
    monkeypatch.setattr(engine, "usable_cores", lambda: 2)
    assert engine.map_on_cores(_scaled, 3, list(range(10))) == [3 * k for k in range(10)]
    monkeypatch.setattr(engine, "usable_cores", lambda: 1)
    assert engine.map_on_cores(_scaled, 3, [1, 2]) == [3, 6]
