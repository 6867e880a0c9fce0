"""Reading and writing numbers the way the planning report writes them.

In code every rate is a fraction (8% -> 0.08); percent signs exist only at the edges, here. The rule
for scenario files, documented in the README:

* growths and rate levels are written as quoted percentages: ``"8%"``;
* changes of a rate are written in percentage points: ``"0.8pp"`` (or ``"0.8个百分点"``);
* spreads of either (sd, tolerance ...) may be written with ``%`` or ``pp``; both mean 1/100;
* amounts and counts are bare numbers in the indicator's unit, or carry that unit: ``"16亿元"``,
  ``"1.2万人"`` (a 万 or 亿 in front of the unit multiplies);
* a bare number where a rate is expected is an error, never silently 8 -> 800%.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from enum import Enum

from growthsim.i18n import N_, _
from growthsim.scenario.diagnostics import kind_of

__all__ = [
    "Expect",
    "QuantityError",
    "format_amount",
    "format_percent",
    "format_points",
    "format_value",
    "largest",
    "parse_quantity",
    "split_multiplier",
]


class Expect(str, Enum):
    """What kind of number a field holds, which decides how it may be written."""

    PERCENT = "percent"  # a growth or a rate level: "8%"
    POINTS = "points"  # a change of a rate: "0.8pp"
    SPREAD = "spread"  # a spread of a percent/points quantity: "1.5pp" or "1.5%"
    AMOUNT = "amount"  # a level in the indicator's unit: 582.4 or "582.4亿元"
    NUMBER = "number"  # a plain number (shape parameters such as degrees of freedom)


class QuantityError(ValueError):
    """A value that cannot be read as the expected kind of number; the message says what is allowed."""


_NUMBER_WITH_SUFFIX = re.compile(r"^\s*([+\-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?)\s*(.*?)\s*$")
_PERCENT_SUFFIXES = {"%", "％"}
_POINT_SUFFIXES = {"pp", "个百分点", "百分点"}


_THOUSANDS = re.compile(r"^\s*[+\-−]?\d{1,3}(?:[,，]\d{3})+(?:\.\d*)?")


def _split(raw: str) -> tuple[float, str, Decimal]:
    if _THOUSANDS.match(raw):
        plain = re.sub(r"(?<=\d)[,，](?=\d{3})", "", raw.strip())
        raise QuantityError(
            _('{raw!r}: write numbers without thousands separators, e.g. "{plain}"').format(raw=raw, plain=plain)
        )
    match = _NUMBER_WITH_SUFFIX.match(raw)
    if not match:
        raise QuantityError(_("cannot read {raw!r} as a number").format(raw=raw))
    exact = Decimal(match.group(1).replace("−", "-"))
    return float(exact), match.group(2), exact


def _hundredth(exact: Decimal) -> float:
    """'5.2' -> 0.052 exactly as the nearest double (5.2 / 100 would give 0.052000000000000005)."""
    return float(exact / 100)


def parse_quantity(raw: object, expect: Expect, unit: str | None = None) -> float:
    """Read one value written in a scenario file; return it in code units (rates as fractions).

    ``unit`` is the indicator's unit, used for AMOUNT values written with a suffix.
    Raises QuantityError with a message a planner can act on.
    """
    value = _parse_quantity(raw, expect, unit)
    if value != 0 and abs(value) < SMALLEST:
        raise QuantityError(
            _("{raw!r} is too small to mean anything: write 0, or a figure of at least {smallest:g}").format(
                raw=raw, smallest=SMALLEST
            )
        )
    largest = _LARGEST[expect]
    if abs(value) > largest:
        raise QuantityError(
            _("{raw!r} is too large: {what} here is at most {largest} either way").format(
                raw=raw, what=_(_EXPECT_WORDS[expect]), largest=_LARGEST_WRITTEN[expect]
            )
        )
    return value


SMALLEST = 1e-12  # in code units: a nonzero value below it is a slip (1e-320), and its arithmetic underflows

# The largest value of each kind a scenario may hold, in code units: far beyond any plan's figure,
# small enough that a level grown by it, a spread squared or a count's table stays finite and sized.
_LARGEST = {
    Expect.PERCENT: 100.0,  # a growth or a rate of 10,000%
    Expect.POINTS: 100.0,  # a change of 10,000 percentage points
    Expect.SPREAD: 100.0,
    Expect.AMOUNT: 1e15,  # a thousand trillion of the indicator's unit
    Expect.NUMBER: 1e6,
}
_LARGEST_WRITTEN = {
    Expect.PERCENT: "10000%",
    Expect.POINTS: "10000pp",
    Expect.SPREAD: "10000pp",
    Expect.AMOUNT: "1e15",
    Expect.NUMBER: "1e6",
}


def largest(expect: Expect) -> tuple[float, str]:
    """The largest value of a kind a scenario may hold (code units) and how it is written: a value
    computed on a draw (a formula, a link) is held to the same bound as one written in a file."""
    return _LARGEST[expect], _LARGEST_WRITTEN[expect]


def _parse_quantity(raw: object, expect: Expect, unit: str | None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise QuantityError(_("expected a number, got {describe}").format(describe=_describe(raw)))
    if isinstance(raw, (int, float)):
        try:
            number = float(raw)
        except OverflowError:  # an integer of hundreds of digits
            raise QuantityError(
                _("{raw} is too large to be a number growthsim can use").format(raw=_cut(str(raw)))
            ) from None
        return _parse_bare(number, expect)
    number, suffix, exact = _split(raw)
    if suffix == "":
        return _parse_bare(number, expect)
    if expect is Expect.PERCENT:
        if suffix in _PERCENT_SUFFIXES:
            return _finite(_hundredth(exact), raw)
        if suffix in _POINT_SUFFIXES:
            raise QuantityError(
                _('{raw!r} is in percentage points, but this is a rate or a growth: write "{num}%"').format(
                    raw=raw, num=_num(number)
                )
            )
    elif expect is Expect.POINTS:
        if suffix in _POINT_SUFFIXES:
            return _finite(_hundredth(exact), raw)
        if suffix in _PERCENT_SUFFIXES:
            raise QuantityError(
                _(
                    '{raw!r}: a change of a rate is written in percentage points, e.g. "{num}pp" ("%" would suggest a relative change)'
                ).format(raw=raw, num=_num(number))
            )
    elif expect is Expect.SPREAD:
        if suffix in _PERCENT_SUFFIXES or suffix in _POINT_SUFFIXES:
            return _finite(_hundredth(exact), raw)
    elif expect is Expect.AMOUNT:
        return _parse_amount(raw, number, suffix, exact, unit)
    elif expect is Expect.NUMBER:
        raise QuantityError(_("{raw!r}: expected a plain number without a unit").format(raw=raw))
    raise QuantityError(
        _("cannot read {raw!r} as {_EXPECT_WORDS}; {_EXPECT_HINT}").format(
            raw=raw, _EXPECT_WORDS=_(_EXPECT_WORDS[expect]), _EXPECT_HINT=_(_EXPECT_HINT[expect])
        )
    )


def _parse_bare(number: float, expect: Expect) -> float:
    if expect in (Expect.AMOUNT, Expect.NUMBER) or not math.isfinite(number):
        return _finite(number, number)
    example = _num(number)
    suffix = "pp" if expect is Expect.POINTS else "%"
    raise QuantityError(
        _(
            'a bare number ({example}) is ambiguous here ({small} or {large}?): write it quoted with its unit, e.g. "{example}{suffix}"'
        ).format(example=example, small=f"{example}%", large=f"{_num(number * 100)}%", suffix=suffix)
    )


# Chinese number words that may stand before a unit: "1.2万人" is 12000 人, "16亿元" is 16 × 10^8 元.
_MULTIPLIERS = {"千": 10**3, "万": 10**4, "十万": 10**5, "百万": 10**6, "千万": 10**7, "亿": 10**8}


def split_multiplier(unit: str) -> tuple[int, str]:
    """'万元' -> (10000, '元'); '户' -> (1, '户'). The longest multiplier prefix wins."""
    for word in sorted(_MULTIPLIERS, key=len, reverse=True):
        if unit.startswith(word) and len(unit) > len(word):
            return _MULTIPLIERS[word], unit[len(word) :]
    return 1, unit


def _parse_amount(raw: str, number: float, suffix: str, exact: Decimal, unit: str | None) -> float:
    if suffix in _PERCENT_SUFFIXES or suffix in _POINT_SUFFIXES:
        raise QuantityError(
            _("{raw!r} is a percentage, but this value is an amount in {value}").format(
                raw=raw, value=unit or "the indicator unit"
            )
        )
    if not unit:
        raise QuantityError(_("{raw!r}: this value takes a bare number (no unit is known here)").format(raw=raw))
    if suffix == unit:
        return _finite(number, raw)
    written_factor, written_base = split_multiplier(suffix)
    unit_factor, unit_base = split_multiplier(unit)
    if suffix in _MULTIPLIERS:  # a number word without the unit: "73.8亿" for 亿元, "1.6万" for 户
        if _MULTIPLIERS[suffix] == unit_factor:
            return _finite(number, raw)  # "73.8亿" for unit 亿元 is 73.8亿元
        bare = _plain_decimal(exact * _MULTIPLIERS[suffix] / unit_factor)
        raise QuantityError(
            _(
                '{raw!r} has no unit: write "{plain_decimal}{suffix}{unit_base}" or the bare number {bare} (in {unit})'
            ).format(
                raw=raw, plain_decimal=_plain_decimal(exact), suffix=suffix, unit_base=unit_base, bare=bare, unit=unit
            )
        )
    if written_base == unit_base and written_factor != unit_factor and written_base:
        if written_factor % unit_factor == 0:
            # "1万户" for unit 户, "2亿元" for unit 万元: an exact whole multiple, read as such
            return _finite(float(exact * (written_factor // unit_factor)), raw)
        converted = _plain_decimal(exact * written_factor / unit_factor)
        raise QuantityError(
            _(
                'unit {suffix!r} in {raw!r} does not match the indicator\'s unit {unit!r}: {plain_decimal}{suffix} = {converted}{unit}; write it in {unit}, e.g. "{converted}{unit}"'
            ).format(suffix=suffix, raw=raw, unit=unit, plain_decimal=_plain_decimal(exact), converted=converted)
        )
    raise QuantityError(
        _(
            'unit {suffix!r} in {raw!r} does not match the indicator\'s unit {unit!r}; write a bare number in {unit} or e.g. "{num}{unit}"'
        ).format(suffix=suffix, raw=raw, unit=unit, num=_num(number))
    )


def _plain_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 0.0016, 16000."""
    text = format(value.normalize(), "f")
    return text


def _cut(text: str, keep: int = 24) -> str:
    """A long number as a message shows it: its first digits, an ellipsis and how many there were."""
    return text if len(text) <= keep else f"{text[:keep]}…({len(text)} digits)"


def _finite(value: float, raw: object) -> float:
    if not math.isfinite(value):
        raise QuantityError(_("{raw!r} is not a finite number").format(raw=raw))
    return value


_EXPECT_WORDS = {
    Expect.PERCENT: N_("a percentage"),
    Expect.POINTS: N_("a change in percentage points"),
    Expect.SPREAD: N_("a spread in percentage points"),
    Expect.AMOUNT: N_("an amount"),
    Expect.NUMBER: N_("a number"),
}
_EXPECT_HINT = {
    Expect.PERCENT: N_('write e.g. "8%"'),
    Expect.POINTS: N_('write e.g. "0.8pp"'),
    Expect.SPREAD: N_('write e.g. "1.5pp" or "1.5%"'),
    Expect.AMOUNT: N_("write a bare number in the indicator's unit"),
    Expect.NUMBER: N_("write a plain number"),
}


def _describe(raw: object) -> str:
    if isinstance(raw, bool):
        return _("true/false ({lower})").format(lower=str(raw).lower())
    return kind_of(raw)


def _num(x: float) -> str:
    """Shortest readable decimal for x (no trailing zeros, no exponent for ordinary sizes)."""
    if x == 0:
        return "0"
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    if text in ("", "-0", "0") or abs(x) >= 1e12:
        return f"{x:.6g}"
    return text


def format_percent(fraction: float, digits: int = 2, signed: bool = False) -> str:
    """0.08 -> '8%'; 0.0825 -> '8.25%'."""
    return _format_hundredths(fraction, "%", digits, signed)


def format_points(fraction: float, digits: int = 2, signed: bool = False) -> str:
    """0.008 -> '0.8pp'."""
    return _format_hundredths(fraction, "pp", digits, signed)


def _format_hundredths(fraction: float, suffix: str, digits: int, signed: bool) -> str:
    if fraction is None or not math.isfinite(fraction):
        return "—"
    text = _num(round(fraction * 100, digits))
    if signed and fraction > 0:
        text = "+" + text
    return text + suffix


def format_amount(value: float, unit: str = "", digits: int = 2) -> str:
    """582.4, '亿元' -> '582.4亿元'; counts print without decimals."""
    if value is None or not math.isfinite(value):
        return "—"
    if float(value).is_integer() and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{round(value, digits):,.{digits}f}".rstrip("0").rstrip(".")
    return text + unit


def format_value(value: float, expect: Expect, unit: str = "", signed: bool = False) -> str:
    """Format a code-unit value back into the way a scenario file writes it."""
    if expect is Expect.PERCENT:
        return format_percent(value, signed=signed)
    if expect in (Expect.POINTS, Expect.SPREAD):
        return format_points(value, signed=signed)
    if expect is Expect.AMOUNT:
        return format_amount(value, unit)
    return _num(value)
