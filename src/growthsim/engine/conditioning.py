"""The year so far (--actuals): each draw's annual outcome becomes what is known plus the rest of the year.

For an indicator with year-to-date actuals through month m, on every draw

    X = (1 - w) * x + w * X*,    w = (1 - s) * (1 - persistence)

where X* is the draw's annual outcome as the scenario projects it without actuals (after its
correlations, events and links), x the year to date expressed as a whole year — a flow's cumulative
growth, a count's pace (the count so far / s), a rate's year-to-date average — and s the share of
the year that is known.

It is the annual outcome as the known part plus the rest of the year, X = s * x + (1 - s) * r, with
the rest of the year r = (1 - persistence) * X* + persistence * x: the January view of the draw,
moved part of the way towards what the year has shown so far. Consequences, each tested:

* a year to date equal to the January view's centre leaves the median where it was;
* the spread left is w times the January spread: it shrinks as months become known (for a fixed
  persistence), and vanishes with the whole year known (s = 1: every P(hit) is 0 or 1);
* X is increasing in X*, so ranks — and with them correlations and what links carry — are kept:
  a weak first half of industry lowers GDP's odds on the same draw through the link.

The share s of a flow or a count is its base year's pattern, from the first of these that exists:

1. the base year's figure for the same period (上年同期) in the actuals, over the baseline: exact
   (for a flow, X = s * x + (1 - s) * r is then the arithmetic of the two years' totals);
2. the indicator's ``seasonal`` table in the scenario (cited shares by period, interpolated between
   them, with the uncertainty it gives);
3. the calendar, m / 12, with a standard deviation of CALENDAR_SHARE_SD * s * (1 - s) (4 points at
   mid-year): China's GDP, investment and retail sales reached 45–49% of the year by June in
   2016–2023 (README, "Through the year").

An uncertain share is drawn on every draw (a beta with its mean and sd, from its own keyed stream,
so every command and every scenario sharing the indicator draw the same shares). For a flow it
moves only the weight of the known part, which matters little; for a count it moves the pace
itself (the count so far / s), which is where a seasonal pattern matters most.

A rate's share is the calendar's m / 12, exactly: each month counts the same in the year's average.
A rate ``measured = "year_end"`` (a December reading) keeps w = (1 - persistence) * sqrt(1 - m / 12)
of its January spread about its latest reading x: what is left to December is a drift whose spread
grows with the square root of the months to come, as a random walk's does.

A count stays a whole number, and never below the count so far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from growthsim.engine.streams import STREAM_SEASONAL, stream_key, uniforms
from growthsim.scenario.types import Actual, Actuals, Indicator
from growthsim.stats.arrays import Floats

__all__ = ["CALENDAR_SHARE_SD", "Known", "apply_known", "drawn_shares", "known_parts"]

# The calendar share's uncertainty, on the logit scale (sd of s = this * s * (1 - s)): 4 points at
# mid-year, 3 at a quarter (README, "Through the year": the national first-half shares it covers).
CALENDAR_SHARE_SD = 0.16


@dataclass(frozen=True)
class Known:
    """What the actuals fix of one indicator's row."""

    actual: Actual
    share: float  # s: the share of the year known (its centre, when uncertain)
    share_from: str  # "base_year" (上年同期 / baseline), "seasonal" (the scenario's table), "calendar" (m / 12)
    as_year: float  # x: the year to date expressed as a whole year, in the row's units (at the centre share)
    weight: float  # w: the weight the January view keeps (at the centre share)
    persistence: float = 0.5
    share_sd: float = 0.0  # the share's standard deviation: 0 when it is exact
    floor: float = -math.inf  # a count's count so far

    @property
    def whole_year(self) -> bool:
        return self.weight == 0.0


def known_parts(indicators: tuple[Indicator, ...], rows: dict[str, int], actuals: Actuals | None) -> dict[int, Known]:
    """Row -> Known for each indicator the actuals cover (their latest period)."""
    if actuals is None:
        return {}
    parts = {}
    persistence = actuals.persistence
    for indicator_id, actual in actuals.latest.items():
        indicator = indicators[rows[indicator_id]]
        share, share_sd, share_from = _share(indicator, actual)
        floor = -math.inf
        if indicator.kind == "flow":
            as_year = actual.growth if actual.growth is not None else _growth_from_values(actual)
        elif indicator.kind == "count":
            assert actual.value is not None  # a count's actual has its count (actuals checked it)
            as_year, floor = actual.value / share, actual.value
        else:  # a rate: its year-to-date average, or its latest reading
            assert actual.value is not None
            as_year = actual.value
        if share >= 1.0:
            weight = 0.0
        elif indicator.kind == "rate" and indicator.measured == "year_end":
            weight = math.sqrt(1.0 - share) * (1.0 - persistence)
        else:
            weight = (1.0 - share) * (1.0 - persistence)
        parts[rows[indicator_id]] = Known(actual, share, share_from, as_year, weight, persistence, share_sd, floor)
    return parts


def _share(indicator: Indicator, actual: Actual) -> tuple[float, float, str]:
    """(s, its standard deviation, where it comes from)."""
    month = actual.period.last
    if month == 12:
        return 1.0, 0.0, "calendar"
    if indicator.kind == "rate":
        return month / 12, 0.0, "calendar"
    if actual.base_value is not None and indicator.baseline:
        return min(1.0, actual.base_value / indicator.baseline), 0.0, "base_year"
    if indicator.seasonal is not None:
        share, sd = indicator.seasonal.share(month)
        return share, sd, "seasonal"
    share = month / 12
    return share, CALENDAR_SHARE_SD * share * (1.0 - share), "calendar"


def drawn_shares(indicator_id: str, known: Known, entropy: int, start: int, stop: int) -> Floats | None:
    """Each draw's share of the year known, for draws [start, stop): a beta with the share's mean and
    sd, by inverse CDF of the indicator's own seasonal stream; None when the share is exact."""
    if known.share_sd == 0.0 or known.whole_year:
        return None
    from scipy.special import betaincinv

    mean, sd = known.share, known.share_sd
    concentration = mean * (1.0 - mean) / sd**2 - 1.0  # > 0: the scenario's sd is at most half its bound
    u = uniforms(entropy, stream_key(indicator_id, STREAM_SEASONAL), start, stop)
    shares: Floats = betaincinv(mean * concentration, (1.0 - mean) * concentration, u)
    return shares


def _growth_from_values(actual: Actual) -> float:
    assert actual.value is not None and actual.base_value  # a flow without growth has both (actuals checked)
    return actual.value / actual.base_value - 1.0


def apply_known(known: Known, values: Floats, is_count: bool, shares: Floats | None = None) -> None:
    """Condition one row's draws (in place) on what is known of it; ``shares``: each draw's share
    of the year known (drawn_shares), or None for the share's centre on every draw."""
    if known.whole_year:
        values[:] = known.as_year if not is_count else known.actual.value
        return
    if shares is None:
        values *= known.weight
        values += (1.0 - known.weight) * known.as_year
    else:
        weight = (1.0 - shares) * (1.0 - known.persistence)
        as_year = known.floor / shares if is_count else known.as_year
        values *= weight
        values += (1.0 - weight) * as_year
    if is_count:
        np.maximum(np.rint(values, out=values), known.floor, out=values)
