"""Correlations: closed forms, marginals kept exactly, the nearest correlation matrix, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from growthsim import ScenarioError, compile_model, parse_scenario, simulate
from growthsim.engine.sampling import sample
from growthsim.engine.streams import BLOCK_SIZE
from growthsim.output.records import summary_to_dict
from growthsim.stats.dependence import iman_conover, is_correlation_matrix, nearest_correlation, spearman

from .conftest import mc_tolerance, scenario_text


@pytest.fixture(autouse=True)
def _english(english):
    """These tests check messages word for word in English, as written in the code (their msgids);
    tests/test_i18n.py checks that every one has its Chinese translation."""


N = 200_000


def two_normals(rho: float, method: str = "iman_conover", extra: str = "") -> str:
    return scenario_text(f"""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = {{ at_least = "6%", source = "t" }}
        growth = {{ dist = "normal", mean = "6%", sd = "2pp", rationale = "t" }}

        [indicators.industry]
        name = "规模以上工业增加值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = {{ at_least = "8%", source = "t" }}
        growth = {{ dist = "normal", mean = "8%", sd = "3pp", rationale = "t" }}
        {extra}

        [correlations]
        gdp = {{ industry = {rho} }}
        """).replace("seed = 12345", f'seed = 12345\ncorrelation_method = "{method}"')


@pytest.mark.parametrize("rho", [-0.6, 0.3, 0.8])
def test_copula_both_above_the_mean_matches_the_closed_form(rho):
    """Two normals whose normal scores correlate at r: P(both >= mean) = 1/4 + asin(r) / (2 pi); the
    rank correlation rho written in the file is the score correlation r = 2 sin(pi rho / 6)."""
    result = simulate(parse_scenario(two_normals(rho, "gaussian_copula")), N, seed=1)
    score = 2 * math.sin(math.pi * rho / 6)
    expected = 0.25 + math.asin(score) / (2 * math.pi)
    assert abs(result.joint.all_hit.p - expected) <= mc_tolerance(expected, N)


@pytest.mark.parametrize("rho", [-0.6, 0.3, 0.8])
def test_copula_achieves_the_rank_correlation(rho):
    model = compile_model(parse_scenario(two_normals(rho, "gaussian_copula")))
    values = sample(model, 7, 0, 4 * BLOCK_SIZE).values
    assert abs(spearman(values)[0, 1] - rho) <= 4 * (1 - rho**2) / math.sqrt(values.shape[1])


@pytest.mark.parametrize("rho", [-0.6, 0.3, 0.8])
def test_iman_conover_achieves_the_rank_correlation(rho):
    model = compile_model(parse_scenario(two_normals(rho)))
    values = sample(model, 7, 0, 4 * BLOCK_SIZE).values
    achieved = spearman(values)[0, 1]
    # the standard error of a Spearman correlation is about (1 - rho^2) / sqrt(n) for n draws
    assert abs(achieved - rho) <= 4 * (1 - rho**2) / math.sqrt(values.shape[1]) + 0.005


@pytest.mark.parametrize("rho", [0.3, 0.8])
def test_iman_conover_joint_probability_is_close_to_the_gaussian_closed_form(rho):
    """With normal marginals, rank correlation rho is normal-score correlation 2 sin(pi rho / 6)."""
    result = simulate(parse_scenario(two_normals(rho)), N, seed=2)
    score = 2 * math.sin(math.pi * rho / 6)
    expected = 0.25 + math.asin(score) / (2 * math.pi)
    assert abs(result.joint.all_hit.p - expected) <= mc_tolerance(expected, N) + 0.003


def test_iman_conover_keeps_every_marginal_exactly():
    """Block by block, each indicator's sorted values are those it draws without any correlation."""
    correlated = compile_model(parse_scenario(two_normals(0.7)))
    alone = compile_model(parse_scenario(two_normals(0.7).split("[correlations]")[0]))
    a = sample(correlated, 3, 0, BLOCK_SIZE + 1000).values
    b = sample(alone, 3, 0, BLOCK_SIZE + 1000).values
    for block in (slice(0, BLOCK_SIZE), slice(BLOCK_SIZE, BLOCK_SIZE + 1000)):
        assert np.array_equal(np.sort(a[:, block], axis=1), np.sort(b[:, block], axis=1))
    assert not np.array_equal(a, b)  # but their order has changed


def test_iman_conover_with_counts_and_ties():
    text = two_normals(
        0.6,
        extra="""
        [indicators.firms]
        name = "新增规模以上工业企业"
        unit = "家"
        kind = "count"
        level = { dist = "poisson", mean = 4, rationale = "t" }
        """,
    ).replace("gdp = { industry = 0.6 }", "gdp = { industry = 0.6, firms = 0.5 }")
    model = compile_model(parse_scenario(text))
    values = sample(model, 5, 0, 2 * BLOCK_SIZE).values
    assert np.array_equal(values[2], np.round(values[2]))  # still whole numbers
    achieved = spearman(values)[0, 2]
    assert achieved > 0.4  # ties of a Poisson(4) cap the rank correlation a little below 0.5


def test_results_do_not_depend_on_the_chunk_size_with_correlations():
    scenario = parse_scenario(two_normals(0.7))
    small = simulate(scenario, 3 * BLOCK_SIZE + 17, seed=9, chunk_size=BLOCK_SIZE)
    large = simulate(scenario, 3 * BLOCK_SIZE + 17, seed=9, chunk_size=4 * BLOCK_SIZE)
    assert summary_to_dict(small) == summary_to_dict(large)


def test_correlation_raises_the_joint_probability_over_independence():
    result = simulate(parse_scenario(two_normals(0.8)), 50_000, seed=3)
    assert result.joint.all_hit.p > result.joint.all_hit_independent + 0.1
    assert result.joint.all_hit_independent == pytest.approx(result.indicators[0].hit.p * result.indicators[1].hit.p)


# --- the nearest correlation matrix -------------------------------------------------------------------


def test_a_valid_matrix_is_left_unchanged():
    valid = np.array([[1.0, 0.5, 0.3], [0.5, 1.0, 0.2], [0.3, 0.2, 1.0]])
    assert np.array_equal(nearest_correlation(valid), valid)


def test_a_known_invalid_matrix_is_repaired():
    """Higham's (2002) example: the nearest correlation matrix to this one is known to 4 digits."""
    a = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float)
    repaired = nearest_correlation(a)
    assert is_correlation_matrix(repaired)
    expected = np.array([[1.0, 0.7607, 0.1573], [0.7607, 1.0, 0.7607], [0.1573, 0.7607, 1.0]])
    np.testing.assert_allclose(repaired, expected, atol=1e-4)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1, 1), min_size=6, max_size=6))
def test_repair_gives_a_correlation_matrix(upper):
    a = np.eye(4)
    a[np.triu_indices(4, 1)] = upper
    a = a + np.triu(a, 1).T
    repaired = nearest_correlation(a)
    assert is_correlation_matrix(repaired)
    assert np.allclose(np.diag(repaired), 1.0)
    assert np.linalg.eigvalsh(repaired).min() >= -1e-10


def test_iman_conover_on_a_tiny_block_leaves_values_alone():
    values = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.array_equal(iman_conover(values, np.full((2, 2), 0.5), np.eye(2)), values)


# --- validation ---------------------------------------------------------------------------------------


def errors(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text)
    return [d.headline() for d in error.value.diagnostics]


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ("gdp = { industry = 0.7 }", None),
        ("gdp = { industry = 1.7 }", "correlations.gdp.industry: a correlation lies between -1 and 1 (got 1.7)"),
        ("gdp = { industy = 0.7 }", "correlations.gdp.industy: no indicator 'industy' (did you mean 'industry'?)"),
        ("gpd = { industry = 0.7 }", "correlations.gpd: no indicator 'gpd' (did you mean 'gdp'?)"),
        ("gdp = { gdp = 0.7 }", "correlations.gdp.gdp: an indicator's correlation with itself is always 1"),
        (
            "gdp = { industry = 0.7 }\nindustry = { gdp = 0.6 }",
            "correlations.industry.gdp: the pair industry ~ gdp is given twice (also as gdp ~ industry = 0.7): keep one",
        ),
        ('gdp = { industry = "70%" }', "correlations.gdp.industry: '70%': expected a plain number without a unit"),
    ],
)
def test_correlation_errors(replace, message):
    text = two_normals(0.7).replace("gdp = { industry = 0.7 }", replace)
    if message is None:
        assert parse_scenario(text).correlations == (("gdp", "industry", 0.7),)
        return
    assert any(message in h for h in errors(text)), errors(text)


def test_an_impossible_matrix_is_repaired_with_a_warning_listing_the_pairs():
    text = two_normals(
        0.9,
        extra="""
        [indicators.fai]
        name = "固定资产投资"
        unit = "亿元"
        kind = "flow"
        basis = "nominal"
        growth = { dist = "normal", mean = "10%", sd = "5pp", rationale = "t" }
        """,
    ).replace("gdp = { industry = 0.9 }", "gdp = { industry = 0.9, fai = 0.9 }\nindustry = { fai = -0.9 }")
    scenario = parse_scenario(text)
    (warning,) = scenario.warnings
    assert "not positive semi-definite" in warning.message and "moves 3 pairs" in warning.message
    assert "gdp ~ industry: 0.9 -> " in warning.message
    ids, matrix = scenario.correlation_matrix
    assert ids == ("gdp", "industry", "fai") and is_correlation_matrix(np.array(matrix))


def test_unknown_correlation_method():
    text = two_normals(0.5).replace('correlation_method = "iman_conover"', 'correlation_method = "iman"')
    assert any("simulation.correlation_method: 'iman' is not allowed" in h for h in errors(text))


def test_iman_conover_keeps_replacements_paired_and_correlated():
    """A replace event draws through the uniform that produced the (rearranged) value: the
    correlation holds on the draws where the event occurs too."""
    text = two_normals(0.9).replace(
        "[correlations]",
        """[events.shift]
        name = "换挡"
        probability = "50%"
        rationale = "t"
        effects = [{ indicator = "industry", replace = { dist = "normal", mean = "5%", sd = "3pp" } }]

        [correlations]""",
    )
    model = compile_model(parse_scenario(text))
    draws = sample(model, 4, 0, 2 * BLOCK_SIZE)
    occurred = draws.events[0]
    on_event = spearman(draws.values[:2, occurred])[0, 1]
    off_event = spearman(draws.values[:2, ~occurred])[0, 1]
    assert abs(on_event - 0.9) < 0.02 and abs(off_event - 0.9) < 0.02


def test_correlating_a_fixed_value_is_warned():
    text = two_normals(0.5).replace('dist = "normal", mean = "8%", sd = "3pp"', 'dist = "fixed", value = "8%"')
    (warning,) = parse_scenario(text).warnings
    assert "industry has a fixed value: a correlation with it has no effect" in warning.message


def test_rank_correlations_without_an_exact_normal_score_version_are_warned():
    """Valid as rank correlations, but 2 sin(pi rho / 6) pushes this matrix just past PSD."""
    rank = np.array([[1, 0.4, 0.4, 0.4], [0.4, 1, -0.26, -0.26], [0.4, -0.26, 1, -0.26], [0.4, -0.26, -0.26, 1]])
    from growthsim.stats.dependence import rank_to_score

    assert is_correlation_matrix(rank) and not is_correlation_matrix(rank_to_score(rank))
    extra = "".join(
        f"""
        [indicators.x{k}]
        name = "x{k}"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        growth = {{ dist = "normal", mean = "5%", sd = "1pp", rationale = "t" }}
        """
        for k in (1, 2)
    )
    text = two_normals(0.4, extra=extra).replace(
        "gdp = { industry = 0.4 }",
        "gdp = { industry = 0.4, x1 = 0.4, x2 = 0.4 }\nindustry = { x1 = -0.26, x2 = -0.26 }\nx1 = { x2 = -0.26 }",
    )
    (warning,) = parse_scenario(text).warnings
    assert "no joint distribution of normal scores has exactly these rank correlations" in warning.message


MATRIX = """
[correlations]
order = ["gdp", "industry"]
matrix = [
  [1.0, 0.7],
  [0.7, 1.0],
]
"""


def test_the_matrix_form_equals_the_pairs():
    pairs = two_normals(0.7).split("[correlations]")[0]
    scenario = parse_scenario(pairs + MATRIX)
    assert scenario.correlations == (("gdp", "industry", 0.7),)
    assert scenario.correlation_matrix == parse_scenario(two_normals(0.7)).correlation_matrix


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("[0.7, 1.0],\n]", "[0.6, 1.0],\n]"),
            "the matrix must be symmetric: gdp ~ industry is 0.7 in row 1 but 0.6 in row 2",
        ),
        (("[1.0, 0.7],", "[0.9, 0.7],"), "row 1: the diagonal must be 1 (gdp with itself)"),
        (('"industry"]', '"industy"]'), "no indicator 'industy' (did you mean 'industry'?)"),
        (("[0.7, 1.0],\n]", "[0.7],\n]"), "expected 2 rows of 2 numbers, one per id in order"),
        (("order = ", "ordre = "), "a correlation matrix needs both order"),
    ],
)
def test_matrix_form_errors(change, message):
    text = two_normals(0.7).split("[correlations]")[0] + MATRIX.replace(*change)
    assert any(message in h for h in errors(text)), errors(text)


@pytest.mark.parametrize("dist", ["normal", "lognormal", "split_normal", "poisson"])
def test_from_normal_score_is_the_inverse_cdf_of_its_normal_probability(dist):
    from scipy import special

    from growthsim.scenario.families import make_distribution

    params = {
        "normal": {"mean": 0.06, "sd": 0.02},
        "lognormal": {"mean": 0.1, "sd": 0.05, "shift": -0.2},
        "split_normal": {"mode": 0.06, "sd_down": 0.02, "sd_up": 0.01},
        "poisson": {"mean": 30.0},
    }[dist]
    distribution = make_distribution(dist, params)
    z = np.linspace(-5, 5, 201)  # beyond, Phi(z) rounds near 1 and ppf(Phi(z)) is the less accurate side
    np.testing.assert_allclose(
        distribution.from_normal_score(z), distribution.ppf(special.ndtr(z)), rtol=1e-7, atol=1e-12
    )


def test_a_sparse_cholesky_factor_gives_the_dense_product():
    """A chain of correlations (each indicator with the next) has a bidiagonal factor: the copula
    multiplies only its non-zero entries, with the same scores as the dense product."""
    from scipy import special

    from growthsim.stats.dependence import _cholesky, _is_sparse, gaussian_copula_scores

    k = 40
    chain = np.eye(k) + np.diag(np.full(k - 1, 0.45), 1) + np.diag(np.full(k - 1, 0.45), -1)
    u = np.random.default_rng(3).random((k, 5_000))
    assert _is_sparse(_cholesky(chain))
    expected = _cholesky(chain) @ special.ndtri(u)
    assert np.allclose(gaussian_copula_scores(u, chain), expected, rtol=0, atol=1e-12)


def _tied(level: str, rho: float, method: str) -> str:
    return scenario_text(f"""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        growth = {{ dist = "normal", mean = "6%", sd = "2pp", rationale = "t" }}

        [indicators.firms]
        name = "新增规上企业"
        unit = "家"
        kind = "count"
        level = {level}

        [correlations]
        gdp = {{ firms = {rho} }}
        """).replace("seed = 12345", f'seed = 12345\ncorrelation_method = "{method}"')


POISSON, THREE_VALUES = (
    '{ dist = "poisson", mean = 2, rationale = "t" }',
    '{ dist = "empirical", values = [1, 2, 3], rationale = "t" }',
)


@pytest.mark.parametrize("method", ["iman_conover", "gaussian_copula"])
@pytest.mark.parametrize("level", [POISSON, THREE_VALUES])
def test_rank_correlations_with_ties_are_achieved_as_asked(level, method):
    """Ties (a count, a short list of values) pull Spearman's correlation below what the normal
    scores' relation gives: 0.80 asked came out 0.78 with a Poisson(2) count, 0.74 with three
    values. The score correlation is calibrated for the ties, so 0.80 comes out 0.80."""
    scenario = parse_scenario(_tied(level, 0.8, method))
    assert not scenario.warnings
    values = sample(compile_model(scenario), 3, 0, 4 * BLOCK_SIZE).values
    # the Spearman estimate's SE at n = 262,144 is about (1 - rho^2) / sqrt(n) = 0.0007
    assert spearman(values)[0, 1] == pytest.approx(0.8, abs=0.003)


def test_the_tie_calibration_is_exact_without_ties_and_matches_the_known_limit():
    from scipy.stats import norm

    from growthsim.stats.dependence import Marginal, spearman_at

    normal, three = Marginal(norm.ppf), Marginal(lambda u: np.minimum(np.floor(u * 3), 2) + 1)
    assert not normal.ties and three.ties
    for r in (-0.7, 0.3, 0.9):
        assert spearman_at(r, normal, normal) == pytest.approx(6 / math.pi * math.asin(r / 2), abs=1e-6)
    # comonotone scores: corr(Phi(Z), h(Z)) for h with three equal steps is sqrt(8/9)
    assert spearman_at(1.0, normal, three) == pytest.approx(math.sqrt(8 / 9), abs=1e-3)


def test_a_rank_correlation_that_ties_cannot_reach_is_warned_with_what_can():
    (warning,) = parse_scenario(_tied(THREE_VALUES, 0.97, "gaussian_copula")).warnings
    assert (
        "gdp ~ firms: a rank correlation of 0.97 cannot be reached, since firms takes few distinct values"
        in (warning.message)
        and "at most 0.94 is possible" in warning.message
    )


def test_the_most_a_tied_pair_can_reach_is_read_exactly():
    """At a score correlation of 1 two Poisson(2) counts move as one: rank correlation 1 (the
    600-term series alone gave 0.99 there, and warned wrongly)."""
    from scipy.stats import poisson

    from growthsim.stats.dependence import Marginal, score_correlations, spearman_at

    counts = Marginal(lambda u: poisson.ppf(u, 2))
    assert spearman_at(1.0, counts, counts) == pytest.approx(1.0, abs=1e-12)
    scores, beyond = score_correlations(np.array([[1, 0.995], [0.995, 1]]), [counts, counts])
    assert not beyond and 0.99 < scores[0, 1] <= 1


@pytest.mark.parametrize("values", [[3.0, 1.0, 2.0], [2.0, 2.0, 1.0, 2.0, 5.0, 1.0], [7.0] * 4, list(range(10))])
def test_average_ranks_are_scipys_rankdata(values):
    """Ties share the mean of the ranks they span, as scipy.stats.rankdata's default does."""
    from scipy.stats import rankdata

    from growthsim.stats.dependence import average_ranks

    assert np.array_equal(average_ranks(np.array(values)), rankdata(values))


def test_average_ranks_of_many_counts_are_scipys_rankdata():
    from scipy.stats import rankdata

    from growthsim.stats.dependence import average_ranks

    counts = np.random.default_rng(3).poisson(4.0, 20_000).astype(float)  # many ties
    assert np.array_equal(average_ranks(counts), rankdata(counts))
