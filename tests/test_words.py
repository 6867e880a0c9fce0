"""Plain words a director understands (#12 §2): one sentence per target, the 结论摘要, and the
assumed figures marked, in Chinese and in English, from numbers checked against closed forms."""

from __future__ import annotations

import re

import pytest
from scipy.stats import norm

from growthsim import parse_scenario
from growthsim.engine.run import simulate
from growthsim.i18n import use
from growthsim.output.records import summary_rows, summary_to_dict
from growthsim.output.wording import conclusions, plain_share, target_sentence

from .conftest import scenario_text

SCENARIO = scenario_text(
    """
    [indicators.gdp]
    name = "地区生产总值"
    unit = "亿元"
    kind = "flow"
    basis = "real"
    baseline = 100
    source = "一(一)"
    target = { at_least = "8%", text = "增长8%", source = "二" }
    growth = { dist = "normal", mean = "7%", sd = "1.2pp", rationale = "t" }

    [indicators.rd]
    name = "研发经费支出"
    unit = "亿元"
    kind = "flow"
    basis = "nominal"
    baseline = 18.05
    rationale = "报告没有给出：按投入强度3.1%推算"
    growth = { dist = "normal", mean = "12%", sd = "8pp", rationale = "t" }

    [indicators.jobs]
    name = "城镇新增就业"
    unit = "人"
    kind = "count"
    target = { at_least = 12000, text = "1.2万人以上", source = "二" }
    level = { dist = "normal", mean = 14000, sd = 500, rationale = "t" }

    [indicators.urban]
    name = "常住人口城镇化率"
    unit = "%"
    kind = "change"
    target = { at_least = "0.8pp", text = "提高0.8个百分点", source = "二" }
    change = { dist = "normal", mean = "0.7pp", sd = "0.3pp", rationale = "t" }
    """
)
N = 200_000


@pytest.fixture
def summary():
    use("zh")
    return simulate(parse_scenario(SCENARIO), N, seed=11)


def test_one_sentence_per_target_in_chinese(summary):
    """gdp ~ N(7%, 1.2pp), hit when >= 8%: P = 1 - Φ(1/1.2) = 20.2%; median 7.0%, 90% range 7% ± 1.97pp."""
    rows = {r.indicator.id: r for r in summary.indicators}
    assert (
        target_sentence(rows["gdp"])
        == "地区生产总值增长8%：达标概率约20%（不太可能），预计增长7.0%（90%区间5.0%–9.0%）。"
    )
    assert target_sentence(rows["rd"]) is None  # no target, no sentence
    # a count: its unit; 14000 ± 500 is 4 sd above 12000: over 99%
    assert re.fullmatch(
        r"城镇新增就业1\.2万人以上：达标概率超过99%（很可能），预计1[34],\d{3}人"
        r"（90%区间13,1[67]\d人–14,8[23]\d人）。",
        target_sentence(rows["jobs"]),
    )  # 14000 ∓ 822
    # a change: in 个百分点, P = Φ(-1/3) = 37%
    assert target_sentence(rows["urban"]) == (
        "常住人口城镇化率提高0.8个百分点：达标概率约37%（难料），预计提高0.70个百分点（90%区间0.21–1.19个百分点）。"
    )
    assert abs(rows["gdp"].hit.p - (1 - norm.cdf(1 / 1.2))) < 4 * rows["gdp"].hit.se


def test_the_same_sentence_in_english(summary):
    use("en")
    rows = {r.indicator.id: r for r in summary.indicators}
    assert target_sentence(rows["gdp"]) == (
        "地区生产总值 ≥ 8%: the chance of hitting it is about 20% (unlikely); "
        "expected growth of 7.0% (90% range 5.0% to 9.0%)."
    )


def test_plain_shares_say_how_sure_without_false_digits():
    use("zh")
    assert [plain_share(p) for p in (0.0, 0.004, 0.137, 0.5, 0.996, 1.0)] == [
        "不到1%",
        "不到1%",
        "约14%",
        "约50%",
        "超过99%",
        "超过99%",
    ]


def test_the_conclusions_count_likely_and_at_risk_targets(summary):
    lines = conclusions(summary)
    assert lines[0] == "3项目标中，1项很可能或可能达成：城镇新增就业。"
    assert lines[1] == "1项有风险（不太可能或很难）：地区生产总值；其余1项难料。"
    assert lines[2].startswith("全部3项目标同时达成的概率为") and lines[2].endswith("项。")
    assert len(lines) == 3


def test_json_and_csv_carry_the_sentences_and_mark_assumed_baselines(summary):
    document = summary_to_dict(summary)
    assert document["language"] == "zh" and document["conclusions"] == conclusions(summary)
    by_id = {i["id"]: i for i in document["indicators"]}
    assert by_id["gdp"]["sentence"].startswith("地区生产总值增长8%：达标概率约20%")
    assert by_id["rd"]["baseline_assumed"] is True and by_id["gdp"]["baseline_assumed"] is False
    rows = {r["id"]: r for r in summary_rows(summary)}
    assert rows["rd"]["baseline_assumed"] is True and rows["gdp"]["sentence"] == by_id["gdp"]["sentence"]
