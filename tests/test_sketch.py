"""growthsim.sketch.QuantileSketch against numpy's exact sample quantiles.

Data are drawn with numpy from a hypothesis-chosen seed (arrays of 10^5 values are too large for
hypothesis to generate), and fed to the sketch in hypothesis-chosen chunks. The pilot is the first
BLOCK_SIZE values, as in the engine.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from growthsim.engine.streams import BLOCK_SIZE
from growthsim.engine.summary import QUANTILES
from growthsim.stats.sketch import QuantileSketch

SCALE = float(os.environ.get("GROWTHSIM_EXAMPLES", "1"))
PROBABILITIES = np.array(list(QUANTILES.values()))  # p05 .. p95, as the summaries report
ALL_PROBABILITIES = np.array([0.0, 1e-4, 0.001, 0.01, *PROBABILITIES, 0.99, 0.999, 1 - 1e-4, 1.0])


def examples(n: int) -> settings:
    return settings(
        max_examples=max(1, int(n * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


CONTINUOUS = {
    "normal": lambda rng, n: rng.normal(3.0, 2.0, n),
    "student_t_df2": lambda rng, n: rng.standard_t(2.0, n),  # heavy tails: pilot range is huge
    "lognormal": lambda rng, n: rng.lognormal(0.0, 1.2, n),  # right-skewed
    "exponential_negated": lambda rng, n: -rng.exponential(0.05, n) + 0.08,  # left-skewed
}
INTEGER = {
    "poisson": lambda rng, n: rng.poisson(30.0, n),
    "negative_binomial": lambda rng, n: rng.negative_binomial(3, 0.0002, n),  # mean ~15,000
    "rounded_normal": lambda rng, n: np.rint(rng.normal(-200.0, 80.0, n)),  # negative counts too
    "few_values": lambda rng, n: rng.integers(5, 9, n),  # many ties
}


def chunks(values: np.ndarray, cuts: list[float]) -> list[np.ndarray]:
    """Split ``values`` at the given fractions of its length (some chunks may be empty)."""
    points = sorted(int(c * values.size) for c in cuts)
    return np.split(values, points)


def sketch_of(values: np.ndarray, cuts: list[float], integer: bool = False) -> QuantileSketch:
    sketch = QuantileSketch(values[:BLOCK_SIZE], integer=integer)
    for part in chunks(values, cuts):
        sketch.add(part)
    assert sketch.n == values.size
    return sketch


def assert_within_bound(sketch: QuantileSketch, reported, exact) -> None:
    """|reported - exact| <= error_bound, up to rounding (the bound is reached: a draw on a bin's
    lower edge reported at its upper edge)."""
    error = np.abs(np.asarray(reported) - np.asarray(exact))
    slack = sketch.error_bound * 1e-9 + 4 * np.spacing(np.abs(np.asarray(exact)))
    assert np.all(error <= sketch.error_bound + slack), (error / sketch.error_bound, sketch.error_bound)


CUTS = st.lists(st.floats(0.0, 1.0), max_size=20)
SEEDS = st.integers(0, 2**32 - 1)


# --- continuous data ------------------------------------------------------------------------------


@examples(60)
@given(name=st.sampled_from(sorted(CONTINUOUS)), seed=SEEDS, n=st.integers(100_000, 250_000), cuts=CUTS)
def test_quantiles_within_error_bound_of_linear_quantiles(name, seed, n, cuts):
    """Where draws are dense (10^5 and more, p05 .. p95) the sketch is within one bin of np.quantile."""
    values = CONTINUOUS[name](np.random.default_rng(seed), n)
    sketch = sketch_of(values, cuts)
    assert not sketch.integer and sketch.error_bound > 0
    assert_within_bound(sketch, sketch.quantiles(PROBABILITIES), np.quantile(values, PROBABILITIES))


@examples(100)
@given(name=st.sampled_from(sorted(CONTINUOUS)), seed=SEEDS, n=st.integers(1, 200_000), cuts=CUTS)
def test_quantiles_within_error_bound_of_order_statistics(name, seed, n, cuts):
    """At any number of draws and any probability, within one bin of the inverted-CDF sample quantile."""
    values = CONTINUOUS[name](np.random.default_rng(seed), n)
    sketch = sketch_of(values, cuts)
    exact = np.quantile(values, ALL_PROBABILITIES, method="inverted_cdf")
    assert_within_bound(sketch, sketch.quantiles(ALL_PROBABILITIES), exact)


@examples(20)
@given(name=st.sampled_from(sorted(CONTINUOUS)), seed=SEEDS, n=st.integers(2, 5_000))
@example(name="normal", seed=1, n=1_000)
def test_error_bound_holds_for_few_draws(name, seed, n):
    """The bound is to the inverted-CDF sample quantile (as documented), however sparse the draws."""
    values = CONTINUOUS[name](np.random.default_rng(seed), n)
    sketch = sketch_of(values, [])
    exact = np.quantile(values, PROBABILITIES, method="inverted_cdf")
    assert_within_bound(sketch, sketch.quantiles(PROBABILITIES), exact)


@examples(20)
@given(seed=SEEDS, n_out=st.integers(1, 3_000), far=st.floats(10.0, 1e6), cuts=CUTS)
def test_values_outside_the_pilot_range(seed, n_out, far, cuts):
    """Draws below and above the pilot's grid: exact min and max, middle quantiles still right."""
    rng = np.random.default_rng(seed)
    pilot = rng.normal(0.0, 1.0, BLOCK_SIZE)
    low = -far - rng.exponential(far, n_out)  # far below the grid (about -9 .. 9)
    high = far + rng.exponential(far, n_out)
    rest = rng.permutation(np.concatenate([rng.normal(0.0, 1.0, 60_000), low, high]))
    values = np.concatenate([pilot, rest])
    sketch = sketch_of(values, cuts)
    assert sketch.below == n_out and sketch.above == n_out
    assert sketch.min == values.min() and sketch.max == values.max()
    ends = sketch.quantiles([0.0, 1.0])
    assert ends[0] == values.min() and ends[1] == values.max()
    middle = np.array([0.25, 0.5, 0.75])
    assert_within_bound(sketch, sketch.quantiles(middle), np.quantile(values, middle))


@examples(20)
@given(seed=SEEDS, n_out=st.integers(1, 3_000), far=st.integers(1_000, 10**6), cuts=CUTS)
def test_integer_values_outside_the_pilot_range(seed, n_out, far, cuts):
    rng = np.random.default_rng(seed)
    pilot = rng.poisson(30.0, BLOCK_SIZE)
    low = -far - rng.integers(0, far, n_out)
    high = far + rng.integers(0, far, n_out)
    values = np.concatenate([pilot, rng.permutation(np.concatenate([rng.poisson(30.0, 60_000), low, high]))])
    sketch = sketch_of(values, cuts, integer=True)
    assert sketch.integer and sketch.below == n_out and sketch.above == n_out
    ends = sketch.quantiles([0.0, 1.0])
    assert ends[0] == values.min() and ends[1] == values.max()
    middle = np.array([0.25, 0.5, 0.75])
    np.testing.assert_array_equal(sketch.quantiles(middle), np.quantile(values, middle, method="inverted_cdf"))


# --- constant and integer data ----------------------------------------------------------------------


CONSTANTS = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -3.5, 0.08, 1e-300, 1e12]),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
)


@examples(80)
@given(value=CONSTANTS, n=st.integers(1, 150_000), cuts=CUTS, integer=st.booleans())
def test_constant_data(value, n, cuts, integer):
    if integer:
        value = float(round(value))
    values = np.full(n, value)
    sketch = sketch_of(values, cuts, integer=integer)
    assert sketch.below == 0 and sketch.above == 0
    np.testing.assert_array_equal(sketch.quantiles(ALL_PROBABILITIES), np.full(ALL_PROBABILITIES.size, value))


@examples(80)
@given(
    name=st.sampled_from(sorted(INTEGER)),
    seed=SEEDS,
    n=st.integers(1, 200_000),
    cuts=CUTS,
    extra=st.lists(st.floats(0.0, 1.0), max_size=10),
)
def test_integer_quantiles_are_exact(name, seed, n, cuts, extra):
    values = INTEGER[name](np.random.default_rng(seed), n).astype(float)
    sketch = sketch_of(values, cuts, integer=True)
    assert sketch.integer and sketch.error_bound == 0.0
    probabilities = np.array([*PROBABILITIES, *extra])
    if sketch.below == 0 and sketch.above == 0:  # every draw on the grid: every quantile is exact
        probabilities = np.concatenate([probabilities, ALL_PROBABILITIES])
    expected = np.quantile(values, probabilities, method="inverted_cdf")
    np.testing.assert_array_equal(sketch.quantiles(probabilities), expected)


# --- order of the chunks ------------------------------------------------------------------------


@examples(60)
@given(
    name=st.sampled_from(sorted(CONTINUOUS) + sorted(INTEGER)),
    seed=SEEDS,
    n=st.integers(1, 150_000),
    cuts=CUTS,
    data=st.data(),
)
def test_chunk_order_does_not_matter(name, seed, n, cuts, data):
    integer = name in INTEGER
    values = (INTEGER if integer else CONTINUOUS)[name](np.random.default_rng(seed), n).astype(float)
    parts = chunks(values, cuts)
    order = data.draw(st.permutations(range(len(parts))))
    pilot = values[:BLOCK_SIZE]
    forward, shuffled, whole = (QuantileSketch(pilot, integer=integer) for _ in range(3))
    for part in parts:
        forward.add(part)
    for i in order:
        shuffled.add(parts[i])
    whole.add(values)
    for other in (shuffled, whole):
        np.testing.assert_array_equal(other.counts, forward.counts)
        assert (other.below, other.above, other.n, other.min, other.max) == (
            forward.below,
            forward.above,
            forward.n,
            forward.min,
            forward.max,
        )
        np.testing.assert_array_equal(other.quantiles(ALL_PROBABILITIES), forward.quantiles(ALL_PROBABILITIES))


def test_empty_sketch_gives_nan():
    sketch = QuantileSketch(np.array([1.0, 2.0]))
    sketch.add(np.array([]))
    assert sketch.n == 0 and np.all(np.isnan(sketch.quantiles([0.1, 0.5])))


@pytest.mark.parametrize("n", [100, 4096, 70_000])
def test_adding_rows_at_once_counts_what_adding_each_counts(n):
    """stats.sketch.add_rows (even grids a few rows at a time in one bincount) and sketch.add give
    the same sketches: counts, tails, extremes; with integer and heavy-tailed rows among them."""
    from growthsim.stats.sketch import add_rows

    rng = np.random.default_rng(4)
    pilots = [
        rng.normal(0, 1, 4096),
        rng.standard_t(2, 4096),
        rng.poisson(30, 4096).astype(float),
        rng.uniform(5, 6, 4096),
    ]
    kinds = [False, False, True, False]
    values = np.vstack(
        [rng.normal(0, 1.5, n), rng.standard_t(2, n), rng.poisson(30, n).astype(float), rng.uniform(4, 7, n)]
    )
    one = [QuantileSketch(p, integer=i) for p, i in zip(pilots, kinds, strict=True)]
    many = [QuantileSketch(p, integer=i) for p, i in zip(pilots, kinds, strict=True)]
    for sketch, row in zip(one, values, strict=True):
        sketch.add(row)
    add_rows(many, values)
    for a, b in zip(one, many, strict=True):
        assert np.array_equal(a.counts, b.counts) and (a.below, a.above, a.n, a.min, a.max) == (
            b.below,
            b.above,
            b.n,
            b.min,
            b.max,
        )
        assert np.array_equal(a.quantiles([0.05, 0.5, 0.95]), b.quantiles([0.05, 0.5, 0.95]))
