"""growthsim calibrate: the split-normal fit and the pooling against closed forms, the record's
located errors, and the --out file against a run of the scenario it makes."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize

from growthsim.analysis.calibrate import MIN_YEARS, calibrate
from growthsim.scenario.diagnostics import ScenarioError
from growthsim.scenario.record import read_record
from growthsim.stats.calibration import (
    MAX_ASYMMETRY,
    fit_split_normal,
    shrink,
    split_normal_cdf,
    split_normal_quantile,
)
from growthsim.stats.distributions import SplitNormal

# the messages are checked in their English wording (their msgids); test_i18n checks the Chinese
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "docs" / "data" / "target_history_china.csv"


# --- the fit --------------------------------------------------------------------------------------


def test_a_known_split_normal_is_recovered_within_its_sampling_error():
    law = SplitNormal(-0.5, 1.2, 0.6)
    rng = np.random.default_rng(7)
    fits = np.array(
        [[f.mode, f.sd_down, f.sd_up] for f in (fit_split_normal(law.ppf(rng.random(400))) for _ in range(60))]
    )
    mean, se = fits.mean(axis=0), fits.std(axis=0, ddof=1) / math.sqrt(len(fits))
    truth = np.array([-0.5, 1.2, 0.6])
    assert np.all(np.abs(mean - truth) < 4 * se), (mean, se)
    assert np.all(se < 0.05)  # and the test can tell: a 10% bias in a spread would be 2.4+ se away


def _negative_log_likelihood(params, x):
    mode, s1, s2 = params
    if s1 <= 0 or s2 <= 0:
        return np.inf
    z = np.where(x < mode, (x - mode) / s1, (x - mode) / s2)
    return len(x) * math.log(s1 + s2) + 0.5 * float(np.sum(z**2))


def test_the_plain_fit_is_the_maximum_likelihood_split_normal():
    """Without winsorizing, the closed-form sds and the profile mode maximise the likelihood (sds
    with n - 1 in place of n, as a sample sd)."""
    x = SplitNormal(0.3, 0.8, 1.5).ppf(np.random.default_rng(3).random(300))
    fit = fit_split_normal(x, winsor=None)
    n = len(x)
    best = optimize.minimize(
        _negative_log_likelihood,
        [float(np.median(x)), 1.0, 1.0],
        args=(x,),
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-10, "maxiter": 20000},
    )
    correction = math.sqrt(n / (n - 1))
    assert fit.mode == pytest.approx(best.x[0], abs=2e-4)
    assert fit.sd_down == pytest.approx(best.x[1] * correction, rel=3e-4)
    assert fit.sd_up == pytest.approx(best.x[2] * correction, rel=3e-4)


def test_one_outlying_year_does_not_dominate_the_spread():
    rng = np.random.default_rng(11)
    x = rng.normal(0.0, 1.0, 15)
    x[4] = -20.0  # a pandemic year
    robust, plain = fit_split_normal(x), fit_split_normal(x, winsor=None)
    assert robust.winsorized == 1
    assert plain.sd_down > 2.5 * robust.sd_down
    assert robust.sd_down < 2.0  # the other fourteen years' spread, not the outlier's


def test_a_short_record_never_gets_a_spread_of_zero():
    rng = np.random.default_rng(5)
    for _ in range(200):
        fit = fit_split_normal(SplitNormal(0, 1, 0.5).ppf(rng.random(6)))
        assert min(fit.sd_down, fit.sd_up) * MAX_ASYMMETRY >= max(fit.sd_down, fit.sd_up) * (1 - 1e-12)
        assert min(fit.sd_down, fit.sd_up) > 0


@pytest.mark.parametrize("p", [0.01, 0.2, 0.5, 0.64, 0.9, 0.999])
def test_cdf_and_quantile_are_the_split_normal_of_the_engine(p):
    law = SplitNormal(0.02, 0.01, 0.005)
    x = float(law.ppf(np.array([p]))[0])
    assert split_normal_quantile(p, 0.02, 0.01, 0.005) == pytest.approx(x, abs=1e-12)
    assert split_normal_cdf(x, 0.02, 0.01, 0.005) == pytest.approx(p, abs=1e-12)


# --- the pooling ----------------------------------------------------------------------------------


def test_shrinkage_moves_each_estimate_by_the_documented_weight():
    y = np.array([0.0, 1.0, 3.0, -1.0])
    v = np.array([0.5, 0.5, 4.0, 0.25])
    pooled = shrink(y, v)
    # DerSimonian-Laird by hand
    w = 1 / v
    fixed = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - fixed) ** 2)
    tau2 = max(0.0, (q - 3) / (np.sum(w) - np.sum(w**2) / np.sum(w)))
    assert pooled.tau2 == pytest.approx(tau2)
    mean = np.sum(y / (v + tau2)) / np.sum(1 / (v + tau2))
    assert pooled.pooled == pytest.approx(mean)
    weights = v / (v + tau2)
    np.testing.assert_allclose(pooled.weights, weights)
    np.testing.assert_allclose(pooled.values, weights * mean + (1 - weights) * y)
    assert pooled.weights[2] == max(pooled.weights)  # the shortest (noisiest) record moves furthest


def test_places_that_agree_all_take_the_pooled_value():
    pooled = shrink([1.0, 1.1, 0.9], [1.0, 1.0, 1.0])
    assert pooled.tau2 == 0
    np.testing.assert_allclose(pooled.values, 1.0)


# --- the record -----------------------------------------------------------------------------------


def test_the_shipped_record_reads():
    record = read_record(SHIPPED)
    assert len(record.rows) == 42
    cpi = [r for r in record.rows if r.indicator == "CPI"]
    assert all(r.sense == "at_most" and r.percent for r in cpi)
    gdp_2023 = next(r for r in record.rows if r.indicator == "GDP_real" and r.year == 2023 and r.place == "China")
    assert (gdp_2023.target, gdp_2023.outcome) == (0.05, 0.052)


HEADER = "地区,指标,年份,目标,实际,单位,剔除\n"


@pytest.mark.parametrize(
    "rows, where, words",
    [
        ("A,GDP,20x3,5,5.2,%,\n", ":2:3", "is not a year"),
        ("A,GDP,2021,5,0.052,%,\n", ":2:5", "if 5.2% is meant, write 5.2"),
        ("A,GDP,2021,5,5.2,%,\nA,GDP,2021,5,5.4,%,\n", ":3:3", "given twice"),
        ("A,GDP,2021,5,5.2,%,\nA,GDP,2022,5,5.4,万人,\n", ":3:6", "is not the unit of A GDP"),
        ("A,GDP,2021,5,5.2,%,是\n", ":2:7", "say why the year is left out"),
        ("A,GDP,2021,,5.2,%,\n", ":2:4", "no target"),
        ("A,GDP,2021,5,5.2,,\n", ":2:6", "no unit"),
        ("A,jobs,2021,900,12%,万人,\n", ":2:5", "a percentage in a row whose unit is '万人'"),
        ("A,GDP,2021,5,abc,%,\n", ":2:5", "is not a number"),
        ("A,GDP,2022,5,,%,\nA,GDP,2023,5,,%,\n", ":3:5", "only this year's target"),
    ],
)
def test_every_mistake_in_a_record_is_told_at_its_cell(tmp_path, rows, where, words):
    path = tmp_path / "record.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_record(path)
    rendered = [d.location + " " + d.message for d in caught.value.diagnostics]
    assert any(where in line and words in line for line in rendered), rendered


def test_a_target_that_is_not_a_number_is_told_once(tmp_path):
    path = tmp_path / "record.csv"
    path.write_text(HEADER + "A,GDP,2021,abc,5.2,%,\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_record(path)
    (problem,) = caught.value.diagnostics  # "not a number", not also "no target"
    assert "is not a number" in problem.message


def test_a_record_without_its_columns_names_them(tmp_path):
    path = tmp_path / "record.csv"
    path.write_text("名称,数值\nGDP,5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="no header row naming the indicator, the year"):
        read_record(path)


def test_a_workbook_record_reads_percent_cells_as_shown_and_tells_errors_by_cell(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "记录"
    sheet.append(["国家2013—2023年目标与实际"])  # a title row above the header
    sheet.append(["指标", "年份", "目标", "实际", "单位", "方向"])
    sheet.append(["GDP", 2021, 6, 0.081, "%", "≥"])
    sheet["D3"].number_format = "0.0%"  # 8.1% shown: the cell holds 0.081
    sheet.append(["GDP", 2022, 5.5, 3, "%", "大约"])
    book.save(tmp_path / "record.xlsx")
    with pytest.raises(ScenarioError) as caught:
        read_record(tmp_path / "record.xlsx")
    (problem,) = caught.value.diagnostics
    assert problem.location.endswith("record.xlsx!记录:F4") and "'大约' is not one of" in problem.message
    sheet["F4"] = "≥"
    book.save(tmp_path / "record.xlsx")
    rows = read_record(tmp_path / "record.xlsx").rows
    assert [r.outcome for r in rows] == [0.081, 0.03]


# --- the analysis ---------------------------------------------------------------------------------


def _record(tmp_path, text: str) -> Path:
    path = tmp_path / "record.csv"
    path.write_text("place,indicator,year,target,outcome,unit,exclude\n" + text, encoding="utf-8")
    return path


def test_odds_and_the_share_met_follow_the_target_direction(tmp_path):
    rows = "".join(f"A,CPI,{2010 + k},3,{v},%,\n" for k, v in enumerate([2.6, 2.6, 2.0, 1.4, 2.0, 3.3, 2.9, 3.0]))
    rows += "A,CPI,2018,3,,%,\n"
    (c,) = calibrate(read_record(_record(tmp_path, rows))).results
    assert c.sense == "at_most" and c.met == 7  # 3.0 against 3 is met; 3.3 is not
    law = c.against_target.law
    assert c.against_target.p_hit == pytest.approx(split_normal_cdf(0.0, law.mode, law.sd_down, law.sd_up))
    lo, _hi = c.against_target.interval
    assert lo == pytest.approx(0.03 + split_normal_quantile(0.05, law.mode, law.sd_down, law.sd_up))
    assert c.this_year.year == 2018


def test_excluded_years_are_listed_with_their_reasons_and_not_fitted(tmp_path):
    rows = "".join(f"A,GDP,{2010 + k},7,{7 + d},%,\n" for k, d in enumerate([0.2, -0.3, 0.1, 0.4, -0.2, 0.0]))
    rows += "A,GDP,2016,7,2.0,%,疫情冲击\n"
    (c,) = calibrate(read_record(_record(tmp_path, rows)), exclude={2011: "口径调整"}).results
    assert [(e.year, e.reason) for e in c.excluded] == [(2011, "口径调整"), (2016, "疫情冲击")]
    assert [r.year for r in c.used] == [2010, 2012, 2013, 2014, 2015]


def test_a_record_too_short_is_reported_not_fitted(tmp_path):
    rows = "".join(f"A,GDP,{2010 + k},7,7.1,%,\n" for k in range(MIN_YEARS - 1))
    calibration = calibrate(read_record(_record(tmp_path, rows)))
    assert calibration.results[0].against_target is None
    assert calibration.skipped == (("A", "GDP", MIN_YEARS - 1),)


def test_places_recorded_together_are_pooled_by_the_shrinkage(tmp_path):
    rng = np.random.default_rng(2)
    rows = ""
    for place, n in (("A", 12), ("B", 12), ("C", 5)):
        rows += "".join(f"{place},GDP,{2000 + k},7,{7 + e:.3f},%,\n" for k, e in enumerate(rng.normal(-0.5, 1.0, n)))
    results = calibrate(read_record(_record(tmp_path, rows))).results
    fits = [c.against_target.fit for c in results]
    expected = shrink([f.mode for f in fits], [f.mode_variance for f in fits])
    for c, value, weight in zip(results, expected.values, expected.weights, strict=True):
        assert c.against_target.law.mode == pytest.approx(value)
        assert c.against_target.weights[0] == pytest.approx(weight)
        assert c.against_target.pooled_over == ("A", "B", "C")


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def run_cli():
    from typer.testing import CliRunner

    from growthsim.cli import app

    def run(*args: str):
        return CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})

    return run


BASE = """\
[scenario]
name = "测试"

[simulation]
draws = 200000
seed = 3

[indicators.gdp]
name = "地区生产总值"
unit = "亿元"
kind = "flow"
basis = "real"
baseline = 100
source = "test"

[indicators.gdp.target]
at_least = "6%"
source = "test"

[indicators.gdp.growth]
dist = "normal"
mean = "6%"
sd = "1pp"
rationale = "test"
"""


def test_the_out_file_extends_a_scenario_and_runs_to_the_calibrated_odds(tmp_path, run_cli):
    from growthsim import load_scenario, simulate

    (tmp_path / "base.toml").write_text(BASE, encoding="utf-8")
    out = tmp_path / "calibrated.toml"
    result = run_cli(
        "calibrate",
        str(SHIPPED),
        "--place",
        "China",
        "-i",
        "GDP_real=gdp",
        "--out",
        str(out),
        "--extends",
        str(tmp_path / "base.toml"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    import json

    p_hit = json.loads(result.stdout)["results"][0]["against_target"]["p_hit"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# growthsim calibrate") and 'extends = "base.toml"' in text
    assert "3–16" in text  # the rows it was learnt from
    summary = simulate(load_scenario(out))
    hit = next(row.hit for row in summary.indicators if row.indicator.id == "gdp")
    assert abs(hit.p - p_hit) < 4 * math.sqrt(p_hit * (1 - p_hit) / 200_000)


def test_out_refuses_what_it_cannot_write_and_leaves_files_alone(tmp_path, run_cli, english):
    (tmp_path / "base.toml").write_text(BASE, encoding="utf-8")
    foreign = tmp_path / "mine.toml"
    foreign.write_text("# my own notes\n", encoding="utf-8")
    result = run_cli("calibrate", str(SHIPPED), "--place", "China", "--out", str(foreign))
    assert result.exit_code == 1 and "not written by growthsim" in result.output
    assert foreign.read_text(encoding="utf-8") == "# my own notes\n"
    result = run_cli(
        "calibrate",
        str(SHIPPED),
        "--place",
        "China",
        "-i",
        "CPI=price",
        "--out",
        str(tmp_path / "c.toml"),
        "--extends",
        str(tmp_path / "base.toml"),
    )
    assert result.exit_code == 1 and "price is not an indicator of" in result.output
    assert not (tmp_path / "c.toml").exists()


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["--exclude", "2020"], 2, "--exclude 2020:疫情冲击"),
        (["-i", "GDP"], 1, "is not in"),
        (["--place", "Chna"], 1, "did you mean 'China'"),
        (["-i", "GDP_real=GDP"], 2, "lower-case"),
        (["--extends", "x.toml"], 2, "give --out too"),
    ],
)
def test_option_mistakes_are_told(run_cli, english, args, code, words):
    result = run_cli("calibrate", str(SHIPPED), *args)
    assert result.exit_code == code
    assert words in " ".join(result.output.split()), result.output
