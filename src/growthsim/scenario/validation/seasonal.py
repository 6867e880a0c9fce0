"""How an indicator is read through the year: a flow's or count's seasonal pattern (``seasonal``:
the share of the year's total reached by each period, with its uncertainty) and a rate's measure
(``measured``: the year's average or its year-end reading). Both matter only with year-to-date
actuals (engine.conditioning); without them nothing changes.

    [indicators.gdp.seasonal]          # 上年各期累计占全年的比重
    "一季度" = "22.3%"
    "上半年" = "46.5%"
    "前三季度" = "71.9%"
    sd = "1.5pp"
    source = "…"
"""

from __future__ import annotations

import itertools
import math

from growthsim.i18n import N_, _
from growthsim.scenario.diagnostics import one_of
from growthsim.scenario.periods import PeriodError, parse_period
from growthsim.scenario.quantities import Expect, format_value
from growthsim.scenario.types import MEASURES, Seasonal
from growthsim.scenario.validation.base import CheckerBase

__all__ = ["MEASURE_MEANINGS", "SeasonalChecks"]

MEASURE_MEANINGS = {
    "average": N_("the year's average of the monthly readings (CPI)"),
    "year_end": N_("the reading at the end of the year"),
}
_WORDS = ("sd", "source", "rationale")
MAX_SHARE_SD = 0.10  # a seasonal share known to within 10 points at most: beyond, it is not a pattern


class SeasonalChecks(CheckerBase):
    """``seasonal`` and ``measured`` of one indicator (a mixin of validation.Checker)."""

    def seasonal(self, body: dict, path: tuple, kind: str) -> tuple[Seasonal | None, bool]:
        """(the pattern, or None; whether the table, if any, is good)."""
        if "seasonal" not in body:
            return None, True
        where = (*path, "seasonal")
        if kind not in ("flow", "count"):
            self.report(
                where,
                _("'seasonal' applies to flow and count indicators only (this one is a {kind})").format(kind=kind),
                at="key",
            )
            return None, False
        raw = body["seasonal"]
        if not isinstance(raw, dict):
            self.table(raw, where, ())
            return None, False
        ok = True
        points: list[tuple[int, float, tuple]] = []
        for key, value in raw.items():
            if key in _WORDS:
                continue
            try:
                period = parse_period(key)
            except PeriodError as error:
                self.report(
                    (*where, key),
                    _("{key!r} is not a period ({error}); besides periods only {words} are allowed here").format(
                        key=key, error=error, words=one_of(_WORDS)
                    ),
                    at="key",
                )
                ok = False
                continue
            if not period.year_to_date or period.last == 12:
                self.report(
                    (*where, key),
                    _(
                        "a seasonal share is of a year-to-date period before December (一季度, 上半年, 1—10月), not {key!r}"
                    ).format(key=key),
                    at="key",
                )
                ok = False
                continue
            share = self.quantity(value, (*where, key), Expect.PERCENT, None)
            if share is None:
                ok = False
            elif not 0 < share < 1:
                self.report((*where, key), _("a share of the year must be between 0% and 100%"))
                ok = False
            else:
                points.append((period.last, share, (*where, key)))
        if not points and ok:
            self.report(where, _('give the share of at least one period, e.g. "上半年" = "46.5%"'), at="key")
            return None, False
        points.sort()
        for (month, share, _at), (next_month, next_share, at) in itertools.pairwise(points):
            if next_month == month:
                self.report(at, _("this period's share is given twice"), at="key")
                ok = False
            elif next_share <= share:
                self.report(at, _("a later period's share of the year must be larger than an earlier one's"))
                ok = False
        sd = 0.0
        if "sd" in raw:
            given = self.quantity(raw["sd"], (*where, "sd"), Expect.POINTS, None)
            if given is None:
                ok = False
            elif not 0 <= given <= MAX_SHARE_SD:
                self.report(
                    (*where, "sd"),
                    _("must be between 0 and {most} percentage points").format(most=f"{MAX_SHARE_SD * 100:g}"),
                )
                ok = False
            else:
                sd = given
                for _month, share, at in points:  # a share's law (a beta) needs sd below its own bound
                    if sd > math.sqrt(share * (1 - share)) / 2:
                        self.report(
                            (*where, "sd"),
                            _(
                                "too large for the share of {at} ({share}): at most half of √(share × (1 − share))"
                            ).format(at=at[-1], share=format_value(share, Expect.PERCENT, "%")),
                        )
                        ok = False
                        break
        source, rationale = self.text(raw, "source", where), self.text(raw, "rationale", where)
        if ok and not (source or rationale):
            self.warn(where, _("seasonal shares given without a source or a rationale: say where they come from"))
        if not ok:
            return None, False
        return Seasonal(tuple((m, s) for m, s, _at in points), sd, source, rationale), True

    def measured(self, body: dict, path: tuple, kind: str) -> tuple[str, bool]:
        """(a rate's measure, whether it is good)."""
        if "measured" not in body:
            return "average", True
        if kind != "rate":
            self.report(
                (*path, "measured"),
                _("'measured' applies to rate indicators only (this one is a {kind})").format(kind=kind),
                at="key",
            )
            return "average", False
        value = self.choice(body, "measured", path, MEASURES, MEASURE_MEANINGS)
        return (value, True) if value is not None else ("average", False)
