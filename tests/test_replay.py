"""Replays (#16): a trial recomputed from a kept run gives exactly what a full run of the trial
model gives, P(hit) and its interval, whatever the trial changes: an uncorrelated law, a copula
row's law, a count, a target, an input held (with and without its partners), an event held, the
year so far; under Iman-Conover, lhs and with too little memory to keep the draws (the full
path)."""

from __future__ import annotations

import dataclasses

import pytest

from growthsim import load_scenario, parse_scenario
from growthsim.engine import replay as replay_module
from growthsim.engine.model import compile_model
from growthsim.engine.replay import Replay, changed_rows
from growthsim.engine.run import simulate
from growthsim.engine.streams import BLOCK_SIZE
from growthsim.scenario.periods import Period
from growthsim.scenario.types import Actual

from .conftest import BASELINE, REPO, scenario_text, with_actuals

DOWNSIDE = REPO / "scenarios" / "luolong-2023-downside.toml"
N = BLOCK_SIZE + 3_000  # two blocks, the second short
SEED = 7


def _full(model, method: str = "mc") -> dict[int, tuple]:
    summary = simulate(model, N, SEED, method=method)
    hits = {}
    for row in summary.indicators:
        if row.hit is not None:
            index = model.target_of_row[model.rows[row.indicator.id]]
            hits[index] = (row.hit.p, row.hit.ci, row.hit.se)
    return hits


def _replayed(replay: Replay, model) -> dict[int, tuple]:
    return {index: (p.p, p.ci, p.se) for index, p in replay.probabilities(model).items()}


def _trial(path, *overrides: str):
    return compile_model(load_scenario(path, list(overrides)))


@pytest.mark.parametrize(
    "overrides",
    [
        (),  # the base itself
        ("population_growth.level.mean=1%",),  # an uncorrelated normal: drawn from scores
        ("gdp.growth.mode=6.5%",),  # a copula row whose law moves, and the rows computed from it
        ("fai.growth.sd_down=4pp",),  # a copula row's spread
        ("new_entities.level.mean=12000",),  # a count (negative binomial) from uniforms
        ('gdp.target=">= 7%"',),  # a target: no row changes
        (
            'unemployment.level={ dist = "triangular", min = "4.5%", mode = "5%", max = "6%", rationale = "t" }',
        ),  # a new law family
    ],
    ids=lambda o: o[0] if o else "base",
)
def test_a_replayed_trial_is_the_full_run_of_it(overrides):
    base = compile_model(load_scenario(BASELINE))
    replay = Replay(base, N, SEED)
    assert replay.kept is not None
    trial = _trial(BASELINE, *overrides)
    assert changed_rows(base, trial) is not None  # replayed, not drawn in full
    assert _replayed(replay, trial) == _full(trial)


def test_held_inputs_replay_exactly():
    """Sensitivity's trials: an uncorrelated input held, a copula input held with its partners
    moving, and held alone."""
    base = compile_model(load_scenario(BASELINE))
    replay = Replay(base, N, SEED)
    for row_id, alone in [("population_growth", False), ("fai", False), ("fai", True), ("cpi", True)]:
        row = base.rows[row_id]
        trial = dataclasses.replace(base, held=((row, 0.1),), held_alone=frozenset({row}) if alone else frozenset())
        changed = changed_rows(base, trial)
        assert changed is not None and row in changed
        if not alone and row in base.correlated_rows:
            assert set(base.correlated_rows) <= changed  # its partners move with it
        assert _replayed(replay, trial) == _full(trial), (row_id, alone)
    # the held trials left the kept draws as they were: a copula row's law, replayed after them
    trial = _trial(BASELINE, "retail.growth.mean=6%")
    assert _replayed(replay, trial) == _full(trial)


def test_events_held_and_laws_changed_beside_an_event_replay_exactly():
    """The downside has an event acting on four rows: hold it always and never, and change a law
    the event acts on."""
    base = compile_model(load_scenario(DOWNSIDE))
    replay = Replay(base, N, SEED)
    for trial in [
        dataclasses.replace(base, held_events=(("epidemic", True),)),
        dataclasses.replace(base, held_events=(("epidemic", False),)),
        _trial(DOWNSIDE, "retail.growth.mean=5%"),
    ]:
        assert changed_rows(base, trial) is not None
        assert _replayed(replay, trial) == _full(trial)


def test_the_year_so_far_replays_exactly():
    """Conditioned rows (investment and budget revenue after the first half) and a changed law of a
    conditioned row: the shares of the year are drawn again only where the conditioning changed."""
    rows = (
        Actual("fai", Period(1, 6), growth=0.09),
        Actual("revenue", Period(1, 6), growth=0.05),
    )
    base = compile_model(with_actuals(load_scenario(BASELINE), *rows))
    replay = Replay(base, N, SEED)
    changed_law = compile_model(with_actuals(load_scenario(BASELINE, ["fai.growth.mode=10%"]), *rows))
    later = compile_model(with_actuals(load_scenario(BASELINE), rows[0], Actual("revenue", Period(1, 9), growth=0.06)))
    assert base.known and changed_rows(base, later) == {base.rows["revenue"]}
    for trial in (changed_law, later):
        assert _replayed(replay, trial) == _full(trial)


def _iman_conover_text() -> str:
    return scenario_text("""
        [indicators.a]
        name = "甲"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = { at_least = "6%", source = "t" }
        growth = { dist = "normal", mean = "6%", sd = "2pp", rationale = "t" }

        [indicators.b]
        name = "乙"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = { at_least = "8%", source = "t" }
        growth = { dist = "triangular", min = "2%", mode = "8%", max = "12%", rationale = "t" }

        [indicators.c]
        name = "丙"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = { at_least = "5%", source = "t" }
        growth = { dist = "normal", mean = "5%", sd = "1pp", rationale = "t" }

        [correlations]
        a = { b = 0.6 }
        """)


def test_under_iman_conover_a_correlated_change_is_drawn_in_full_and_the_rest_replayed():
    text = _iman_conover_text()
    base = compile_model(parse_scenario(text))
    assert base.correlation_method == "iman_conover"
    replay = Replay(base, N, SEED)
    correlated = compile_model(parse_scenario(text.replace('mean = "6%", sd = "2pp"', 'mean = "7%", sd = "2pp"')))
    alone = compile_model(parse_scenario(text.replace('mean = "5%", sd = "1pp"', 'mean = "4%", sd = "1pp"')))
    assert changed_rows(base, correlated) is None and changed_rows(base, alone) == {base.rows["c"]}
    for trial in (correlated, alone):
        assert _replayed(replay, trial) == _full(trial)


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_designs_replay_exactly(method):
    base = compile_model(load_scenario(BASELINE))
    replay = Replay(base, N, SEED, method)
    trial = _trial(BASELINE, "gdp.growth.mode=6.5%")
    assert _replayed(replay, trial) == _full(trial, method)


def test_without_the_memory_to_keep_the_draws_every_trial_is_drawn_in_full(monkeypatch):
    monkeypatch.setattr(replay_module, "REPLAY_MEMORY", 0)
    base = compile_model(load_scenario(BASELINE))
    replay = Replay(base, N, SEED)
    assert replay.kept is None
    trial = _trial(BASELINE, "gdp.growth.mode=6.5%")
    assert _replayed(replay, trial) == _full(trial)


def test_another_correlation_matrix_is_not_replayed():
    base = compile_model(load_scenario(BASELINE))
    other = compile_model(load_scenario(BASELINE, ["correlations.gdp.fai=0.2"]))
    assert changed_rows(base, other) is None
    assert _replayed(Replay(base, N, SEED), other) == _full(other)
