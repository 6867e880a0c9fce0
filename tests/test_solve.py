"""Goal seek against the closed form of a normal growth: mean = t - sigma * Phi^-1(1 - P)."""

from __future__ import annotations

import math

import pytest
from scipy import stats
from typer.testing import CliRunner

from growthsim.cli import app
from growthsim.solve import solve

from .conftest import scenario_text

N = 100_000
SCENARIO = scenario_text("""
    [indicators.gdp]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    target = { at_least = "8%", source = "t" }
    growth = { dist = "normal", mean = "6%", sd = "2pp", rationale = "t" }
    """)


@pytest.fixture
def path(write_scenario):
    return write_scenario(SCENARIO)


def value_tolerance(p: float, sigma: float = 0.02) -> float:
    """4 Monte Carlo standard errors of P(hit), carried into the parameter through the normal density."""
    z = stats.norm.ppf(p)
    return 4 * math.sqrt(p * (1 - p) / N) / stats.norm.pdf(z) * sigma + 1e-4


@pytest.mark.parametrize("goal", [0.2, 0.5, 0.8, 0.95])
def test_solving_the_mean_matches_the_closed_form(path, goal):
    result = solve(path, "gdp", goal, n_draws=N, seed=3)
    expected = 0.08 - 0.02 * stats.norm.ppf(1 - goal)
    assert result.reachable and result.parameter == "gdp.growth.mean"
    assert abs(result.value - expected) <= value_tolerance(goal)
    assert result.probability.p >= goal - 4 * result.probability.se


def test_the_highest_target_reachable_with_90_percent_confidence(path):
    result = solve(path, "gdp", 0.9, "gdp.target.at_least", n_draws=N, seed=3)
    expected = 0.06 + 0.02 * stats.norm.ppf(0.1)
    assert abs(result.value - expected) <= value_tolerance(0.9)


def test_an_amount_parameter_is_solved_and_written_as_a_file_takes_it(write_scenario):
    """A count's mean is an amount: the trial values go through --set, which refuses "14,000户"."""
    path = write_scenario(scenario_text("""
        [indicators.jobs]
        name = "城镇新增就业"
        unit = "人"
        kind = "count"
        target = { at_least = 12000, source = "t" }
        level = { dist = "normal", mean = 12500, sd = 600, rationale = "t" }
        """))
    result = solve(path, "jobs", 0.9, n_draws=N, seed=3)
    expected = 12000 + 600 * stats.norm.ppf(0.9) - 0.5  # counts are rounded: >= 12000 means >= 11999.5
    assert result.reachable and result.written == f"{int(result.value)}人"  # with its unit, as a file writes it
    assert result.probability.p >= 0.9  # rounded to whole units on the side where the goal is met
    assert abs(result.value - expected) <= value_tolerance(0.9, sigma=600) + 2


def test_a_target_amount_and_a_parameter_that_does_not_matter(write_scenario):
    path = write_scenario(scenario_text("""
        [indicators.tech]
        name = "技术合同成交额"
        unit = "亿元"
        kind = "count"
        target = { at_least = "16亿元", source = "t" }
        level = { dist = "normal", mean = "16.5亿元", sd = "2亿元", rationale = "t" }

        [indicators.other]
        name = "其他"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        growth = { dist = "normal", mean = "5%", sd = "1pp", rationale = "t" }
        """))
    result = solve(path, "tech", 0.8, "tech.target.at_least", n_draws=20_000, seed=1)
    assert result.reachable and result.written.endswith("亿元")  # written with its unit, as --set needs it
    unrelated = solve(path, "tech", 0.8, "other.growth.mean", n_draws=5_000, seed=1)
    assert not unrelated.reachable and "does not depend on other.growth.mean" in unrelated.message


def test_an_unreachable_goal_is_said_plainly(path):
    result = solve(path, "gdp", 0.9, "gdp.growth.sd", n_draws=10_000, seed=3)
    assert not result.reachable and "cannot be reached" in result.message


def test_solve_command(path):
    runner = CliRunner()
    result = runner.invoke(app, ["solve", str(path), "-i", "gdp", "-p", "0.8", "-n", "20000"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "gdp.growth.mean = " in result.stdout and "gives P(hit)" in result.stdout
    unknown = runner.invoke(app, ["solve", str(path), "-i", "gpd", "-p", "0.8"], env={"NO_COLOR": "1"})
    assert unknown.exit_code == 1 and "did you mean 'gdp'?" in unknown.stderr
    assert runner.invoke(app, ["solve", str(path), "-i", "gdp", "-p", "1.5"]).exit_code == 2
    # as a planner writes it: the Chinese name, a percentage
    by_name = runner.invoke(app, ["solve", str(path), "-i", "地区生产总值", "-p", "80%", "-n", "20000"])
    assert by_name.exit_code == 0 and by_name.stdout == result.stdout
    eighty = runner.invoke(app, ["solve", str(path), "-i", "gdp", "-p", "80"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert eighty.exit_code == 2 and "write 0.8 or 80%" in eighty.output
