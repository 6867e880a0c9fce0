"""Terminal layout (#12 §4): Chinese prose wraps as Chinese does, and the tables keep every column
and every word at 80 columns."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from growthsim.output.tables import _NO_LINE_START, wrap_prose

SENTENCE = (
    "20,000次模拟，随机种子 20230101。±后为误差范围：达标概率的模拟随机误差（95%区间，单位为百分点）。"
    "目标的解读见 `growthsim show`。"
)


def test_a_chinese_sentence_with_a_space_fills_its_lines():
    """rich breaks only at spaces: the seed's space left a 22-cell line and folded the rest mid-word."""
    lines = wrap_prose(SENTENCE, 40)
    assert lines[0] == "20,000次模拟，随机种子 20230101。±后为误"
    assert all(cell_len(line) <= 40 for line in lines)
    assert lines[-1] == "`growthsim show`。"  # the command stays whole, its full stop with it


def test_no_line_starts_with_closing_punctuation():
    text = "17项目标中，4项很可能或可能达成：新增各类市场主体、城镇新增就业、城镇调查失业率、居民消费价格涨幅。"
    for width in range(8, 60):
        lines = wrap_prose(text, width)
        assert "".join(lines) == text
        assert all(cell_len(line) <= width for line in lines), width
        assert not any(line[0] in _NO_LINE_START for line in lines), (width, lines)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["达标", "概率", "，", "。", "（", "）", "8%", " ", "growthsim", "20,000", "、"]), max_size=40
    ),
    st.integers(8, 50),
)
def test_wrapping_keeps_every_character_and_the_width(pieces, width):
    text = "".join(pieces)
    lines = wrap_prose(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # only spaces at a break are dropped


# --- the tables at 80 and 120 columns ----------------------------------------------------------------

import re  # noqa: E402

import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from growthsim.cli import app  # noqa: E402
from growthsim.engine.run import simulate  # noqa: E402
from growthsim.i18n import use  # noqa: E402
from growthsim.output.wording import band_of  # noqa: E402
from growthsim.scenario.loading import load_scenario  # noqa: E402

from .conftest import REPO  # noqa: E402

BASELINE = REPO / "scenarios" / "luolong-2023-baseline.toml"


def _screen(arguments, width):
    result = CliRunner().invoke(app, arguments, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [80, 120])
def test_run_keeps_every_column_and_word(width, lang):
    screen = _screen(["--lang", lang, "run", str(BASELINE), "--draws", "2000", "--seed", "1"], width)
    lines = screen.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert "…" not in screen  # nothing truncated
    scenario = load_scenario(BASELINE)
    for indicator in scenario.indicators:
        assert re.search(rf"(^|\s){indicator.id}(\s|$)", screen, re.M), indicator.id  # ids whole
    summary = simulate(scenario, 2000, 1)
    use(lang)
    for row in summary.indicators:  # each target's judgement, on its own row
        if row.hit is None:
            continue
        at = next(i for i, line in enumerate(lines) if re.match(rf"[│ ]*{row.indicator.name}\s", line))
        last_cells = " ".join(re.split(r"\s{2,}|│", line.strip(" │"))[-1] for line in lines[at : at + 3])
        assert band_of(row.hit.p)[0] in last_cells, (row.indicator.id, lines[at : at + 3])  # may wrap: very / unlikely
    assert ("假设" if lang == "zh" else "assumed") in screen  # the R&D baseline is ours, not the report's
    footer = "平均预计达成" if lang == "zh" else "expected to hit"
    assert re.search(rf"{footer}\s*\d+\.\d", screen)


OTHERS = [
    (
        "compare",
        str(BASELINE),
        str(BASELINE.parent / "luolong-2023-downside.toml"),
        str(BASELINE.parent / "luolong-2023-upside.toml"),
        "-n",
        "2000",
        "--seed",
        "1",
    ),
    ("sensitivity", str(BASELINE), "-n", "2000", "--seed", "1"),
    ("show", str(BASELINE)),
    ("show", str(BASELINE.parent / "luolong-2023-tasks.toml")),
    ("distributions",),
    ("run", str(BASELINE), "--verbose", "-n", "2000", "--seed", "1"),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(
    "command",
    OTHERS,
    ids=lambda c: c[0] + ("-v" if "--verbose" in c else "") + ("-tasks" if "tasks" in " ".join(c) else ""),
)
def test_every_table_keeps_its_text_within_the_width(command, width, lang):
    """Cells fold rather than end in '…' (show cut every source and rationale), and nothing runs
    past the terminal's edge. The sha256 is shortened on purpose; a citation's '…' is the report's."""
    screen = _screen(["--lang", lang, *command], width)
    lines = screen.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    # rich's cut is a '…' that ends a cell; a citation's '…' (text left out of the quote) sits inside it
    cut = [line for line in lines if re.search(r"…\s*(?:[│┃]|$)", line) and "sha256" not in line]
    assert not cut, cut[:3]


@pytest.mark.parametrize("command", ["run", "compare", "solve", "sensitivity", "report"])
def test_help_at_80_columns_keeps_examples_whole(command):
    """click's range ([0<=x<=9223372036854775807]) widened the type column until the examples
    beside it broke mid-word; the range is checked, and said, when a value is out of it."""
    screen = _screen([command, "--help"], 80)
    assert "9223372036854775807" not in screen and "<=x<=" not in screen
    assert max(cell_len(line) for line in screen.splitlines()) <= 80


def test_an_out_of_range_number_says_what_is_allowed():
    def said(*arguments):
        result = CliRunner().invoke(app, list(arguments), env={"COLUMNS": "200"})
        return result.exit_code, " ".join(result.output.replace("│", " ").split())

    code, text = said("--lang", "en", "run", "--seed", "-1")
    assert code == 2 and "give a whole number from 0 to 9,223,372,036,854,775,807" in text
    code, text = said("--lang", "zh", "run", "-n", "0")
    assert code == 2 and "请给出 1 到 1,000,000,000 之间的整数" in text
