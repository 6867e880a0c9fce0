"""Links (drivers): closed forms, what-ifs that propagate, and one answer to one question.

A driven indicator's outcome is its own draw plus elasticity x (driver's outcome - at) for each
driver, on the same draw. With normal inputs everything is linear-Gaussian, so means, spreads,
P(hit) and correlations are known exactly; tolerances are Monte Carlo standard errors.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from scipy import stats

from growthsim import ScenarioError, load_scenario, parse_scenario
from growthsim.analysis.compare import compare
from growthsim.analysis.sensitivity import sensitivity
from growthsim.analysis.solve import solve
from growthsim.engine.achieved import achieved_correlations, link_shares
from growthsim.engine.links import own_part
from growthsim.engine.model import compile_model
from growthsim.engine.run import simulate
from growthsim.engine.sampling import sample
from growthsim.scenario.loading import what_if
from growthsim.stats.dependence import spearman

from .conftest import BASELINE, mc_tolerance, scenario_text

N = 200_000


@pytest.fixture(autouse=True)
def _english(english):
    """The messages here are checked in English, as written in the code (tests/test_i18n.py checks
    their translations)."""


def flow(indicator_id: str, mean: str, sd: str, extra: str = "") -> str:
    return f"""
    [indicators.{indicator_id}]
    name = "{indicator_id}"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    baseline = 100
    source = "test"

    [indicators.{indicator_id}.growth]
    dist = "normal"
    mean = "{mean}"
    sd = "{sd}"
    rationale = "test"
    {extra}
    """


def linked(e: float = 0.5, at: str = "9%", x_mean: str = "10%", target: str = "6%", draws: int = N) -> str:
    """x ~ N(x_mean, 2pp); y = N(6%, 1pp) + e (x - at); a target on y."""
    body = (
        flow("x", x_mean, "2pp")
        + flow("y", "6%", "1pp")
        + f"""
    [indicators.y.target]
    at_least = "{target}"
    source = "test"

    [indicators.y.drivers]
    x = {{ elasticity = {e}, at = "{at}", rationale = "test" }}
    """
    )
    return scenario_text(body).replace("draws = 20000", f"draws = {draws}")


def row_of(summary, indicator_id):
    return next(r for r in summary.indicators if r.indicator.id == indicator_id)


# --- closed forms ------------------------------------------------------------------------------


def test_linear_gaussian_link_gives_mean_sd_p_hit_and_correlation_exactly():
    e, at = 0.5, 0.09
    scenario = parse_scenario(linked(e))
    model = compile_model(scenario)
    draws = sample(model, 7, 0, N)
    x, y = draws.values[model.rows["x"]], draws.values[model.rows["y"]]
    mean, sd = 0.06 + e * (0.10 - at), math.hypot(0.01, e * 0.02)
    assert abs(y.mean() - mean) < 4 * sd / math.sqrt(N)
    # the sd's standard error for a normal sample is sd / sqrt(2n)
    assert abs(y.std() - sd) < 4 * sd / math.sqrt(2 * N)
    rho = e * 0.02 / sd  # Pearson; for a normal pair Spearman is (6/pi) asin(rho/2)
    expected_rank = 6 / math.pi * math.asin(rho / 2)
    assert abs(spearman(np.vstack([x, y]))[0, 1] - expected_rank) < 4 * (1 - expected_rank**2) / math.sqrt(N)
    hit = row_of(simulate(scenario, N, 7), "y").hit
    p = 1 - stats.norm.cdf((0.06 - mean) / sd)
    assert abs(hit.p - p) < mc_tolerance(p, N)


def test_shifting_the_driver_shifts_the_dependent_by_e_times_delta_on_every_draw():
    base, shifted = (compile_model(parse_scenario(linked(0.5, x_mean=m))) for m in ("10%", "7%"))
    a, b = sample(base, 3, 0, 50_000), sample(shifted, 3, 0, 50_000)
    row = base.rows["y"]
    np.testing.assert_allclose(b.values[row] - a.values[row], 0.5 * -0.03, atol=1e-12)


def test_a_chain_x_to_y_to_z_adds_up_link_by_link():
    body = (
        flow("x", "10%", "2pp")
        + flow("y", "6%", "1pp")
        + flow("z", "4%", "0.5pp")
        + """
    [indicators.y.drivers]
    x = { elasticity = 0.5, at = "10%", rationale = "test" }

    [indicators.z.drivers]
    y = { elasticity = 0.8, at = "6%", rationale = "test" }
    """
    )
    model = compile_model(parse_scenario(scenario_text(body)))
    values = sample(model, 11, 0, N).values
    _x, y, z = (values[model.rows[i]] for i in "xyz")
    np.testing.assert_allclose(z - own_part(model, values, model.rows["z"]), 0.8 * (y - 0.06), atol=1e-15)
    sd = math.sqrt(0.005**2 + 0.8**2 * (0.01**2 + 0.25 * 0.02**2))
    assert abs(z.mean() - 0.04) < 4 * sd / math.sqrt(N)
    assert abs(z.std() - sd) < 4 * sd / math.sqrt(2 * N)
    assert model.computed_rows.index(model.rows["y"]) < model.computed_rows.index(model.rows["z"])
    assert model.target_inputs == ()  # no targets; and z's randomness comes from all three rows
    from growthsim.engine.model import _random_inputs

    inputs = _random_inputs(model.indicators, model.rows, (), model.computed_rows)
    assert inputs[model.rows["z"]] == {model.rows[i] for i in "xyz"}


def jobs_driven_by_gdp(elasticity: str, extra: str = "") -> str:
    """gdp ~ N(6%, 2pp); jobs ~ N(13000, 800), rounded, driven by gdp at 5% with ``elasticity``."""
    return scenario_text(
        flow("gdp", "6%", "2pp")
        + f"""
    [indicators.jobs]
    name = "jobs"
    unit = "人"
    kind = "count"

    [indicators.jobs.level]
    dist = "normal"
    mean = 13000
    sd = 800
    rationale = "test"

    [indicators.jobs.drivers]
    gdp = {{ elasticity = {elasticity}, at = "5%", rationale = "test" }}
    {extra}"""
    )


def test_a_count_driven_by_a_growth_stays_whole_and_has_its_closed_form():
    body = """
    [indicators.jobs.target]
    at_least = 13200
    source = "test"
    """
    scenario = parse_scenario(jobs_driven_by_gdp('"170人/pp"', body))
    driver = scenario.indicator("jobs").drivers[0]
    assert (driver.unit, driver.elasticity) == ("人/pp", pytest.approx(17_000))
    model = compile_model(scenario)
    jobs = sample(model, 5, 0, N).values[model.rows["jobs"]]
    assert np.all(jobs == np.rint(jobs)) and jobs.min() >= 0
    mean, sd = 13000 + 170 * (6 - 5), math.hypot(800, 170 * 2)
    p = 1 - stats.norm.cdf((13200 - 0.5 - mean) / sd)  # whole numbers: >= 13,200 is > 13,199.5
    assert abs(row_of(simulate(scenario, N, 5), "jobs").hit.p - p) < mc_tolerance(p, N)


def test_an_event_on_a_driver_reaches_the_dependent_through_the_link():
    text = (
        linked(0.5)
        + """
    [events.shock]
    name = "shock"
    probability = "30%"
    rationale = "test"
    effects = [{ indicator = "x", add = "-4pp" }]
    """
    )
    model = compile_model(parse_scenario(text))
    never, always = (
        sample(dataclasses.replace(model, held_events=(("shock", occurs),)), 2, 0, 20_000) for occurs in (False, True)
    )
    row = model.rows["y"]
    np.testing.assert_allclose(always.values[row] - never.values[row], 0.5 * -0.04, atol=1e-12)


# --- one answer to one question ----------------------------------------------------------------

CORRELATED = (
    flow("x", "10%", "2pp")
    + flow("z", "3%", "1pp")
    + flow("y", "6%", "1pp")
    + """
[indicators.y.target]
at_least = "7%"
source = "test"

[indicators.y.drivers]
x = { elasticity = 0.5, at = "10%", rationale = "test" }
z = { elasticity = 1.0, at = "3%", rationale = "test" }

[correlations]
x = { z = 0.6 }
"""
)


def _correlated(tmp_path, method: str = "gaussian_copula"):
    text = scenario_text(CORRELATED).replace("seed = 12345", f'seed = 12345\ncorrelation_method = "{method}"')
    path = tmp_path / "correlated.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _p_given_x(x_value: float, partners_move: bool) -> float:
    """P(y >= 7%) given x, closed form: z | x is normal (score correlation 2 sin(pi 0.6 / 6))."""
    r = 2 * math.sin(math.pi * 0.6 / 6) if partners_move else 0.0
    z_mean = 0.03 + r * 0.01 * (x_value - 0.10) / 0.02
    z_sd = 0.01 * math.sqrt(1 - r * r)
    mean = 0.06 + 0.5 * (x_value - 0.10) + (z_mean - 0.03)
    return 1 - stats.norm.cdf((0.07 - mean) / math.hypot(0.01, z_sd))


def test_tornado_swing_is_total_and_splits_into_links_and_correlations(tmp_path):
    scenario = load_scenario(_correlated(tmp_path))
    n = 100_000
    [result] = sensitivity(scenario, "y", n_draws=n, seed=3)
    effect = next(e for e in result.inputs if e.input == "x")
    x10, x90 = (0.10 + 0.02 * stats.norm.ppf(q) for q in (0.1, 0.9))
    for p, x_value, moves in [
        (effect.p_low, x10, True),
        (effect.p_high, x90, True),
        (effect.p_low_links, x10, False),
        (effect.p_high_links, x90, False),
    ]:
        expected = _p_given_x(x_value, moves)
        assert abs(p - expected) < mc_tolerance(expected, n)
    assert effect.swing_links < effect.swing
    assert effect.swing_correlations == pytest.approx(effect.swing - effect.swing_links)


@pytest.mark.parametrize("method", ["gaussian_copula", "iman_conover"])
def test_a_fixed_what_if_gives_the_tornados_answer(tmp_path, method):
    """GDP's P(hit) with investment held at its p10 is one number, from compare --what-if and from
    the tornado: the fixed value holds x within the law it replaced, and z follows it."""
    path = _correlated(tmp_path, method)
    n = 100_000
    x10 = 0.10 + 0.02 * stats.norm.ppf(0.1)
    changed = what_if(path, [f'x.growth={{dist="fixed",value="{x10 * 100:.10f}%"}}'])
    assert changed.indicator("x").assumption.law is not None
    comparison = compare([load_scenario(path), changed], n, seed=3)
    p_what_if = comparison.rows[0].summaries[1].hit.p
    [result] = sensitivity(load_scenario(path), "y", n_draws=n, seed=3)
    p_tornado = next(e for e in result.inputs if e.input == "x").p_low
    expected = _p_given_x(x10, partners_move=True)
    assert abs(p_what_if - expected) < mc_tolerance(expected, n)
    assert abs(p_what_if - p_tornado) < mc_tolerance(expected, n)


def test_solve_on_the_held_value_finds_the_tornados_p10(tmp_path):
    path = _correlated(tmp_path)
    n = 50_000
    x10 = 0.10 + 0.02 * stats.norm.ppf(0.1)
    goal = _p_given_x(x10, partners_move=True)
    result = solve(
        path, "y", goal, "x.growth.value", overrides=['x.growth={dist="fixed",value="10%"}'], n_draws=n, seed=3
    )
    low, high = result.interval
    assert low <= x10 <= high, (result.interval, x10)


def test_without_a_replaced_law_a_fixed_correlated_value_is_a_plain_constant():
    text = scenario_text(CORRELATED)
    old = 'dist = "normal"\n    mean = "10%"\n    sd = "2pp"'
    assert text.count(old) == 1
    scenario = parse_scenario(text.replace(old, 'dist = "fixed"\n    value = "10%"'))
    assert scenario.indicator("x").assumption.law is None
    assert any("has a fixed value: a correlation with it has no effect" in w.message for w in scenario.warnings)


# --- what the commands report ------------------------------------------------------------------


def test_compare_splits_a_driven_targets_change_by_driver(tmp_path):
    path = tmp_path / "linked.toml"
    path.write_text(linked(0.5, draws=20_000), encoding="utf-8")
    comparison = compare([load_scenario(path), what_if(path, ["x.growth.mean=7%"])], 20_000, seed=1)
    channels = comparison.rows[0].channels[1]
    through_x = dict(channels.drivers)["x"]
    assert through_x.value == pytest.approx(-0.015, abs=1e-12)
    assert channels.outcome.value == pytest.approx(-0.015, abs=1e-12)
    assert abs(channels.own.value) < 1e-12
    assert comparison.rows[0].channels[0] is None


def test_show_states_spread_and_share_explained():
    scenario = parse_scenario(linked(0.5))
    [share] = link_shares(compile_model(scenario), seed=1)
    sd = math.hypot(0.01, 0.5 * 0.02)
    assert share.indicator == "y"
    assert abs(share.sd - sd) < 4 * sd / math.sqrt(2 * 65_536)
    assert abs(share.share - 0.5) < 0.02  # var(link) / var(outcome) = 1e-4 / 2e-4
    checks = achieved_correlations(compile_model(scenario), seed=1)
    assert [(c.a, c.b, c.link) for c in checks] == [("y", "x", True)]


def test_the_downside_epidemic_lowers_gdp_by_one_and_a_half_points_counted_once():
    """The event hits retail, investment and industry, and GDP only for what its links do not
    carry: in all GDP loses 0.15 x 4 + 0.1 x 3 + 0.3 x 1 + 0.3 = 1.5pp on every draw."""
    model = compile_model(load_scenario(BASELINE.parent / "luolong-2023-downside.toml"))
    never, always = (
        sample(dataclasses.replace(model, held_events=(("epidemic", occurs),)), 1, 0, 10_000)
        for occurs in (False, True)
    )
    gdp = model.rows["gdp"]
    np.testing.assert_allclose(always.values[gdp] - never.values[gdp], -0.015, atol=1e-12)


def test_investment_what_if_moves_gdp_revenue_and_jobs():
    """The planner's question: 'if investment only grows 5%?' moves everything linked to it."""
    base = load_scenario(BASELINE)
    changed = what_if(BASELINE, ["fai.growth.mode=5%"])
    comparison = compare([base, changed], 50_000, seed=1)
    moved = {row.id: row.differences[1] for row in comparison.rows}
    for indicator_id in ("fai", "gdp", "gdp_per_capita", "revenue", "urban_jobs"):
        assert moved[indicator_id].delta < 0 and moved[indicator_id].distinguishable, indicator_id
    gdp = next(row for row in comparison.rows if row.id == "gdp").channels[1]
    assert dict(gdp.drivers)["fai"].value == pytest.approx(0.1 * -0.05, rel=1e-9)


def test_baseline_links_explain_part_of_each_driven_spread():
    shares = {s.indicator: s for s in link_shares(compile_model(load_scenario(BASELINE)), seed=1)}
    assert set(shares) == {"gdp", "revenue", "urban_jobs", "income"}
    for share in shares.values():
        assert 0.05 < share.share < 0.9


def test_links_and_formulas_in_one_cycle_are_an_error():
    body = (
        flow("gdp", "6%", "1pp")
        + flow("revenue", "7%", "2pp")
        + """
    [indicators.gdp_nominal]
    name = "n"
    unit = "亿元"
    kind = "derived"
    metric = "growth"
    formula = "revenue.growth"

    [indicators.gdp.drivers]
    gdp_nominal = { elasticity = 1, at = "7%", rationale = "test" }

    [indicators.revenue.drivers]
    gdp = { elasticity = 1, at = "6%", rationale = "test" }
    """
    )
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(scenario_text(body))
    [problem] = caught.value.diagnostics
    assert "go round in a circle: gdp -> gdp_nominal -> revenue -> gdp" in problem.message


# --- warnings ------------------------------------------------------------------------------------


def _warnings(scenario) -> list[str]:
    return [w.headline() for w in scenario.warnings]


def test_a_correlation_beside_a_link_is_a_warning_that_says_what_to_do(write_scenario):
    path = write_scenario(linked(0.5) + "\n[correlations]\nx = { y = 0.5 }\n")
    [warning] = [w for w in load_scenario(path).warnings if w.key.startswith("correlations")]
    assert warning.key == "correlations.x.y" and warning.line == path.read_text().count("\n")
    assert "y is driven by x (indicators.y.drivers.x)" in warning.message
    assert "Remove it (or set it to 0)" in warning.message


def test_a_correlation_with_what_a_drivers_formula_uses_is_warned_too():
    body = (
        flow("gdp", "6%", "1pp")
        + flow("revenue", "7%", "2pp")
        + """
    [indicators.deflator]
    name = "d"
    unit = "%"
    kind = "rate"

    [indicators.deflator.level]
    dist = "normal"
    mean = "1.5%"
    sd = "1pp"
    rationale = "test"

    [indicators.gdp_nominal]
    name = "n"
    unit = "亿元"
    kind = "derived"
    metric = "growth"
    formula = "(1 + gdp.growth) * (1 + deflator.level) - 1"

    [indicators.revenue.drivers]
    gdp_nominal = { elasticity = 1, at = "7.5%", rationale = "test" }

    [correlations]
    gdp = { revenue = 0.6 }
    """
    )
    [warning] = [w for w in parse_scenario(scenario_text(body)).warnings if w.key.startswith("correlations")]
    assert "revenue is driven by gdp_nominal (through gdp_nominal's formula)" in warning.message


def test_a_link_without_source_or_rationale_is_a_warning():
    text = linked(0.5).replace(
        'x = { elasticity = 0.5, at = "9%", rationale = "test" }', 'x = { elasticity = 0.5, at = "9%" }'
    )
    [warning] = [w for w in parse_scenario(text).warnings if w.key == "indicators.y.drivers.x"]
    assert "a link without a source or rationale" in warning.message


def test_a_held_value_beyond_its_law_and_a_hold_under_iman_conover_are_said(tmp_path):
    path = _correlated(tmp_path, "iman_conover")
    scenario = what_if(path, ['x.growth={dist="fixed",value="40%"}'])
    messages = [w.message for w in scenario.warnings]
    assert any("lies beyond the 0.1%-99.9% range of the distribution it replaces" in m for m in messages)
    assert any("needs the Gaussian copula, so this scenario is drawn with it" in m for m in messages)
    assert scenario.correlation_method == "gaussian_copula"
    held = compile_model(scenario).held
    assert held and held[0][1] > 0.999


def test_a_later_distribution_drops_the_law_and_a_second_fixed_value_keeps_it(tmp_path):
    path = _correlated(tmp_path)
    kept = load_scenario(path, ['x.growth={dist="fixed",value="8%"}', "x.growth.value=9%"])
    assert kept.indicator("x").assumption.law is not None
    assert compile_model(kept).held[0][1] == pytest.approx(stats.norm.cdf(-0.5), abs=1e-12)
    dropped = load_scenario(path, ['x.growth={dist="fixed",value="8%"}', 'x.growth={dist="normal",mean="9%",sd="1pp"}'])
    assert dropped.indicator("x").assumption.law is None


def test_solve_seeks_a_drivers_parameter_for_a_driven_target(tmp_path):
    """'What investment growth gives GDP a 30% chance?': y's P(hit) moves only through the link."""
    path = tmp_path / "linked.toml"
    path.write_text(linked(0.5, target="7%", draws=50_000), encoding="utf-8")
    result = solve(path, "y", 0.3, "x.growth.mean", n_draws=50_000, seed=2)
    # P(y >= 7%) = 0.3 where 6% + 0.5 (mean - 9%) = 7% - z_0.7 sd
    sd = math.hypot(0.01, 0.5 * 0.02)
    exact = 0.09 + (0.01 - stats.norm.ppf(0.7) * sd) / 0.5
    low, high = result.interval
    assert low <= exact <= high and high - low < 0.005


def test_set_reaches_a_links_keys_and_an_elasticity_of_zero_switches_it_off(tmp_path):
    path = tmp_path / "linked.toml"
    path.write_text(linked(0.5), encoding="utf-8")
    off = load_scenario(path, ["y.drivers.x.elasticity=0"])
    model = compile_model(off)
    values = sample(model, 1, 0, 10_000).values
    np.testing.assert_array_equal(values[model.rows["y"]], own_part(model, values, model.rows["y"]))
    moved = load_scenario(path, ['y.drivers.x.at="10%"'])
    assert moved.indicator("y").drivers[0].at == pytest.approx(0.10)
    assert moved.origin("indicators", "y", "drivers", "x", "at") == '--set y.drivers.x.at="10%"'


def test_removing_a_driver_drops_its_links_and_says_so(tmp_path):
    (tmp_path / "linked.toml").write_text(linked(0.5), encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text('extends = "linked.toml"\nremove_indicators = ["x"]\n[scenario]\nname = "c"\n', encoding="utf-8")
    scenario = load_scenario(child)
    assert scenario.indicator("y").drivers == ()
    [warning] = [w for w in scenario.warnings if w.key == "remove_indicators"]
    assert warning.file == str(child) and warning.line == 2 and warning.severity == "warning"
    assert "x drove y: its link goes with it" in warning.message


def test_fixing_a_driven_indicator_says_its_outcome_still_moves(tmp_path):
    path = tmp_path / "linked.toml"
    path.write_text(linked(0.5), encoding="utf-8")
    scenario = what_if(path, ['y.growth={dist="fixed",value="5%"}'])
    [warning] = [w for w in scenario.warnings if w.key == "indicators.y.growth"]
    assert "its outcome still moves with them" in warning.message
    assert "--what-if y.drivers={}" in warning.message


def test_gdp_with_investment_at_its_p10_is_one_number_in_every_command():
    """The issue's test on the shipped baseline: compare --what-if, solve and the tornado agree."""
    from growthsim.stats.distributions import quantity_at

    n, seed = 40_000, 9
    base = load_scenario(BASELINE)
    fai = base.indicator("fai").assumption.distribution
    p10 = float(quantity_at(fai, np.array([0.1]), False)[0])
    [tornado] = sensitivity(base, "gdp", n_draws=n, seed=seed)
    p_tornado = next(e for e in tornado.inputs if e.input == "fai").p_low
    held = f'fai.growth={{dist="fixed",value="{p10 * 100:.10f}%"}}'
    comparison = compare([base, what_if(BASELINE, [held])], n, seed=seed)
    p_what_if = next(row for row in comparison.rows if row.id == "gdp").summaries[1].hit.p
    assert abs(p_what_if - p_tornado) < mc_tolerance(p_tornado, n)
    result = solve(BASELINE, "gdp", p_tornado, "fai.growth.value", overrides=[held], n_draws=n, seed=seed)
    low, high = result.interval
    assert low <= p10 <= high, (result.interval, p10)


@pytest.mark.parametrize(
    ("kind", "driver_kind", "elasticity", "unit", "per_unit"),
    [
        ("rate", "flow", "-0.2", "pp/pp", -0.2),  # Okun: unemployment falls 0.2pp per point of growth
        ("change", "flow", "0.05", "pp/pp", 0.05),  # urbanisation's change on growth
        ("rate", "count", '"0.0001pp/户"', "pp/户", 1e-4),  # a rate on a count: pp per unit, 1/100 in code
        ("count", "count", "0.5", "户/户", 0.5),
        ("flow", "rate", '"1.5%/%"', "pp/pp", 1.5),  # % stands for points on either side
        ("flow", "count", '"1.5%/%"', None, None),  # but not for a count: an error
    ],
)
def test_every_kind_can_be_driven_with_its_unit_stated(kind, driver_kind, elasticity, unit, per_unit):
    quantity = {
        "flow": ("growth", '"6%"', '"1pp"'),
        "rate": ("level", '"5%"', '"0.3pp"'),
        "change": ("change", '"0.5pp"', '"0.2pp"'),
        "count": ("level", "10000", "500"),
    }
    at = {"flow": '"6%"', "rate": '"5%"', "count": "10000"}[driver_kind]

    def section(indicator_id: str, of_kind: str) -> str:
        key, mean, sd = quantity[of_kind]
        extra = 'basis = "real"\nbaseline = 100\nsource = "t"\n' if of_kind == "flow" else ""
        unit_of = {"flow": "亿元", "count": "户"}.get(of_kind, "%")
        return (
            f'[indicators.{indicator_id}]\nname = "{indicator_id}"\nunit = "{unit_of}"\nkind = "{of_kind}"\n{extra}'
            f'[indicators.{indicator_id}.{key}]\ndist = "normal"\nmean = {mean}\nsd = {sd}\nrationale = "t"\n'
        )

    text = scenario_text(
        section("x", driver_kind)
        + section("y", kind)
        + f'[indicators.y.drivers]\nx = {{ elasticity = {elasticity}, at = {at}, rationale = "t" }}\n'
    )
    if unit is None:
        with pytest.raises(ScenarioError, match="so the elasticity is in pp/户, not %/%"):
            parse_scenario(text)
        return
    scenario = parse_scenario(text)
    [driver] = scenario.indicator("y").drivers
    assert driver.unit == unit and driver.elasticity / driver.factor == pytest.approx(per_unit)
    model = compile_model(scenario)
    values = sample(model, 4, 0, 5_000).values
    x, y = values[model.rows["x"]], values[model.rows["y"]]
    scale_y = 1.0 if kind == "count" else 0.01  # a point is 1/100 in code
    scale_x = 1.0 if driver_kind == "count" else 0.01
    expected = own_part(model, values, model.rows["y"]) + per_unit * scale_y / scale_x * (x - driver.at)
    np.testing.assert_allclose(y, np.maximum(np.rint(expected), 0) if kind == "count" else expected, atol=1e-12)


@pytest.mark.parametrize(
    ("written", "per_person_per_point"),
    [('"170人/pp"', 170), ('"0.017万人/pp"', 170), ('"170 人 / 个百分点"', 170), ("170", 170)],
)
def test_an_elasticity_may_carry_wan_and_yi_in_its_unit(written, per_person_per_point):
    [driver] = parse_scenario(jobs_driven_by_gdp(written)).indicator("jobs").drivers
    assert driver.elasticity == pytest.approx(per_person_per_point * 100)


@pytest.mark.parametrize("written", ['"10%"', '"1/10"', '"0.1人/pp"', '"1.3%"'])
def test_a_unit_that_does_not_fit_is_refused_without_guessing_a_number(written):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(linked(0.5).replace("elasticity = 0.5", f"elasticity = {written}"))
    [problem] = caught.value.diagnostics
    assert "pp/pp" in problem.message and not re.search(r'"[0-9.]+pp/pp"', problem.message)


def test_compare_draws_every_scenario_with_the_copula_when_one_holds_an_input(tmp_path):
    """Under Iman-Conover a held input switches its scenario to the copula; the reference follows,
    so that an indicator the what-if leaves alone (w: correlated with z, not with the held x) stays
    exactly the same."""
    path = _correlated(tmp_path, "iman_conover")
    text = path.read_text(encoding="utf-8") + flow("w", "3%", "1pp")
    text = text.replace("[correlations]\nx = { z = 0.6 }", "[correlations]\nx = { z = 0.6 }\nw = { z = 0.3 }")
    text += '\n[indicators.w.target]\nat_least = "3%"\nsource = "t"\n'
    path.write_text(text, encoding="utf-8")
    comparison = compare([load_scenario(path), what_if(path, ['x.growth={dist="fixed",value="8%"}'])], 20_000, seed=3)
    assert comparison.notes and "drawn with it" in comparison.notes[0]
    w = next(row for row in comparison.rows if row.id == "w").differences[1]
    assert w.delta == 0 and w.se == 0


# --- review fixes -------------------------------------------------------------------------------


def test_a_link_that_swamps_its_indicator_is_warned_about():
    [warning] = [w for w in parse_scenario(linked(10)).warnings if w.key == "indicators.y.drivers.x"]
    assert "times the" in warning.message and "check the elasticity's size (10 pp/pp" in warning.message
    assert not [w for w in parse_scenario(linked(0.5)).warnings if w.key == "indicators.y.drivers.x"]


def test_replace_on_a_driven_indicator_warns_that_its_links_still_add():
    text = (
        linked(0.5)
        + """
    [events.shock]
    name = "shock"
    probability = "30%"
    rationale = "test"
    effects = [{ indicator = "y", replace = { dist = "fixed", value = "3%" } }]
    """
    )
    [warning] = [w for w in parse_scenario(text).warnings if "acts on its own part" in w.message]
    assert warning.key == "events.shock.effects[0].replace" and "its links still add" in warning.message


def test_an_empty_drivers_table_in_a_child_switches_the_links_off(tmp_path):
    (tmp_path / "linked.toml").write_text(linked(0.5), encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "linked.toml"\n[scenario]\nname = "c"\n[indicators.y]\ndrivers = {}\n', encoding="utf-8"
    )
    assert load_scenario(child).indicator("y").drivers == ()
    assert load_scenario(tmp_path / "linked.toml", ["y.drivers={}"]).indicator("y").drivers == ()


def test_a_cycle_a_child_closes_is_reported_where_the_child_wrote_it(tmp_path):
    (tmp_path / "linked.toml").write_text(linked(0.5), encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "linked.toml"\n[scenario]\nname = "c"\n\n[indicators.x.drivers]\n'
        'y = { elasticity = 0.2, at = "6%", rationale = "t" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(child)
    [problem] = caught.value.diagnostics
    assert problem.file == str(child) and problem.key == "indicators.x.drivers.y" and problem.line == 6


def test_a_child_that_changes_an_elasticity_without_reason_drops_the_parents(tmp_path):
    (tmp_path / "linked.toml").write_text(
        linked(0.5).replace('rationale = "test" }', 'rationale = "old" }'), encoding="utf-8"
    )
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "linked.toml"\n[scenario]\nname = "c"\n[indicators.y.drivers]\nx = { elasticity = 0.8 }\n',
        encoding="utf-8",
    )
    driver = load_scenario(child).indicator("y").drivers[0]
    assert driver.rationale is None and driver.elasticity == 0.8
    moved = tmp_path / "moved.toml"
    moved.write_text(
        'extends = "linked.toml"\n[scenario]\nname = "m"\n[indicators.y.drivers]\nx = { at = "8%" }\n', encoding="utf-8"
    )
    assert load_scenario(moved).indicator("y").drivers[0].rationale == "old"  # a new reference keeps it


def test_channels_add_up_when_a_links_reference_moves_with_its_driver(tmp_path):
    """The 2022-repeated pattern: the driver's centre and the link's reference both move by 3pp.
    Its own change brings e x 3pp through the driver; the restated reference takes it back."""
    path = tmp_path / "linked.toml"
    path.write_text(linked(0.5, draws=20_000), encoding="utf-8")
    comparison = compare(
        [load_scenario(path), load_scenario(path, ["x.growth.mean=13%", 'y.drivers.x.at="12%"'])], 20_000, seed=1
    )
    channels = comparison.rows[0].channels[1]
    assert dict(channels.drivers)["x"].value == pytest.approx(0.015, abs=1e-12)
    assert channels.settings.value == pytest.approx(-0.015, abs=1e-12)
    assert abs(channels.outcome.value) < 1e-12 and abs(channels.own.value) < 1e-12


def test_channels_of_a_relative_target_describe_the_difference_it_tests(tmp_path):
    body = (
        flow("gdp", "6%", "2pp")
        + flow("income", "5.5%", "1pp")
        + """
    [indicators.income.target]
    relative_to = "gdp"
    tolerance = "1pp"
    side = "at_least"
    source = "t"

    [indicators.income.drivers]
    gdp = { elasticity = 0.5, at = "6%", rationale = "t" }
    """
    )
    path = tmp_path / "relative.toml"
    path.write_text(scenario_text(body), encoding="utf-8")
    comparison = compare([load_scenario(path), what_if(path, ["gdp.growth.mean=4%"])], 20_000, seed=1)
    channels = next(row for row in comparison.rows if row.id == "income").channels[1]
    # income - gdp: -1pp through the link, +2pp as gdp itself falls: +1pp in all
    assert channels.outcome.value == pytest.approx(0.01, abs=1e-12)
    assert dict(channels.drivers)["gdp"].value == pytest.approx(-0.01, abs=1e-12)
    assert (channels.reference_id, channels.reference.value) == ("gdp", pytest.approx(0.02, abs=1e-12))


def test_solve_on_a_driven_indicators_own_assumption_says_so(tmp_path, english):
    path = tmp_path / "linked.toml"
    path.write_text(linked(0.5, draws=20_000), encoding="utf-8")
    result = solve(path, "y", 0.5, n_draws=20_000, seed=1)
    assert (
        result.parameter == "y.growth.mean" and "(its own part, besides its drivers) (y.growth.mean)" in result.message
    )


def test_sensitivity_of_a_scenario_holding_an_input_does_not_hold_it_twice(tmp_path):
    path = _correlated(tmp_path)
    [result] = sensitivity(load_scenario(path, ['x.growth={dist="fixed",value="8%"}']), "y", n_draws=5_000, seed=1)
    x = next(e for e in result.inputs if e.input == "x")
    assert x.p_low == x.p_high == result.p_hit
