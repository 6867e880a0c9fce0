"""growthsim.quantities: every rule for writing numbers in a scenario file, and formatting them back.

The rules (README, "Writing numbers"): growths and rates are quoted percentages ("8%", also the
full-width "8％"); changes of a rate are percentage points ("0.8pp", "0.8个百分点"); spreads take
either; amounts and counts are bare numbers in the unit, or carry the unit, with 万/亿 multiplying;
a bare number where a rate is expected is an error, never read silently.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from growthsim.scenario.quantities import (
    Expect,
    QuantityError,
    format_amount,
    format_percent,
    format_points,
    format_value,
    parse_quantity,
)


@pytest.fixture(autouse=True)
def _english(english):
    """These tests check messages word for word in English, as written in the code (their msgids);
    tests/test_i18n.py checks that every one has its Chinese translation."""


P, PP, S, A, N = Expect.PERCENT, Expect.POINTS, Expect.SPREAD, Expect.AMOUNT, Expect.NUMBER


def error(raw, expect, unit=None) -> str:
    with pytest.raises(QuantityError) as info:
        parse_quantity(raw, expect, unit)
    return str(info.value)


# --- percent: growths and rate levels ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("8%", 0.08),
        ("8％", 0.08),  # full-width percent sign, as a Chinese input method types it
        ("5.2%", 0.052),
        ("5.2％", 0.052),
        ("0.5%", 0.005),
        (".5%", 0.005),
        ("+8%", 0.08),
        ("-2%", -0.02),
        ("−2%", -0.02),  # U+2212 minus sign, from a word processor
        (" 8 % ", 0.08),
        ("0%", 0.0),
        ("1e-3%", 1e-5),
        ("100%", 1.0),
    ],
)
def test_percent(raw, value):
    assert parse_quantity(raw, P) == value


def test_percent_is_exact_to_the_decimal():
    """'5.2%' is the double nearest 0.052, not 5.2 / 100 = 0.052000000000000005."""
    assert parse_quantity("5.2%", P) == 0.052
    assert 5.2 / 100 != 0.052
    assert parse_quantity("0.7%", P) == 0.007
    assert parse_quantity("9.5%", P) == 0.095
    assert parse_quantity("3.15%", P) == 0.0315
    assert parse_quantity("0.3pp", PP) == 0.003
    assert parse_quantity("1.1pp", S) == 0.011


@given(st.decimals(min_value=Decimal("-100"), max_value=Decimal("100"), places=3, allow_nan=False))
def test_percent_is_the_nearest_double_of_the_written_decimal(d):
    text = f"{d:f}"
    expected = float(Decimal(text) / 100)
    assert parse_quantity(f"{text}%", P) == expected
    assert parse_quantity(f"{text}pp", PP) == expected
    assert parse_quantity(f"{text}pp", S) == expected == parse_quantity(f"{text}%", S)


@pytest.mark.parametrize("raw", [8, 8.0, "8", " 8 "])
def test_percent_rejects_a_bare_number(raw):
    assert error(raw, P) == (
        'a bare number (8) is ambiguous here (8% or 800%?): write it quoted with its unit, e.g. "8%"'
    )


def test_percent_rejects_a_bare_fraction():
    assert error(0.08, P) == (
        'a bare number (0.08) is ambiguous here (0.08% or 8%?): write it quoted with its unit, e.g. "0.08%"'
    )


@pytest.mark.parametrize("raw", ["8pp", "8个百分点", "8百分点"])
def test_percent_rejects_points(raw):
    assert error(raw, P) == f'{raw!r} is in percentage points, but this is a rate or a growth: write "8%"'


def test_percent_rejects_an_amount():
    assert error("8亿元", P, "亿元") == "cannot read '8亿元' as a percentage; write e.g. \"8%\""


# --- points: changes of a rate -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("0.8pp", 0.008),
        ("0.8 pp", 0.008),
        ("0.8个百分点", 0.008),
        ("0.8百分点", 0.008),
        ("-0.3pp", -0.003),
        ("0pp", 0.0),
    ],
)
def test_points(raw, value):
    assert parse_quantity(raw, PP) == value


def test_points_reject_percent():
    assert error("0.8%", PP) == (
        "'0.8%': a change of a rate is written in percentage points, e.g. \"0.8pp\" "
        '("%" would suggest a relative change)'
    )
    assert error("0.8％", PP).startswith("'0.8％': a change of a rate is written in percentage points")


def test_points_reject_a_bare_number():
    assert error(0.8, PP) == (
        'a bare number (0.8) is ambiguous here (0.8% or 80%?): write it quoted with its unit, e.g. "0.8pp"'
    )


# --- spreads: sd, tolerance ... -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1.5pp", "1.5%", "1.5％", "1.5个百分点", "1.5百分点"])
def test_spread_accepts_points_and_percent(raw):
    assert parse_quantity(raw, S) == 0.015


def test_spread_rejects_a_bare_number():
    assert error(1.5, S) == (
        'a bare number (1.5) is ambiguous here (1.5% or 150%?): write it quoted with its unit, e.g. "1.5%"'
    )


def test_spread_rejects_an_amount():
    assert error("1.5亿元", S, "亿元") == (
        'cannot read \'1.5亿元\' as a spread in percentage points; write e.g. "1.5pp" or "1.5%"'
    )


# --- amounts and counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "unit", "value"),
    [
        (582.4, "亿元", 582.4),
        (16000, "户", 16000.0),
        ("582.4", "亿元", 582.4),
        ("16亿元", "亿元", 16.0),
        (" 16 亿元 ", "亿元", 16.0),
        ("1.2万人", "人", 12000.0),
        ("1万户", "户", 10000.0),
        ("2亿元", "元", 2e8),
        ("1.2万人", "万人", 1.2),  # the unit itself begins with 万: no multiplying
        ("37000元", "元", 37000.0),
        (-5, "亿元", -5.0),
    ],
)
def test_amount(raw, unit, value):
    assert parse_quantity(raw, A, unit) == value


def test_amount_rejects_another_unit():
    assert error("16人", A, "亿元").startswith("unit '人' in '16人' does not match the indicator's unit '亿元'")


@pytest.mark.parametrize("raw", ["5%", "5％"])
def test_amount_rejects_a_percentage(raw):
    assert error(raw, A, "人") == f"{raw!r} is a percentage, but this value is an amount in 人"


def test_amount_with_a_multiplier_but_no_unit():
    assert error("1.6万", A, "户") == "'1.6万' has no unit: write \"1.6万户\" or the bare number 16000 (in 户)"


def test_amount_with_a_unit_when_none_is_known():
    assert "None" not in error("16亿元", A)


# --- plain numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [(4, 4.0), (4.5, 4.5), ("4", 4.0), ("4.5", 4.5)])
def test_number(raw, value):
    assert parse_quantity(raw, N) == value


def test_number_rejects_a_unit():
    assert error("4%", N) == "'4%': expected a plain number without a unit"


# --- what is never a number -----------------------------------------------------------------------------


@pytest.mark.parametrize("expect", list(Expect))
@pytest.mark.parametrize(
    ("raw", "described"),
    [
        (True, "true/false (true)"),
        (False, "true/false (false)"),
        (["8%"], "a list"),
        ({"mean": "8%"}, "a table"),
        (None, "NoneType"),
    ],
)
def test_bool_list_table_rejected(expect, raw, described):
    assert error(raw, expect, "亿元") == f"expected a number, got {described}"


@pytest.mark.parametrize("expect", list(Expect))
@pytest.mark.parametrize("raw", ["", "abc", "百分之八", "8%%", "inf%", "nan", "1,5%"])
def test_unreadable_text_rejected(expect, raw):
    with pytest.raises(QuantityError):
        parse_quantity(raw, expect, "亿元")


@pytest.mark.parametrize(
    ("raw", "expect", "unit"),
    [
        ("1e999%", P, None),
        ("1e999pp", PP, None),
        ("1e999pp", S, None),
        ("1e400亿元", A, "亿元"),
        ("1e400", A, "亿元"),
        (math.inf, A, "亿元"),
        (-math.inf, A, "亿元"),
        (math.nan, A, "亿元"),
        (math.inf, N, None),
        (math.nan, N, None),
    ],
)
def test_non_finite_rejected(raw, expect, unit):
    assert error(raw, expect, unit).endswith("is not a finite number")


@pytest.mark.parametrize("expect", [P, PP, S])
@pytest.mark.parametrize("raw", [math.nan, math.inf])
def test_bare_non_finite_rate_says_not_finite(raw, expect):
    assert error(raw, expect) == f"{raw!r} is not a finite number"


# --- formatting back -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (0.08, {}, "8%"),
        (0.0825, {}, "8.25%"),
        (0.052, {}, "5.2%"),
        (0.0, {}, "0%"),
        (-0.02, {}, "-2%"),
        (0.08, {"signed": True}, "+8%"),
        (-0.02, {"signed": True}, "-2%"),
        (0.001234, {}, "0.12%"),
        (0.001234, {"digits": 4}, "0.1234%"),
        (math.nan, {}, "—"),
        (math.inf, {}, "—"),
        (None, {}, "—"),
    ],
)
def test_format_percent(value, kwargs, text):
    assert format_percent(value, **kwargs) == text


@pytest.mark.parametrize(
    ("value", "kwargs", "text"),
    [
        (0.008, {}, "0.8pp"),
        (0.015, {}, "1.5pp"),
        (0.008, {"signed": True}, "+0.8pp"),
        (-0.003, {"signed": True}, "-0.3pp"),
        (math.nan, {}, "—"),
    ],
)
def test_format_points(value, kwargs, text):
    assert format_points(value, **kwargs) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (582.4, "亿元", "582.4亿元"),
        (16000, "户", "16,000户"),
        (16000.0, "户", "16,000户"),
        (1234.5678, "元", "1,234.57元"),
        (100.001, "", "100"),
        (12.0, "", "12"),
        (-0.5, "亿元", "-0.5亿元"),
        (math.nan, "元", "—"),
    ],
)
def test_format_amount(value, unit, text):
    assert format_amount(value, unit) == text


def test_format_value_follows_the_expectation():
    assert format_value(0.08, P) == "8%"
    assert format_value(0.08, P, signed=True) == "+8%"
    assert format_value(0.008, PP) == "0.8pp"
    assert format_value(0.015, S) == "1.5pp"
    assert format_value(582.4, A, "亿元") == "582.4亿元"
    assert format_value(4.0, N) == "4"


@given(st.decimals(min_value=Decimal("-99.99"), max_value=Decimal("99.99"), places=2, allow_nan=False))
def test_percent_round_trips(d):
    """What a planner writes with up to two decimals is printed back the same way."""
    written = f"{d.normalize():f}"
    if written in ("-0",):
        written = "0"
    assert format_percent(parse_quantity(f"{written}%", P)) == f"{written}%"
    assert format_points(parse_quantity(f"{written}pp", PP)) == f"{written}pp"


@pytest.mark.parametrize(("raw", "unit", "value"), [("73.8亿", "亿元", 73.8), ("1.2万", "万人", 1.2)])
def test_a_number_word_that_is_the_units_own_multiplier_is_read_in_the_unit(raw, unit, value):
    """'73.8亿' on a 亿元 indicator is 73.8亿元; it once suggested '73.8亿亿元', 10^8 times too much."""
    assert parse_quantity(raw, A, unit) == value


def test_a_number_word_without_the_unit_converts_to_the_units_base():
    assert error("1.6亿", A, "万人") == "'1.6亿' has no unit: write \"1.6亿人\" or the bare number 16000 (in 万人)"
