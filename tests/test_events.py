"""Shock events: frequencies, effects against closed forms, alignment on the draw, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from growthsim import ScenarioError, compile_model, parse_scenario, simulate
from growthsim.analysis.compare import compare
from growthsim.engine.sampling import sample

from .conftest import mc_tolerance, scenario_text


@pytest.fixture(autouse=True)
def _english(english):
    """These tests check messages word for word in English, as written in the code (their msgids);
    tests/test_i18n.py checks that every one has its Chinese translation."""


N = 200_000
Phi = stats.norm.cdf

INDICATORS = """
[indicators.gdp]
name = "地区生产总值"
unit = "亿元"
kind = "flow"
basis = "real"
target = { at_least = "8%", source = "t" }
growth = { dist = "normal", mean = "6%", sd = "2pp", rationale = "t" }

[indicators.retail]
name = "社会消费品零售总额"
unit = "亿元"
kind = "flow"
basis = "nominal"
target = { at_least = "7%", source = "t" }
growth = { dist = "fixed", value = "7%", rationale = "t" }

[indicators.jobs]
name = "城镇新增就业"
unit = "人"
kind = "count"
target = { at_least = 12000, source = "t" }
level = { dist = "fixed", value = 12500, rationale = "t" }
"""


def scenario(events: str):
    return parse_scenario(scenario_text(INDICATORS + events))


def test_an_additive_shock_matches_the_closed_form():
    result = simulate(
        scenario("""
        [events.epidemic]
        name = "疫情反复"
        probability = "30%"
        rationale = "t"
        effects = [{ indicator = "gdp", add = "-2pp" }]
        """),
        N,
        seed=1,
    )
    gdp = result.indicators[0]
    expected = 0.7 * (1 - Phi(1.0)) + 0.3 * (1 - Phi(2.0))
    assert abs(gdp.hit.p - expected) <= mc_tolerance(expected, N)
    (event,) = result.events
    assert abs(event.frequency.p - 0.3) <= mc_tolerance(0.3, N)
    with_, without = event.hit_with["gdp"], event.hit_without["gdp"]
    assert abs(with_.p - (1 - Phi(2.0))) <= mc_tolerance(1 - Phi(2.0), with_.n)
    assert abs(without.p - (1 - Phi(1.0))) <= mc_tolerance(1 - Phi(1.0), without.n)


def test_effects_of_one_event_fall_on_the_same_draws():
    model = compile_model(
        scenario("""
        [events.epidemic]
        name = "疫情反复"
        probability = "25%"
        rationale = "t"
        effects = [{ indicator = "retail", add = "-4pp" }, { indicator = "jobs", add = -1000 }]
        """)
    )
    draws = sample(model, 9, 0, 50_000)
    occurred = draws.events[0]
    retail, jobs = draws.values[1], draws.values[2]
    np.testing.assert_allclose(retail[occurred], 0.03)
    np.testing.assert_allclose(retail[~occurred], 0.07)
    assert np.array_equal(jobs == 11500, occurred)  # the same draws, not merely as often


def test_scale_and_replace():
    result = simulate(
        scenario("""
        [events.slump]
        name = "需求下滑"
        probability = "40%"
        rationale = "t"
        effects = [
          { indicator = "retail", scale = 0.99 },
          { indicator = "jobs", replace = { dist = "fixed", value = 11000 } },
        ]
        """),
        N,
        seed=2,
    )
    (event,) = result.events
    # retail: (1 + 7%) * 0.99 - 1 = 5.93% < 7%: a miss exactly when the event occurs
    assert event.hit_with["retail"].p == 0 and event.hit_without["retail"].p == 1
    assert event.hit_with["jobs"].p == 0 and event.hit_without["jobs"].p == 1
    assert result.indicators[1].hit.p == 1 - event.frequency.p


def test_replace_keeps_the_draw_paired():
    """A replacement draws through the indicator's own uniform: where the event does not occur, the
    draw is the one the scenario without the event has."""
    without = compile_model(scenario(""))
    with_event = compile_model(
        scenario("""
        [events.regime]
        name = "新常态"
        probability = "50%"
        rationale = "t"
        effects = [{ indicator = "gdp", replace = { dist = "normal", mean = "4%", sd = "2pp" } }]
        """)
    )
    base = sample(without, 3, 0, 20_000).values[0]
    shocked = sample(with_event, 3, 0, 20_000)
    occurred = shocked.events[0]
    assert np.array_equal(shocked.values[0][~occurred], base[~occurred])
    np.testing.assert_allclose(shocked.values[0][occurred], base[occurred] - 0.02)  # same z, new mean


def test_events_of_a_group_exclude_each_other():
    model = compile_model(
        scenario("""
        [events.boom]
        name = "繁荣"
        probability = "20%"
        group = "regime"
        rationale = "t"
        effects = [{ indicator = "gdp", add = "+1pp" }]

        [events.bust]
        name = "衰退"
        probability = "30%"
        group = "regime"
        rationale = "t"
        effects = [{ indicator = "gdp", add = "-2pp" }]
        """)
    )
    occurred = sample(model, 5, 0, N).events
    assert not (occurred[0] & occurred[1]).any()
    for row, p in ((0, 0.2), (1, 0.3)):
        assert abs(occurred[row].mean() - p) <= mc_tolerance(p, N)


def test_independent_events_occur_together_as_often_as_chance_says():
    model = compile_model(
        scenario("""
        [events.a]
        name = "甲"
        probability = "50%"
        rationale = "t"
        effects = [{ indicator = "gdp", add = "+1pp" }]

        [events.b]
        name = "乙"
        probability = "40%"
        rationale = "t"
        effects = [{ indicator = "gdp", add = "-1pp" }]
        """)
    )
    occurred = sample(model, 5, 0, N).events
    both = (occurred[0] & occurred[1]).mean()
    assert abs(both - 0.2) <= mc_tolerance(0.2, N)


def test_the_same_event_occurs_on_the_same_draws_in_compared_scenarios():
    event = """
        [events.epidemic]
        name = "疫情反复"
        probability = "15%"
        rationale = "t"
        effects = [{ indicator = "gdp", add = "-2pp" }]
        """
    mild = scenario(event)
    severe = scenario(event.replace('"-2pp"', '"-4pp"'))
    comparison = compare([mild, severe], n_draws=20_000, seed=4)
    assert comparison.summaries[0].events[0].frequency == comparison.summaries[1].events[0].frequency
    difference = comparison.rows[0].differences[1]
    assert difference.delta < 0 and difference.se < difference.se_unpaired


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            '[events.x]\nname = "x"\nprobability = "150%"\nrationale = "t"\neffects = [{ indicator = "gdp", add = "1pp" }]',
            "events.x.probability: must be more than 0% and at most 100%",
        ),
        (
            '[events.x]\nname = "x"\nprobability = "10%"\nrationale = "t"\neffects = [{ indicator = "gpd", add = "1pp" }]',
            "events.x.effects[0].indicator: no indicator 'gpd' (did you mean 'gdp'?)",
        ),
        (
            '[events.x]\nname = "x"\nprobability = "10%"\nrationale = "t"\n'
            'effects = [{ indicator = "gdp", add = "1pp", scale = 2 }]',
            "events.x.effects[0]: an effect takes exactly one of",
        ),
        (
            '[events.x]\nname = "x"\nprobability = "10%"\nrationale = "t"\neffects = [{ indicator = "gdp", add = 1 }]',
            "events.x.effects[0].add: a bare number (1) is ambiguous here",
        ),
        (
            '[events.x]\nname = "x"\nprobability = "10%"\nrationale = "t"\neffects = [{ indicator = "gdp", add = "-4%" }]',
            "events.x.effects[0].add: '-4%': a change of a rate is written in percentage points",
        ),
        (
            '[events.x]\nname = "x"\nprobability = "10%"\nrationale = "t"\neffects = [{ indicator = "gdp", scale = 0 }]',
            "events.x.effects[0].scale: the factor must be greater than 0 (got 0)",
        ),
        (
            '[events.x]\nname = "x"\nprobability = "10%"\nrationale = "t"\n'
            'effects = [{ indicator = "gdp", replace = { dist = "normal", mean = "4%", sd = "0pp" } }]',
            "events.x.effects[0].replace.sd: must be greater than 0 (got 0pp)",
        ),
        (
            '[events.a]\nname = "a"\nprobability = "60%"\ngroup = "g"\nrationale = "t"\n'
            'effects = [{ indicator = "gdp", add = "1pp" }]\n'
            '[events.b]\nname = "b"\nprobability = "50%"\ngroup = "g"\nrationale = "t"\n'
            'effects = [{ indicator = "gdp", add = "1pp" }]',
            "events.b.group: the events of group 'g' (a, b) exclude each other, so their probabilities must add up "
            "to at most 100% (they add up to 110%)",
        ),
        (
            '[events.x]\nname = "x"\nprobability = "10%"\nrationale = "t"\neffects = []',
            "events.x.effects: expected a list of effects",
        ),
        (
            '[events.Epidemic]\nname = "x"\nprobability = "10%"\neffects = [{ indicator = "gdp", add = "1pp" }]',
            "events.Epidemic: event id 'Epidemic' must be lower-case",
        ),
    ],
)
def test_event_errors(events, message):
    with pytest.raises(ScenarioError) as error:
        scenario(events)
    headlines = [d.headline() for d in error.value.diagnostics]
    assert any(message in h for h in headlines), headlines
