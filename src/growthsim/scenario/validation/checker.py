"""The Checker: walks a scenario document section by section with the checks of base, values,
dependence, events, links and formulas, and builds the Scenario."""

from __future__ import annotations

import unicodedata
from typing import Any

from growthsim.i18n import _
from growthsim.scenario.diagnostics import (
    kind_of,
    one_of,
)
from growthsim.scenario.families import (
    DISTRIBUTIONS,
)
from growthsim.scenario.quantities import (
    Expect,
)
from growthsim.scenario.reading import ASCII_ID_HINT
from growthsim.scenario.types import (
    BASES,
    DEFAULT_DRAWS,
    ID_PATTERN,
    KIND_MEANINGS,
    KINDS,
    MAX_DRAWS,
    SHORT_NAME_CELLS,
    Indicator,
    Scenario,
)
from growthsim.scenario.validation.dependence import DependenceChecks
from growthsim.scenario.validation.events import EventChecks
from growthsim.scenario.validation.formulas import FormulaChecks
from growthsim.scenario.validation.links import LinkChecks
from growthsim.scenario.validation.seasonal import SeasonalChecks
from growthsim.stats.dependence import (
    METHODS,
)

__all__ = ["Checker"]


def _cells(text: str) -> int:
    """Terminal cells of ``text``: a Chinese character takes two."""

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Checker(DependenceChecks, EventChecks, LinkChecks, FormulaChecks, SeasonalChecks):
    """Walks the parsed TOML, building the Scenario and collecting every problem on the way."""

    def scenario(self, raw: dict) -> Scenario:
        # extends and remove_indicators were consumed by layers.py; listed so that a misspelling is caught
        self.table(
            raw,
            (),
            (
                "extends",
                "remove_indicators",
                "scenario",
                "simulation",
                "indicators",
                "events",
                "correlations",
                "actuals",
            ),
            required=("scenario", "indicators"),
        )
        meta = {}
        if "scenario" in raw:  # a missing [scenario] is reported once, above
            meta = (
                self.table(
                    raw["scenario"],
                    ("scenario",),
                    ("name", "short_name", "description", "base_year", "target_year", "source"),
                    required=("name",),
                )
                or {}
            )
        name = self.text(meta, "name", ("scenario",), required=True) or ""
        short_name = self.text(meta, "short_name", ("scenario",))
        if short_name is not None and _cells(short_name) > SHORT_NAME_CELLS:
            self.report(
                ("scenario", "short_name"),
                _(
                    "a short name heads a column of compare's table: at most {n} "
                    "Chinese characters ({cells} letters), got {got}"
                ).format(n=SHORT_NAME_CELLS // 2, cells=SHORT_NAME_CELLS, got=short_name),
            )
        description = self.text(meta, "description", ("scenario",)) or ""
        source = self.text(meta, "source", ("scenario",))
        base_year = self.integer(meta, "base_year", ("scenario",), 1900, 2200)
        target_year = self.integer(meta, "target_year", ("scenario",), 1900, 2200)
        base_ok = base_year is not None or "base_year" not in meta  # a bad base_year is reported once
        base_year = base_year if base_year is not None else 2022
        if target_year is None:
            target_year = base_year + 1
        elif base_ok and target_year != base_year + 1:
            self.report(
                ("scenario", "target_year"),
                _("growthsim projects one year ahead: target_year must be base_year + 1 = {value}").format(
                    value=base_year + 1
                ),
            )

        sim = self.table(raw.get("simulation", {}), ("simulation",), ("draws", "seed", "correlation_method")) or {}
        method = self.choice(sim, "correlation_method", ("simulation",), METHODS) or METHODS[0]
        draws = self.integer(sim, "draws", ("simulation",), 1, MAX_DRAWS) or DEFAULT_DRAWS
        seed = self.integer(sim, "seed", ("simulation",), 0, 2**63 - 1)

        indicators_raw = raw.get("indicators", {})
        indicators: list[Indicator] = []
        if isinstance(indicators_raw, dict):
            if not indicators_raw and "indicators" in raw:
                self.report(("indicators",), _("no indicators: add at least one [indicators.<id>] section"), at="key")
            for indicator_id, body in indicators_raw.items():
                indicator = self.indicator(indicator_id, body)
                if indicator is not None:
                    indicators.append(indicator)
            indicators = self.check_formulas(indicators, list(indicators_raw))
            indicators = self.check_drivers(indicators, list(indicators_raw))
            self.check_relative_targets(indicators, all_ids=list(indicators_raw))
        else:
            self.report(
                ("indicators",),
                _("expected a table of indicators, got {kind_of}").format(kind_of=kind_of(indicators_raw)),
            )
        all_ids = list(indicators_raw) if isinstance(indicators_raw, dict) else []
        events = self.events(raw.get("events", {}), indicators, all_ids)
        pairs, matrix = self.correlations(raw.get("correlations", {}), indicators, all_ids)
        self.check_links_against_correlations(indicators, pairs)
        if matrix is not None and method != "gaussian_copula":
            method = self.copula_for_holds(indicators, matrix[0], method)
        return Scenario(
            name=name,
            short_name=short_name,
            description=description,
            base_year=base_year,
            target_year=target_year,
            source=source,
            draws=draws,
            seed=seed,
            indicators=tuple(indicators),
            events=tuple(events),
            correlations=pairs,
            correlation_matrix=matrix,
            correlation_method=method,
        )

    def indicator(self, indicator_id: str, body: Any) -> Indicator | None:
        path = ("indicators", indicator_id)
        ok = True
        if not ID_PATTERN.match(indicator_id):
            if not indicator_id.isascii():  # the hint a bare Chinese key gets too: the one that works
                self.report(path, _(ASCII_ID_HINT).format(key=indicator_id), at="key")
            else:
                self.report(
                    path,
                    _(
                        "indicator id {indicator_id!r} must be lower-case ASCII letters, digits and '_', starting with a letter"
                    ).format(indicator_id=indicator_id),
                    at="key",
                )
            ok = False
        allowed: tuple[str, ...] = (
            "name",
            "unit",
            "kind",
            "basis",
            "baseline",
            "growth_2022",
            "source",
            "rationale",
            "note",
            "growth",
            "level",
            "change",
            "target",
            "drivers",
            "seasonal",
            "measured",
        )
        if isinstance(body, dict) and body.get("kind") == "derived":
            allowed = (
                "name",
                "unit",
                "kind",
                "basis",
                "baseline",
                "source",
                "rationale",
                "note",
                "formula",
                "metric",
                "target",
                "drivers",
            )
        body = self.table(
            body,
            path,
            allowed,
            required={"name": "", "unit": "", "kind": _("one of {kinds}").format(kinds=one_of(KIND_MEANINGS))},
        )
        if body is None:
            return None
        name = self.text(body, "name", path, required=True)
        unit = self.text(body, "unit", path)
        kind = self.choice(body, "kind", path, tuple(KIND_MEANINGS), KIND_MEANINGS)
        source = self.text(body, "source", path)
        note = self.text(body, "note", path)
        if kind is None or name is None or unit is None:
            return None
        if kind == "derived":
            return self.derived(indicator_id, body, path, name, unit, source, note, ok)
        assumption_key, _metric, _expect = KINDS[kind]

        basis = None
        if kind == "flow":
            if "basis" not in body:
                self.report(
                    path,
                    _(
                        "missing required key 'basis': 'real' (comparable prices, like GDP) or 'nominal' (current prices, like retail sales)"
                    ),
                    at="key",
                )
                ok = False
            else:
                basis = self.choice(body, "basis", path, BASES)
                ok &= basis is not None
        elif "basis" in body:
            self.report(
                (*path, "basis"),
                _("'basis' applies to flow indicators only (this one is a {kind})").format(kind=kind),
                at="key",
            )
            ok = False

        baseline = None
        if "baseline" in body:
            baseline_expect = Expect.AMOUNT if kind in ("flow", "count") else Expect.PERCENT
            baseline = self.quantity(body["baseline"], (*path, "baseline"), baseline_expect, unit)
            ok &= baseline is not None
            if kind == "flow" and baseline is not None and baseline <= 0:
                self.report((*path, "baseline"), _("a flow's baseline must be greater than 0"))
                ok = False
        growth_2022 = None
        if "growth_2022" in body:
            if kind != "flow":
                self.report((*path, "growth_2022"), _("growth_2022 applies to flow indicators only"), at="key")
                ok = False
            else:
                growth_2022 = self.quantity(body["growth_2022"], (*path, "growth_2022"), Expect.PERCENT, unit)
                ok &= growth_2022 is not None
        if (baseline is not None or growth_2022 is not None) and not (source or self.text(body, "rationale", path)):
            self.warn(
                path,
                _(
                    "baseline/growth_2022 given without a source: cite where in the report they come from (or, for a number the report does not give, a rationale)"
                ),
            )

        wrong_keys = [k for k in ("growth", "level", "change") if k in body and k != assumption_key]
        for key in wrong_keys:
            self.report(
                (*path, key),
                _("a {kind} indicator's assumption is '{assumption_key}' ({KIND_MEANINGS}), not '{key}'").format(
                    kind=kind, assumption_key=assumption_key, KIND_MEANINGS=_(KIND_MEANINGS[kind]), key=key
                ),
                at="key",
            )
            ok = False
        assumption = None
        if assumption_key in body:
            assumption = self.assumption(body[assumption_key], (*path, assumption_key), kind, unit)
        elif not wrong_keys:
            self.report(
                path,
                _("missing the assumption '{assumption_key}': e.g. {assumption_key} = {example}").format(
                    assumption_key=assumption_key, example=DISTRIBUTIONS["normal"].example
                ),
                at="key",
            )
        ok &= assumption is not None
        if assumption is not None and assumption.dist == "fixed":
            assumption = self.held_within(indicator_id, assumption_key, assumption, kind, unit)

        target = None
        if "target" in body:
            target = self.target(body["target"], (*path, "target"), kind, unit, baseline)
            ok &= target is not None
        seasonal, seasonal_ok = self.seasonal(body, path, kind)
        measured, measured_ok = self.measured(body, path, kind)
        ok &= seasonal_ok and measured_ok
        if not ok or assumption is None:
            return None
        if "drivers" in body:
            self.raw_drivers[indicator_id] = body["drivers"]
        return Indicator(
            id=indicator_id,
            name=name,
            unit=unit,
            kind=kind,
            basis=basis,
            baseline=baseline,
            growth_2022=growth_2022,
            source=source,
            note=note,
            assumption=assumption,
            target=target,
            rationale=self.text(body, "rationale", path),
            seasonal=seasonal,
            measured=measured,
        )
