"""How much of the year the year to date is (#15 §2): the base year's same period, the scenario's
seasonal shares with their uncertainty, or the calendar with its; and a rate read at the year's end.

Closed forms integrate the conditioned probability over the share's beta law (scipy.integrate), so
a run that forgot to draw the share, or drew it from another law, misses by many standard errors."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import integrate, stats

from growthsim import parse_scenario, simulate
from growthsim.engine.conditioning import CALENDAR_SHARE_SD
from growthsim.scenario.diagnostics import ScenarioError
from growthsim.scenario.periods import Period
from growthsim.scenario.types import Actual, Seasonal

from .conftest import mc_tolerance, p_hit, scenario_text, with_actuals

N = 200_000
COUNT = """
[indicators.firms]
name = "新增市场主体"
unit = "户"
kind = "count"
baseline = 9000
source = "x"
{seasonal}

[indicators.firms.level]
dist = "normal"
mean = 10000
sd = 600
rationale = "x"

[indicators.firms.target]
at_least = 10000
source = "x"
"""
FLOW = """
[indicators.gdp]
name = "地区生产总值"
unit = "亿元"
kind = "flow"
basis = "real"
baseline = 100
source = "x"
{seasonal}

[indicators.gdp.growth]
dist = "normal"
mean = "10%"
sd = "1pp"
rationale = "x"

[indicators.gdp.target]
at_least = "{target}"
source = "x"
"""
H1 = """
[indicators.{id}.seasonal]
"一季度" = "20%"
"上半年" = "45%"
"前三季度" = "70%"
sd = "{sd}"
source = "x"
"""


def _beta(mean: float, sd: float):
    concentration = mean * (1 - mean) / sd**2 - 1
    return stats.beta(mean * concentration, (1 - mean) * concentration)


def _over_shares(mean: float, sd: float, p_given_share) -> float:
    law = _beta(mean, sd)
    lo, hi = law.ppf(1e-9), law.ppf(1 - 1e-9)
    return integrate.quad(lambda s: law.pdf(s) * p_given_share(s), lo, hi, limit=200)[0]


def test_shares_are_interpolated_from_none_before_january_to_all_at_december():
    seasonal = Seasonal(((3, 0.2), (6, 0.45)), 0.03)
    assert seasonal.share(3) == (0.2, 0.03)
    assert seasonal.share(1) == pytest.approx((0.2 / 3, 0.01))
    assert seasonal.share(4) == pytest.approx((0.2 + 0.25 / 3, 0.03))
    assert seasonal.share(11) == pytest.approx((0.45 + 0.55 * 5 / 6, 0.03 / 6))
    assert seasonal.share(12) == (1.0, 0.0)


def test_a_count_with_an_uncertain_seasonal_share_matches_the_integral_over_the_share():
    """X = k + (1 - s)((1 - p) N + p k / s), N ~ normal(10000, 600), s ~ beta(45%, 2pp), rounded."""
    scenario = parse_scenario(scenario_text(COUNT.format(seasonal=H1.format(id="firms", sd="2pp"))))
    summary = simulate(with_actuals(scenario, Actual("firms", Period(1, 6), value=4600.0)), n_draws=N, seed=11)

    def given(s: float) -> float:
        weight = (1 - s) * 0.5
        centre = (1 - weight) * 4600 / s + weight * 10_000
        return stats.norm.sf(10_000 - 0.5, loc=centre, scale=weight * 600)

    expected = _over_shares(0.45, 0.02, given)
    assert 0.2 < expected < 0.8
    assert abs(p_hit(summary, "firms") - expected) < mc_tolerance(expected, N)
    at_centre = given(0.45)  # what a run that did not draw the share would give
    assert abs(at_centre - expected) > 6 * mc_tolerance(expected, N)


def test_a_count_without_seasonal_shares_uses_the_calendar_with_its_uncertainty():
    scenario = parse_scenario(scenario_text(COUNT.format(seasonal="")))
    summary = simulate(with_actuals(scenario, Actual("firms", Period(1, 3), value=2450.0)), n_draws=N, seed=12)
    share = 0.25
    sd = CALENDAR_SHARE_SD * share * (1 - share)

    def given(s: float) -> float:
        weight = (1 - s) * 0.5
        centre = (1 - weight) * 2450 / s + weight * 10_000
        return stats.norm.sf(10_000 - 0.5, loc=centre, scale=weight * 600)

    expected = _over_shares(share, sd, given)
    assert abs(p_hit(summary, "firms") - expected) < mc_tolerance(expected, N)


def test_the_base_years_same_period_makes_the_share_exact_and_outranks_the_seasonal_table():
    """X = (1 - w) y + w X*, w = (1 - 0.5)(1 - 0.5): normal, whatever the table says."""
    scenario = parse_scenario(scenario_text(FLOW.format(seasonal=H1.format(id="gdp", sd="5pp"), target="8%")))
    actual = Actual("gdp", Period(1, 6), growth=0.04, base_value=50.0)
    summary = simulate(with_actuals(scenario, actual), n_draws=N, seed=13)
    expected = stats.norm.sf(0.08, loc=0.75 * 0.04 + 0.25 * 0.10, scale=0.25 * 0.01)
    assert abs(p_hit(summary, "gdp") - expected) < mc_tolerance(expected, N)


def test_a_flow_with_an_uncertain_share_matches_the_integral_over_the_share():
    """A year to date far from the January view (0% against 10%): the share's weight then matters."""
    scenario = parse_scenario(scenario_text(FLOW.format(seasonal=H1.format(id="gdp", sd="5pp"), target="3%")))
    summary = simulate(with_actuals(scenario, Actual("gdp", Period(1, 6), growth=0.0)), n_draws=N, seed=14)

    def given(s: float) -> float:
        weight = (1 - s) * 0.5
        return stats.norm.sf(0.03, loc=weight * 0.10, scale=weight * 0.01)

    expected = _over_shares(0.45, 0.05, given)
    assert abs(p_hit(summary, "gdp") - expected) < mc_tolerance(expected, N)
    assert abs(given(0.45) - expected) > 6 * mc_tolerance(expected, N)


def test_every_command_draws_the_same_shares_and_other_indicators_keep_theirs():
    """The share has its own keyed stream: the same seed gives the same draws, and conditioning one
    indicator leaves an unrelated one's draws untouched."""
    text = scenario_text(COUNT.format(seasonal=H1.format(id="firms", sd="2pp")) + FLOW.format(seasonal="", target="8%"))
    scenario = with_actuals(parse_scenario(text), Actual("firms", Period(1, 6), value=4300.0))
    first, again = (simulate(scenario, n_draws=4096, seed=3) for _run in range(2))
    assert first.indicators[0].quantiles == again.indicators[0].quantiles
    plain = simulate(parse_scenario(text), n_draws=4096, seed=3)
    assert first.indicators[1].quantiles == plain.indicators[1].quantiles


RATE = """
[indicators.jobless]
name = "城镇登记失业率"
unit = "%"
kind = "rate"
{measured}

[indicators.jobless.level]
dist = "normal"
mean = "4%"
sd = "0.4pp"
rationale = "x"

[indicators.jobless.target]
at_most = "4.2%"
source = "x"
"""


@pytest.mark.parametrize(
    "measured, weight", [("", (1 - 9 / 12) * 0.5), ('measured = "year_end"', math.sqrt(3 / 12) * 0.5)]
)
def test_a_rate_read_at_the_years_end_keeps_more_of_its_spread_than_an_average(measured, weight):
    scenario = parse_scenario(scenario_text(RATE.format(measured=measured)))
    summary = simulate(with_actuals(scenario, Actual("jobless", Period(9, 9), value=0.043)), n_draws=N, seed=15)
    expected = stats.norm.cdf(0.042, loc=(1 - weight) * 0.043 + weight * 0.04, scale=weight * 0.004)
    assert abs(p_hit(summary, "jobless") - expected) < mc_tolerance(expected, N)


def test_more_months_known_never_widen_a_count_with_the_calendars_shares():
    scenario = parse_scenario(scenario_text(COUNT.format(seasonal="")))
    widths = []
    for last in (3, 6, 9, 11):
        known = with_actuals(scenario, Actual("firms", Period(1, last), value=10_000 * last / 12))
        quantiles = simulate(known, n_draws=50_000, seed=2).indicators[0].quantiles
        widths.append(quantiles["p95"] - quantiles["p05"])
    assert widths == sorted(widths, reverse=True), widths


@pytest.mark.parametrize(
    "body, key, words",
    [
        ('[indicators.firms.seasonal]\n"上半年" = "45%"\n"二季度" = "30%"\nsource = "x"', "二季度", "year-to-date"),
        ('[indicators.firms.seasonal]\n"上半年" = "45%"\n"全年" = "100%"\nsource = "x"', "全年", "year-to-date"),
        ('[indicators.firms.seasonal]\n"半年" = "45%"\nsource = "x"', "半年", "not a period"),
        ('[indicators.firms.seasonal]\n"一季度" = "30%"\n"上半年" = "25%"\nsource = "x"', "上半年", "larger"),
        ('[indicators.firms.seasonal]\n"上半年" = "145%"\nsource = "x"', "上半年", "between 0% and 100%"),
        ('[indicators.firms.seasonal]\n"上半年" = "45%"\nsd = "30pp"\nsource = "x"', "sd", "between 0 and 10"),
        ('[indicators.firms.seasonal]\n"一季度" = "1%"\nsd = "8pp"\nsource = "x"', "sd", "too large"),
        ('[indicators.firms.seasonal]\nsd = "1pp"\nsource = "x"', "seasonal", "at least one period"),
        ('measured = "year_end"', "measured", "rate indicators only"),
    ],
)
def test_a_wrong_seasonal_table_is_named_at_its_key(body, key, words, english):
    text = scenario_text(COUNT.format(seasonal="")).replace('source = "x"\n', 'source = "x"\n' + body + "\n", 1)
    if body.startswith("measured"):
        text = scenario_text(COUNT.format(seasonal=body))
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text)
    problems = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert len(problems) == 1, problems
    assert problems[0].line is not None and key in problems[0].key and words in problems[0].message, problems[0]


def test_seasonal_on_a_rate_and_a_wrong_measure_are_refused():
    text = scenario_text(RATE.format(measured='measured = "end"\n[indicators.jobless.seasonal]\n"上半年" = "45%"'))
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text)
    keys = sorted(d.key for d in caught.value.diagnostics if d.severity == "error")
    assert keys == ["indicators.jobless.measured", "indicators.jobless.seasonal"]


def test_drawn_shares_have_the_tables_mean_and_sd():
    from growthsim.engine.conditioning import Known, drawn_shares

    known = Known(Actual("firms", Period(1, 6), value=1.0), 0.45, "seasonal", 1.0, 0.275, 0.5, 0.02)
    shares = drawn_shares("firms", known, entropy=5, start=0, stop=N)
    assert shares is not None
    assert abs(shares.mean() - 0.45) < 4 * 0.02 / math.sqrt(N)
    assert np.std(shares) == pytest.approx(0.02, rel=0.02)
    assert drawn_shares("firms", dataclasses.replace(known, share_sd=0.0), 5, 0, 10) is None
