"""Correlations: what makes indicators move together on a draw without one causing the other, given
as pairs or a matrix (repaired to the nearest valid one, with a warning); and the inputs held at a
value (a what-if), which a correlation must condition on rather than ignore.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from growthsim.i18n import _, ngettext
from growthsim.scenario.diagnostics import (
    as_written,
    kind_of,
)
from growthsim.scenario.quantities import (
    Expect,
)
from growthsim.scenario.types import (
    Indicator,
)
from growthsim.scenario.validation.values import ValueChecks
from growthsim.stats.dependence import (
    is_correlation_matrix,
    marginal_of,
    nearest_correlation,
    score_correlations,
)
from growthsim.stats.distributions import Fixed, quantile_of

__all__ = ["DependenceChecks"]


_HELD_EDGE = 1e-3  # a fixed value beyond its law's 0.1-99.9% range is held at an extreme


class DependenceChecks(ValueChecks):
    """Correlations and held inputs (a mixin of validation.Checker)."""

    def correlations(self, raw: Any, indicators: list[Indicator], all_ids: list[str]):
        """Pairs as written, and the matrix the engine will use: (ids, rows), repaired if need be."""
        if not isinstance(raw, dict):
            self.report(("correlations",), _("expected a [correlations] section such as gdp = { industry = 0.7 }"))
            return (), None
        known = {i.id for i in indicators}
        by_kind = {i.id: i.kind for i in indicators}
        pairs: dict[frozenset, tuple[str, str, float]] = {}
        if "matrix" in raw or "order" in raw:
            pairs.update(self.correlation_matrix_form(raw, all_ids))
            raw = {k: v for k, v in raw.items() if k not in ("matrix", "order")}
        misnamed = False  # then the scenario fails on the name: no matrix is built, nor repaired
        for first, partners in raw.items():
            path = ("correlations", first)
            if first not in all_ids:
                self.report(path, self.missing_indicator(first, all_ids), at="key")
                misnamed = True
                continue
            if not isinstance(partners, dict):
                self.report(
                    path,
                    _("expected a table of partners, e.g. {first} = {{ industry = 0.7 }}, got {kind_of}").format(
                        first=first, kind_of=kind_of(partners)
                    ),
                )
                continue
            for second, value in partners.items():
                here = (*path, second)
                if second not in all_ids:
                    self.report(here, self.missing_indicator(second, all_ids), at="key")
                    misnamed = True
                    continue
                if second == first:
                    self.report(here, _("an indicator's correlation with itself is always 1"), at="key")
                    continue
                if any(by_kind.get(x) == "derived" for x in (first, second)):
                    self.report(
                        here,
                        _("a derived indicator moves with the indicators of its formula: correlate those instead"),
                        at="key",
                    )
                    continue
                rho = self.quantity(value, here, Expect.NUMBER, None)
                if rho is None:
                    continue
                if not -1 <= rho <= 1:
                    self.report(
                        here,
                        _("a correlation lies between -1 and 1 (got {as_written})").format(
                            as_written=as_written(value)
                        ),
                    )
                    continue
                key = frozenset((first, second))
                if key in pairs:
                    a, b, _ignored = pairs[key]
                    self.report(
                        here,
                        _(
                            "the pair {first} ~ {second} is given twice (also as {a} ~ {b} = {value:g}): keep one"
                        ).format(first=first, second=second, a=a, b=b, value=pairs[key][2]),
                        at="key",
                    )
                    continue
                pairs[key] = (first, second, rho)
        usable = [p for p in pairs.values() if p[0] in known and p[1] in known]
        if not usable or misnamed:  # a misspelt id: its one-line error, not a repair of a matrix without it
            return tuple(pairs.values()), None
        paired = {indicator_id for p in usable for indicator_id in p[:2]}
        ids = [i.id for i in indicators if i.id in paired]
        index = {indicator_id: k for k, indicator_id in enumerate(ids)}
        asked = np.eye(len(ids))
        for a, b, rho in usable:
            asked[index[a], index[b]] = asked[index[b], index[a]] = rho
        matrix = asked
        valid = is_correlation_matrix(asked)
        if not valid:
            matrix = nearest_correlation(asked)
            moved = [
                f"{ids[i]} ~ {ids[j]}: {asked[i, j]:.3g} -> {matrix[i, j]:.3g}" for i, j in _moved_pairs(asked, matrix)
            ]
            if moved:  # otherwise the repair is below the precision anyone writes correlations with
                self.warn(
                    ("correlations",),
                    ngettext(
                        "these correlations cannot hold together (the matrix is not positive semi-definite; pairs you did not write count as 0); growthsim uses the nearest valid matrix, which moves {n} pair: ",
                        "these correlations cannot hold together (the matrix is not positive semi-definite; pairs you did not write count as 0); growthsim uses the nearest valid matrix, which moves {n} pairs: ",
                        len(moved),
                    ).format(n=len(moved))
                    + "; ".join(moved)
                    + _(". Writing the missing pairs usually avoids it."),
                )
        by_id = {i.id: i for i in indicators}

        def law(indicator: Indicator):  # a held fixed value: the law it is held within
            assumption = indicator.assumption
            return None if assumption is None else assumption.law or assumption.distribution

        marginals = [marginal_of(law(by_id[i]), by_id[i].kind == "count") for i in ids]
        scores, beyond = score_correlations(matrix, marginals)
        for i, j, limit in beyond:  # a count or a short list of values ties, and ties cap a rank correlation
            marginal_i, marginal_j = marginals[i], marginals[j]
            assert marginal_i is not None and marginal_j is not None  # score_correlations names only such pairs
            tied = " and ".join(ids[k] for k, marginal in ((i, marginal_i), (j, marginal_j)) if marginal.ties)
            self.warn(
                ("correlations",),
                ngettext(
                    "{ids} ~ {ids2}: a rank correlation of {matrix:.3g} cannot be reached, since {tied} takes few distinct values (ties): at most {limit:.2f} is possible, and growthsim uses {limit:.2f}",
                    "{ids} ~ {ids2}: a rank correlation of {matrix:.3g} cannot be reached, since {tied} take few distinct values (ties): at most {limit:.2f} is possible, and growthsim uses {limit:.2f}",
                    1 if " and " not in tied else 2,
                ).format(ids=ids[i], ids2=ids[j], matrix=matrix[i, j], tied=tied, limit=limit),
            )
        if valid and not is_correlation_matrix(scores):
            # valid as rank correlations, but the normal scores that would produce them are not quite
            achieved = 6 / np.pi * np.arcsin(nearest_correlation(scores) / 2)
            moved = [
                f"{ids[i]} ~ {ids[j]}: {asked[i, j]:.3g} -> {achieved[i, j]:.3g}"
                for i, j in _moved_pairs(asked, achieved)
            ]
            if moved:
                self.warn(
                    ("correlations",),
                    ngettext(
                        "no joint distribution of normal scores has exactly these rank correlations; growthsim uses the nearest, which moves {n} pair: ",
                        "no joint distribution of normal scores has exactly these rank correlations; growthsim uses the nearest, which moves {n} pairs: ",
                        len(moved),
                    ).format(n=len(moved))
                    + "; ".join(moved),
                )
        fixed = [i for i in indicators if i.id in ids and i.assumption is not None and i.assumption.dist == "fixed"]
        for indicator in fixed:
            assert indicator.assumption is not None  # fixed holds only indicators with an assumption
            if indicator.assumption.law is None:
                self.warn(
                    ("correlations",),
                    _(
                        "{id} has a fixed value: a correlation with it has no effect (its partners are drawn as if {id} were unknown). To hold {id} at a value so that its partners follow it, keep its distribution here and fix the value in a child scenario (extends) or with --what-if"
                    ).format(id=indicator.id),
                )
            else:
                self.hold_in_range(indicator)
        return tuple(pairs.values()), (tuple(ids), tuple(map(tuple, matrix.tolist())))

    def correlation_matrix_form(self, raw: dict, all_ids: list[str]) -> dict[frozenset, tuple[str, str, float]]:
        """order = [ids] and matrix = [[...]] (symmetric, unit diagonal) as pairs, zeros included."""
        path = ("correlations",)
        order, matrix = raw.get("order"), raw.get("matrix")
        if order is None or matrix is None:
            self.report(
                path,
                _('a correlation matrix needs both order = ["gdp", "industry", ...] and matrix = [[1, 0.6, ...], ...]'),
                at="key",
            )
            return {}
        if not isinstance(order, list) or not all(isinstance(x, str) for x in order) or len(set(order)) != len(order):
            self.report((*path, "order"), _("expected a list of different indicator ids"))
            return {}
        ok = True
        bodies = self.resolved.raw.get("indicators")
        for k, indicator_id in enumerate(order):
            if indicator_id not in all_ids:
                self.report((*path, "order", k), self.missing_indicator(indicator_id, all_ids))
                ok = False
            elif (
                isinstance(bodies, dict)
                and isinstance(bodies.get(indicator_id), dict)
                and bodies[indicator_id].get("kind") == "derived"
            ):  # as the pair form says it
                self.report(
                    (*path, "order", k),
                    _("a derived indicator moves with the indicators of its formula: correlate those instead"),
                )
                ok = False
        size = len(order)
        if not (
            isinstance(matrix, list)
            and len(matrix) == size
            and all(isinstance(row, list) and len(row) == size for row in matrix)
        ):
            self.report(
                (*path, "matrix"), _("expected {size} rows of {size} numbers, one per id in order").format(size=size)
            )
            return {}
        values = np.full((size, size), np.nan)
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                number = self.quantity(value, (*path, "matrix", i), Expect.NUMBER, None)
                if number is None or not -1 <= number <= 1:
                    if number is not None:
                        self.report(
                            (*path, "matrix", i),
                            _("row {value}: a correlation lies between -1 and 1 (got {as_written})").format(
                                value=i + 1, as_written=as_written(value)
                            ),
                        )
                    ok = False
                    continue
                values[i, j] = number
        if not ok:
            return {}
        for i in range(size):
            if values[i, i] != 1:
                self.report(
                    (*path, "matrix", i),
                    _("row {value}: the diagonal must be 1 ({order} with itself)").format(value=i + 1, order=order[i]),
                )
                return {}
            for j in range(i + 1, size):
                if values[i, j] != values[j, i]:
                    self.report(
                        (*path, "matrix", j),
                        _(
                            "the matrix must be symmetric: {order} ~ {order2} is {values:g} in row {value} but {values2:g} in row {value2}"
                        ).format(
                            order=order[i],
                            order2=order[j],
                            values=values[i, j],
                            value=i + 1,
                            values2=values[j, i],
                            value2=j + 1,
                        ),
                    )
                    return {}
        return {
            frozenset((order[i], order[j])): (order[i], order[j], float(values[i, j]))
            for i in range(size)
            for j in range(i + 1, size)
        }

    def copula_for_holds(self, indicators: list[Indicator], correlated: tuple, method: str) -> str:
        """Iman-Conover cannot rank a constant: a scenario holding a correlated input at a fixed value
        (Assumption.law) is drawn with the Gaussian copula, which has the same marginals and rank
        correlations, and can draw the partners given the held value."""
        held = [
            i
            for i in indicators
            if i.id in correlated
            and i.assumption is not None
            and i.assumption.law is not None
            and i.assumption.dist == "fixed"
        ]
        if not held:
            return method
        for indicator in held:
            assert indicator.assumption is not None  # held holds only indicators with an assumption
            self.report(
                ("indicators", indicator.id, indicator.assumption.on),
                _(
                    "{id} is held at a fixed value within its correlations: its partners are drawn given that value, which needs the Gaussian copula, so this scenario is drawn with it (the same distributions and rank correlations as Iman-Conover)"
                ).format(id=indicator.id),
                at="key",
                severity="warning",
            )
        return "gaussian_copula"

    def hold_in_range(self, indicator: Indicator) -> None:
        """A fixed value held within a law it lies far outside of: say that the partners are drawn
        as if at the law's edge (where the correlation says they would be)."""
        assumption = indicator.assumption
        # called only for an indicator whose assumption holds a fixed value (dist "fixed", a Fixed) within a law
        assert assumption is not None and assumption.law is not None and isinstance(assumption.distribution, Fixed)
        q = quantile_of(assumption.law, assumption.distribution.value, indicator.kind == "count")
        if _HELD_EDGE < q < 1 - _HELD_EDGE:
            return
        self.report(
            ("indicators", indicator.id, assumption.on),
            _(
                "{id}'s fixed value {fmt} lies beyond the 0.1%-99.9% range of the distribution it replaces (from {law_origin}): its correlated partners are drawn as at that distribution's {value} extreme"
            ).format(
                id=indicator.id,
                fmt=indicator.fmt(assumption.distribution.value),
                law_origin=assumption.law_origin,
                value="lowest" if q <= _HELD_EDGE else "highest",
            ),
            at="key",
            severity="warning",
        )


def _moved_pairs(asked: np.ndarray, used: np.ndarray) -> list[tuple[int, int]]:
    """The pairs (i < j) whose correlation a repair moved by more than anyone writes one with."""
    return [(i, j) for i, j in np.argwhere(np.triu(np.abs(used - asked) > 5e-4, k=1)).tolist()]
