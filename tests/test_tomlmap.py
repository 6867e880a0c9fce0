"""growthsim.tomlmap: where each key and value of a TOML document stands (tomllib forgets positions).

Positions are 1-based (line, key column, value column); a table header's key and value columns are
both the column of its last name. ``locate`` falls back to the nearest written ancestor, and
``bare_non_ascii_keys`` finds every unquoted Chinese key at once, where tomllib stops at the first.
"""

from __future__ import annotations

import signal
import textwrap

import pytest

from growthsim.scenario.tomlmap import KeyMap, Position, bare_non_ascii_keys, tomllib

from .conftest import BASELINE


@pytest.fixture(autouse=True)
def _english(english):
    """These tests check messages word for word in English, as written in the code (their msgids);
    tests/test_i18n.py checks that every one has its Chinese translation."""


# One document with every construct the scanner must step over. Line numbers are in the comments
# of the tests below; the document itself is valid TOML (checked by the fixture).
DOC = textwrap.dedent('''\
    # [not.a.table] x = 1
    title = "t" # y = [2]
    [scenario]
    description = """
    [indicators.fake]
    fake = "=" ["
    """
    name = \'\'\'lit = [x] "\'\'\'
    a.b . c = 1
    "地区 生产".'k.q' = 2

    [indicators."地区生产总值".target]
    at_least = "8%"

    [indicators.gdp]
    growth = { dist = "normal", mean = "6%", p = { q = 1 } }
    values = [
      "1%",   # first, with a comment: ] = [
      [ "2%", "3%" ],
      { v = 4 },
    ]
    esc = "a \\" = [ b"
    quad = """x""""
    when = 1979-05-27 07:32:00
    after = 'ok'

    [[runs]]
    x = 1
    [[runs]]
    x = 2
    ''')


@pytest.fixture(scope="module")
def keymap() -> KeyMap:
    tomllib.loads(DOC)  # the scanner walks documents tomllib has accepted
    return KeyMap.scan(DOC)


def pos(keymap: KeyMap, *path) -> Position:
    return keymap.positions[tuple(path)]


# --- headers, keys, values -----------------------------------------------------------------------


def test_top_level_key_and_comments(keymap):
    # line 1 is a comment holding '[' and '=': nothing is recorded from it
    assert pos(keymap, "title") == Position(2, 1, 9)
    assert ("not",) not in keymap.positions and ("y",) not in keymap.positions


def test_table_header(keymap):
    assert pos(keymap, "scenario") == Position(3, 2, 2)


def test_dotted_table_header_records_every_prefix_at_its_first_appearance(keymap):
    assert pos(keymap, "indicators") == Position(12, 2, 2)  # first seen in [indicators."地区生产总值".target]
    assert pos(keymap, "indicators", "gdp") == Position(15, 13, 13)
    assert pos(keymap, "indicators", "gdp", "growth") == Position(16, 1, 10)


def test_quoted_keys(keymap):
    # [indicators."地区生产总值".target]: the quoted part is decoded, its column is its opening quote
    assert pos(keymap, "indicators", "地区生产总值") == Position(12, 13, 13)
    assert pos(keymap, "indicators", "地区生产总值", "target") == Position(12, 22, 22)
    assert pos(keymap, "indicators", "地区生产总值", "target", "at_least") == Position(13, 1, 12)
    # "地区 生产".'k.q' = 2: a space and a dot inside quotes stay in the name
    assert pos(keymap, "scenario", "地区 生产") == Position(10, 1, 1)
    assert pos(keymap, "scenario", "地区 生产", "k.q") == Position(10, 9, 17)
    assert ("scenario", "地区 生产", "k") not in keymap.positions


def test_dotted_keys_with_spaces_around_the_dots(keymap):
    # a.b . c = 1
    assert pos(keymap, "scenario", "a") == Position(9, 1, 1)
    assert pos(keymap, "scenario", "a", "b") == Position(9, 3, 3)
    assert pos(keymap, "scenario", "a", "b", "c") == Position(9, 7, 11)


def test_multiline_strings_do_not_confuse_the_scanner(keymap):
    """'[' and '=' inside \"\"\"...\"\"\" and '''...''' are text, not tables or keys."""
    assert pos(keymap, "scenario", "description") == Position(4, 1, 15)
    assert ("indicators", "fake") not in keymap.positions
    assert ("scenario", "fake") not in keymap.positions
    assert pos(keymap, "scenario", "name") == Position(8, 1, 8)  # name = '''lit = [x] "'''
    assert ("scenario", "lit") not in keymap.positions


def test_escaped_quotes_and_closing_quote_runs(keymap):
    assert pos(keymap, "indicators", "gdp", "esc") == Position(22, 1, 7)  # "a \" = [ b"
    assert pos(keymap, "indicators", "gdp", "quad") == Position(23, 1, 8)  # """x"""" holds x"
    assert pos(keymap, "indicators", "gdp", "when") == Position(24, 1, 8)  # a datetime with a space
    assert pos(keymap, "indicators", "gdp", "after") == Position(25, 1, 9)


def test_inline_tables(keymap):
    # growth = { dist = "normal", mean = "6%", p = { q = 1 } }
    assert pos(keymap, "indicators", "gdp", "growth", "dist") == Position(16, 12, 19)
    assert pos(keymap, "indicators", "gdp", "growth", "mean") == Position(16, 29, 36)
    assert pos(keymap, "indicators", "gdp", "growth", "p") == Position(16, 42, 46)
    assert pos(keymap, "indicators", "gdp", "growth", "p", "q") == Position(16, 48, 52)


def test_multiline_arrays(keymap):
    assert pos(keymap, "indicators", "gdp", "values") == Position(17, 1, 10)
    assert pos(keymap, "indicators", "gdp", "values", 0) == Position(18, 3, 3)  # "1%", then a comment
    assert pos(keymap, "indicators", "gdp", "values", 1) == Position(19, 3, 3)  # [ "2%", "3%" ]
    assert pos(keymap, "indicators", "gdp", "values", 1, 0) == Position(19, 5, 5)
    assert pos(keymap, "indicators", "gdp", "values", 1, 1) == Position(19, 11, 11)
    assert pos(keymap, "indicators", "gdp", "values", 2) == Position(20, 3, 3)  # { v = 4 }
    assert pos(keymap, "indicators", "gdp", "values", 2, "v") == Position(20, 5, 9)
    assert ("indicators", "gdp", "values", 3) not in keymap.positions


def test_arrays_of_tables(keymap):
    assert pos(keymap, "runs") == Position(27, 3, 3)
    assert pos(keymap, "runs", 0) == Position(27, 3, 3)
    assert pos(keymap, "runs", 0, "x") == Position(28, 1, 5)
    assert pos(keymap, "runs", 1) == Position(29, 3, 3)
    assert pos(keymap, "runs", 1, "x") == Position(30, 1, 5)


def test_subtable_of_an_array_of_tables():
    text = "[[runs]]\nx = 1\n[[runs]]\nx = 2\n[runs.sub]\ny = 3\n"
    assert tomllib.loads(text)["runs"][1]["sub"] == {"y": 3}
    keymap = KeyMap.scan(text)
    assert keymap.positions[("runs", 1, "sub")] == Position(5, 7, 7)
    assert keymap.positions[("runs", 1, "sub", "y")] == Position(6, 1, 5)


def test_every_key_and_element_of_the_document_is_recorded(keymap):
    def paths(value, prefix=()):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield (*prefix, key)
                yield from paths(inner, (*prefix, key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                yield (*prefix, index)
                yield from paths(inner, (*prefix, index))

    assert set(paths(tomllib.loads(DOC))) == set(keymap.positions)


def test_baseline_scenario_positions_point_at_the_values():
    """On the shipped scenario, every value position is where its literal starts."""
    text = BASELINE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    keymap = KeyMap.scan(text)
    lines = text.split("\n")
    checked = 0
    for section, body in data["indicators"].items():
        for key, value in body.items():
            position = keymap.positions[("indicators", section, key)]
            literal = lines[position.line - 1][position.value_col - 1 :]
            if isinstance(value, dict):
                assert lines[position.line - 1] == f"[indicators.{section}.{key}]"
                for inner, inner_value in value.items():
                    p = keymap.positions[("indicators", section, key, inner)]
                    line = lines[p.line - 1]
                    written = inner if inner.isascii() else f'"{inner}"'  # 上半年 = … is quoted in TOML
                    assert line[p.key_col - 1 :].startswith(f"{written} = ")
                    if isinstance(inner_value, str) and "\n" not in inner_value:
                        assert line[p.value_col - 1 :] == f'"{inner_value}"'
                    checked += 1
            elif isinstance(value, str) and "\n" in value:
                assert literal == '"""'  # a multi-line string starts on the key's line
                checked += 1
            elif isinstance(value, str):
                assert literal == f'"{value}"'
                checked += 1
            else:
                assert tomllib.loads(f"x = {literal}")["x"] == value
                checked += 1
    assert checked > 100


def test_crlf_line_endings():
    """Files saved on Windows: columns are not shifted by the carriage returns."""
    text = '[scenario]\r\nname = "x"\r\n\r\n[indicators.gdp]\r\nv = [\r\n  1,\r\n  2,\r\n]\r\nunit = "亿元"\r\n'
    tomllib.loads(text)
    keymap = KeyMap.scan(text)
    assert keymap.positions[("scenario", "name")] == Position(2, 1, 8)
    assert keymap.positions[("indicators", "gdp")] == Position(4, 13, 13)
    assert keymap.positions[("indicators", "gdp", "v", 1)] == Position(7, 3, 3)
    assert keymap.positions[("indicators", "gdp", "unit")] == Position(9, 1, 8)
    assert keymap.line_text(2) == 'name = "x"'


# --- locate -----------------------------------------------------------------------------------


def test_locate_a_written_path(keymap):
    assert keymap.locate(("indicators", "gdp", "growth", "mean")) == (16, 36)
    assert keymap.locate(("indicators", "gdp", "growth", "mean"), at="key") == (16, 29)
    assert keymap.locate(("indicators", "gdp", "values", 1, 1)) == (19, 11)


def test_locate_falls_back_to_the_nearest_ancestor_key(keymap):
    # a key that is not written is reported at its table, whatever `at` says
    assert keymap.locate(("indicators", "gdp", "growth", "sd")) == (16, 1)
    assert keymap.locate(("indicators", "gdp", "growth", "sd"), at="key") == (16, 1)
    assert keymap.locate(("indicators", "gdp", "target", "at_least")) == (15, 13)
    assert keymap.locate(("indicators", "gdp", "values", 7)) == (17, 1)
    assert keymap.locate(("indicators", "cpi", "level", "mean")) == (12, 2)


def test_locate_without_any_ancestor(keymap):
    assert keymap.locate(("simulation", "draws")) == (None, None)
    assert keymap.locate(()) == (None, None)


def test_line_text(keymap):
    assert keymap.line_text(2) == 'title = "t" # y = [2]'
    assert keymap.line_text(11) == ""
    assert keymap.line_text(None) is None
    assert keymap.line_text(0) is None
    assert keymap.line_text(10_000) is None


def test_line_text_counts_only_newlines():
    text = 'source = "一(一)\u2028初步核算"\nunit = "亿元"\n'
    tomllib.loads(text)
    keymap = KeyMap.scan(text)
    assert keymap.positions[("unit",)] == Position(2, 1, 8)
    assert keymap.line_text(2) == 'unit = "亿元"'


def test_scan_of_a_broken_document_keeps_what_it_found():
    keymap = KeyMap.scan('[scenario]\nname = "x"\n[indicators.gdp]\nbaseline = = 5\nunit = "亿元"\n')
    assert keymap.positions[("scenario", "name")] == Position(2, 1, 8)
    assert keymap.positions[("indicators", "gdp")] == Position(3, 13, 13)


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX timers")
def test_scan_of_an_unclosed_array_terminates():
    class TimedOut(Exception):
        pass

    def alarm(signum, frame):
        raise TimedOut

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        keymap = KeyMap.scan("[scenario]\nvalues = [1, 2\n")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert keymap.positions[("scenario",)] == Position(1, 2, 2)


# --- bare_non_ascii_keys ----------------------------------------------------------------------------


def test_bare_non_ascii_keys_in_headers_and_key_lines():
    text = textwrap.dedent("""\
        [indicators.地区生产总值]
        名称 = "x"
        [a."地区".b]
        name = "地区生产总值"
          单位.x = 2
        指标.gdp = 1
        [[表]]
        [ indicators . 目标 ] # 注释
        名称="y"
        """)
    assert bare_non_ascii_keys(text) == [
        (1, 13, "地区生产总值", True),
        (2, 1, "名称", False),
        (5, 3, "单位", False),
        (6, 1, "指标", False),
        (7, 3, "表", True),
        (8, 16, "目标", True),
        (9, 1, "名称", False),
    ]


def test_bare_non_ascii_keys_skips_multiline_strings():
    text = textwrap.dedent('''\
        description = """
        [指标.地区]
        名称 = 1
        """
        note = \'\'\'
        单位 = 2
        \'\'\'
        one_line = """x"""
        名称 = 3
        ''')
    assert bare_non_ascii_keys(text) == [(9, 1, "名称", False)]


def test_bare_non_ascii_keys_ignores_quoted_keys_and_values():
    text = '"名称" = "地区"\n[indicators."地区生产总值"]\nname = "名称 = x"\n# 名称 = 注释\n'
    assert bare_non_ascii_keys(text) == []


def test_bare_non_ascii_keys_of_the_baseline():
    assert bare_non_ascii_keys(BASELINE.read_text(encoding="utf-8")) == []


def test_bare_non_ascii_keys_are_what_tomllib_rejects():
    for line, _col, key, _in_header in bare_non_ascii_keys('[indicators.地区]\nname = "x"\n'):
        with pytest.raises(tomllib.TOMLDecodeError):
            tomllib.loads(f"{key} = 1")
        assert line == 1
