"""The stream contract of growthsim.sampling, directly and through the engine.

* same seed -> identical numbers; different seeds (or different indicator ids) -> different numbers;
* each indicator draws from its own stream keyed by its id: adding, removing or reordering indicators
  leaves the other indicators' draws, quantiles and P(hit) identical;
* the first n draws of a longer run are the draws of a run of n;
* uniforms lie strictly inside (0, 1), and a stream starts only on a block boundary;
* without any seed a fresh one is drawn, reported, and reproduces the run when passed back.
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from growthsim import compile_model, parse_scenario, simulate
from growthsim.engine.sampling import sample
from growthsim.engine.streams import BLOCK_SIZE, Cursor, normals, stream_key, uniforms
from growthsim.output.records import indicator_to_dict, summary_to_dict

from .strategies import AssumptionSpec, Q, ScenarioSpec, assumptions, header, indicators, scenarios

SCALE = float(os.environ.get("GROWTHSIM_EXAMPLES", "1"))
ENTROPY = st.integers(0, 2**128 - 1)  # simulate and uniforms take any non-negative int
IDS = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)


def examples(n: int) -> settings:
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def model_of(spec: ScenarioSpec):
    return compile_model(parse_scenario(spec.toml()))


def by_id(summary) -> dict:
    """Each indicator's full report (quantiles, P(hit), stretch, mean ...) by id."""
    return {row.indicator.id: indicator_to_dict(row) for row in summary.indicators}


# --- uniforms ---------------------------------------------------------------------------------------


@examples(40)
@given(entropy=ENTROPY, name=IDS, block=st.integers(0, 1_000), n=st.integers(0, 2 * BLOCK_SIZE + 7))
def test_uniforms_same_seed_identical(entropy, name, block, n):
    start = block * BLOCK_SIZE
    first = uniforms(entropy, stream_key(name), start, start + n)
    second = uniforms(entropy, stream_key(name), start, start + n)
    assert first.shape == (n,) and first.dtype == np.float64
    np.testing.assert_array_equal(first, second)


@examples(40)
@given(entropies=st.lists(ENTROPY, min_size=2, max_size=2, unique=True), name=IDS, n=st.integers(1, 1_000))
def test_uniforms_different_seeds_differ(entropies, name, n):
    a, b = (uniforms(e, stream_key(name), 0, n) for e in entropies)
    assert not np.array_equal(a, b)


@examples(40)
@given(entropy=ENTROPY, names=st.lists(IDS, min_size=2, max_size=2, unique=True), n=st.integers(1, 1_000))
def test_uniforms_different_ids_differ(entropy, names, n):
    a, b = (uniforms(entropy, stream_key(name), 0, n) for name in names)
    assert not np.array_equal(a, b)


def test_uniforms_different_blocks_differ():
    u = uniforms(7, stream_key("gdp"), 0, 3 * BLOCK_SIZE).reshape(3, BLOCK_SIZE)
    assert not np.array_equal(u[0], u[1]) and not np.array_equal(u[1], u[2])


@examples(30)
@given(entropy=ENTROPY, name=IDS, n=st.integers(0, 2 * BLOCK_SIZE + 3), extra=st.integers(1, BLOCK_SIZE + 3))
def test_first_n_uniforms_of_a_longer_run(entropy, name, n, extra):
    key = stream_key(name)
    longer = uniforms(entropy, key, 0, n + extra)
    np.testing.assert_array_equal(longer[:n], uniforms(entropy, key, 0, n))


@examples(20)
@given(entropy=ENTROPY, name=IDS, block=st.integers(1, 3), length=st.integers(0, 2 * BLOCK_SIZE))
def test_uniforms_from_a_later_block_continue_the_stream(entropy, name, block, length):
    key = stream_key(name)
    start = block * BLOCK_SIZE
    whole = uniforms(entropy, key, 0, start + length)
    np.testing.assert_array_equal(uniforms(entropy, key, start, start + length), whole[start:])


@examples(10)
@given(entropy=ENTROPY, name=IDS)
def test_uniforms_strictly_inside_zero_one(entropy, name):
    u = uniforms(entropy, stream_key(name), 0, 4 * BLOCK_SIZE)
    assert np.all(u > 0.0) and np.all(u < 1.0)


@examples(50)
@given(block=st.integers(0, 100), cuts=st.lists(st.integers(1, BLOCK_SIZE - 1), max_size=4, unique=True))
def test_a_block_drawn_in_chunks_is_the_block_drawn_whole(block, cuts):
    """Uniforms jump into a block (PCG64.advance); normal scores continue the cursor's generators:
    either way a block cut anywhere gives the numbers of the block drawn at once."""
    start = block * BLOCK_SIZE
    edges = [start, *sorted(start + c for c in cuts), start + BLOCK_SIZE]
    whole_u = uniforms(1, stream_key("gdp"), start, start + BLOCK_SIZE)
    whole_z = normals(1, stream_key("gdp"), start, start + BLOCK_SIZE)
    cursor = Cursor()
    pieces = list(itertools.pairwise(edges))
    assert np.array_equal(np.concatenate([uniforms(1, stream_key("gdp"), a, b) for a, b in pieces]), whole_u)
    assert np.array_equal(
        np.concatenate([normals(1, stream_key("gdp"), a, b, cursor=cursor) for a, b in pieces]), whole_z
    )


def test_normal_scores_from_inside_a_block_need_the_blocks_earlier_chunks():
    with pytest.raises(ValueError, match="cursor"):
        normals(1, stream_key("gdp"), 100, 200)
    cursor = Cursor()
    normals(1, stream_key("gdp"), 0, 100, cursor=cursor)
    with pytest.raises(ValueError, match="in order"):
        normals(1, stream_key("gdp"), 150, 200, cursor=cursor)


# The smallest uniform (the clamp), a small one, the middle, and the largest that
# Generator.random() can return (1 - 2**-53).
EXTREMES = np.array([2.0**-54, 2.0**-53, 0.5, 1.0 - 2.0**-52, 1.0 - 2.0**-53])


@examples(150)
@given(data=st.data(), kind=st.sampled_from(["flow", "rate", "change", "count"]))
def test_extreme_uniforms_give_finite_draws(data, kind):
    """Why uniforms stay inside (0, 1): every distribution's ppf is finite at their extremes."""
    distribution = data.draw(assumptions(kind)).distribution()
    drawn = distribution.ppf(EXTREMES)
    assert np.all(np.isfinite(drawn)), (distribution, drawn)
    assert np.all(np.diff(drawn) >= 0), (distribution, drawn)  # inverse CDF: monotone in u


@examples(50)
@given(mode=st.integers(-500, 2000), sd_down=st.integers(1, 800), sd_up=st.integers(1, 800))
@example(mode=0, sd_down=5, sd_up=7)
def test_split_normal_finite_at_largest_uniform(mode, sd_down, sd_up):
    """Found by test_extreme_uniforms_give_finite_draws: at commit 5904aa0 SplitNormal.ppf computed
    (u - p_below) * total / (2 sd_up) + 1/2, which rounds to exactly 1.0 at u = 1 - 2**-53 when
    sd_up > sd_down (e.g. 0.05pp/0.07pp), and ndtri(1.0) = inf."""
    distribution = AssumptionSpec(
        "split_normal", (("mode", Q(mode, 2, "%")), ("sd_down", Q(sd_down, 2, "pp")), ("sd_up", Q(sd_up, 2, "pp")))
    ).distribution()
    drawn = distribution.ppf(EXTREMES)
    assert np.all(np.isfinite(drawn)), (distribution, drawn)


# --- sample -----------------------------------------------------------------------------------------


@examples(30)
@given(spec=scenarios(), entropy=ENTROPY, n=st.integers(1, 3_000), extra=st.integers(0, 3_000))
def test_sample_same_seed_identical_and_prefix(spec, entropy, n, extra):
    model = model_of(spec)
    draws = sample(model, entropy, 0, n)
    again = sample(model, entropy, 0, n)
    longer = sample(model, entropy, 0, n + extra)
    assert draws.start == 0 and draws.values.shape == (len(spec.indicators), n)
    np.testing.assert_array_equal(draws.values, again.values)
    np.testing.assert_array_equal(longer.values[:, :n], draws.values)


@examples(30)
@given(spec=scenarios(min_indicators=2), entropy=ENTROPY, n=st.integers(1, 2_000), data=st.data())
def test_sample_rows_are_keyed_by_id_not_position(spec, entropy, n, data):
    order = data.draw(st.permutations(range(len(spec.indicators))))
    original = sample(model_of(spec), entropy, 0, n).values
    reordered = sample(model_of(spec.reordered(order)), entropy, 0, n).values
    for new_row, old_row in enumerate(order):
        np.testing.assert_array_equal(reordered[new_row], original[old_row])


# --- through the engine ----------------------------------------------------------------------------


def drawn_by_engine(spec: ScenarioSpec, n: int, seed: int, chunk_size: int) -> np.ndarray:
    chunks = []
    simulate(
        parse_scenario(spec.toml()),
        n_draws=n,
        seed=seed,
        chunk_size=chunk_size,
        on_chunk=lambda outcomes: chunks.append((outcomes.start, outcomes.drawn.copy())),
    )
    starts = [start for start, _ in chunks]
    assert starts == sorted(starts) and starts[0] == 0
    return np.concatenate([drawn for _, drawn in chunks], axis=1)


@examples(8)
@given(
    spec=scenarios(max_indicators=3),
    seed=ENTROPY,
    n=st.integers(1, 2 * BLOCK_SIZE + 10),
    extra=st.integers(1, BLOCK_SIZE),
    chunk_blocks=st.integers(1, 3),
)
def test_first_n_draws_of_a_longer_engine_run(spec, seed, n, extra, chunk_blocks):
    short = drawn_by_engine(spec, n, seed, chunk_size=chunk_blocks * BLOCK_SIZE)
    longer = drawn_by_engine(spec, n + extra, seed, chunk_size=BLOCK_SIZE)
    assert short.shape == (len(spec.indicators), n)
    np.testing.assert_array_equal(longer[:, :n], short)
    np.testing.assert_array_equal(short, sample(model_of(spec), seed, 0, n).values)


@examples(40)
@given(spec=scenarios(min_indicators=2), seed=ENTROPY, n=st.integers(1, 5_000), data=st.data())
def test_reordering_indicators_changes_no_indicator(spec, seed, n, data):
    order = data.draw(st.permutations(range(len(spec.indicators))))
    before = by_id(simulate(parse_scenario(spec.toml()), n_draws=n, seed=seed))
    after = by_id(simulate(parse_scenario(spec.reordered(order).toml()), n_draws=n, seed=seed))
    assert after == before


@examples(40)
@given(spec=scenarios(min_indicators=2), seed=ENTROPY, n=st.integers(1, 5_000), data=st.data())
def test_removing_an_indicator_changes_no_other(spec, seed, n, data):
    removable = [i for i, ind in enumerate(spec.indicators) if ind.id not in spec.referenced()]
    if not removable:
        return  # every indicator is the reference of a relative target
    index = data.draw(st.sampled_from(removable))
    full = by_id(simulate(parse_scenario(spec.toml()), n_draws=n, seed=seed))
    fewer = by_id(simulate(parse_scenario(spec.without(index).toml()), n_draws=n, seed=seed))
    removed = spec.indicators[index].id
    assert set(fewer) == set(full) - {removed}
    assert fewer == {k: v for k, v in full.items() if k != removed}


@examples(40)
@given(spec=scenarios(max_indicators=4), seed=ENTROPY, n=st.integers(1, 5_000), data=st.data())
def test_adding_an_indicator_changes_no_other(spec, seed, n, data):
    new_id = data.draw(IDS.filter(lambda i: i not in spec.ids))
    new = data.draw(indicators(new_id))
    position = data.draw(st.integers(0, len(spec.indicators)))
    grown = ScenarioSpec((*spec.indicators[:position], new, *spec.indicators[position:]), spec.seed)
    before = by_id(simulate(parse_scenario(spec.toml()), n_draws=n, seed=seed))
    after = by_id(simulate(parse_scenario(grown.toml()), n_draws=n, seed=seed))
    assert after.pop(new_id) is not None
    assert after == before


# --- seeds ------------------------------------------------------------------------------------------


@examples(10)
@given(spec=scenarios(max_indicators=3), n=st.integers(1, 3_000))
def test_fresh_seed_is_reported_and_reproduces_the_run(spec, n):
    scenario = parse_scenario(spec.toml(seed=None))
    assert scenario.seed is None
    first = simulate(scenario, n_draws=n)
    second = simulate(scenario, n_draws=n)
    assert isinstance(first.seed, int) and first.seed >= 0
    assert first.seed != second.seed  # fresh entropy each time
    reported = summary_to_dict(first)
    assert reported["seed"] == first.seed
    assert summary_to_dict(simulate(scenario, n_draws=n, seed=first.seed)) == reported
    assert summary_to_dict(simulate(scenario, n_draws=n, seed=second.seed)) == summary_to_dict(second)


@examples(10)
@given(spec=scenarios(max_indicators=3), seed=st.integers(0, 2**63 - 1), n=st.integers(1, 3_000))
def test_scenario_seed_is_used_and_a_passed_seed_overrides_it(spec, seed, n):
    scenario = parse_scenario(spec.toml(seed=seed))
    assert scenario.seed == seed
    from_file = simulate(scenario, n_draws=n)
    assert from_file.seed == seed
    assert summary_to_dict(simulate(scenario, n_draws=n, seed=seed)) == summary_to_dict(from_file)
    assert simulate(scenario, n_draws=n, seed=seed ^ 1).seed == seed ^ 1


def test_fresh_seed_can_be_written_back_into_the_scenario():
    """The recorded fresh seed reproduces the run from the scenario file itself.

    Up to commit 7b060b5 resolve_seed returned SeedSequence().entropy, a 128-bit integer, while a
    scenario's [simulation] seed must lie in 0..2**63-1 (a TOML integer): the seed recorded in
    summary.json / manifest.json could not be written back into the file.
    """
    text = """
[indicators.gdp]
name = "GDP"
unit = "亿元"
kind = "flow"
basis = "real"
baseline = 582.4
source = "test"

[indicators.gdp.target]
at_least = "8%"
source = "test"

[indicators.gdp.growth]
dist = "normal"
mean = "6.5%"
sd = "1.5pp"
rationale = "test"
"""
    fresh = simulate(parse_scenario(header(seed=None) + text), n_draws=1_000)
    scenario = parse_scenario(header(seed=fresh.seed) + text)
    assert summary_to_dict(simulate(scenario, n_draws=1_000)) == summary_to_dict(fresh)
