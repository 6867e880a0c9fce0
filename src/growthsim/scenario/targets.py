"""Targets in planning language, and what hitting one means on a draw.

Every target form of the report reduces to an interval on one tested quantity:

=============  ==============================  ==========================================
form           written in a scenario           hit when
=============  ==============================  ==========================================
at least       ``at_least = "8%"``             x >= 8%
at most        ``at_most = "5.5%"``            x <= 5.5%
about          ``about = "7%"``, tolerance,    side at_least: x >= 7% - tol;
               side                            at_most: x <= 7% + tol; both: |x - 7%| <= tol
between        ``between = ["2%", "4%"]``      2% <= x <= 4%
relative       ``relative_to = "gdp"``,        x - gdp's x on the same draw, tested like
               tolerance, side                 "about 0" (e.g. income growth >= GDP growth - 1pp)
=============  ==============================  ==========================================

A floor-and-stretch target (保底/力争) is an at-least or at-most target plus ``stretch``, a second,
more demanding threshold; both probabilities are reported, the floor counts for the joint P(all).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from growthsim.i18n import _, pgettext
from growthsim.scenario.quantities import Expect, format_value

__all__ = ["OPS", "SIDES", "Target"]

OPS = (">=", "<=", "about", "between", "relative")
SIDES = ("at_least", "at_most", "both")


@dataclass(frozen=True)
class Target:
    """One indicator's target. ``lower``/``upper`` bound the tested quantity (±inf when open)."""

    op: str  # one of OPS
    metric: str  # "growth", "level" or "change": what of the indicator is tested
    expect: Expect  # how the metric is written (percent, points or amount)
    unit: str  # the indicator's unit, for amounts
    value: float | None = None  # the written threshold or centre (>=, <=, about)
    low: float | None = None  # between
    high: float | None = None  # between
    tolerance: float | None = None  # about, relative
    side: str | None = None  # about, relative
    relative_to: str | None = None  # relative: the other indicator's id
    stretch: float | None = None  # floor-and-stretch: the 力争 threshold
    written: str | None = None  # the report's own words, e.g. "增长7%左右"
    source: str | None = None

    # -- the interval ------------------------------------------------------------------------
    @property
    def bounds(self) -> tuple[float, float]:
        """(lower, upper) on the tested quantity (for relative: own minus other)."""
        if self.op == ">=":
            return _given(self.value), math.inf
        if self.op == "<=":
            return -math.inf, _given(self.value)
        if self.op == "between":
            return _given(self.low), _given(self.high)
        centre = _given(self.value) if self.op == "about" else 0.0
        tolerance = _given(self.tolerance)
        low, high = _decimal_add(centre, -tolerance), _decimal_add(centre, tolerance)
        if self.side == "at_least":
            return low, math.inf
        if self.side == "at_most":
            return -math.inf, high
        return low, high

    @property
    def stretch_bounds(self) -> tuple[float, float] | None:
        if self.stretch is None:
            return None
        return (self.stretch, math.inf) if self.op == ">=" else (-math.inf, self.stretch)

    def evaluate(self, tested: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hit flags and gaps for an array of tested values, shape (n,) each.

        The gap is how far a draw falls short of the interval (0 on a hit), in the metric's units.
        """
        return _interval_hits(tested, *self.bounds)

    def evaluate_stretch(self, tested: np.ndarray) -> np.ndarray | None:
        bounds = self.stretch_bounds
        return None if bounds is None else _interval_hits(tested, *bounds)[0]

    # -- words ---------------------------------------------------------------------------------
    def fmt(self, value: float, signed: bool = False) -> str:
        return format_value(value, self.expect, self.unit, signed=signed)

    @property
    def text(self) -> str:
        """The target as growthsim reads it, short, in the units of the scenario file: "≥ 8%"."""
        lower, upper = self.bounds
        if self.op == ">=":
            text = f"≥ {self.fmt(_given(self.value))}"
        elif self.op == "<=":
            text = f"≤ {self.fmt(_given(self.value))}"
        elif self.op == "between":
            text = f"{self.fmt(_given(self.low))} – {self.fmt(_given(self.high))}"
        elif self.op == "about":
            if self.side == "at_least":
                text = f"≈ {self.fmt(_given(self.value))} (≥ {self.fmt(lower)})"
            elif self.side == "at_most":
                text = f"≈ {self.fmt(_given(self.value))} (≤ {self.fmt(upper)})"
            else:
                text = f"{self.fmt(_given(self.value))} ± {self.fmt_tol()}"
        else:
            other, tol = self.relative_to, self.fmt_tol()
            if self.side == "at_least":
                text = f"≥ {other} - {tol}"
            elif self.side == "at_most":
                text = f"≤ {other} + {tol}"
            else:
                text = f"{other} ± {tol}"
        if self.stretch is not None:
            text += _(", stretch {op} {value}").format(op="≥" if self.op == ">=" else "≤", value=self.fmt(self.stretch))
        return text

    def fmt_tol(self) -> str:
        expect = Expect.AMOUNT if self.expect is Expect.AMOUNT else Expect.POINTS
        return format_value(_given(self.tolerance), expect, self.unit)

    def explain(self) -> str:
        """A sentence: when is a draw a hit."""
        lower, upper = self.bounds
        metric = {
            "growth": pgettext("metric", "growth"),
            "level": pgettext("metric", "level"),
            "change": pgettext("metric", "change"),
        }.get(self.metric, self.metric)
        if self.op == "relative":
            what = _("{metric} minus {other}'s {metric}").format(metric=metric, other=self.relative_to)
            fmt = lambda v: self.fmt_tested(v)  # noqa: E731
        else:
            what, fmt = metric, self.fmt
        if math.isinf(upper):
            rule = f"{what} ≥ {fmt(lower)}"
        elif math.isinf(lower):
            rule = f"{what} ≤ {fmt(upper)}"
        else:
            rule = f"{fmt(lower)} ≤ {what} ≤ {fmt(upper)}"
        if self.stretch is not None:
            rule += _("; stretch hit when {what} {sign} {value}").format(
                what=what, sign="≥" if self.op == ">=" else "≤", value=self.fmt(self.stretch)
            )
        return _("hit when {rule}").format(rule=rule)

    def fmt_tested(self, value: float) -> str:
        """Format a value of the tested quantity (for relative targets, a signed difference)."""
        if self.op != "relative":
            return self.fmt(value)
        expect = Expect.AMOUNT if self.expect is Expect.AMOUNT else Expect.POINTS
        return format_value(value, expect, self.unit, signed=True)


def _given(field: float | None) -> float:
    """A field the target's op uses (value for >=, <= and about; low and high for between; tolerance
    for about and relative): the validation makes every Target with the fields of its op."""
    assert field is not None  # a Target of this op is always made with it (validation/values.py)
    return field


def _decimal_add(a: float, b: float) -> float:
    """a + b as the numbers were written: 7% - 0.5pp is 6.5%, not 0.065000000000000002."""
    return float(Decimal(repr(a)) + Decimal(repr(b)))


# A draw this close to a bound (relative to the bound, at least 1e-12) counts as on it. Tested
# values are computed in binary (own - other growth, baseline * (1 + growth)), so a value that is
# exactly on the bound in decimal may land a few units in the last place on either side; "at
# least 8%" must include 8%. The slack is far below any difference a planner could mean.
RELATIVE_SLACK = 1e-9


def _slack(bound: float) -> float:
    return RELATIVE_SLACK * max(abs(bound), 1e-3)


def _interval_hits(x: np.ndarray, lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """Hits within the (slackened) bounds, and gaps to the bounds as written. One-sided targets,
    the common case, take two passes instead of seven."""
    if math.isinf(upper):
        gap = lower - x
        np.maximum(gap, 0.0, out=gap)
        return x >= lower - _slack(lower), gap
    if math.isinf(lower):
        gap = x - upper
        np.maximum(gap, 0.0, out=gap)
        return x <= upper + _slack(upper), gap
    gap = np.maximum(np.maximum(lower - x, x - upper), 0.0)
    return (x >= lower - _slack(lower)) & (x <= upper + _slack(upper)), gap
