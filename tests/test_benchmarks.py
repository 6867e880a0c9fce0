"""The benchmark workloads are real scenarios: the stress scenario is valid as generated, and the
closed-form scenario's exact answers (against which the methods' RMSE is measured) are right."""

from __future__ import annotations

import sys

import pytest

from growthsim import parse_scenario, simulate

from .conftest import REPO, mc_tolerance

sys.path.insert(0, str(REPO / "benchmarks"))
workloads = pytest.importorskip("workloads")


def test_the_stress_scenario_is_valid_and_as_described():
    scenario = parse_scenario(workloads.stress_text())
    assert not scenario.warnings  # a valid correlation chain: nothing repaired
    assert len(scenario.indicators) == 220 and len(scenario.targeted) == 220 and len(scenario.events) == 5
    assert len(scenario.correlations) == 199
    summary = simulate(scenario, 2_000, seed=1)
    assert all(row.hit is not None for row in summary.indicators)


def test_the_closed_form_answers_are_exact():
    summary = simulate(parse_scenario(workloads.CLOSED_FORM), 200_000, seed=9)
    for row in summary.indicators:
        if row.hit is not None:
            exact = workloads.CLOSED_FORM_EXACT[row.indicator.id]
            assert abs(row.hit.p - exact) <= mc_tolerance(exact, 200_000), row.indicator.id


def test_the_year_so_far_back_test_runs_on_its_data(monkeypatch, capsys):
    """The back-test of benchmarks/RESULTS.md still runs: its data read, the engine conditions."""
    backtest = pytest.importorskip("ytd_backtest")
    monkeypatch.setattr(sys, "argv", ["ytd_backtest.py", "--draws", "2000"])
    backtest.main()
    printed = capsys.readouterr().out
    assert "years 2010-2023 (11)" in printed and printed.count("\n") == 17


def test_the_hand_written_reference_runs_the_same_workload_as_growthsim():
    """benchmarks/handwritten.py (issue #16's yardstick) and growthsim agree on workload12.toml
    within Monte Carlo error: every P(hit) and P(all) within 4 standard errors of the difference
    of two independent runs. A reference of another workload would make the ratios meaningless."""
    handwritten = pytest.importorskip("handwritten")
    from growthsim import load_scenario

    n = 200_000
    theirs = handwritten.run(n, 1)
    summary = simulate(load_scenario(REPO / "benchmarks" / "workload12.toml"), n, seed=2)
    ours = {row.indicator.id: row.hit.p for row in summary.indicators if row.hit}
    assert set(ours) == set(theirs["p_hit"]) and len(ours) == 12
    for key, p in theirs["p_hit"].items():
        assert abs(p - ours[key]) <= 2**0.5 * mc_tolerance(p, n), key
    assert abs(theirs["p_all"] - summary.joint.all_hit.p) <= 2**0.5 * mc_tolerance(theirs["p_all"], n)
