"""What the rest of the year must deliver (下半年需增长多少): for each target whose indicator has
year-to-date actuals, the exact growth (a flow), count (a count) or average (a rate) the months
still to come must reach for the annual outcome to hit it (for a rate read at the year's end, the
December reading itself).

The arithmetic is the conditioning rule's known part (engine.conditioning): the annual outcome is
X = s * x + (1 - s) * r, the share s of the year known at x and the rest of the year at r, so a
target X >= T needs r >= (T - s * x) / (1 - s); a count needs T minus the count so far. Whether the
rest of the year is likely to deliver it is the target's P(hit) given the actuals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from growthsim.engine.conditioning import Known, known_parts
from growthsim.engine.model import Model
from growthsim.engine.run import simulate
from growthsim.i18n import _
from growthsim.scenario.periods import Period
from growthsim.scenario.types import Indicator, Scenario
from growthsim.stats.intervals import Probability

__all__ = ["YearToDate", "january_odds", "rest_of_year_words", "year_to_date"]


@dataclass(frozen=True)
class YearToDate:
    """One indicator's year so far and what its target asks of the rest of the year."""

    indicator: Indicator
    known: Known
    # what the rest of the year must reach, in the indicator's metric (a flow's growth, a count's
    # number of the months to come, a rate's average): at least ``low``, at most ``high`` (None: no bound)
    low: float | None = None
    high: float | None = None

    @property
    def period(self) -> Period:
        return self.known.actual.period


def year_to_date(scenario: Scenario) -> list[YearToDate]:
    """The year so far of every indicator the scenario's actuals cover, in indicator order."""
    rows = {indicator.id: row for row, indicator in enumerate(scenario.indicators)}
    known = known_parts(scenario.indicators, rows, scenario.actuals)
    found = []
    for row, indicator in enumerate(scenario.indicators):
        if row in known:
            low, high = _needed(indicator, known[row])
            found.append(YearToDate(indicator, known[row], low, high))
    return found


def _needed(indicator: Indicator, known: Known) -> tuple[float | None, float | None]:
    target = indicator.target
    if target is None or target.op == "relative" or known.whole_year:
        return None, None
    low, high = target.bounds
    if indicator.kind == "flow" and target.metric == "level":  # a level target, as a growth on the baseline
        assert indicator.baseline is not None  # a flow's level target needs its baseline (validation)
        low, high = low / indicator.baseline - 1, high / indicator.baseline - 1
    elif target.metric != indicator.metric:
        return None, None

    def rest(bound: float) -> float | None:
        if not math.isfinite(bound):
            return None
        if indicator.kind == "count":  # the number still to come
            assert known.actual.value is not None  # a count's actual has its count (actuals checked it)
            return bound - known.actual.value
        if indicator.measured == "year_end":  # a rate read in December: that reading itself
            return bound
        return (bound - known.share * known.as_year) / (1 - known.share)

    return rest(low), rest(high)


def january_odds(model: Model, n_draws: int, seed: int | None, **run) -> dict[str, Probability]:
    """Each target's P(hit) without the actuals, on the same draws: the odds as seen in January,
    beside those given the year so far."""
    summary = simulate(model, n_draws, seed, **run)
    return {row.indicator.id: row.hit for row in summary.indicators if row.hit is not None}


def rest_of_year_words(period: Period) -> str:
    """The months after ``period``, as a planner names them: 下半年, 四季度, 4—12月, 12月."""
    following = Period(period.last + 1, 12)
    if following.first == 7:
        return _("H2")
    if following.first == 10:
        return _("Q4")
    return following.words()
