"""Drivers: what makes one indicator move *because* another does, a link with an elasticity in the
units the planner writes ("0.8", "0.5pp/pp", "300户/亿元"), its `at`, its size against the
indicator's own spread, and its agreement with any correlation declared between the same two.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from typing import Any

import numpy as np

from growthsim.i18n import _
from growthsim.scenario.diagnostics import (
    Diagnostic,
    as_written,
    kind_of,
)
from growthsim.scenario.quantities import (
    Expect,
    format_value,
    split_multiplier,
)
from growthsim.scenario.types import (
    Driver,
    Indicator,
)
from growthsim.scenario.validation.formulas import cycle_words, find_cycle
from growthsim.scenario.validation.values import ValueChecks
from growthsim.stats.distributions import quantity_at

__all__ = ["LINK_SWAMPS", "MAX_ELASTICITY", "LinkChecks", "link_unit"]


MAX_ELASTICITY = 1e6  # in the written unit: beyond it no link means anything a planner could state


_ELASTICITY = re.compile(r"^\s*([+\-−]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?)\s*(.*?)\s*$")


LINK_SWAMPS = 5  # a link whose 5-95% range is this many times the indicator's own is suspect


def _span(indicator: Indicator, span: float) -> str:
    """A range of values in the indicator's terms: points for percentages, its unit for amounts."""
    if indicator.expect is Expect.AMOUNT:
        return format_value(float(f"{span:.3g}"), Expect.AMOUNT, indicator.unit)
    return f"{span * 100:.3g}pp"


def link_unit(dependent: Indicator, driver: Indicator) -> tuple[str, float]:
    """How an elasticity of ``dependent`` on ``driver`` is written ("pp/pp", "人/pp", "pp/户"), and the
    factor from that unit to code units: percentages and points count in pp (1/100 in code)."""

    def side(indicator: Indicator) -> tuple[str, float]:
        if indicator.expect is not Expect.AMOUNT:
            return "pp", 0.01
        return indicator.unit or "unit", 1.0

    (dependent_unit, dependent_scale), (driver_unit, driver_scale) = side(dependent), side(driver)
    return f"{dependent_unit}/{driver_unit}", dependent_scale / driver_scale


def _quantity_words(indicator: Indicator) -> str:
    if indicator.expect is Expect.AMOUNT:
        if indicator.kind == "count":
            return _("a count in {unit}").format(unit=indicator.unit)
        return _("a level in {unit}").format(unit=indicator.unit)
    return {"growth": _("a growth"), "change": _("a change in points")}.get(indicator.metric, _("a rate"))


def _normal_unit(text: str) -> str:
    text = text.replace("个百分点", "pp").replace("百分点", "pp").replace("％", "%").replace(" ", "")
    return text.replace("per", "/").replace("每", "/")


def _unit_scale(written: str, dependent: Indicator, driver: Indicator) -> float | None:
    """The factor from an elasticity written in ``written`` ("170人/pp", "0.017万人/pp",
    "-0.2pp/万人") to one in link_unit's unit, or None when it does not fit: each side is pp (or
    %) for a percentage or points, or the indicator's unit with an optional 万/亿 in front."""
    parts = _normal_unit(written).split("/")
    if len(parts) != 2:
        return None

    def side(text: str, indicator: Indicator) -> float | None:  # written units per the indicator's unit
        if indicator.expect is not Expect.AMOUNT:
            return 1.0 if text in ("pp", "%") else None
        multiplier, base = split_multiplier(text)
        own_multiplier, own_base = split_multiplier(indicator.unit or "unit")
        return own_multiplier / multiplier if base == own_base else None

    top, bottom = side(parts[0], dependent), side(parts[1], driver)
    if top is None or bottom is None:
        return None
    return bottom / top


class LinkChecks(ValueChecks):
    """Drivers and their links (a mixin of validation.Checker)."""

    def check_drivers(self, indicators: list[Indicator], all_ids: list[str]) -> list[Indicator]:
        """Each indicator's drivers (read in validation.indicator, checked here once every indicator
        is known), and no circle through links and formulas together."""
        by_id = {i.id: i for i in indicators}
        for dependent, removed, remover in self.resolved.dropped_links:
            if dependent in by_id:  # said where the removal is written
                line, col, line_text = remover.locate(("remove_indicators",), at="key")
                self.diagnostics.append(
                    Diagnostic(
                        remover.label,
                        line,
                        col,
                        "remove_indicators",
                        _(
                            "{removed} drove {dependent}: its link goes with it, so {dependent} no longer moves with {removed}, and {dependent}'s own assumption (stated for {removed} at its reference value) is now the whole of it"
                        ).format(removed=removed, dependent=dependent),
                        "warning",
                        line_text,
                    )
                )
        linked: dict[str, tuple[Driver, ...]] = {}
        for indicator_id, raw in self.raw_drivers.items():
            dependent = by_id.get(indicator_id)
            if dependent is None:
                continue  # left out for errors of its own
            path = ("indicators", indicator_id, "drivers")
            if isinstance(raw, dict) and not raw:
                continue  # drivers = {}: no links (a child scenario switching its parent's off)
            if not isinstance(raw, dict):
                got = kind_of(raw)
                self.report(
                    path,
                    _(
                        'expected a table of drivers, each with its elasticity and the driver\'s value at which this indicator\'s own assumption is stated, e.g. [indicators.{indicator_id}.drivers] with fai = {{ elasticity = 0.1, at = "10%", rationale = "..." }}; got {got}'
                    ).format(indicator_id=indicator_id, got=got),
                )
                continue
            drivers = [
                self.driver(dependent, driver_id, entry, (*path, driver_id), by_id, all_ids)
                for driver_id, entry in raw.items()
            ]
            linked[indicator_id] = tuple(d for d in drivers if d is not None)
        indicators = [dataclasses.replace(i, drivers=linked[i.id]) if i.id in linked else i for i in indicators]
        by_id = {i.id: i for i in indicators}
        for indicator in indicators:
            for driver in indicator.drivers:
                self.check_link_size(indicator, driver, by_id[driver.indicator])
            assumption = indicator.assumption
            if (
                indicator.drivers
                and assumption is not None
                and assumption.law is not None
                and assumption.dist == "fixed"
            ):
                names = ", ".join(d.indicator for d in indicator.drivers)
                self.report(
                    ("indicators", indicator.id, assumption.on),
                    _(
                        "{id} is driven by {names}: a fixed value holds its own part (what they leave unexplained), and its outcome still moves with them. To hold the outcome itself, switch its links off too: drivers = {{}} in [indicators.{id}], or --what-if {id}.drivers={{}}"
                    ).format(id=indicator.id, names=names),
                    at="key",
                    severity="warning",
                )
        graph = {
            i.id: [
                *(r.indicator for r in (i.formula.references if i.formula else ()) if r.indicator in by_id),
                *(d.indicator for d in i.drivers),
            ]
            for i in indicators
            if i.formula is not None or i.drivers
        }
        cycle = find_cycle(graph)
        if cycle:
            links = {i.id: {d.indicator for d in i.drivers} for i in indicators}
            edges = [(a, b) for a, b in itertools.pairwise(cycle) if b in links[a]]
            # point at a link the scenario's own file wrote, if one did: the change that closed the circle
            own = [
                (a, b)
                for a, b in edges
                if self.resolved.source_of(("indicators", a, "drivers", b)) is self.resolved.main
            ]
            a, b = (own or edges)[0]
            self.report(
                ("indicators", a, "drivers", b),
                _("the links (and formulas) go round in a circle: ")
                + cycle_words(cycle)
                + _(
                    " (each would need the other's outcome first): remove one of these links, or say with [correlations] that they move together"
                ),
                at="key",
            )
            indicators = [dataclasses.replace(i, drivers=()) if i.id in cycle else i for i in indicators]
        return indicators

    def driver(
        self, dependent: Indicator, driver_id: str, entry: Any, path: tuple, by_id: dict, all_ids: list[str]
    ) -> Driver | None:
        if driver_id == dependent.id:
            self.report(
                path, _("an indicator cannot drive itself: its own assumption already says how it moves"), at="key"
            )
            return None
        other = by_id.get(driver_id)
        if other is None:
            named = next((i.id for i in by_id.values() if i.name == driver_id), None)
            if named is not None:
                self.report(
                    path,
                    _(
                        "{driver_id!r} is the name of {named}: a link names its driver by its id, {named} = {{ ... }}"
                    ).format(driver_id=driver_id, named=named),
                    at="key",
                )
            elif driver_id not in all_ids or driver_id in self.resolved.removed:
                self.report(path, self.missing_indicator(driver_id, all_ids), at="key")
            return None  # otherwise it exists with errors of its own, reported there
        unit, factor = link_unit(dependent, other)
        example_at = (
            {"growth": '"10%"', "change": '"0.5pp"'}.get(other.metric) if other.expect is not Expect.AMOUNT else "12000"
        )
        if other.expect is not Expect.AMOUNT and other.metric == "level":
            example_at = '"5%"'
        entry = self.table(
            entry,
            path,
            ("elasticity", "at", "source", "rationale"),
            required={
                "elasticity": f"how much {dependent.id} moves per unit of {driver_id}, in {unit}",
                "at": f"the value of {driver_id} at which {dependent.id}'s own assumption is stated, "
                f"e.g. at = {example_at}",
            },
            what=_('table such as {driver_id} = {{ elasticity = ..., at = {example_at}, rationale = "..." }}').format(
                driver_id=driver_id, example_at=example_at
            ),
        )
        if entry is None:
            return None
        elasticity = None
        if "elasticity" in entry:
            elasticity = self.elasticity(entry["elasticity"], (*path, "elasticity"), dependent, other, unit)
        at = self.quantity(entry["at"], (*path, "at"), other.expect, other.unit) if "at" in entry else None
        source, rationale = self.text(entry, "source", path), self.text(entry, "rationale", path)
        if elasticity is None or at is None:
            return None
        if not (source or rationale):
            self.warn(
                path,
                _("a link without a source or rationale: say where the elasticity comes from, or why it is what it is"),
            )
        written = entry["elasticity"]
        written_text = written if isinstance(written, str) else f"{written:g} {unit}"
        return Driver(
            driver_id, elasticity * factor, at, unit, written_text, as_written(entry["at"]), factor, source, rationale
        )

    def check_link_size(self, dependent: Indicator, driver: Driver, other: Indicator) -> None:
        """A link that swamps the indicator it drives is almost always an elasticity in the wrong
        unit (10 for 0.1): warn when the link's 5%-95% range is over LINK_SWAMPS times that of the
        indicator's own assumption, or when it can take a growth below -100% (a negative level)."""
        if other.assumption is None or dependent.assumption is None:
            return  # a derived driver's range is only known on draws
        is_count = other.kind == "count"
        law = other.assumption.law or other.assumption.distribution
        low, high, lowest, highest = quantity_at(law, np.array([0.05, 0.95, 0.001, 0.999]), is_count)
        own_low, own_high, own_lowest = quantity_at(
            dependent.assumption.distribution, np.array([0.05, 0.95, 0.001]), dependent.kind == "count"
        )
        span, own_span = abs(driver.elasticity) * (high - low), own_high - own_low
        path = ("indicators", dependent.id, "drivers", driver.indicator)
        check = _("check the elasticity's size ({value:g} {unit}: so much of {id} per unit of {id2})").format(
            value=driver.elasticity / driver.factor, unit=driver.unit, id=dependent.id, id2=other.id
        )
        if own_span > 0 and span > LINK_SWAMPS * own_span:
            self.report(
                path,
                _(
                    "the link from {id} moves {id2} over a range of {span} (5%-95% of {id}'s values), {value:.0f} times the {span2} of {id2}'s own assumption: {check}"
                ).format(
                    id=other.id,
                    id2=dependent.id,
                    span=_span(dependent, span),
                    value=span / own_span,
                    span2=_span(dependent, own_span),
                    check=check,
                ),
                at="key",
                severity="warning",
            )
        elif (
            dependent.metric == "growth"
            and own_lowest + min(driver.elasticity * (v - driver.at) for v in (lowest, highest)) < -1
        ):
            self.report(
                path,
                _(
                    "the link from {id} can take {id2}'s growth below -100% (a negative level) when {id} is near its extremes: {check}"
                ).format(id=other.id, id2=dependent.id, check=check),
                at="key",
                severity="warning",
            )

    def elasticity(self, raw: Any, path: tuple, dependent: Indicator, driver: Indicator, unit: str) -> float | None:
        """An elasticity in ``unit``: a bare number, or a number with that unit ("0.15pp/pp",
        "300人/pp"; "%/%" for a growth on a growth)."""
        meaning = _("{id} is {quantity_words} and {id2} {quantity_words2}, so the elasticity is in {unit}").format(
            id=dependent.id,
            quantity_words=_quantity_words(dependent),
            id2=driver.id,
            quantity_words2=_quantity_words(driver),
            unit=unit,
        )
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            self.report(
                path,
                _("expected a number such as 0.15 ({meaning}), got {kind_of}").format(
                    meaning=meaning, kind_of=kind_of(raw)
                ),
            )
            return None
        scale = 1.0
        if isinstance(raw, str):
            match = _ELASTICITY.match(raw)
            if not match:
                self.report(path, _("cannot read {raw!r} as a number ({meaning})").format(raw=raw, meaning=meaning))
                return None
            if match.group(2).startswith("/") and _ELASTICITY.match(match.group(2)[1:]):
                self.report(
                    path,
                    _("cannot read {raw!r}: write the elasticity as a decimal number such as 0.1 ({meaning})").format(
                        raw=raw, meaning=meaning
                    ),
                )
                return None
            if match.group(2):
                unit_scale = _unit_scale(match.group(2), dependent, driver)
                if unit_scale is None:
                    per = (
                        ""
                        if "/" in match.group(2)
                        else _(" (an elasticity is a ratio: so much per unit of the driver)")
                    )
                    self.report(
                        path,
                        _(
                            '{meaning}, not {group}{per}: write the elasticity as a number in {unit}, bare or with its unit, e.g. elasticity = "…{unit}"'
                        ).format(meaning=meaning, group=match.group(2), per=per, unit=unit),
                    )
                    return None
                scale = unit_scale
            raw = match.group(1).replace("−", "-")
        try:
            number = float(raw)
        except (OverflowError, ValueError):
            number = math.inf
        number *= scale
        if not math.isfinite(number) or abs(number) > MAX_ELASTICITY:
            self.report(
                path,
                _(
                    "an elasticity must be a finite number of at most {MAX_ELASTICITY:g} {unit} either way (got {as_written})"
                ).format(MAX_ELASTICITY=MAX_ELASTICITY, unit=unit, as_written=as_written(raw)),
            )
            return None
        return number

    def check_links_against_correlations(self, indicators: list[Indicator], pairs) -> None:
        """A correlation between an indicator and its driver (or an indicator the driver's formula
        uses) counts the tie twice: the link already makes them move together."""
        by_id = {i.id: i for i in indicators}

        def upstream(indicator_id: str, seen: set[str]) -> set[str]:  # the driver and what its formulas use
            if indicator_id in seen or indicator_id not in by_id:
                return seen
            seen.add(indicator_id)
            formula = by_id[indicator_id].formula
            for reference in formula.references if formula is not None else ():
                upstream(reference.indicator, seen)
            return seen

        written = {frozenset((a, b)): (a, b, rho) for a, b, rho in pairs}
        for indicator in indicators:
            for driver in indicator.drivers:
                for partner in sorted(upstream(driver.indicator, set())):
                    pair = written.get(frozenset((indicator.id, partner)))
                    if pair is None or pair[2] == 0:
                        continue
                    via = "" if partner == driver.indicator else f" (through {driver.indicator}'s formula)"
                    self.warn(
                        ("correlations", pair[0], pair[1]),
                        _(
                            "{id} is driven by {indicator}{via} (indicators.{id}.drivers.{indicator}), so the link already makes {id} and {partner} move together; this correlation adds a tie between {partner} and what the link leaves unexplained, counting much of it twice. Remove it (or set it to 0) unless that is what you mean"
                        ).format(id=indicator.id, indicator=driver.indicator, via=via, partner=partner),
                    )
