"""Every problem located, in words that name the real culprit (#14 §2): characters that look right
but are not ASCII, a string never closed, a Windows path, a date, a file of another kind opened by
mistake, a formula that fails only on draws, a folder as a parent, options that contradict."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from growthsim.cli import app

from .conftest import REPO, scenario_text

runner = CliRunner()
BASELINE_TEXT = (REPO / "scenarios" / "luolong-2023-baseline.toml").read_text(encoding="utf-8")
GDP = """
[indicators.gdp]
name = "地区生产总值"
unit = "亿元"
kind = "flow"
basis = "real"
baseline = 582.4
source = "x"

[indicators.gdp.growth]
dist = "normal"
mean = "6%"
sd = "1.5pp"
rationale = "x"

[indicators.gdp.target]
at_least = "8%"
source = "x"
"""


def _problems(tmp_path, text: str | bytes, name: str = "scenario.toml") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "内部错误" not in result.output
    return result.output


@pytest.mark.parametrize(
    "written, instead, says, column",
    [
        ("baseline = 582.4", "baseline\u3000= 582.4", "此处是全角空格（U+3000）：请改为普通（半角）空格", 9),
        ("baseline = 582.4", "baseline =\u00a0582.4", "不换行空格（U+00A0", 11),
        ("baseline = 582.4", "baseline\u200b = 582.4", "看不见的字符（U+200B", 9),
        ("baseline = 582.4", "baseline = ５８２.４", "“５８２”是全角字符：请改为输入半角的 582", 12),
        ("base_year = 2022", "base_year = ２０２２", "“２０２２”是全角字符：请改为输入半角的 2022", 13),
        ("baseline = 582.4", "baseline：582.4", "“：”是中文冒号：请改为输入 '='", 9),
        ("baseline = 582.4", "baseline ＝ 582.4", "“＝”是全角字符：请改为输入半角的 =", 10),
        ("[indicators.gdp.growth]", "【indicators.gdp.growth】", "“【”是中文方括号：请改为输入 '['", 1),
        ('unit = "亿元"', 'unit = "亿元"；', "“；”是中文分号：请改为输入 换行", 12),
        ('sd = "1.5pp"', 'sd = "1.5pp"、', "“、”是顿号：请改为输入 ','", 13),
    ],
)
def test_a_character_that_looks_right_but_is_not_ascii_is_named_with_what_to_type(
    tmp_path, written, instead, says, column
):
    text = scenario_text(GDP)
    assert written in text
    output = _problems(tmp_path, text.replace(written, instead, 1))
    line = text.split("\n").index(next(line for line in text.split("\n") if written in line)) + 1
    assert f"scenario.toml:{line}:{column}: " in output and says in output, output
    assert "加引号" not in output  # the old, wrong advice to quote the value


def test_a_full_width_space_inside_quotes_is_text_and_allowed(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(
        scenario_text(GDP.replace('name = "地区生产总值"', 'name = "地区\u3000生产总值"')), encoding="utf-8"
    )
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def test_a_multi_line_string_never_closed_points_where_it_opens(tmp_path):
    text = scenario_text(GDP.replace('rationale = "x"', 'rationale = """\n理由写了一半', 1))
    opened = text.split("\n").index('rationale = """') + 1
    output = _problems(tmp_path, text)
    assert f"scenario.toml:{opened}:13: " in output and '此处以 """ 开始的文字没有结束' in output


def test_a_windows_path_in_double_quotes_is_told_to_use_single_quotes(tmp_path):
    text = scenario_text(GDP.replace('source = "x"', 'source = "C:\\Users\\plan\\2023.xlsx"', 1))
    output = _problems(tmp_path, text)
    assert "Windows 路径请用单引号，写成 source = 'C:\\Users\\plan\\2023.xlsx'" in output


@pytest.mark.parametrize(
    "written, instead, says",
    [
        ('source = "x"', "source = 2023-01-05", "应为带引号的文字，实际为日期（2023-01-05）"),
        ("baseline = 582.4", "baseline = 2023-01-05", "实际为日期（2023-01-05）"),
        ("seed = 12345", "seed = 2023-01-05T08:00:00", "应为整数，实际为日期时间（2023-01-05T08:00:00）"),
    ],
)
def test_a_date_is_shown_as_the_planner_wrote_it(tmp_path, written, instead, says):
    text = scenario_text(GDP)
    assert written in text
    output = _problems(tmp_path, text.replace(written, instead, 1))
    assert says in output and "datetime" not in output


@pytest.mark.parametrize(
    "content, says",
    [
        (scenario_text(GDP).encode("utf-16"), "以 UTF-16 编码保存（记事本中称为“Unicode”）"),
        (scenario_text(GDP).encode("utf-16-le"), "以 UTF-16 编码保存"),  # without a byte-order mark
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "是 Excel 或 WPS 工作簿（.xlsx）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "旧版 Excel 或 WPS 工作簿"),
        ("指标,时期,累计值,累计增长\ngdp,1-6月,290.1,5.1%\n".encode(), "CSV 文件"),
        ("指标\t时期\t累计值\ngdp\t1-6月\t290.1\n".encode(), "CSV 文件"),
    ],
)
def test_a_file_of_another_kind_opened_by_mistake_is_called_what_it_is(tmp_path, content, says):
    output = _problems(tmp_path, content)
    assert says in output and "无法识别的语句" not in output


def test_a_formula_with_no_finite_value_on_the_pilot_draws_names_its_line(tmp_path):
    text = BASELINE_TEXT.replace(
        'formula = "rd_spending.level / gdp_nominal.level"', 'formula = "rd_spending.level / (gdp_nominal.level * 0)"'
    )
    assert text != BASELINE_TEXT
    line = text.split("\n").index('formula = "rd_spending.level / (gdp_nominal.level * 0)"') + 1
    output = _problems(tmp_path, text)
    assert f"scenario.toml:{line}:11: indicators.rd_intensity.formula: 该公式在" in output
    assert "得不到有限的值" in output


def test_extends_naming_a_folder_points_at_the_extends_line(tmp_path):
    (tmp_path / "parent").mkdir()
    output = _problems(tmp_path, 'extends = "parent"\n' + scenario_text(GDP))
    assert "scenario.toml:1:11: extends: 父文件 " in output and "是文件夹，不是情景文件" in output


@pytest.mark.parametrize("inside", ["out/charts", "."])
def test_plot_and_out_one_inside_the_other_is_refused_before_anything_is_written(tmp_path, inside):
    """--plot inside --out was refused by a folder growthsim had made itself; --out inside --plot
    wrote the results, then deleted them when the chart folder replaced its parent."""
    out, plot = tmp_path / "out", tmp_path / inside
    if inside == ".":
        out, plot = tmp_path / "charts" / "out", tmp_path / "charts"
    result = runner.invoke(app, ["run", "-n", "2048", "--out", str(out), "--plot", str(plot)])
    assert result.exit_code == 1 and "一个在另一个里面" in result.output, result.output
    assert list(tmp_path.iterdir()) == []


def test_solve_for_a_key_the_target_is_not_written_with_is_refused_with_the_forms_it_has(tmp_path):
    """--param gdp.target.at_most on an at_least target silently turned the floor into a ceiling."""
    result = runner.invoke(app, ["solve", "-i", "gdp", "-p", "0.8", "--param", "gdp.target.at_most", "-n", "2048"])
    assert result.exit_code == 1
    assert "gdp 的目标没有 'at_most'：它写作 at_least；请求解 gdp.target.at_least" in result.output
    result = runner.invoke(app, ["solve", "-i", "gdp", "-p", "0.8", "--param", "gdp.target.at_least", "-n", "2048"])
    assert result.exit_code == 0, result.output
