"""Derived indicators and relative targets: a formula's references and syntax (reported at its
column), the graph of formulas and drivers without a cycle, and a target relative to another
indicator that can be compared with it (the same basis, the same unit).
"""

from __future__ import annotations

from growthsim.i18n import _, ngettext
from growthsim.scenario.diagnostics import (
    Diagnostic,
    format_key_path,
    one_of,
)
from growthsim.scenario.formulas import FormulaError, parse_formula
from growthsim.scenario.quantities import (
    Expect,
)
from growthsim.scenario.types import (
    BASES,
    DERIVED_METRICS,
    Indicator,
)
from growthsim.scenario.validation.values import ValueChecks

__all__ = ["FormulaChecks", "cycle_words", "find_cycle"]


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle in the derived-indicator graph as [a, b, ..., a], or None.

    A depth-first search with an explicit stack, not recursion: a chain of thousands of indicators,
    each computed from the next, is a scenario to check, not a RecursionError."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in graph:
        if start in state:
            continue
        path = [start]  # the current path; frames[i] iterates path[i]'s successors
        frames = [iter(graph.get(start, []))]
        state[start] = 1
        while frames:
            nxt = next(frames[-1], None)
            if nxt is None:  # every successor of path[-1] explored
                frames.pop()
                state[path.pop()] = 2
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt in graph and nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                frames.append(iter(graph.get(nxt, [])))
    return None


def cycle_words(cycle: list[str], shown: int = 6) -> str:
    """a -> b -> c -> a; a circle of hundreds of indicators with its middle counted, not listed."""
    if len(cycle) <= 2 * shown:
        return " -> ".join(cycle)
    middle = _("… {n} more …").format(n=f"{len(cycle) - 2 * shown + 1:,}")
    return " -> ".join([*cycle[:shown], middle, *cycle[-shown + 1 :]])


class FormulaChecks(ValueChecks):
    """Formulas and relative targets (a mixin of validation.Checker)."""

    def derived(
        self,
        indicator_id: str,
        body: dict,
        path: tuple,
        name: str,
        unit: str,
        source: str | None,
        note: str | None,
        ok: bool,
    ) -> Indicator | None:
        """An indicator computed from others by a formula; references are checked once all are read."""
        metric = None
        if "metric" not in body:
            self.report(
                path,
                _(
                    "missing required key 'metric': what the formula gives, one of {one_of} (a growth such as per-capita GDP growth, a level such as R&D intensity, or a change in points)"
                ).format(one_of=one_of(DERIVED_METRICS)),
                at="key",
            )
        else:
            metric = self.choice(body, "metric", path, DERIVED_METRICS)
        formula = None
        if "formula" not in body:
            self.report(
                path,
                _("missing required key 'formula', e.g. formula = \"(1 + gdp.growth) / (1 + population.growth) - 1\""),
                at="key",
            )
        else:
            text = self.text(body, "formula", path)
            if text is not None:
                try:
                    formula = parse_formula(text)
                except FormulaError as error:
                    self.report_in_formula((*path, "formula"), error.col, f"{error.message}")
        basis = self.choice(body, "basis", path, BASES) if "basis" in body else None
        if "drivers" in body:
            self.report(
                (*path, "drivers"),
                _(
                    "a derived indicator has no assumption of its own for links to add to: write the drivers into its formula, or link the indicators its formula uses"
                ),
                at="key",
            )
            ok = False
        baseline = None
        if metric is not None and "baseline" in body:
            expect = Expect.PERCENT if (metric == "change" or unit == "%") else Expect.AMOUNT
            baseline = self.quantity(body["baseline"], (*path, "baseline"), expect, unit)
        if metric is None or formula is None or not ok:
            return None
        natural = f"derived/{metric}{'%' if metric == 'level' and unit == '%' else ''}"
        target = None
        if "target" in body:
            target = self.target(body["target"], (*path, "target"), natural, unit, baseline)
            if target is None:
                return None
        return Indicator(
            id=indicator_id,
            name=name,
            unit=unit,
            kind="derived",
            assumption=None,
            basis=basis,
            baseline=baseline,
            source=source,
            note=note,
            target=target,
            formula=formula,
            derived_metric=metric,
        )

    def report_in_formula(self, path: tuple, col: int | None, message: str) -> None:
        """A problem at column ``col`` of a formula string: point the caret into the formula."""
        source = self.resolved.source_of(path)
        line, value_col, line_text = source.locate(tuple(path), at="value")
        at = value_col + col if value_col is not None and col is not None else value_col
        where = _(" (at column {col} of the formula)").format(col=col) if col is not None else ""
        self.diagnostics.append(
            Diagnostic(source.label, line, at, format_key_path(path), message + where, "error", line_text)
        )

    def check_formulas(self, indicators: list[Indicator], all_ids: list[str]) -> list[Indicator]:
        """References of formulas exist and offer the field asked for; derived indicators form no cycle.

        Returns the indicators with the broken derived ones left out."""
        by_id = {i.id: i for i in indicators}
        broken = set()
        for indicator in indicators:
            if indicator.formula is None:
                continue
            path = ("indicators", indicator.id, "formula")
            for reference in indicator.formula.references:
                other = by_id.get(reference.indicator)
                if other is None:
                    if reference.indicator not in all_ids or reference.indicator in self.resolved.removed:
                        missing = self.missing_indicator(reference.indicator, all_ids)
                        self.report_in_formula(path, reference.col, missing)
                    broken.add(indicator.id)
                elif reference.field not in other.fields:
                    hint = _(" (a level needs the indicator's baseline)") if reference.field == "level" else ""
                    offered = " and ".join("." + f for f in other.fields)
                    self.report_in_formula(
                        path,
                        reference.col,
                        _("{indicator} has {offered}, not .{field}{hint}").format(
                            indicator=reference.indicator, offered=offered, field=reference.field, hint=hint
                        ),
                    )
                    broken.add(indicator.id)
        graph = {
            i.id: [r.indicator for r in i.formula.references if r.indicator in by_id]
            for i in indicators
            if i.formula is not None
        }
        cycle = find_cycle(graph)
        if cycle:
            self.report(
                ("indicators", cycle[0], "formula"),
                _("the formulas refer to each other in a circle: ")
                + cycle_words(cycle)
                + _(": one of them must be drawn, not derived"),
            )
            broken.update(cycle)
        return [i for i in indicators if i.id not in broken]

    def check_relative_targets(self, indicators: list[Indicator], all_ids: list[str]) -> None:
        """Relative targets name another indicator; ``all_ids`` includes those that had errors."""
        by_id = {i.id: i for i in indicators}
        for indicator in indicators:
            target = indicator.target
            if target is None or target.op != "relative":
                continue
            assert target.relative_to is not None  # a relative target is made with the id it names
            path = ("indicators", indicator.id, "target", "relative_to")
            other = by_id.get(target.relative_to)
            if other is None and target.relative_to in all_ids:
                continue  # it exists but has errors of its own, reported there
            if other is None:
                self.report(
                    path,
                    _("{missing_indicator}; indicators in this scenario: {one_of}").format(
                        missing_indicator=self.missing_indicator(target.relative_to, all_ids), one_of=one_of(all_ids)
                    ),
                )
            elif other.id == indicator.id:
                self.report(path, _("an indicator cannot be compared with itself"))
            elif other.metric != indicator.metric:
                self.report(
                    path,
                    _("cannot compare {id}'s {metric} with {id2}'s {metric2}").format(
                        id=indicator.id, metric=indicator.metric, id2=other.id, metric2=other.metric
                    ),
                )
            elif other.kind not in ("flow", "derived") and other.kind != indicator.kind:
                self.report(
                    path,
                    _("cannot compare a {kind} with a {kind2} ({id})").format(
                        kind=indicator.kind, kind2=other.kind, id=other.id
                    ),
                )
            elif indicator.basis and other.basis and other.basis != indicator.basis:
                self.report(
                    path,
                    _(
                        "{id} grows in {basis} terms but {id2} in {basis2} terms: compare growths on the same price basis"
                    ).format(id=indicator.id, basis=indicator.basis, id2=other.id, basis2=other.basis),
                )
            elif indicator.metric == "growth" and not (indicator.basis and other.basis):
                # a derived growth says nothing of its prices unless told: comparing it with a
                # real growth could be comparing a nominal one, off by the whole of inflation
                unknown = [i.id for i in (indicator, other) if not i.basis]
                self.report(
                    path,
                    ngettext(
                        '{join} declares no basis, so {id}\'s growth cannot be compared with {id2}\'s on the same prices: add basis = "real" (comparable prices) or "nominal" to {join2}',
                        '{join} declare no basis, so {id}\'s growth cannot be compared with {id2}\'s on the same prices: add basis = "real" (comparable prices) or "nominal" to {join2}',
                        len(unknown),
                    ).format(
                        join=" and ".join(unknown),
                        id=indicator.id,
                        id2=other.id,
                        join2=", ".join(f"indicators.{u}" for u in unknown),
                    ),
                )
            elif indicator.expect is Expect.AMOUNT and other.unit != indicator.unit:
                self.report(path, _("units differ: {unit} vs {unit2}").format(unit=indicator.unit, unit2=other.unit))
