"""Year-to-date actuals in (#15 §1): periods as the bureau writes them, CSV and workbooks read with
every cell's place, and every mistake a planner can make told at its row and column."""

from __future__ import annotations

import pytest

from growthsim import load_scenario
from growthsim.scenario.actuals import read_actuals
from growthsim.scenario.diagnostics import ScenarioError
from growthsim.scenario.periods import Period, PeriodError, parse_period

from .conftest import BASELINE


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE)


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path, monkeypatch):
    """Files are named relative to the folder they are in, as a planner gives them."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    "written, first, last, year",
    [
        ("1—6月", 1, 6, None),
        ("1-6月", 1, 6, None),
        ("1–6月", 1, 6, None),
        ("1－6月", 1, 6, None),
        ("1~6月", 1, 6, None),
        ("1至6月", 1, 6, None),
        ("１-６月", 1, 6, None),  # full-width digits, as an input method types them
        ("1-2月", 1, 2, None),
        ("1-6月累计", 1, 6, None),
        ("6月", 6, 6, None),
        ("6月末", 6, 6, None),
        ("十二月", 12, 12, None),
        ("上半年", 1, 6, None),
        ("一季度", 1, 3, None),
        ("第一季度", 1, 3, None),
        ("Q1", 1, 3, None),
        ("二季度", 4, 6, None),  # a later quarter alone is its three months
        ("前三季度", 1, 9, None),
        ("全年", 1, 12, None),
        ("1—12月", 1, 12, None),
        ("2023年1—6月", 1, 6, 2023),
        ("2023年上半年", 1, 6, 2023),
        ("2023年一季度", 1, 3, 2023),
        ("2023Q3", 1, 9, 2023),  # year-to-date figures are published as "the first three quarters"
        ("2023-06", 1, 6, 2023),
        ("2023.6", 1, 6, 2023),
        (6, 6, 6, None),  # a month as a spreadsheet number
    ],
)
def test_a_period_is_read_as_the_months_it_covers(written, first, last, year):
    assert parse_period(written) == Period(first, last, year)


@pytest.mark.parametrize("written", ["1-13月", "6-1月", "abc", "", "2023", None, 13, 2.5, "下下半年"])
def test_a_period_that_is_not_one_says_how_periods_are_written(written):
    with pytest.raises(PeriodError, match=r"1—6月|1 到 12"):
        parse_period(written)


def test_a_period_reads_back_in_the_planners_words():
    assert [parse_period(p).words() for p in ("一季度", "1-6月", "前三季度", "全年", "1-2月", "6月")] == [
        "一季度",
        "上半年",
        "前三季度",
        "全年",
        "1—2月",
        "6月",
    ]


HEADER = "指标,时期,累计值,累计增长(%),单位,来源\n"


def _problems(tmp_path, scenario, text: str, name: str = "actuals.csv", encoding: str = "utf-8") -> list[str]:
    (tmp_path / name).write_bytes(text.encode(encoding))
    with pytest.raises(ScenarioError) as caught:
        read_actuals(name, scenario)
    return [d.headline() for d in caught.value.diagnostics]


def _read(tmp_path, scenario, text: str, name: str = "actuals.csv", encoding: str = "utf-8"):
    (tmp_path / name).write_bytes(text.encode(encoding))
    return read_actuals(name, scenario)


def test_a_bureau_table_with_a_title_row_chinese_names_and_units_is_read(tmp_path, scenario):
    actuals = _read(
        tmp_path,
        scenario,
        "洛龙区2023年1—6月主要经济指标\n"
        + HEADER
        + "地区生产总值,上半年,290.1,5.1,亿元,区统计局\n"
        + "fai,1-6月,,8.2,,\n"
        + '社会消费品零售总额,1—6月,"1,321,000",6.0,万元,\n'  # thousands grouped, in 万元
        + "居民消费价格涨幅,1-6月,0.8,,%,\n"
        + "城镇调查失业率,6月,5.1%,,,\n"
        + "\n"
        + "注：以上为初步核算数,,,,,\n",
    )
    by_id = {a.indicator: a for a in actuals.rows}
    assert by_id["gdp"].growth == 0.051 and by_id["gdp"].value == 290.1 and by_id["gdp"].source == "区统计局"
    assert by_id["fai"].growth == 0.082 and by_id["fai"].value is None
    assert by_id["retail"].value == pytest.approx(132.1)  # 1,321,000万元 = 132.1亿元
    assert by_id["cpi"].value == 0.008 and by_id["unemployment"].value == 0.051
    assert by_id["gdp"].where == "actuals.csv:3"
    assert actuals.as_of == Period(1, 6) and len(actuals.sha256) == 64


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_a_csv_in_any_encoding_excel_saves_is_read(tmp_path, scenario, encoding):
    text = HEADER + "地区生产总值,上半年,290.1,5.1,亿元,区统计局\n"
    if encoding == "utf-16":  # Excel's "Unicode text": tab-separated UTF-16
        text = text.replace(",", "\t")
    assert _read(tmp_path, scenario, text, encoding=encoding).rows[0].growth == 0.051


def test_an_unreadable_period_an_unknown_indicator_and_a_bare_growth_are_each_located(tmp_path, scenario):
    problems = _problems(
        tmp_path,
        scenario,
        "指标,时期,累计值,累计增长\n新登记市场主体,1-6月,5200,\ngdp,下下半年,290.1,5.1%\ngdp,上半年,290.1,5.1\n",
    )
    assert problems == [
        "actuals.csv:2:1: 指标: '新登记市场主体' 不是本情景中的指标（是否想写 '新增各类市场主体'？）",
        "actuals.csv:3:2: 时期: 无法把 '下下半年' 读作时期：请写成如 1—6月, 1-2月, 6月, 一季度, 上半年, 前三季度, 全年, "
        "2023年1—9月, 2023Q3, 2023-06",
        'actuals.csv:4:4: 累计增长: 这里不带单位的数字（5.1）有歧义（是 5.1% 还是 510%？）：请加引号并写明单位，如 "5.1%"',
    ]


def test_periods_of_another_year_are_refused_with_where_the_base_year_goes(tmp_path, scenario):
    problems = _problems(tmp_path, scenario, HEADER + "gdp,2022年上半年,276,5\ngdp,2024Q1,150,5\n")
    assert "是 2022 年的时期，不是目标年份 2023 年的：上年同期的数请写在“上年同期”列" in problems[0]
    assert problems[1].startswith("actuals.csv:3:2: 时期: '2024Q1' 超出了情景的目标年份 2023 年")


def test_what_an_indicator_cannot_have_is_said_for_its_kind(tmp_path, scenario):
    problems = _problems(
        tmp_path,
        scenario,
        HEADER
        + "urbanisation,1-6月,0.5,,,\n"  # a change: known at year end
        + "gdp_per_capita,上半年,,5,,\n"  # derived
        + "gdp,二季度,100,5,,\n"  # a single quarter of a flow
        + "fai,上半年,100,,,\n"  # a flow without its growth
        + "new_entities,1-6月,,5,,\n",  # a count without its count
    )
    assert problems == [
        "actuals.csv:2:1: 指标: 常住人口城镇化率是年末才知道的变动：没有年内累计数",
        "actuals.csv:3:1: 指标: 人均GDP由其他指标按公式算出：请给出那些指标的实际值",
        "actuals.csv:4:2: 时期: 单独的4—6月不是累计数：请按统计部门的发布给出从1月起的累计数（如 1—6月）",
        "actuals.csv:5:4: 累计增长(%): 没有累计增长：总量指标需要比上年同期的累计增长",
        "actuals.csv:6:3: 累计值: 没有累计值：个数或比率指标需要其数值本身",
    ]


def test_two_rows_for_one_period_name_the_first(tmp_path, scenario):
    problems = _problems(tmp_path, scenario, HEADER + "gdp,上半年,290.1,5.1,,\n地区生产总值,1—6月,290.1,5.1,,\n")
    assert problems == ["actuals.csv:3:2: 时期: 地区生产总值的上半年有两行（第一行在 actuals.csv:2）：请只保留一行"]


def test_a_value_in_wan_without_its_unit_is_caught_and_with_its_unit_converted(tmp_path, scenario):
    problems = _problems(tmp_path, scenario, HEADER + "retail,1-6月,1321000,6.0,,\n")
    assert problems == [
        "actuals.csv:2:3: 累计值: 上半年的 1.321e+06 超过了上年全年（258.6亿元）：是否用了别的单位（万而不是亿）？"
        "请在“单位”列写明单位"
    ]
    problems = _problems(tmp_path, scenario, HEADER + "retail,1-6月,132.1,6.0,万人,\n")
    assert problems[0].startswith("actuals.csv:2:3: 累计值: 单位 '万人' 不是社会消费品零售总额的单位（亿元）")


def test_a_value_that_contradicts_its_growth_and_the_base_year_is_refused(tmp_path, scenario):
    # 132.1 / 1.06 = 124.6 for the base year's H1: a 上年同期 of 130 contradicts it
    text = "指标,时期,累计值,累计增长(%),上年同期\nretail,1-6月,132.1,6.0,130\n"
    problems = _problems(tmp_path, scenario, text)
    assert problems == [
        "actuals.csv:2:4: 累计增长(%): 累计值 132.1 和累计增长 6.0% 意味着上年同期为 124.6，但上年同期写的是 130：三者中有一个不对"
    ]
    assert _read(tmp_path, scenario, text.replace(",130", ",124.6")).rows[0].base_value == 124.6  # within rounding
    # without the base year's figure: a half year larger than the whole base year
    problems = _problems(tmp_path, scenario, HEADER + "revenue,1-6月,30,5,,\n")
    assert "超过了上年全年（24.07亿元）" in problems[0]


def test_a_table_without_the_columns_names_them(tmp_path, scenario):
    problems = _problems(tmp_path, scenario, "a,b,c\n1,2,3\n")
    assert "前 10 行中没有找到写明指标和时期的表头行" in problems[0] and "累计增长" in problems[0]


def _workbook(path, rows, percent_column=None):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "1—6月"
    for row in rows:
        sheet.append(row)
    if percent_column:
        for cells in sheet.iter_rows(min_row=3, min_col=percent_column, max_col=percent_column):
            for cell in cells:
                cell.number_format = "0.0%"
    book.save(path)


def test_a_workbook_is_read_with_percent_cells_and_located_by_sheet_and_cell(tmp_path, scenario):
    path = "actuals.xlsx"
    rows = [
        ["洛龙区主要经济指标"],
        ["指标", "时期", "累计值", "累计增长", "单位"],
        ["地区生产总值", "上半年", 290.1, 0.051, "亿元"],  # a cell shown as 5.1% holds 0.051
        ["fai", "1-6月", None, 0.082, None],
    ]
    _workbook(path, rows, percent_column=4)
    actuals = read_actuals(path, scenario)
    assert [a.growth for a in actuals.rows] == [0.051, 0.082]
    assert actuals.rows[0].where == "actuals.xlsx!1—6月:3"
    rows[3] = ["fai", "下下半年", None, 0.082, None]
    _workbook(path, rows, percent_column=4)
    with pytest.raises(ScenarioError) as caught:
        read_actuals(path, scenario)
    assert caught.value.diagnostics[0].headline().startswith("actuals.xlsx!1—6月:B4: 时期: 无法把 '下下半年' 读作时期")


def test_an_old_workbook_or_a_folder_is_named(tmp_path, scenario):
    problems = _problems(tmp_path, scenario, "", name="old.xls")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(ScenarioError, match="旧版 Excel"):
        read_actuals(tmp_path / "old.xls", scenario)
    with pytest.raises(ScenarioError, match="是文件夹，不是数据表"):
        read_actuals(tmp_path, scenario)
    assert problems  # an empty file has no header row


ACTUALS_TABLE = """
[actuals]
persistence = 0.4

[actuals.gdp]
period = "上半年"
growth = "5.1%"
source = "区统计局"

[actuals.retail]
period = "1-6月"
growth = "6%"
value = "132.1亿元"
"""


def test_a_scenarios_own_actuals_table_is_read_like_a_file(tmp_path):
    from .conftest import BASELINE

    path = tmp_path / "with-actuals.toml"
    path.write_text(BASELINE.read_text(encoding="utf-8") + ACTUALS_TABLE, encoding="utf-8")
    actuals = load_scenario(path).actuals
    assert actuals.persistence == 0.4 and actuals.latest["gdp"].growth == 0.051
    assert actuals.latest["retail"].value == pytest.approx(132.1)
    assert actuals.as_of == Period(1, 6)


@pytest.mark.parametrize(
    "written, instead, says",
    [
        ('growth = "6%"', "growth = 6", "这里不带单位的数字（6）有歧义"),
        ('period = "1-6月"', 'period = "二季度"', "单独的4—6月不是累计数"),
        ("[actuals.retail]", "[actuals.retial]", "'retial' 不是本情景中的指标（是否想写 'retail'？）"),
        ("persistence = 0.4", "persistence = 4", "persistence（延续程度）是 0"),
        ('source = "区统计局"', 'sorce = "区统计局"', "未知的键 'sorce'"),
    ],
)
def test_a_mistake_in_a_scenarios_actuals_table_is_told_at_its_line(tmp_path, written, instead, says):
    from growthsim.scenario.diagnostics import ScenarioError as Error

    from .conftest import BASELINE

    text = BASELINE.read_text(encoding="utf-8") + ACTUALS_TABLE.replace(written, instead, 1)
    path = tmp_path / "with-actuals.toml"
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index(instead) + 1
    with pytest.raises(Error) as caught:
        load_scenario(path)
    [problem] = caught.value.diagnostics
    assert problem.line == line and says in problem.message, problem.headline()
