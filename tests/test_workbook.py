"""The Excel workbook of --out (#12 §3): sheets, Chinese headers, number formats and values that
match the JSON at full precision; DataFrames for notebook users with the JSON's fields."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from growthsim import load_scenario, simulate
from growthsim.cli import app

from .conftest import BASELINE

openpyxl = pytest.importorskip("openpyxl")
runner = CliRunner()


def _invoke(*args):
    result = runner.invoke(app, [str(a) for a in args], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result


def _sheet(workbook, name):
    sheet = workbook[name]
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, row, strict=False)) for row in sheet.iter_rows(min_row=2)]
    return sheet, headers, rows


def test_run_writes_a_workbook_whose_numbers_are_the_jsons(tmp_path):
    out = tmp_path / "out"
    _invoke("--lang", "zh", "run", BASELINE, "-n", "5000", "--seed", "3", "--out", out)
    document = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "summary.xlsx" in manifest["files"]  # listed, with its sha256, like every file
    workbook = openpyxl.load_workbook(out / "summary.xlsx")
    assert workbook.sheetnames == ["结论", "达标概率", "分位数", "假设与来源", "运行记录"]

    sheet, headers, rows = _sheet(workbook, "达标概率")
    assert headers[:8] == ["指标", "代号", "单位", "2022年", "假设", "目标（原文）", "目标（解读）", "中位数"]
    assert {"达标概率", "误差范围（±）", "评估", "一句话结论"} <= set(headers)
    assert sheet.freeze_panes == "A2"
    by_id = {i["id"]: i for i in document["indicators"]}
    targeted = [i for i in document["indicators"] if i["p_hit"] is not None]
    assert [r["代号"].value for r in rows] == [i["id"] for i in targeted]
    for row in rows:
        indicator = by_id[row["代号"].value]
        # full precision in the cell (Excel keeps 15 significant digits) ...
        assert row["达标概率"].value == pytest.approx(indicator["p_hit"], rel=1e-14)
        assert row["达标概率"].number_format == "0.0%"  # ... rounded by the format
        assert row["一句话结论"].value == indicator["sentence"]
        assert row["指标"].value == indicator["name"] and row["目标（原文）"].value == (
            indicator["target"]["written"] or indicator["target"]["text"]
        )
    gdp = next(r for r in rows if r["代号"].value == "gdp")
    assert (
        gdp["中位数"].value == pytest.approx(by_id["gdp"]["quantiles"]["p50"], rel=1e-14)
        and gdp["中位数"].number_format == "0.0%"
    )
    assert gdp["2022年"].value == 582.4 and gdp["2022年"].number_format == "#,##0.00"
    urban = next(r for r in rows if r["代号"].value == "urbanisation")  # a change: in points, as planners say
    assert urban["中位数"].value == pytest.approx(by_id["urbanisation"]["quantiles"]["p50"] * 100)
    assert urban["中位数"].number_format == '0.00"个百分点"'
    assert sheet.column_dimensions["A"].width >= 20  # 新增规模以上工业企业: ten characters, twenty columns

    _, _, conclusions = _sheet(workbook, "结论")
    lines = [r["结论摘要"].value for r in conclusions]
    assert lines[:3] == document["conclusions"]
    _, headers, assumptions = _sheet(workbook, "假设与来源")
    rd = next(r for r in assumptions if r["代号"].value == "rd_spending")
    assert rd["基数出处（或假设理由）"].value.startswith("假设：")  # the R&D baseline is ours, and says so
    _, headers, record = _sheet(workbook, "运行记录")
    assert {r["代号"].value: r["取值"].value for r in record}["seed"] == 3


def test_compare_and_sensitivity_write_their_workbooks(tmp_path):
    downside = BASELINE.parent / "luolong-2023-downside.toml"
    _invoke("compare", BASELINE, downside, "-n", "4000", "--out", tmp_path / "c")
    workbook = openpyxl.load_workbook(tmp_path / "c" / "compare.xlsx")
    assert workbook.sheetnames[0] == "情景比较" and "运行记录" in workbook.sheetnames
    document = json.loads((tmp_path / "c" / "compare.json").read_text(encoding="utf-8"))
    _, headers, rows = _sheet(workbook, "情景比较")
    assert headers[:5] == ["指标", "代号", "目标（原文）", "① 基准：达标概率", "② 下行：达标概率"]
    gdp = next(r for r in rows if r["代号"].value == "gdp")
    cells = document["indicators"][0]["scenarios"]
    assert gdp["② 下行：达标概率"].value == pytest.approx(cells[1]["p_hit"], rel=1e-14)
    assert gdp["② 下行：差值"].value == pytest.approx(cells[1]["delta"], rel=1e-14)  # a share, like P(hit)
    assert gdp["② 下行：差值"].number_format == "0.0%"
    assert "达标概率 2 下行" in workbook.sheetnames and "假设与来源 2 下行" in workbook.sheetnames
    everything = rows[-1]  # P(all), as the terminal's last row
    assert everything["指标"].value == "全部目标"
    assert everything["② 下行：达标概率"].value == pytest.approx(document["joint"][1]["p_all"], rel=1e-14)
    assert gdp["② 下行：判断"].value == "实质性差异"
    _invoke("sensitivity", BASELINE, "-i", "gdp", "-n", "2000", "--out", tmp_path / "s")
    workbook = openpyxl.load_workbook(tmp_path / "s" / "sensitivity.xlsx")
    _, headers, rows = _sheet(workbook, "影响因素")
    assert headers[:4] == ["目标", "代号", "达标概率（敏感性试算）", "输入"] and rows[0]["目标"].value == "地区生产总值"
    assert {"其中：直接或经驱动关联", "该输入最高10%时的达标概率"} <= set(headers)


def test_an_english_run_writes_english_sheets(tmp_path):
    _invoke("--lang", "en", "run", BASELINE, "-n", "2000", "--out", tmp_path / "o")
    workbook = openpyxl.load_workbook(tmp_path / "o" / "summary.xlsx")
    assert workbook.sheetnames == ["Conclusions", "P(hit)", "Quantiles", "Assumptions and sources", "Record of the run"]


def test_data_frames_carry_the_jsons_fields():
    pd = pytest.importorskip("pandas")
    from growthsim.analysis.compare import compare
    from growthsim.analysis.sensitivity import sensitivity
    from growthsim.output.frames import comparison_frame, sensitivity_frame, summary_frame
    from growthsim.output.records import summary_to_dict

    scenario = load_scenario(BASELINE)
    summary = simulate(scenario, 3000, seed=1)
    frame = summary_frame(summary)
    assert isinstance(frame, pd.DataFrame) and frame.index.name == "id"
    document = {i["id"]: i for i in summary_to_dict(summary)["indicators"]}
    assert frame.loc["gdp", "p_hit"] == document["gdp"]["p_hit"]
    assert frame.loc["gdp", "name"] == "地区生产总值" and frame.loc["gdp", "sentence"] == document["gdp"]["sentence"]
    comparison = comparison_frame(compare([scenario, scenario], 2000, 1))
    assert {"scenario_no", "indicator", "name", "target", "statistic", "value"} <= set(comparison.columns)
    drivers = sensitivity_frame(sensitivity(scenario, "gdp", 2000, 1)[:1])
    assert drivers.iloc[0]["indicator"] == "gdp" and drivers.iloc[0]["target_name"] == "地区生产总值"


def test_a_plain_run_and_help_do_not_import_pandas():
    """pandas takes about half a second to import: only a table going out loads it."""
    import subprocess
    import sys

    code = (
        "import sys; from growthsim.cli import main; sys.argv = ['growthsim', 'run', '-n', '2000'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('pandas' in sys.modules, 'openpyxl' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stderr.strip().splitlines()[-1] == "False False", result.stderr


def test_csv_values_carry_only_the_digits_the_monte_carlo_error_supports():
    """P(hit) 0.1367 with se 0.0024, not 0.13670000000000002; the JSON keeps full precision."""
    import csv
    import io
    import math

    result = _invoke("run", BASELINE, "-n", "20000", "--seed", "3", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    document = json.loads(_invoke("run", BASELINE, "-n", "20000", "--seed", "3", "-f", "json").stdout)
    by_id = {i["id"]: i for i in document["indicators"]}
    for row in rows:
        if not row["p_hit"]:
            continue
        se = by_id[row["id"]]["p_hit_se"]
        decimals = 1 - math.floor(math.log10(se))
        assert len(row["p_hit"].split(".")[1]) <= decimals, row["p_hit"]
        assert abs(float(row["p_hit"]) - by_id[row["id"]]["p_hit"]) <= 0.5 * 10**-decimals + 1e-15
        assert abs(float(row["p_hit"]) - by_id[row["id"]]["p_hit"]) < se / 5  # rounding is well inside the error
        digits = row["p50"].lstrip("-")
        digits = (digits.rstrip("0").rstrip(".") if "." in digits else digits).replace(".", "").lstrip("0")
        assert len(digits) <= 5, row["p50"]


def test_with_actuals_the_targets_sheet_carries_the_year_so_far_as_the_json_has_it(tmp_path):
    """#15: the actuals' period, value and growth, what the rest of the year needs and P(hit) without
    the actuals, as summary.csv has them, at full precision, percents as Excel percents; none of it
    without actuals, and no January odds in compare's sheets (compare does not compute them)."""
    from growthsim.i18n import _

    release = BASELINE.parent / "actuals" / "luolong-2023-1-6月.csv"
    out = tmp_path / "out"
    _invoke("run", BASELINE, "-n", "4096", "--seed", "3", "--actuals", release, "--no-history", "--out", out)
    document = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_id = {i["id"]: i for i in document["indicators"]}
    _sheet_itself, headers, rows = _sheet(openpyxl.load_workbook(out / "summary.xlsx"), "达标概率")
    period, actual, growth, at_least, at_most, january = (
        _("year so far: period"),
        _("year so far: actual"),
        _("year so far: growth"),
        _("rest of the year needs: at least"),
        _("rest of the year needs: at most"),
        _("P(hit) without the actuals"),
    )
    assert headers[14:] == [period, actual, growth, at_least, at_most, january]
    cells = {r["代号"].value: r for r in rows}
    gdp, gdp_json = cells["gdp"], by_id["gdp"]
    assert gdp[period].value == gdp_json["actual"]["period"] == "上半年"
    assert gdp[actual].value == gdp_json["actual"]["value"] and gdp[actual].number_format == "#,##0.00"
    assert gdp[growth].value == gdp_json["actual"]["growth"] == 0.051 and gdp[growth].number_format == "0.0%"
    assert gdp[at_least].value == pytest.approx(gdp_json["rest_of_year_needs"]["at_least"], rel=1e-14)
    assert gdp[at_least].number_format == "0.0%" and gdp[at_most].value is None
    for indicator, row in cells.items():  # every target's January odds, the actuals of one move others
        assert row[january].value == pytest.approx(by_id[indicator]["p_hit_without_actuals"], rel=1e-14)
        assert row[january].number_format == "0.0%"
    derived = cells["gdp_per_capita"]  # no actuals of its own: empty there
    assert derived[period].value is None and derived[actual].value is None and derived[at_least].value is None
    entities = cells["new_entities"]  # a count: the number still to come, in its unit's format
    assert entities[actual].number_format == "#,##0" and entities[at_least].number_format == "#,##0"
    assert entities[at_least].value == pytest.approx(by_id["new_entities"]["rest_of_year_needs"]["at_least"])
    unemployment = cells["unemployment"]  # a rate: its level as a rate, the average still allowed
    assert unemployment[actual].number_format == "0.00%" and unemployment[at_most].number_format == "0.00%"
    assert unemployment[at_most].value == pytest.approx(by_id["unemployment"]["rest_of_year_needs"]["at_most"])

    _invoke("run", BASELINE, "-n", "2000", "--out", tmp_path / "plain")
    plain = _sheet(openpyxl.load_workbook(tmp_path / "plain" / "summary.xlsx"), "达标概率")[1]
    assert plain == headers[:14] and not {period, january} & set(plain)
    downside = BASELINE.parent / "luolong-2023-downside.toml"
    _invoke("compare", BASELINE, downside, "-n", "2000", "--actuals", release, "--out", tmp_path / "c")
    compared = _sheet(openpyxl.load_workbook(tmp_path / "c" / "compare.xlsx"), "达标概率 1 基准")[1]
    assert compared[14:] == [period, actual, growth, at_least, at_most]
