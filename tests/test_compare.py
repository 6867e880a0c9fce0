"""compare on common random numbers, and diff."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

from growthsim import load_scenario, parse_scenario, simulate
from growthsim.analysis.compare import compare
from growthsim.analysis.diff import diff
from growthsim.cli import app
from growthsim.output.comparison import comparison_to_dict
from growthsim.output.records import summary_to_dict

from .conftest import BASELINE, scenario_text

runner = CliRunner()


def one_indicator(mean: str, target: str = "8%", sd: str = "2pp", extra: str = "") -> str:
    return scenario_text(f"""
        [indicators.gdp]
        name = "地区生产总值"
        unit = "亿元"
        kind = "flow"
        basis = "real"
        target = {{ at_least = "{target}", source = "t" }}
        growth = {{ dist = "normal", mean = "{mean}", sd = "{sd}", rationale = "t" }}
        {extra}
        """)


def test_a_scenario_compared_with_itself_differs_by_exactly_zero():
    scenario = load_scenario(BASELINE)
    comparison = compare([scenario, scenario], n_draws=20_000, seed=3)
    for row in comparison.rows:
        difference = row.differences[1]
        assert difference.delta == 0 and difference.se == 0 and not difference.distinguishable
    assert comparison.joint_differences[1].delta == 0


def test_each_scenario_in_a_comparison_is_the_same_as_its_own_run():
    scenario = load_scenario(BASELINE)
    comparison = compare([scenario, scenario], n_draws=20_000, seed=3)
    alone = simulate(scenario, 20_000, seed=3)
    assert summary_to_dict(comparison.summaries[1]) == summary_to_dict(alone)


def test_paired_difference_matches_the_closed_form():
    """g_A = 6% + 2pp z, g_B = 7% + 2pp z on the same z: B hits and A misses iff 0.5 <= z < 1."""
    n = 200_000
    a = parse_scenario(one_indicator("6%"))
    b = parse_scenario(one_indicator("7%"))
    difference = compare([a, b], n_draws=n, seed=5).rows[0].differences[1]
    p = stats.norm.cdf(1.0) - stats.norm.cdf(0.5)
    se = math.sqrt(p * (1 - p) / n)
    assert abs(difference.delta - p) <= 4 * se
    assert difference.se == pytest.approx(se, rel=0.02)
    assert difference.distinguishable


@settings(max_examples=25, deadline=None)
@given(shift=st.integers(-300, 300), seed=st.integers(0, 2**32))
def test_paired_se_is_smaller_than_unpaired(shift, seed):
    a = parse_scenario(one_indicator("6%"))
    b = parse_scenario(one_indicator(f"{6 + shift / 100:.2f}%"))
    difference = compare([a, b], n_draws=4_000, seed=seed).rows[0].differences[1]
    assert difference.se <= difference.se_unpaired


def test_indicators_present_in_only_some_scenarios():
    a = parse_scenario(one_indicator("6%"))
    b = parse_scenario(
        one_indicator(
            "6%",
            extra="""
        [indicators.retail]
        name = "社会消费品零售总额"
        unit = "亿元"
        kind = "flow"
        basis = "nominal"
        target = { at_least = "9.5%", source = "t" }
        growth = { dist = "normal", mean = "7%", sd = "2.5pp", rationale = "t" }
        """,
        )
    )
    comparison = compare([a, b], n_draws=5_000, seed=1)
    assert [row.id for row in comparison.rows] == ["gdp", "retail"]
    retail = comparison.rows[1]
    assert retail.summaries[0] is None and retail.differences[1] is None
    document = comparison_to_dict(comparison)
    assert document["indicators"][1]["scenarios"][0]["present"] is False


def test_diff_lists_what_changed():
    a = parse_scenario(one_indicator("6%"))
    b = parse_scenario(one_indicator("7%", target="9%"))
    changes = {(c.where, c.field): (c.a, c.b) for c in diff(a, b)}
    assert changes == {
        ("gdp", "assumption"): ("growth ~ normal(mean = 6%, sd = 2pp)", "growth ~ normal(mean = 7%, sd = 2pp)"),
        ("gdp", "target"): ("≥ 8%", "≥ 9%"),
    }
    assert diff(a, a) == []


# --- the command line -------------------------------------------------------------------------------


@pytest.fixture
def pair(tmp_path):
    (tmp_path / "a.toml").write_text(one_indicator("6%"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(one_indicator("7%"), encoding="utf-8")
    return tmp_path / "a.toml", tmp_path / "b.toml"


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "160"})


def test_compare_table(pair):
    result = invoke("compare", *pair, "--draws", "20000")
    assert result.exit_code == 0, result.output
    assert "实质性差异" in result.stdout and "全部达成" in result.stdout
    assert f"① test（{pair[0]}）" in result.stdout and f"② test（{pair[1]}）" in result.stdout  # the legend


def test_a_difference_beyond_noise_is_material_only_from_the_threshold(tmp_path):
    """7% vs 7.1% mean, sd 2pp, target 8%: ΔP = Φ(-0.45) - Φ(-0.5) = 1.74 points, with a paired margin
    of about 0.06 points at 200,000 draws: beyond noise; material at 1pp, not at 2pp."""
    a, b = parse_scenario(one_indicator("7%")), parse_scenario(one_indicator("7.1%"))
    expected = stats.norm.cdf(-0.45) - stats.norm.cdf(-0.5)
    for material, verdict in ((0.01, True), (0.02, False)):
        comparison = compare([a, b], n_draws=200_000, seed=5, material=material)
        difference = comparison.rows[0].differences[1]
        assert abs(difference.delta - expected) < 4 * difference.se
        assert difference.distinguishable and difference.material(material) is verdict
        cell = comparison_to_dict(comparison)["indicators"][0]["scenarios"][1]
        assert cell["material"] is verdict and comparison_to_dict(comparison)["material"] == material
    (tmp_path / "a.toml").write_text(one_indicator("7%"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(one_indicator("7.1%"), encoding="utf-8")
    table = invoke("compare", tmp_path / "a.toml", tmp_path / "b.toml", "-n", "200000", "--material", "2pp").stdout
    assert "超出随机误差，但不足2个百分点" in table and "实质性差异" not in table.split("①")[0]
    bad = invoke("compare", tmp_path / "a.toml", tmp_path / "b.toml", "--material", "1.5")
    assert bad.exit_code == 2 and "--material" in bad.output


def test_short_names_head_the_columns_and_the_legend_names_the_files():
    paths = [BASELINE.parent / f"luolong-2023-{n}.toml" for n in ("baseline", "downside")]
    result = invoke("compare", *paths, "--what-if", "fai.growth.mode=5%", "-n", "2000")
    assert result.exit_code == 0, result.output
    header = result.stdout.split("地区生产总值")[0]
    assert "① 基准" in header and "② 下行" in header and "③ 假设变动" in header
    assert "洛龙区2023年下行情景（" in result.stdout  # the full name, with its file, below the table
    too_long = scenario_text('[indicators.x]\nname = "x"\n').replace(
        'name = "test"', 'name = "test"\nshort_name = "洛龙区二〇二三年基准情景"', 1
    )
    with pytest.raises(Exception, match="short_name"):
        parse_scenario(too_long)


def test_compare_json_and_long_csv(pair, tmp_path):
    document = json.loads(invoke("compare", *pair, "-n", "5000", "-f", "json").stdout)
    assert document["schema"] == "growthsim.compare/1"
    assert [s["name"] for s in document["scenarios"]] == ["test", "test"]
    cells = document["indicators"][0]["scenarios"]
    assert cells[0]["delta"] is None and cells[1]["delta"] > 0
    text = invoke("compare", *pair, "-n", "5000", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert set(rows[0]) == {"scenario_no", "scenario", "indicator", "name", "target", "statistic", "value"}
    assert rows[0]["name"] == "地区生产总值" and rows[0]["target"] == "≥ 8%"
    assert {r["scenario_no"] for r in rows} == {"1", "2"}  # scenarios with the same name stay apart
    assert {"p_hit", "delta", "delta_se", "distinguishable"} <= {r["statistic"] for r in rows}
    out = tmp_path / "cmp"
    assert invoke("compare", *pair, "-n", "5000", "--out", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["compare.csv", "compare.json", "compare.xlsx", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["scenarios"]) == 2 and manifest["draws"] == 5000


def test_compare_json_carries_each_scenarios_events():
    from .conftest import REPO

    scenarios = REPO / "scenarios"
    document = json.loads(
        invoke(
            "compare",
            scenarios / "luolong-2023-baseline.toml",
            scenarios / "luolong-2023-downside.toml",
            "-n",
            "20000",
            "-f",
            "json",
        ).stdout
    )
    baseline, downside = document["events"]
    assert baseline == []
    (epidemic,) = downside
    assert epidemic["id"] == "epidemic" and abs(epidemic["frequency"] - epidemic["probability"]) < 0.01
    assert set(epidemic["p_hit_with"]) == set(epidemic["p_hit_without"])


def test_diff_json(pair):
    document = json.loads(invoke("diff", *pair, "-f", "json").stdout)
    assert document["schema"] == "growthsim.diff/1"
    assert document["changes"] == [
        {
            "where": "gdp",
            "field": "assumption",
            "a": "growth ~ normal(mean = 6%, sd = 2pp)",
            "b": "growth ~ normal(mean = 7%, sd = 2pp)",
        }
    ]
    same = json.loads(invoke("diff", pair[0], pair[0], "-f", "json").stdout)
    assert same["changes"] == []
    assert invoke("diff", *pair, "-f", "csv").exit_code == 2


def test_compare_needs_two_files(pair):
    assert invoke("compare", pair[0]).exit_code == 2


def test_compare_with_set_applies_to_every_scenario(pair):
    document = json.loads(invoke("compare", *pair, "-n", "5000", "-f", "json", "--set", "gdp.growth.sd=1pp").stdout)
    assert all(s["overrides"] == ["gdp.growth.sd=1pp"] for s in document["scenarios"])


def test_diff_command(pair):
    result = invoke("diff", *pair)
    assert result.exit_code == 0
    assert "mean = 6%" in result.stdout and "mean = 7%" in result.stdout
    same = invoke("diff", pair[0], pair[0])
    assert "描述的是同一个情景" in same.stdout


SHIPPED = sorted((BASELINE.parent).glob("luolong-2023-*.toml"))


def test_the_scenario_library_loads_cleanly_and_extends_the_baseline():
    names = {path.name for path in SHIPPED}
    assert names == {
        "luolong-2023-baseline.toml",
        "luolong-2023-downside.toml",
        "luolong-2023-upside.toml",
        "luolong-2023-repeat-2022.toml",
        "luolong-2023-tasks.toml",
    }
    for path in SHIPPED:
        scenario = load_scenario(path)
        assert scenario.warnings == (), path
        if path.stem in ("luolong-2023-downside", "luolong-2023-upside", "luolong-2023-repeat-2022"):
            assert scenario.files[1][0].endswith("luolong-2023-baseline.toml")
    downside = load_scenario(BASELINE.parent / "luolong-2023-downside.toml")
    assert [e.id for e in downside.events] == ["epidemic"]


def test_the_four_economic_scenarios_compare_in_one_table():
    paths = [BASELINE.parent / f"luolong-2023-{n}.toml" for n in ("baseline", "downside", "upside", "repeat-2022")]
    result = invoke("compare", *paths, "--draws", "20000")
    assert result.exit_code == 0, result.output
    document = json.loads(invoke("compare", *paths, "--draws", "20000", "-f", "json").stdout)
    gdp = document["indicators"][0]["scenarios"]
    assert gdp[1]["delta"] < 0 < gdp[2]["delta"]  # downside below, upside above the baseline
    assert all(cell["distinguishable"] for cell in gdp[1:])


def test_what_if_compares_a_scenario_with_itself_changed():
    result = invoke("compare", "--what-if", "fai.growth.mode=5%", "-n", "20000", "-f", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["scenarios"][1]["overrides"] == ["fai.growth.mode=5%"]
    assert document["scenarios"][1]["name"].endswith("+ fai.growth.mode=5%")
    rows = {row["id"]: row["scenarios"][1] for row in document["indicators"]}
    assert rows["fai"]["delta"] < 0 and rows["fai"]["distinguishable"]
    # the change reaches what investment drives (GDP, and through it revenue and jobs), with
    # the share that came through each driver; industry's law is untouched
    for linked in ("gdp", "revenue", "urban_jobs"):
        assert rows[linked]["delta"] < 0 and rows[linked]["distinguishable"], linked
    assert rows["gdp"]["channels"]["drivers"]["fai"]["change"] == pytest.approx(0.1 * -0.05)
    assert rows["industry"]["delta"] == 0 and rows["industry"]["delta_se"] == 0


def test_what_if_errors_are_reported_like_set(pair):
    result = invoke("--lang", "en", "compare", pair[0], "--what-if", "gdp.growth.mean=5")
    assert result.exit_code == 1
    assert "--what-if gdp.growth.mean=5: indicators.gdp.growth.mean: a bare number" in result.stderr


def test_joint_difference_only_between_the_same_targets():
    a = parse_scenario(one_indicator("6%"))
    b = parse_scenario(
        one_indicator(
            "6%",
            extra="""
        [indicators.retail]
        name = "社会消费品零售总额"
        unit = "亿元"
        kind = "flow"
        basis = "nominal"
        target = { at_least = "9.5%", source = "t" }
        growth = { dist = "normal", mean = "7%", sd = "2.5pp", rationale = "t" }
        """,
        )
    )
    assert compare([a, b], n_draws=5_000, seed=1).joint_differences[1] is None
    assert compare([a, a], n_draws=5_000, seed=1).joint_differences[1] is not None


def test_diff_lists_events(tmp_path):
    baseline = load_scenario(BASELINE)
    downside = load_scenario(BASELINE.parent / "luolong-2023-downside.toml")
    changes = {(c.where, c.field): (c.a, c.b) for c in diff(baseline, downside)}
    assert changes[("events.epidemic", "event")] == (None, "present")
    stronger = load_scenario(BASELINE.parent / "luolong-2023-downside.toml", ["events.epidemic.probability=30%"])
    assert {(c.where, c.field): (c.a, c.b) for c in diff(downside, stronger)} == {
        ("events.epidemic", "probability"): ("15%", "30%")
    }


def test_diff_lists_link_changes():
    baseline = load_scenario(BASELINE)
    changed = load_scenario(BASELINE, ["gdp.drivers.fai.elasticity=0.2"])
    changes = {(c.where, c.field): (c.a, c.b) for c in diff(baseline, changed)}
    before, after = changes[("gdp", "drivers")]
    assert "fai: 0.1 pp/pp at 10%" in before and "fai: 0.2 pp/pp at 10%" in after
    assert len(changes) == 1


def test_diff_lists_correlation_changes():
    baseline = load_scenario(BASELINE)
    changed = load_scenario(
        BASELINE, ["correlations.industry.fai=-0.4", 'simulation.correlation_method="iman_conover"']
    )
    changes = {(c.where, c.field): (c.a, c.b) for c in diff(baseline, changed)}
    assert changes[("correlations", "industry ~ fai")] == (0.4, -0.4)
    assert changes[("correlations", "method")] == ("gaussian_copula", "iman_conover")


def test_a_bare_value_for_an_assumption_is_read_as_fixed_and_said_so():
    """--what-if fai.growth=10% was refused ("expected a distribution table"): it can only mean fixed."""
    result = runner.invoke(
        app,
        ["compare", "--what-if", "fai.growth=10%", "-n", "4000", "-f", "json"],
        env={"NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert 'fai.growth = { dist = "fixed", value = "10%" }' in result.stderr and "fai.growth.mode=10%" in result.stderr
    document = json.loads(result.stdout)
    fai = next(row for row in document["indicators"] if row["id"] == "fai")["scenarios"][1]
    assert fai["p_hit"] == 0 and fai["p50"] == pytest.approx(0.10)  # held at 10%: the 15% target is out of reach
    scenario = load_scenario(BASELINE, ["fai.growth=12%"])
    assert scenario.indicator("fai").assumption.dist == "fixed" and scenario.readings


def test_diff_speaks_in_names_and_words():
    downside = BASELINE.parent / "luolong-2023-downside.toml"
    result = runner.invoke(
        app, ["--lang", "zh", "diff", str(BASELINE), str(downside)], env={"NO_COLOR": "1", "COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    for words in ("疫情反复", "冲击事件", "研发经费支出", "增速：正态分布，均值12%、标准差8个百分点"):
        assert words in result.stdout, words
    assert "present" not in result.stdout and "│ assumption" not in result.stdout


def test_a_target_held_where_it_misses_makes_all_targets_exactly_impossible():
    """fai held at 10% against a 15% target: P(all) is 0 by construction, not '< 0.0038%'."""
    scenario = load_scenario(BASELINE, ["fai.growth=10%"])
    summary = simulate(scenario, 20_000, seed=1)
    assert summary.joint.all_hit.p == 0 and summary.joint.all_hit.ci == (0.0, 0.0)
    baseline = simulate(load_scenario(BASELINE), 20_000, seed=1)
    assert baseline.joint.all_hit.ci[1] > 0  # a chance, however small, keeps its bound
