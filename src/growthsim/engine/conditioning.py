"""The year so far (--actuals): each draw's annual outcome becomes what is known plus the rest of the year.

For an indicator with year-to-date actuals through month m, on every draw

    X = (1 - w) * x + w * X*,    w = (1 - s) * (1 - persistence)

where X* is the draw's annual outcome as the scenario projects it without actuals (after its
correlations, events and links), x the year to date expressed as a whole year — a flow's cumulative
growth, a count's pace (the count so far / s), a rate's year-to-date average or latest reading —
and s the share of the year that is known: for a flow or a count the base year's share of the same
period (its 上年同期 figure / its baseline, when the file gives it; else m / 12), for a rate m / 12.

It is the annual outcome as the known part plus the rest of the year, X = s * x + (1 - s) * r, with
the rest of the year r = (1 - persistence) * X* + persistence * x: the January view of the draw,
moved part of the way towards what the year has shown so far. Consequences, each tested:

* a year to date equal to the January view's centre leaves the median where it was;
* the spread left is w times the January spread: it shrinks as months become known (for a fixed
  persistence), and vanishes with the whole year known (s = 1: every P(hit) is 0 or 1);
* X is increasing in X*, so ranks — and with them correlations and what links carry — are kept:
  a weak first half of industry lowers GDP's odds on the same draw through the link.

A count stays a whole number, and never below the count so far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from growthsim.scenario.types import Actual, Actuals, Indicator
from growthsim.stats.arrays import Floats

__all__ = ["Known", "apply_known", "known_parts"]


@dataclass(frozen=True)
class Known:
    """What the actuals fix of one indicator's row."""

    actual: Actual
    share: float  # s: the share of the year known
    share_given: bool  # s from the base year's same-period figure (else the calendar's m / 12)
    as_year: float  # x: the year to date expressed as a whole year, in the row's units
    weight: float  # w: the weight the January view keeps
    floor: float = -math.inf  # a count's count so far

    @property
    def whole_year(self) -> bool:
        return self.weight == 0.0


def known_parts(indicators: tuple[Indicator, ...], rows: dict[str, int], actuals: Actuals | None) -> dict[int, Known]:
    """Row -> Known for each indicator the actuals cover (their latest period)."""
    if actuals is None:
        return {}
    parts = {}
    for indicator_id, actual in actuals.latest.items():
        indicator = indicators[rows[indicator_id]]
        share, given = _share(indicator, actual)
        floor = -math.inf
        if indicator.kind == "flow":
            as_year = actual.growth if actual.growth is not None else _growth_from_values(actual)
        elif indicator.kind == "count":
            assert actual.value is not None  # a count's actual has its count (actuals checked it)
            as_year, floor = actual.value / share, actual.value
        else:  # a rate: its year-to-date average, or its latest reading
            assert actual.value is not None
            as_year = actual.value
        weight = 0.0 if share >= 1.0 else (1.0 - share) * (1.0 - actuals.persistence)
        parts[rows[indicator_id]] = Known(actual, share, given, as_year, weight, floor)
    return parts


def _share(indicator: Indicator, actual: Actual) -> tuple[float, bool]:
    months = actual.period.last / 12
    if indicator.kind == "rate" or actual.period.last == 12:
        return months, False
    if actual.base_value is not None and indicator.baseline:
        return min(1.0, actual.base_value / indicator.baseline), True
    return months, False


def _growth_from_values(actual: Actual) -> float:
    assert actual.value is not None and actual.base_value  # a flow without growth has both (actuals checked)
    return actual.value / actual.base_value - 1.0


def apply_known(known: Known, values: Floats, is_count: bool) -> None:
    """Condition one row's draws (in place) on what is known of it."""
    if known.whole_year:
        values[:] = known.as_year if not is_count else known.actual.value
        return
    values *= known.weight
    values += (1.0 - known.weight) * known.as_year
    if is_count:
        np.maximum(np.rint(values, out=values), known.floor, out=values)
