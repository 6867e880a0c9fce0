"""`growthsim run --actuals` (#15): the odds given the year so far beside January's, what the rest
of the year must deliver, in the table, the JSON and the manifest; a bad file refused, located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from growthsim.cli import app

runner = CliRunner()
ACTUALS = (
    "洛龙区2023年1—6月主要经济指标\n"
    "指标,时期,累计值,累计增长(%),单位,来源\n"
    "地区生产总值,上半年,290.1,5.1,亿元,区统计局\n"
    "固定资产投资,1-6月,,8.2,,区统计局\n"
    "城镇调查失业率,6月,5.1%,,,区统计局\n"
)


@pytest.fixture(autouse=True)
def _history_of_its_own(tmp_path, monkeypatch):
    """Each run with --actuals records itself in the run history (outputs/history.sqlite under the
    current folder by default): here one of the test's own, not the repository's."""
    from growthsim.output import history

    monkeypatch.setattr(history, "DEFAULT_HISTORY", tmp_path / "history.sqlite")


@pytest.fixture
def actuals(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "1-6月.csv").write_text(ACTUALS, encoding="utf-8-sig")
    return "1-6月.csv"


def test_the_json_carries_the_year_so_far_what_the_rest_must_deliver_and_januarys_odds(actuals):
    result = runner.invoke(app, ["run", "-n", "20000", "--actuals", actuals, "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["actuals"]["path"] == "1-6月.csv" and len(document["actuals"]["sha256"]) == 64
    assert document["actuals"]["as_of"] == {"first_month": 1, "last_month": 6}
    gdp = next(entry for entry in document["indicators"] if entry["id"] == "gdp")
    assert gdp["actual"]["growth"] == 0.051 and gdp["actual"]["row"] == "1-6月.csv:3"
    # 8% for the year with 46.5% of it (the baseline's seasonal share for H1) at 5.1%: the second
    # half needs 10.5%, exactly
    assert gdp["actual"]["share_of_year"] == 0.465 and gdp["actual"]["share_of_year_from"] == "seasonal"
    assert gdp["rest_of_year_needs"] == {"at_least": pytest.approx((0.08 - 0.465 * 0.051) / 0.535), "at_most": None}
    assert gdp["p_hit"] < gdp["p_hit_without_actuals"]
    industry = next(entry for entry in document["indicators"] if entry["id"] == "industry")
    assert "actual" not in industry and "p_hit_without_actuals" in industry  # every target's January odds


def test_the_table_shows_the_actual_the_january_odds_and_the_second_half(actuals):
    result = runner.invoke(app, ["run", "-n", "20000", "--actuals", actuals])
    assert result.exit_code == 0, result.output
    assert "上半年实际 +5.1%" in result.output and "年初 " in result.output
    assert "地区生产总值（增长8%）：下半年需至少增长10.5%，其概率为" in result.output
    assert "常住人口城镇化率（提高0.8个百分点）：年末才知道的变化" in result.output.replace("\n  ", "")


def test_show_says_the_seasonal_share_year_to_date_actuals_are_set_against():
    result = runner.invoke(app, ["show"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "上半年 46.5%" in result.output


def test_the_manifest_records_the_actuals_file(actuals, tmp_path):
    result = runner.invoke(app, ["run", "-n", "4096", "--actuals", actuals, "--out", "out"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["actuals"]["path"] == "1-6月.csv" and manifest["actuals"]["as_of"]["last_month"] == 6


def test_a_bad_actuals_file_is_refused_at_its_cell_and_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csv").write_text(ACTUALS.replace("上半年", "下下半年"), encoding="utf-8")
    result = runner.invoke(app, ["run", "-n", "4096", "--actuals", "bad.csv", "--out", "out"])
    assert result.exit_code == 1
    assert "bad.csv:3:2: 时期: 无法把 '下下半年' 读作时期" in result.output and "未做模拟" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_every_command_gives_the_same_odds_given_the_same_actuals(actuals):
    """run, compare and sensitivity on the same seed and draws agree on the conditioned P(hit)."""
    common = ["-n", "8192", "--seed", "11", "--actuals", actuals, "-f", "json"]
    run = json.loads(runner.invoke(app, ["run", *common]).stdout)
    p_run = next(e["p_hit"] for e in run["indicators"] if e["id"] == "rd_intensity")
    baseline = str(__import__("growthsim.scenario.bundled", fromlist=["x"]).default_scenario_path())
    compared = json.loads(runner.invoke(app, ["compare", baseline, baseline, *common]).stdout)
    p_compare = next(e for e in compared["indicators"] if e["id"] == "rd_intensity")["scenarios"][0]["p_hit"]
    sensitivity = json.loads(runner.invoke(app, ["sensitivity", "-i", "rd_intensity", *common]).stdout)
    assert p_run == p_compare == sensitivity["targets"][0]["p_hit"]
    assert p_run != next(e["p_hit_without_actuals"] for e in run["indicators"] if e["id"] == "rd_intensity")


def test_solve_seeks_the_goal_given_the_year_so_far(actuals):
    """A first half of 3% for industry (target 9%): the assumption that gives even odds is far higher."""
    args = ["solve", "-i", "industry", "-p", "0.5", "-n", "4096", "--seed", "3", "-f", "json"]
    without = json.loads(runner.invoke(app, args).stdout)
    (Path(actuals).parent / "industry.csv").write_text(
        "指标,时期,累计增长(%)\n规模以上工业增加值,上半年,3.0\n", encoding="utf-8"
    )
    given = json.loads(runner.invoke(app, [*args, "--actuals", "industry.csv"]).stdout)
    assert (
        given["answer"]["value"] > without["answer"]["value"] + 0.02
    )  # the rest of the year must make up the weak first half
    table = runner.invoke(app, [*args[:-2], "--actuals", "industry.csv"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "上半年" in table.output and "industry.csv" in table.output and "0.5" in table.output
    assert "industry.csv" not in runner.invoke(app, args[:-2], env={"COLUMNS": "200"}).output


@pytest.mark.parametrize("release", ["1-3月", "1-6月", "1-9月"])
def test_the_shipped_example_actuals_read_against_every_shipped_scenario(release):
    from .conftest import REPO

    path = REPO / "scenarios" / "actuals" / f"luolong-2023-{release}.csv"
    for scenario in sorted((REPO / "scenarios").glob("luolong-2023-*.toml")):
        if "tasks" in scenario.name:  # the task targets have no year-to-date figures
            continue
        result = runner.invoke(app, ["run", str(scenario), "-n", "2048", "--actuals", str(path), "-f", "json"])
        assert result.exit_code == 0, (scenario.name, result.output)
    assert "示例数据" in path.read_text(encoding="utf-8")  # illustrative, and says so


def test_more_releases_narrow_gdps_interval_and_raise_what_the_rest_must_deliver():
    from .conftest import REPO

    widths, needs = [], []
    for release in ("1-3月", "1-6月", "1-9月"):
        path = REPO / "scenarios" / "actuals" / f"luolong-2023-{release}.csv"
        document = json.loads(runner.invoke(app, ["run", "-n", "20000", "--actuals", str(path), "-f", "json"]).stdout)
        gdp = next(entry for entry in document["indicators"] if entry["id"] == "gdp")
        widths.append(gdp["quantiles"]["p95"] - gdp["quantiles"]["p05"])
        needs.append(gdp["rest_of_year_needs"]["at_least"])
    assert widths == sorted(widths, reverse=True) and needs == sorted(needs)


def test_the_csv_carries_the_year_so_far_and_is_empty_there_without_actuals(actuals):
    import csv
    import io

    given = runner.invoke(app, ["run", "-n", "4096", "--actuals", actuals, "-f", "csv"])
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(given.stdout.lstrip("\ufeff")))}
    assert rows["gdp"]["actual_period"] == "上半年" and rows["gdp"]["actual_growth"] == "0.051"
    assert float(rows["gdp"]["rest_of_year_needs_at_least"]) == pytest.approx((0.08 - 0.465 * 0.051) / 0.535, abs=1e-5)
    assert rows["industry"]["actual_period"] == "" and rows["industry"]["p_hit_without_actuals"] != ""
    plain = runner.invoke(app, ["run", "-n", "4096", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(plain.stdout.lstrip("\ufeff"))))
    assert all(row["actual_period"] == "" and row["p_hit_without_actuals"] == "" for row in rows)
