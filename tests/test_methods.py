"""Sampling methods (#6 §3): Latin hypercube and scrambled Sobol' agree with closed forms within
their stated errors, the errors come from independent replicates and are honest (they cover the
exact answer as often as they claim), and they are far smaller than plain Monte Carlo's."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest

from growthsim import parse_scenario
from growthsim.engine.run import simulate
from growthsim.engine.sampling import MIN_REPLICATES, planned_draws, replicate_size
from growthsim.engine.streams import BLOCK_SIZE
from growthsim.output.records import summary_to_dict
from growthsim.stats.intervals import Probability

from .conftest import REPO

# Targets whose P(hit) is known exactly: one input (a), two (b relative to a), three (a formula over
# a, b, c) and an event-shifted growth (d, a mixture of two normals). The benchmark measures each
# method's RMSE on the same scenario, so there is one copy of it and of its exact answers.
sys.path.insert(0, str(REPO / "benchmarks"))
from workloads import CLOSED_FORM
from workloads import CLOSED_FORM_EXACT as EXACT


@pytest.fixture(scope="module")
def scenario():
    return parse_scenario(CLOSED_FORM)


def _hits(summary):
    return {row.indicator.id: row.hit for row in summary.indicators if row.hit is not None}


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
def test_estimates_agree_with_the_closed_forms_within_their_stated_errors(scenario, method):
    summary = simulate(scenario, 40_000, seed=4, method=method)
    for indicator_id, hit in _hits(summary).items():
        assert abs(hit.p - EXACT[indicator_id]) <= 4 * hit.se + 1e-9, (method, indicator_id, hit)
        assert hit.ci[0] <= hit.p <= hit.ci[1]


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_replicate_errors_are_honest(scenario, method):
    """Over 40 seeds, each 95% interval should hold the exact answer about 95% of the time; the
    z-scores' spread should be about 1 (an understated error would make it much larger)."""
    z, covered = {k: [] for k in EXACT}, dict.fromkeys(EXACT, 0)
    for seed in range(40):
        for indicator_id, hit in _hits(simulate(scenario, 8_192, seed=seed, method=method)).items():
            z[indicator_id].append((hit.p - EXACT[indicator_id]) / hit.se)
            covered[indicator_id] += hit.ci[0] <= EXACT[indicator_id] <= hit.ci[1]
    for indicator_id in EXACT:
        assert covered[indicator_id] >= 34, (method, indicator_id, covered[indicator_id])  # 95% of 40 is 38
        assert 0.6 < np.std(z[indicator_id]) < 1.5, (method, indicator_id, np.std(z[indicator_id]))


def test_stratified_designs_beat_plain_monte_carlo(scenario):
    """At equal draws, the spread of P(hit) over seeds is far smaller with lhs and sobol."""
    spread = {}
    for method in ("mc", "lhs", "sobol"):
        estimates = [_hits(simulate(scenario, 8_192, seed=seed, method=method))["b"].p for seed in range(20)]
        spread[method] = float(np.sqrt(np.mean((np.array(estimates) - EXACT["b"]) ** 2)))
    assert spread["lhs"] < spread["mc"] / 2 and spread["sobol"] < spread["mc"] / 5, spread


def test_replicates_tile_blocks_and_round_the_draws_up():
    for n in (100, 4_096, 100_000, 1_000_000, 10_000_000):
        size = replicate_size(n, "sobol")
        assert BLOCK_SIZE % size == 0 and size & (size - 1) == 0
        assert planned_draws(n, "sobol") % size == 0 and 0 <= planned_draws(n, "sobol") - n < size
        assert planned_draws(n, "sobol") // size >= min(MIN_REPLICATES, n // 2)
    assert replicate_size(10**6, "mc") is None and planned_draws(12_345, "mc") == 12_345


def test_methods_report_themselves_and_their_replicates(scenario):
    summary = simulate(scenario, 100_000, seed=1, method="sobol")
    assert summary.n_draws == 102_400 and summary.method == "sobol" and summary.replicates == 25
    document = summary_to_dict(summary)
    assert document["method"] == "sobol" and document["replicates"] == 25 and document["draws"] == 102_400


@pytest.mark.parametrize("method", ["lhs", "sobol"])
@pytest.mark.parametrize("n", [3 * BLOCK_SIZE, 100_000])
def test_workers_do_not_change_stratified_runs(method, n):
    """With correlations (a matrix product per block) and a short last chunk: identical to the bit."""
    from growthsim import load_scenario

    from .conftest import BASELINE

    scenario = load_scenario(BASELINE)
    one = summary_to_dict(simulate(scenario, n, seed=20230101, method=method))
    # (seed 20230101 differed in the 17th digit when BLAS ran threaded in the main process only)
    assert summary_to_dict(simulate(scenario, n, seed=20230101, method=method, workers=2)) == one


def test_the_spread_is_floored_at_half_a_hit_per_replicate():
    """Replicates that all agree (a one-input target under a stratified design) do not make the
    estimate exact: the error is floored at half a hit per replicate, never zero."""
    p = Probability.from_batches(np.zeros(16, dtype=int), np.full(16, 256))
    assert p.p == 0 and p.ci[0] == 0 and p.se == pytest.approx(0.5 / 256 / 4)
    same = Probability.from_batches(np.full(25, 100), np.full(25, 4096))
    assert same.se == pytest.approx(0.5 / 4096 / 5) and same.ci[0] < same.p < same.ci[1]


CORRELATED = CLOSED_FORM.replace("[events.shock]", "[correlations]\na = { c = 0.5 }\n\n[events.shock]")


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_correlated_stratified_runs_stay_honest_under_iman_conover(method):
    """Iman-Conover would shuffle draws across replicates; stratified runs impose correlations with
    the copula instead. a's and b's targets do not involve c, so their exact answers still hold."""
    scenario = parse_scenario(CORRELATED)
    assert scenario.correlation_method == "iman_conover"
    covered = {"a": 0, "b": 0}
    for seed in range(30):
        summary = simulate(scenario, 8_192, seed=seed, method=method)
        assert summary.correlation_method == "gaussian_copula"
        for row in summary.indicators:
            if row.indicator.id in covered:
                covered[row.indicator.id] += row.hit.ci[0] <= EXACT[row.indicator.id] <= row.hit.ci[1]
                mc_se = math.sqrt(row.hit.p * (1 - row.hit.p) / summary.n_draws)
                assert row.hit.se < mc_se  # below plain MC's at this size: the design's gain is kept
    assert min(covered.values()) >= 26, covered


@pytest.mark.parametrize("method", ["mc", "sobol"])
def test_precision_stops_with_every_half_width_under_the_bound(scenario, method):
    from growthsim.engine.run import half_widths, simulate_to_precision

    summary, met = simulate_to_precision(scenario, 0.004, 2_000_000, seed=3, method=method)
    assert met and max(half_widths(summary).values()) <= 0.004
    # the result is exactly the run of the draws it reports
    again = simulate(scenario, summary.n_draws, seed=3, method=method)
    assert summary_to_dict(again) == summary_to_dict(summary) | {"precision": None}
    assert summary.precision == (0.004, True)
    if method == "mc":  # about z^2 p(1-p) / h^2 draws for the widest target, not many more
        p = max((EXACT[k] for k in EXACT), key=lambda q: q * (1 - q))
        needed = 1.96**2 * p * (1 - p) / 0.004**2
        assert needed <= summary.n_draws <= 1.6 * needed + BLOCK_SIZE


def test_precision_reports_when_the_limit_comes_first(scenario):
    from growthsim.engine.run import half_widths, simulate_to_precision

    summary, met = simulate_to_precision(scenario, 0.0005, 20_000, seed=3)
    assert not met and summary.n_draws == 20_000 and max(half_widths(summary).values()) > 0.0005


def test_run_method_and_precision_options(write_scenario):
    from typer.testing import CliRunner

    from growthsim.cli import app

    path = write_scenario(CLOSED_FORM)
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(path), "--method", "lhs", "-n", "5000", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"method": "lhs"' in result.stdout and '"draws": 5120' in result.stdout
    result = runner.invoke(app, ["run", str(path), "--precision", "0.5pp", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "已达到精度" in result.output
    result = runner.invoke(app, ["run", str(path), "--precision", "0.5", "--seed", "2"])
    assert result.exit_code == 2 and "0.5pp" in result.output
    result = runner.invoke(app, ["run", str(path), "--precision", "0.01pp", "-n", "10000"])
    assert result.exit_code == 0 and "模拟 10,000 次仍未达到要求的精度" in result.output
    result = runner.invoke(app, ["run", str(path), "--precision", "0.01pp", "-n", "10000", "-f", "json"])
    assert json.loads(result.stdout)["precision"] == {"half_width": 0.0001, "reached": False}


UNRELATED = """
[indicators.extra]
name = "其他"
unit = "亿元"
kind = "flow"
basis = "real"
growth = { dist = "normal", mean = "3%", sd = "1pp", rationale = "b" }
"""


@pytest.mark.parametrize("method", ["mc", "lhs", "sobol"])
def test_adding_an_unrelated_indicator_keeps_the_others_draws_except_under_sobol(method):
    """As the README says: streams are keyed by id, so mc and lhs keep every other indicator's
    draws; Sobol' spreads its points over all streams jointly (a dimension per stream, in key
    order), so a new stream moves the others' draws, while the same streams give the same points."""
    from growthsim.engine.model import compile_model
    from growthsim.engine.sampling import sample

    base = parse_scenario(CLOSED_FORM.replace('"iman_conover"', '"gaussian_copula"'))
    more = parse_scenario(
        CLOSED_FORM.replace('"iman_conover"', '"gaussian_copula"').replace(
            "[events.shock]", UNRELATED + "\n[events.shock]"
        )
    )
    n = 4096
    size = replicate_size(n, method)
    a, b = (sample(compile_model(s), 7, 0, n, method, size).values for s in (base, more))
    rows = [row for row, indicator in enumerate(base.indicators) if indicator.formula is None]
    same = all(np.array_equal(a[row], b[row]) for row in rows)
    assert same is (method != "sobol")
    again = sample(compile_model(more), 7, 0, n, method, size).values
    assert np.array_equal(again, b)
