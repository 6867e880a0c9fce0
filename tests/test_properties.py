"""Properties of simulated summaries that must hold for every valid scenario (hypothesis).

Scenarios come from tests/strategies.py: 1-5 indicators of every kind, every registered
distribution, every target form. Runs are small (a few thousand draws) except the chunking test,
which needs more than two blocks of draws.
"""

from __future__ import annotations

import itertools
import math
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from growthsim import parse_scenario, simulate
from growthsim.engine.streams import BLOCK_SIZE
from growthsim.output.records import summary_to_dict
from growthsim.stats.intervals import Probability

from .strategies import (
    AssumptionSpec,
    IndicatorSpec,
    Q,
    ScenarioSpec,
    TargetSpec,
    scenarios,
    thresholds,
    tolerances,
)

# GROWTHSIM_EXAMPLES=10 runs ten times as many examples (for a longer hunt than CI affords).
SCALE = float(os.environ.get("GROWTHSIM_EXAMPLES", "1"))
SEEDS = st.integers(0, 2**63 - 1)
DRAWS = st.one_of(st.integers(1, 3_000), st.integers(3_000, 30_000))


def examples(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, suppress_health_check=[HealthCheck.too_slow])


FAST = examples(250)
QUICK = examples(150)


def run(spec: ScenarioSpec, n_draws: int, seed: int, **kwargs):
    return simulate(parse_scenario(spec.toml()), n_draws=n_draws, seed=seed, **kwargs)


def probabilities(summary):
    """Every (label, Probability) a summary reports."""
    out = []
    for row in summary.indicators:
        if row.hit is not None:
            out.append((f"{row.indicator.id}.p_hit", row.hit))
        if row.stretch is not None:
            out.append((f"{row.indicator.id}.stretch", row.stretch))
    if summary.joint.all_hit is not None:
        out.append(("p_all", summary.joint.all_hit))
    return out


def assert_monotone(values: dict, label: str) -> None:
    ordered = list(values.values())
    assert all(a <= b for a, b in itertools.pairwise(ordered)), f"{label} not monotone: {values}"


# A scenario whose targets are certain to be missed (gdp: a fixed 5% against >= 8%) and to be hit
# (cpi: a fixed 2% against <= 3%): P(hit) is exactly 0 and 1.
CERTAIN = ScenarioSpec(
    (
        IndicatorSpec(
            "gdp",
            "flow",
            AssumptionSpec("fixed", (("value", Q(500, 2, "%")),)),
            basis="real",
            baseline=Q(5824, 1),
            target=TargetSpec("at_least", value=Q(800, 2, "%")),
        ),
        IndicatorSpec(
            "cpi",
            "rate",
            AssumptionSpec("fixed", (("value", Q(200, 2, "%")),)),
            target=TargetSpec("at_most", value=Q(300, 2, "%")),
        ),
    )
)


# --- invariants of one summary --------------------------------------------------------------------


@FAST
@given(spec=scenarios(), n_draws=DRAWS, seed=SEEDS)
@example(spec=CERTAIN, n_draws=3, seed=1)
@example(spec=CERTAIN, n_draws=20_000, seed=1)
def test_summary_invariants(spec, n_draws, seed):
    summary = run(spec, n_draws, seed)
    assert summary.n_draws == n_draws and summary.seed == seed

    for label, probability in probabilities(summary):
        low, high = probability.ci
        assert 0.0 <= probability.p <= 1.0, label
        assert 0.0 <= low <= high <= 1.0, label
        assert probability.se >= 0.0, label
        if 0.0 < probability.p < 1.0:  # the edges: see test_probabilities_inside_their_ci
            assert low <= probability.p <= high, (label, probability)

    hit_ps = []
    for row in summary.indicators:
        assert_monotone(row.quantiles, f"{row.indicator.id} quantiles")
        if row.level_quantiles is not None:
            assert_monotone(row.level_quantiles, f"{row.indicator.id} level quantiles")
        if row.indicator.kind == "count" and row.quantile_error == 0.0:
            # exact count quantiles (see test_count_quantiles_are_whole_numbers for the others)
            assert all(float(v).is_integer() for v in row.quantiles.values()), row.quantiles
        assert math.isfinite(row.mean)
        if row.hit is None:
            assert row.stretch is None and row.mean_gap_when_missed is None
            continue
        hit_ps.append(row.hit.p)
        if row.stretch is not None:  # a stretch is more demanding than its floor
            assert row.stretch.p <= row.hit.p
        if row.hit.p == 1.0:
            assert row.mean_gap_when_missed is None
        else:
            assert row.mean_gap_when_missed > 0.0

    joint = summary.joint
    assert joint.n_targets == len(hit_ps)
    assert len(joint.hits_distribution) == joint.n_targets + 1
    assert all(0.0 <= p <= 1.0 for p in joint.hits_distribution)
    assert math.fsum(joint.hits_distribution) == pytest.approx(1.0, abs=1e-12)
    assert joint.expected_hits == pytest.approx(math.fsum(hit_ps), abs=1e-9)
    if joint.n_targets:
        assert joint.all_hit.p == joint.hits_distribution[-1]
        assert joint.all_hit.p <= min(hit_ps)
    else:
        assert joint.all_hit is None and joint.hits_distribution == (1.0,)


@QUICK
@given(spec=scenarios(), n_draws=DRAWS, seed=SEEDS)
@example(spec=CERTAIN, n_draws=3, seed=1)
@example(spec=CERTAIN, n_draws=20_000, seed=1)
def test_probabilities_inside_their_ci(spec, n_draws, seed):
    for label, probability in probabilities(run(spec, n_draws, seed)):
        low, high = probability.ci
        assert low <= probability.p <= high, (label, probability)


@examples(200)
@given(n=st.integers(1, 10**6), data=st.data())
@example(n=3, data=None)
@example(n=20_000, data=None)
def test_wilson_interval_contains_p(n, data):
    hit_counts = [0, n] if data is None else [data.draw(st.integers(0, n)), 0, n]
    for hits in hit_counts:
        probability = Probability.from_counts(hits, n)
        low, high = probability.ci
        assert 0.0 <= low <= probability.p <= high <= 1.0, (hits, n, probability.ci)


# A count of two million (residents, say) with an sd of 300,000: the pilot spans more than the
# sketch's 2**21 integer bins allow, so the sketch falls back to the continuous grid.
BIG_COUNT = ScenarioSpec(
    (
        IndicatorSpec(
            "residents",
            "count",
            AssumptionSpec("normal", (("mean", Q(2_000_000)), ("sd", Q(300_000)))),
            target=TargetSpec("at_least", value=Q(2_100_000)),
        ),
    )
)


@QUICK
@given(spec=scenarios(kinds=("count",)), n_draws=DRAWS, seed=SEEDS)
@example(spec=BIG_COUNT, n_draws=20_000, seed=1)
def test_count_quantiles_are_whole_numbers(spec, n_draws, seed):
    for row in run(spec, n_draws, seed).indicators:
        assert row.quantile_error == 0.0, row.quantile_error
        assert all(float(v).is_integer() for v in row.quantiles.values()), row.quantiles


# --- reproducibility --------------------------------------------------------------------------------


@QUICK
@given(spec=scenarios(), n_draws=DRAWS, seed=SEEDS)
def test_same_seed_same_summary(spec, n_draws, seed):
    first = summary_to_dict(run(spec, n_draws, seed))
    second = summary_to_dict(run(spec, n_draws, seed))
    assert first == second


@examples(8)
@given(spec=scenarios(max_indicators=3), seed=SEEDS, n_draws=st.integers(2 * BLOCK_SIZE + 1, 150_000))
@example(spec=CERTAIN, seed=20230101, n_draws=150_000)
def test_chunk_size_does_not_change_results(spec, seed, n_draws):
    assert n_draws > 2 * BLOCK_SIZE  # several chunks of one block, one chunk of three
    scenario = parse_scenario(spec.toml())
    small = simulate(scenario, n_draws=n_draws, seed=seed, chunk_size=BLOCK_SIZE)
    large = simulate(scenario, n_draws=n_draws, seed=seed, chunk_size=3 * BLOCK_SIZE)
    assert summary_to_dict(small) == summary_to_dict(large)


# --- monotonicity under common random numbers ---------------------------------------------------


def _p_hit(summary, indicator_id):
    return next(row.hit.p for row in summary.indicators if row.indicator.id == indicator_id)


def _others(summary, indicator_id):
    """Everything reported about the other indicators (unchanged when one target moves)."""
    return [
        (row.indicator.id, row.hit, row.stretch, row.quantiles, row.mean)
        for row in summary.indicators
        if row.indicator.id != indicator_id
    ]


@st.composite
def target_pairs(draw, form):
    """(scenario, indicator index, weaker target, stronger target) for a target form."""
    spec = draw(scenarios(max_indicators=3))
    index = draw(st.integers(0, len(spec.indicators) - 1))
    indicator = spec.indicators[index]
    metric = None
    if indicator.kind == "flow":
        metric = draw(st.sampled_from(["growth", "level"] if indicator.baseline is not None else ["growth"]))
    value = draw(thresholds(indicator, metric))
    step = draw(st.integers(0, 5_000 if indicator.kind == "count" or value.suffix == "亿元" else 800))
    if form == "at_least":
        weak, strong = TargetSpec("at_least", value=value), TargetSpec("at_least", value=value.plus(step))
    elif form == "at_most":
        weak, strong = TargetSpec("at_most", value=value), TargetSpec("at_most", value=value.plus(-step))
    else:  # about: a tolerance and a wider one, on any side
        tolerance = draw(tolerances(indicator, value))
        side = draw(st.sampled_from(["at_least", "at_most", "both"]))
        strong = TargetSpec("about", value=value, tolerance=tolerance, side=side)
        weak = TargetSpec("about", value=value, tolerance=tolerance.plus(step), side=side)
    return spec, index, weak, strong


@QUICK
@given(case=target_pairs("at_least"), n_draws=DRAWS, seed=SEEDS)
def test_raising_at_least_never_raises_p_hit(case, n_draws, seed):
    spec, index, weak, strong = case
    indicator_id = spec.indicators[index].id
    easy = run(spec.with_target(index, weak), n_draws, seed)
    hard = run(spec.with_target(index, strong), n_draws, seed)
    assert _p_hit(hard, indicator_id) <= _p_hit(easy, indicator_id)
    assert _others(hard, indicator_id) == _others(easy, indicator_id)


@QUICK
@given(case=target_pairs("at_most"), n_draws=DRAWS, seed=SEEDS)
def test_lowering_at_most_never_raises_p_hit(case, n_draws, seed):
    spec, index, weak, strong = case
    indicator_id = spec.indicators[index].id
    easy = run(spec.with_target(index, weak), n_draws, seed)
    hard = run(spec.with_target(index, strong), n_draws, seed)
    assert _p_hit(hard, indicator_id) <= _p_hit(easy, indicator_id)
    assert _others(hard, indicator_id) == _others(easy, indicator_id)


@QUICK
@given(case=target_pairs("about"), n_draws=DRAWS, seed=SEEDS)
def test_widening_about_tolerance_never_lowers_p_hit(case, n_draws, seed):
    spec, index, wide, narrow = case
    indicator_id = spec.indicators[index].id
    narrow_summary = run(spec.with_target(index, narrow), n_draws, seed)
    wide_summary = run(spec.with_target(index, wide), n_draws, seed)
    assert _p_hit(wide_summary, indicator_id) >= _p_hit(narrow_summary, indicator_id)
    assert _others(wide_summary, indicator_id) == _others(narrow_summary, indicator_id)
