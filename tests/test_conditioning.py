"""The year so far (#15 §2): a projection conditioned on year-to-date actuals, against closed forms
(tolerances from the Monte Carlo standard error) and the properties the rule promises."""

from __future__ import annotations

import math

import pytest
from scipy import integrate, stats

from growthsim import parse_scenario, simulate
from growthsim.engine.conditioning import CALENDAR_SHARE_SD
from growthsim.scenario.periods import Period
from growthsim.scenario.types import Actual

from .conftest import mc_tolerance, p_hit, scenario_text, with_actuals

N = 200_000
FLOW = """
[indicators.gdp]
name = "地区生产总值"
unit = "亿元"
kind = "flow"
basis = "nominal"
baseline = 100
source = "x"

[indicators.gdp.growth]
dist = "normal"
mean = "6%"
sd = "2pp"
rationale = "x"

[indicators.gdp.target]
at_least = "{target}"
source = "x"
"""


def _flow(target: str = "8%"):
    return parse_scenario(scenario_text(FLOW.format(target=target)))


@pytest.mark.parametrize("last, growth, base_value", [(3, 0.05, None), (6, 0.071, 47.0), (9, 0.055, 72.4)])
def test_a_normal_flow_given_its_year_to_date_matches_the_closed_form(last, growth, base_value):
    """X = (1 - w) y + w X*, w = (1 - s)(1 - persistence): given s, normal with mean (1-w) y + w 6%, sd w 2pp."""
    actual = Actual("gdp", Period(1, last), growth=growth, base_value=base_value)
    summary = simulate(with_actuals(_flow("6.5%"), actual), n_draws=N, seed=3)

    def given(share: float) -> float:
        weight = (1 - share) * 0.5
        return float(stats.norm.sf(0.065, loc=(1 - weight) * growth + weight * 0.06, scale=weight * 0.02))

    if base_value:  # the base year's same period: the share is exact
        expected = given(base_value / 100)
    else:  # the calendar's share, with its uncertainty (test_seasonal has the sharper cases)
        mean = last / 12
        sd = CALENDAR_SHARE_SD * mean * (1 - mean)
        concentration = mean * (1 - mean) / sd**2 - 1
        law = stats.beta(mean * concentration, (1 - mean) * concentration)
        expected = integrate.quad(lambda s: law.pdf(s) * given(s), law.ppf(1e-9), law.ppf(1 - 1e-9))[0]
    assert abs(p_hit(summary, "gdp") - expected) < mc_tolerance(expected, N)


def test_a_count_given_its_count_so_far_matches_the_closed_form():
    text = scenario_text(
        """
        [indicators.firms]
        name = "新增市场主体"
        unit = "户"
        kind = "count"
        baseline = 9000
        source = "x"

        [indicators.firms.level]
        dist = "poisson"
        mean = 10000
        rationale = "x"

        [indicators.firms.target]
        at_least = 9560
        source = "x"
        """
    )
    actual = Actual("firms", Period(1, 6), value=4700.0, base_value=4500.0)  # s = 4500 / 9000 = 0.5
    summary = simulate(with_actuals(parse_scenario(text), actual), n_draws=N, seed=5)
    share, weight = 0.5, 0.25
    pace = 4700 / share
    # X = round(0.75 * 9400 + 0.25 N) >= 9560  <=>  N >= (9559.5 - 7050) / 0.25 (about a third of draws)
    expected = stats.poisson.sf(math.ceil((9560 - 0.5 - (1 - weight) * pace) / weight) - 1, 10_000)
    assert 0.2 < expected < 0.5
    assert abs(p_hit(summary, "firms") - expected) < mc_tolerance(expected, N)


def test_an_annual_average_rate_given_its_months_so_far_matches_the_closed_form():
    text = scenario_text(
        """
        [indicators.cpi]
        name = "居民消费价格涨幅"
        unit = "%"
        kind = "rate"

        [indicators.cpi.level]
        dist = "normal"
        mean = "2%"
        sd = "0.8pp"
        rationale = "x"

        [indicators.cpi.target]
        at_most = "1%"
        source = "x"
        """
    )
    actual = Actual("cpi", Period(1, 8), value=0.005)
    summary = simulate(with_actuals(parse_scenario(text), actual), n_draws=N, seed=7)
    weight = (1 - 8 / 12) * 0.5
    expected = stats.norm.cdf(0.01, loc=(1 - weight) * 0.005 + weight * 0.02, scale=weight * 0.008)
    assert abs(p_hit(summary, "cpi") - expected) < mc_tolerance(expected, N)


def test_the_whole_year_known_makes_every_probability_exact_zero_or_one():
    for growth, hit in ((0.081, 1.0), (0.079, 0.0)):
        summary = simulate(with_actuals(_flow(), Actual("gdp", Period(1, 12), growth=growth)), n_draws=4096, seed=1)
        row = summary.indicators[0]
        assert row.hit.p == hit and row.hit.ci == (hit, hit)  # no Monte Carlo error: nothing is drawn


def test_more_months_known_never_widen_the_interval():
    widths = []
    for last in (1, 3, 6, 9, 11):
        summary = simulate(with_actuals(_flow(), Actual("gdp", Period(1, last), growth=0.05)), n_draws=50_000, seed=2)
        quantiles = summary.indicators[0].quantiles
        widths.append(quantiles["p95"] - quantiles["p05"])
    assert widths == sorted(widths, reverse=True), widths


def test_a_year_to_date_at_the_centre_leaves_the_median_where_it_was():
    before = simulate(_flow(), n_draws=N, seed=4).indicators[0]
    after = simulate(with_actuals(_flow(), Actual("gdp", Period(1, 6), growth=0.06)), n_draws=N, seed=4).indicators[0]
    assert after.quantiles["p50"] == pytest.approx(before.quantiles["p50"], abs=4 * before.quantile_error + 1e-4)
    assert after.quantiles["p95"] - after.quantiles["p05"] < 0.5 * (before.quantiles["p95"] - before.quantiles["p05"])


def test_a_weak_first_half_of_a_driver_lowers_its_dependents_odds_through_the_link():
    text = scenario_text(
        FLOW.format(target="6%")
        + """
        [indicators.gdp.drivers]
        industry = { elasticity = 0.3, at = "8%", rationale = "x" }

        [indicators.industry]
        name = "规上工业增加值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        baseline = 70
        source = "x"

        [indicators.industry.growth]
        dist = "normal"
        mean = "8%"
        sd = "3pp"
        rationale = "x"
        """
    )
    scenario = parse_scenario(text)
    before = p_hit(simulate(scenario, n_draws=N, seed=9), "gdp")
    weak = p_hit(
        simulate(with_actuals(scenario, Actual("industry", Period(1, 6), growth=0.02)), n_draws=N, seed=9), "gdp"
    )
    # industry's annual growth: 0.75 x 2% + 0.25 x its draw (mean 8%) = 3.5% on average, 4.5pp below
    # the link's 8%: GDP's growth 0.3 x 4.5 = 1.35pp lower on average
    expected = stats.norm.sf(0.06, loc=0.06 - 0.3 * 0.045, scale=math.hypot(0.02, 0.3 * 0.25 * 0.03))
    assert before == pytest.approx(0.5, abs=mc_tolerance(0.5, N) + 0.01)
    assert abs(weak - expected) < mc_tolerance(expected, N)
