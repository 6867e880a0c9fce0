"""Goal seek against the closed form of a normal growth: mean = t - sigma * Phi^-1(1 - P)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

from growthsim.analysis.solve import solve
from growthsim.cli import app

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
    path = write_scenario(
        scenario_text("""
        [indicators.jobs]
        name = "城镇新增就业"
        unit = "人"
        kind = "count"
        target = { at_least = 12000, source = "t" }
        level = { dist = "normal", mean = 12500, sd = 600, rationale = "t" }
        """)
    )
    result = solve(path, "jobs", 0.9, n_draws=N, seed=3)
    expected = 12000 + 600 * stats.norm.ppf(0.9) - 0.5  # counts are rounded: >= 12000 means >= 11999.5
    assert result.reachable and result.written == f"{int(result.value)}人"  # with its unit, as a file writes it
    assert result.probability.p >= 0.9  # rounded to whole units on the side where the goal is met
    assert abs(result.value - expected) <= value_tolerance(0.9, sigma=600) + 2


def test_a_target_amount_and_a_parameter_that_does_not_matter(write_scenario, english):
    path = write_scenario(
        scenario_text("""
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
        """)
    )
    result = solve(path, "tech", 0.8, "tech.target.at_least", n_draws=20_000, seed=1)
    assert result.reachable and result.written.endswith("亿元")  # written with its unit, as --set needs it
    unrelated = solve(path, "tech", 0.8, "other.growth.mean", n_draws=5_000, seed=1)
    assert not unrelated.reachable and "does not depend on other.growth.mean" in unrelated.message


def test_an_unreachable_goal_is_said_plainly(path, english):
    result = solve(path, "gdp", 0.9, "gdp.growth.sd", n_draws=10_000, seed=3)
    assert not result.reachable and "cannot be reached" in result.message


def test_solve_command(path):
    runner = CliRunner()
    result = runner.invoke(app, ["solve", str(path), "-i", "gdp", "-p", "0.8", "-n", "20000"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert (
        "需把地区生产总值增速的均值（gdp.growth.mean）从6%提高到" in result.stdout and "届时达标概率为" in result.stdout
    )
    assert "（误差范围 [" in result.stdout and "随机种子 12345" in result.stdout
    as_json = runner.invoke(app, ["solve", str(path), "-i", "gdp", "-p", "0.8", "-n", "20000", "-f", "json"])
    document = json.loads(as_json.stdout)
    assert as_json.exit_code == 0 and document["reachable"] and document["seed"] == 12345
    low, high = document["answer"]["interval"]
    assert low <= document["answer"]["value"] <= high and document["answer"]["written"] in result.stdout
    unknown = runner.invoke(app, ["solve", str(path), "-i", "gpd", "-p", "0.8"], env={"NO_COLOR": "1"})
    assert unknown.exit_code == 1 and "是否想写 'gdp'" in unknown.stderr
    assert runner.invoke(app, ["solve", str(path), "-i", "gdp", "-p", "1.5"]).exit_code == 2
    # as a planner writes it: the Chinese name, a percentage
    by_name = runner.invoke(app, ["solve", str(path), "-i", "地区生产总值", "-p", "80%", "-n", "20000"])
    assert by_name.exit_code == 0 and by_name.stdout == result.stdout
    eighty = runner.invoke(app, ["solve", str(path), "-i", "gdp", "-p", "80"], env={"NO_COLOR": "1", "COLUMNS": "200"})
    assert eighty.exit_code == 2 and "请写成 0.8，或带百分号写成 80%" in eighty.output


BETWEEN = scenario_text("""
    [indicators.unemployment]
    name = "城镇调查失业率"
    unit = "%"
    kind = "rate"
    target = { between = ["4%", "6%"], source = "t" }
    level = { dist = "normal", mean = "5%", sd = "1pp", rationale = "t" }
    """)


def _between_p(mean: float) -> float:
    return stats.norm.cdf(0.06, mean, 0.01) - stats.norm.cdf(0.04, mean, 0.01)


@pytest.mark.parametrize("goal", [0.3, 0.6])
def test_a_target_met_between_two_values_is_solved_on_both_sides_of_its_best_value(write_scenario, goal, english):
    """P(hit) of 'between 4% and 6%' rises and then falls with the mean (68.3% at 5%): a goal below
    that is reached at two means, one on each side; both are found and said to be so."""
    path = write_scenario(BETWEEN)
    result = solve(path, "unemployment", goal, n_draws=N, seed=3)
    assert result.reachable and result.other is not None and result.best is not None
    exact_offset = next(d for d in np.linspace(0, 0.05, 50001) if _between_p(0.05 + d) <= goal)
    low, high = sorted([result.value, result.other.value])
    assert abs(low - (0.05 - exact_offset)) <= value_tolerance(goal, 0.01) * 2
    assert abs(high - (0.05 + exact_offset)) <= value_tolerance(goal, 0.01) * 2
    assert abs(result.best[0] - 0.05) < 0.002 and abs(result.best[1] - _between_p(0.05)) < 0.01
    assert "where P(hit) is highest" in result.message and "on the other side" in result.message
    for answer in (result, result.other):
        assert answer.probability.p >= goal - 4 * answer.probability.se


def test_a_goal_above_the_best_value_of_a_two_sided_target_cannot_be_reached(write_scenario, english):
    path = write_scenario(BETWEEN)
    result = solve(path, "unemployment", 0.8, n_draws=20_000, seed=3)
    assert not result.reachable and "cannot be reached" in result.message and "is highest (68." in result.message


def test_the_answer_comes_with_its_monte_carlo_interval_and_no_more_digits(path):
    """At 10,000 draws the answer wobbles between seeds: its interval says by how much, covers the
    exact answer for most seeds, and the written answer has no digit finer than it resolves."""
    goal, n = 0.8, 10_000
    exact = 0.08 - 0.02 * stats.norm.ppf(1 - goal)
    covered = 0
    seeds = range(40)
    for seed in seeds:
        result = solve(path, "gdp", goal, n_draws=n, seed=seed)
        low, high = result.interval
        assert low < result.value < high or low <= result.value <= high
        half = (high - low) / 2
        # about 0.06pp at 10,000 draws: 1.96 * 0.4% / phi(0.84) * 2pp
        assert 0.0003 < half < 0.0015
        # rounded to the power of ten at or below the half-width, no finer
        step = 10.0 ** math.floor(math.log10(half))
        assert abs(result.value / step - round(result.value / step)) < 1e-6
        covered += low <= exact <= high
    assert covered >= 0.85 * len(seeds)


def test_solve_and_sensitivity_take_the_seed_as_run_does(write_scenario):
    """The scenario's seed, else fresh entropy (recorded), never a hard-coded one."""
    from growthsim.analysis.sensitivity import sensitivity
    from growthsim.scenario.loading import parse_scenario

    path = write_scenario(SCENARIO)  # [simulation] seed = 12345
    assert solve(path, "gdp", 0.5, n_draws=5_000).seed == 12345
    assert sensitivity(parse_scenario(SCENARIO), n_draws=5_000)[0].seed == 12345
    unseeded = write_scenario(SCENARIO.replace("seed = 12345\n", ""), "unseeded.toml")
    seeds = {solve(unseeded, "gdp", 0.5, n_draws=5_000).seed for _ in range(2)}
    assert len(seeds) == 2 and 20230101 not in seeds


def test_trials_run_at_the_value_tried_not_at_its_rounding():
    """Every trial once ran at the value rounded to 0.01pp, so P(hit) was flat across each step and
    the 'interval' measured the rounding: solve at 60% (exact 8.5067%) must bracket the answer."""
    from growthsim.analysis.solve import _written
    from growthsim.scenario.quantities import Expect, parse_quantity

    assert parse_quantity(_written(0.054987654, Expect.PERCENT, "%", exact=True), Expect.PERCENT, "%") == pytest.approx(
        0.054987654, abs=1e-8
    )


def test_the_interval_brackets_the_exact_answer_at_many_draws(path):
    exact = 0.08 - 0.02 * stats.norm.ppf(0.4)  # 8.5067%: P(hit) = 60%
    result = solve(path, "gdp", 0.6, n_draws=N, seed=3)
    low, high = result.interval
    assert low <= exact <= high and high - low < 0.0006  # about +-0.016pp, not a rounding step


def test_a_spread_close_to_its_lower_limit_is_explored(write_scenario):
    """sd 0.25pp: the first step down (1pp) is a negative sd; the scan halves back instead of giving up."""
    path = write_scenario(
        scenario_text("""
        [indicators.unemployment]
        name = "城镇调查失业率"
        unit = "%"
        kind = "rate"
        target = { at_most = "5.5%", source = "t" }
        level = { dist = "normal", mean = "5.2%", sd = "0.25pp", rationale = "t" }
        """)
    )
    result = solve(path, "unemployment", 0.9, "unemployment.level.sd", n_draws=20_000, seed=3)
    expected = 0.003 / stats.norm.ppf(0.9)  # P(level <= 5.5%) = Phi(0.3pp / sd)
    assert result.reachable and abs(result.value - expected) < 0.0002


def test_a_counts_target_is_solved_in_whole_numbers(write_scenario):
    path = write_scenario(
        scenario_text("""
        [indicators.firms]
        name = "新增规上工业企业"
        unit = "家"
        kind = "count"
        target = { at_least = 28, source = "t" }
        level = { dist = "poisson", mean = 30, rationale = "t" }
        """)
    )
    result = solve(path, "firms", 0.8, "firms.target.at_least", n_draws=50_000, seed=3)
    # the highest whole k with P(count >= k) >= 80%
    expected = max(k for k in range(60) if stats.poisson.sf(k - 1, 30) >= 0.8)
    assert result.reachable and result.value == expected and result.written == f"{expected}家"


@pytest.mark.parametrize(
    "scenario, parameter, says",
    [
        ("baseline", "gdp.growth.dist", "gdp 没有参数 'growth.dist'"),  # written in the file, but it names the law
        ("tasks", "dead_end_roads.level.values", "是一组取值"),  # an empirical law's list: no one number to move
    ],
)
def test_a_parameter_that_is_not_one_number_is_a_message_not_an_internal_error(scenario, parameter, says):
    from .conftest import REPO

    tasks = REPO / "scenarios" / f"luolong-2023-{scenario}.toml"
    indicator = parameter.split(".")[0]
    result = CliRunner().invoke(
        app, ["solve", str(tasks), "-i", indicator, "-p", "80%", "--param", parameter, "-n", "2000"]
    )
    assert result.exit_code == 1, result.output
    assert says in result.output and "内部错误" not in result.output
