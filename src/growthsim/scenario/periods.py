"""Periods as the statistics bureau writes them: 1—6月, 1-6月, 上半年, 一季度, 前三季度, 2023Q3, 2023-06.

A year-to-date (累计) figure covers the months from January to the period's last month, so a period
is read into the months it covers. The forms, documented in the README:

* months: ``1—6月`` (with any dash, ``～``, ``~`` or ``至``), ``1-2月`` (January and February are
  published together), a single month ``6月`` (a rate read at that month, such as unemployment);
* quarters and halves: ``一季度`` (or ``第一季度``, ``1季度``, ``Q1``), ``上半年``, ``前三季度``,
  ``全年``; a later quarter alone (``二季度``, ``三季度``) is its three months, not the year to date;
* with a year in front: ``2023年1—6月``, ``2023年上半年``, ``2023Q3`` (the first three quarters:
  year-to-date figures are published that way), ``2023-06`` and ``2023.6`` (January to June).

``parse_period`` returns a Period or raises PeriodError with what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from growthsim.i18n import _

__all__ = ["Period", "PeriodError", "parse_period"]


class PeriodError(ValueError):
    """A period that cannot be read; the message says how periods are written."""


@dataclass(frozen=True)
class Period:
    first: int  # the first month covered, 1-12
    last: int  # the last month covered, 1-12
    year: int | None = None  # when the period names its year

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def year_to_date(self) -> bool:
        """Covers the months from January: a 累计 figure."""
        return self.first == 1

    def words(self) -> str:
        """As a planner reads it: 1—6月, 一季度, 上半年, 前三季度, 全年, 6月."""
        if self.first == self.last:
            return _("month {month}").format(month=self.last)
        if self.first == 1:
            named = {3: _("Q1"), 6: _("H1"), 9: _("Q1–Q3"), 12: _("the whole year")}
            if self.last in named:
                return named[self.last]
        return _("months {first}–{last}").format(first=self.first, last=self.last)


_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUMERALS.update({"十一": 11, "十二": 12, "1": 1, "2": 2, "3": 3, "4": 4})
_DASH = r"\s*(?:[-‐‑–—―−~～至到]|－|—+)\s*"
_MONTH_NUMBER = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_YEAR = re.compile(r"^\s*(\d{4})\s*(?:年|[-./]|(?=[Qq]))?\s*")
_RANGE = re.compile(rf"^{_MONTH_NUMBER}{_DASH}{_MONTH_NUMBER}\s*月?(?:份|末)?$")
_MONTH = re.compile(rf"^{_MONTH_NUMBER}\s*月?(?:份|末|底)?$")
_QUARTER = re.compile(r"^(?:第)?([一二三四1-4])\s*季(?:度)?$|^[Qq]([1-4])$")
_CUMULATIVE_QUARTERS = re.compile(r"^前\s*([一二三1-3两])\s*(?:个)?季(?:度)?$")
_HALVES = {"上半年": (1, 6), "下半年": (7, 12), "全年": (1, 12)}
EXAMPLES = "1—6月, 1-2月, 6月, 一季度, 上半年, 前三季度, 全年, 2023年1—9月, 2023Q3, 2023-06"


def _month(word: str) -> int:
    return int(word) if word.isdigit() else _NUMERALS[word]


def parse_period(raw: object) -> Period:
    """The months a period covers. Raises PeriodError naming the forms that are read."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= 12:
        return Period(raw, raw)  # a month written as a bare number in a spreadsheet cell
    if not isinstance(raw, str) or not raw.strip():
        raise PeriodError(_("expected a period such as {examples}").format(examples=EXAMPLES))
    text = re.sub(r"^累计|累计$", "", raw.strip().replace(" ", "").replace("\u3000", ""))
    year = None
    if (found := _YEAR.match(text)) and (len(text) > found.end() or found.group(0) != found.group(1)):
        year, rest = int(found.group(1)), text[found.end() :]
        if re.fullmatch(r"[Qq][1-4]", rest):  # 2023Q3: the first three quarters, as 累计 figures are given
            return Period(1, int(rest[1]) * 3, year)
        if re.fullmatch(r"\d{1,2}", rest):  # 2023-06, 2023.6: January to that month
            return _checked(Period(1, int(rest), year), raw)
        text = rest
    period = _read(text)
    if period is None:
        raise PeriodError(
            _("cannot read {raw!r} as a period: write one such as {examples}").format(raw=raw, examples=EXAMPLES)
        )
    return _checked(Period(period.first, period.last, year), raw)


def _read(text: str) -> Period | None:
    if text in _HALVES:
        return Period(*_HALVES[text])
    if found := _CUMULATIVE_QUARTERS.match(text):
        quarters = 2 if found.group(1) == "两" else _month(found.group(1))
        return Period(1, quarters * 3)
    if found := _QUARTER.match(text):
        quarter = _month(found.group(1) or found.group(2))
        return Period(quarter * 3 - 2, quarter * 3)
    if found := _RANGE.match(text):
        return Period(_month(found.group(1)), _month(found.group(2)))
    if found := _MONTH.match(text):
        month = _month(found.group(1))
        return Period(month, month)
    return None


def _checked(period: Period, raw: object) -> Period:
    if not 1 <= period.first <= period.last <= 12:
        raise PeriodError(
            _("{raw!r} is not a period of one year: months run from 1 to 12, the first before the last").format(raw=raw)
        )
    return period
