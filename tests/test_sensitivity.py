"""Sensitivity: a tornado whose order is known, and attribution against a closed form."""

from __future__ import annotations

import json
import math

import pytest
from scipy import stats
from typer.testing import CliRunner

from growthsim import parse_scenario
from growthsim.analysis.sensitivity import sensitivity
from growthsim.cli import app

from .conftest import HEADER, mc_tolerance, scenario_text

TEXT = scenario_text("""
    [indicators.a]
    name = "甲"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    growth = { dist = "normal", mean = "0%", sd = "3pp", rationale = "t" }

    [indicators.b]
    name = "乙"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    growth = { dist = "normal", mean = "0%", sd = "1pp", rationale = "t" }

    [indicators.c]
    name = "丙"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    growth = { dist = "normal", mean = "0%", sd = "1pp", rationale = "t" }

    [indicators.total]
    name = "合计"
    unit = "亿元"
    kind = "derived"
    metric = "growth"
    formula = "a.growth + b.growth"
    target = { at_least = "1%", source = "t" }
    """)


def test_the_tornado_ranks_inputs_by_their_known_weight():
    """total = a + b with sd(a) = 3 sd(b); c plays no part: a first, b second, c exactly nothing."""
    (result,) = sensitivity(parse_scenario(TEXT), n_draws=20_000, seed=1)
    assert [e.input for e in result.inputs] == ["a", "b", "c"]
    a, b, c = result.inputs
    assert a.swing > b.swing > 0
    assert c.swing == 0  # common random numbers: holding an unrelated input changes nothing
    assert a.spearman > b.spearman > 0.2 and abs(c.spearman) < 0.05


def test_attribution_matches_the_bivariate_normal_closed_form():
    """total = a + b ~ N(0, 10pp^2); E[a | total >= 1%] = cov(a, total)/var(total) * E[total | total >= 1%]."""
    (result,) = sensitivity(parse_scenario(TEXT), n_draws=65_536, seed=2)
    a = result.inputs[0]
    sd_total = math.sqrt(0.03**2 + 0.01**2)
    z = 0.01 / sd_total
    mean_total_hit = sd_total * stats.norm.pdf(z) / stats.norm.sf(z)
    mean_total_miss = -sd_total * stats.norm.pdf(z) / stats.norm.cdf(z)
    beta = 0.03**2 / sd_total**2
    n_hit = 65_536 * stats.norm.sf(z)
    n_miss = 65_536 - n_hit
    # a's residual sd given total is 3pp * sqrt(1 - beta * 9/10 ...): bound the error by a's own sd
    assert abs(a.mean_hit - beta * mean_total_hit) <= 4 * 0.03 / math.sqrt(n_hit)
    assert abs(a.mean_miss - beta * mean_total_miss) <= 4 * 0.03 / math.sqrt(n_miss)


CORRELATED = """
    [indicators.x]
    name = "固定资产投资"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    growth = { dist = "normal", mean = "10%", sd = "4pp", rationale = "t" }

    [indicators.y]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    target = { at_least = "8%", source = "t" }
    growth = { dist = "normal", mean = "7%", sd = "1.5pp", rationale = "t" }

    [indicators.w]
    name = "无关"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    growth = { dist = "normal", mean = "5%", sd = "1pp", rationale = "t" }

    [correlations]
    x = { y = 0.6 }
    """


@pytest.mark.parametrize("method", ["gaussian_copula", "iman_conover"])
def test_holding_a_correlated_input_conditions_its_partners(method):
    """y's target depends on y alone, but y is correlated with x: with x held at its p10 (p90), y is
    drawn given x, so P(y >= 8%) = 1 - Phi((8% - E[y | x]) / sd(y | x)) with the normal-score
    correlation rho = 2 sin(pi r / 6) of the rank correlation r = 0.6 that was written."""
    text = scenario_text(CORRELATED, HEADER + f'correlation_method = "{method}"\n')
    (result,) = sensitivity(parse_scenario(text), n_draws=40_000, seed=5)
    x, y, w = (next(e for e in result.inputs if e.input == k) for k in ("x", "y", "w"))
    rho = 2 * math.sin(math.pi * 0.6 / 6)
    for q, p in ((0.1, x.p_low), (0.9, x.p_high)):
        expected = stats.norm.sf((0.08 - 0.07 - 0.015 * rho * stats.norm.ppf(q)) / (0.015 * math.sqrt(1 - rho**2)))
        assert abs(p - expected) <= mc_tolerance(expected, 40_000), (method, q, p, expected)
    assert x.swing > 0.2 and y.swing > x.swing  # y itself still matters most
    assert w.swing == 0  # uncorrelated and unused: exactly nothing, on common random numbers


def test_sensitivity_command(write_scenario):
    path = write_scenario(TEXT)
    runner = CliRunner()
    result = runner.invoke(app, ["sensitivity", str(path), "-n", "5000"], env={"NO_COLOR": "1", "COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "合计" in result.stdout and "摆幅" in result.stdout
    document = json.loads(runner.invoke(app, ["sensitivity", str(path), "-n", "5000", "-f", "json"]).stdout)
    assert document["targets"][0]["inputs"][0]["input"] == "a"
    assert runner.invoke(app, ["sensitivity", str(path), "-i", "totl"]).exit_code == 1
    out = path.parent / "sens"
    assert runner.invoke(app, ["sensitivity", str(path), "-n", "2000", "--out", str(out)]).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "sensitivity.csv",
        "sensitivity.json",
        "sensitivity.xlsx",
    ]
    assert (out / "sensitivity.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_tails_show_a_target_decided_in_its_inputs_tail():
    """y ~ N(7%, 1.5pp), target >= 9.5% (above y's p90): holding y at its p10 or p90 misses both
    times (no swing), but in y's top tenth P(hit) = (1 - Phi(2.5/1.5)) / 0.1, and 0 in its bottom."""
    text = scenario_text("""
        [indicators.y]
        name = "乙"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = { at_least = "9.5%", source = "t" }
        growth = { dist = "normal", mean = "7%", sd = "1.5pp", rationale = "t" }
        """)
    (result,) = sensitivity(parse_scenario(text), n_draws=65_536, seed=4)
    (y,) = result.inputs
    assert y.swing == 0 and y.relevant  # relevant through its rank correlation
    expected = stats.norm.sf(2.5 / 1.5) / 0.1
    assert y.p_bottom == 0
    assert abs(y.p_top - expected) <= mc_tolerance(expected, 6_553)


def test_an_event_held_always_excludes_the_other_events_of_its_group():
    """boom (30%, +10pp) and bust (20%, -10pp) are exclusive. Bust on every draw means boom on
    none: growth N(0%, 1pp) - 10pp >= 5% then never hits (holding bust's probability at 1 used to
    leave boom occurring on 30% of the draws: P 0.302 instead of 0)."""
    text = scenario_text("""
        [indicators.g]
        name = "增长"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = { at_least = "5%", source = "t" }
        growth = { dist = "normal", mean = "0%", sd = "1pp", rationale = "t" }

        [events.boom]
        name = "景气"
        probability = "30%"
        group = "cycle"
        rationale = "t"
        effects = [{ indicator = "g", add = "10pp" }]

        [events.bust]
        name = "衰退"
        probability = "20%"
        group = "cycle"
        rationale = "t"
        effects = [{ indicator = "g", add = "-10pp" }]
        """)
    n = 20_000
    (result,) = sensitivity(parse_scenario(text), n_draws=n, seed=1)
    effects = {e.input: e for e in result.inputs}
    hit_with_boom = stats.norm.sf(0.05, 0.10, 0.01)  # 1.0 to 7 digits
    bust = effects["event:bust"]
    assert bust.p_high == 0.0  # always bust: g - 10pp >= 5% never happens
    # never bust: its draws are left without an event, boom occurs as drawn (30% of the draws)
    assert bust.p_low == pytest.approx(0.3 * hit_with_boom, abs=mc_tolerance(0.3, n))
    boom = effects["event:boom"]
    assert boom.p_high == pytest.approx(hit_with_boom, abs=1e-3) and boom.p_low == 0.0
    assert bust.swing == pytest.approx(0.3, abs=mc_tolerance(0.3, n))
