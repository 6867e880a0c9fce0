"""P(hit) as a function of one parameter, for goal seek: evaluated where asked and remembered (every
trial on the same seed and draws, so the points are comparable), scanned outwards from the current
value, bisected to each crossing of the goal and of the goal plus and minus its margin (the
answer's interval), and, when the goal is out of reach, why: flat, or highest somewhere short of it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

from growthsim.i18n import _
from growthsim.scenario.diagnostics import ScenarioError
from growthsim.stats.intervals import Probability

__all__ = ["ProbabilityCurve", "goal_crossings"]


def goal_crossings(curve: ProbabilityCurve, goal: float, tolerance: float) -> list[tuple[float, float, tuple]]:
    """Every crossing of the goal: (value, direction in which P rises there, (lower, upper) end of
    its interval, where P on the same slope is the goal minus and plus its margin). The bisections
    go finer until they resolve the interval (at least four steps across each half of it), down
    to 1/256 of ``tolerance`` (P(hit) of a count jumps: an interval may end right at its answer)."""
    first_tolerance = tolerance
    while True:
        answers = []
        for value, rising in curve.crossings(goal, tolerance):
            margin = curve.probability(value).margin
            ends = [curve.crossing_from(value, goal + sign * margin, rising, tolerance) for sign in (-1, 1)]
            answers.append((value, rising, tuple(ends) if rising > 0 else tuple(reversed(ends))))
        halves = [abs(end - value) for value, _, interval in answers for end in interval if end is not None]
        if not halves or min(halves) >= 4 * tolerance or tolerance < first_tolerance / 256:
            return answers
        tolerance /= 4


class ProbabilityCurve:
    """P(hit) as a function of the parameter, evaluated where asked and remembered (every trial
    runs on the same seed and draws, so the points are comparable)."""

    def __init__(self, run: Callable[[float], Probability]):
        self.run = run
        self.points: dict[float, Probability] = {}

    def probability(self, value: float) -> Probability:
        if value not in self.points:
            self.points[value] = self.run(value)
        return self.points[value]

    def scan(self, current: float, step: float, goal: float, monotone: bool, doublings: int = 12) -> None:
        """Step away from ``current`` both ways in turn, doubling the step, until P(hit) reaches 0 or
        1 from elsewhere (beyond that it cannot turn: it is at most unimodal in the parameter) or the parameter
        leaves its valid range (a negative sd ...); in the last case the steps halve back towards
        the last valid value, so that a range ending close by (an sd of 0.25pp) is still explored.
        A ``monotone`` P(hit) (a one-sided target) stops as soon as it has passed the goal by
        twice its margin: the answer and its interval lie between the points it has."""
        start = self.probability(current)
        directions = {-1.0: [step, 0.0], 1.0: [step, 0.0]}  # direction -> [next offset, last valid offset]
        for _step in range(doublings):
            for direction in list(directions):
                offset, valid = directions[direction]
                try:
                    hit = self.probability(current + direction * offset)
                except ScenarioError:  # a value the parameter cannot take: look between
                    offset = (valid + offset) / 2
                    directions[direction] = [offset, valid]
                    if offset - valid < step / 64:
                        del directions[direction]
                    continue
                # at 0 or 1 after moving from elsewhere, P(hit) cannot turn back; still at the start's
                # 0 (or 1) it may yet rise far off (the year so far leaves the assumption a small weight)
                if hit.p in (0.0, 1.0) and hit.p != start.p:
                    del directions[direction]
                else:
                    directions[direction] = [offset * 2, offset]
                crossed = (hit.p >= goal) != (start.p >= goal) and abs(hit.p - goal) > 2 * hit.margin
                if monotone and crossed:
                    return
            if not directions:
                return

    def _sorted(self) -> list[tuple[float, float]]:
        return sorted((value, hit.p) for value, hit in self.points.items())

    def crossings(self, goal: float, tolerance: float) -> list[tuple[float, float]]:
        """Where P(hit) reaches ``goal`` between scanned points: (value, direction in which P
        rises there), each to ``tolerance``, on the side of the crossing where P >= goal. If
        P stays below the goal, the best value is looked for between the scanned points first."""
        pairs = self._straddling(goal)
        if not pairs and self.points and max(hit.p for hit in self.points.values()) < goal:
            self._refine_best()
            pairs = self._straddling(goal)
        return [self._bisect(a, b, goal, tolerance) for a, b in pairs]

    def _straddling(self, level: float) -> list[tuple[float, float]]:
        """Consecutive scanned points with P below ``level`` at the first and at least it at the
        second (in either order of value)."""
        points = self._sorted()
        return [
            (a, b) if pa < level else (b, a)
            for (a, pa), (b, pb) in itertools.pairwise(points)
            if (pa < level) != (pb < level)
        ]

    def _bisect(self, a: float, b: float, level: float, tolerance: float) -> tuple[float, float]:
        """P(a) < level <= P(b): narrow [a, b] to ``tolerance``; returns (b, sign(b - a))."""
        direction = math.copysign(1.0, b - a)
        for _step in range(60):
            if abs(b - a) <= tolerance:
                break
            middle = (a + b) / 2
            if self.probability(middle).p >= level:
                b = middle
            else:
                a = middle
        return b, direction

    def crossing_from(self, value: float, level: float, rising: float, tolerance: float) -> float | None:
        """Where P(hit) crosses ``level`` nearest ``value`` on the same slope (P rising in direction
        ``rising``), or None if it does not before the scanned range (or its best value) ends."""
        if not 0 < level < 1:
            return None
        candidates = [(a, b) for a, b in self._straddling(level) if math.copysign(1.0, b - a) == rising]
        if not candidates:
            return None
        a, b = min(candidates, key=lambda pair: abs((pair[0] + pair[1]) / 2 - value))
        return self._bisect(a, b, level, tolerance)[0]

    def _refine_best(self, steps: int = 12) -> None:
        """Golden-section search for the highest P(hit) around the best scanned point."""
        points = self._sorted()
        k = max(range(len(points)), key=lambda i: points[i][1])
        if k in (0, len(points) - 1):
            return  # the best is at an end of the range: P only rises (or falls) towards it
        low, high = points[k - 1][0], points[k + 1][0]
        ratio = (math.sqrt(5) - 1) / 2
        x1, x2 = high - ratio * (high - low), low + ratio * (high - low)
        for _step in range(steps):
            if self.probability(x1).p >= self.probability(x2).p:
                high, x2 = x2, x1
                x1 = high - ratio * (high - low)
            else:
                low, x1 = x1, x2
                x2 = low + ratio * (high - low)

    def best(self) -> tuple[float, float]:
        """(value, P(hit)) of the best point evaluated."""
        value, hit = max(self.points.items(), key=lambda item: item[1].p)
        return value, hit.p

    def why_not(self, goal: float, indicator_id: str, parameter: str, describe) -> str:
        points = self._sorted()
        lowest, highest = min(p for _, p in points), max(p for _, p in points)
        if lowest == highest:
            return _(
                "{id}'s P(hit) does not depend on {parameter} in this scenario (it stays {p} however far it "
                "moves): choose a parameter of {id} itself"
            ).format(id=indicator_id, parameter=parameter, p=f"{lowest:.1%}")
        if highest < goal:
            best_value, best_p = self.best()
            return _(
                "P(hit) stays between {low} and {high} for {parameter} from {start} to {end}, and is highest "
                "({best_p}) at {best}: {goal} cannot be reached"
            ).format(
                low=f"{lowest:.1%}",
                high=f"{highest:.1%}",
                parameter=parameter,
                start=describe(points[0][0]),
                end=describe(points[-1][0]),
                best_p=f"{best_p:.1%}",
                best=describe(best_value),
                goal=f"{goal:.0%}",
            )
        return _(
            "P(hit) stays between {low} and {high} for {parameter} from {start} to {end}: it is above {goal} "
            "everywhere, so the goal is met whatever the value"
        ).format(
            low=f"{lowest:.1%}",
            high=f"{highest:.1%}",
            parameter=parameter,
            start=describe(points[0][0]),
            end=describe(points[-1][0]),
            goal=f"{goal:.0%}",
        )
