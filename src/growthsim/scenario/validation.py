"""Stage 1, validation: walk the parsed TOML, build the Scenario, and collect every problem on the
way (never stopping at the first), each located by its key path and explained: what is allowed,
and a did-you-mean where a name looks misspelt. The checks across indicators (correlations,
events, formulas, relative targets) are in validation_links."""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Iterable, Mapping, Sequence

from growthsim.i18n import _
from growthsim.stats.dependence import METHODS
from growthsim.scenario.diagnostics import (
    Diagnostic,
    as_written,
    did_you_mean,
    format_key_path,
    kind_of,
    one_of,
)
from growthsim.scenario.families import (
    DISTRIBUTIONS,
    ROLE_LOCATION,
    ROLE_NUMBER,
    ROLE_SPREAD,
    ROLE_VALUES,
    ParamProblem,
    make_distribution,
)
from growthsim.scenario.quantities import Expect, QuantityError, format_value, parse_quantity
from growthsim.scenario.reading import ASCII_ID_HINT
from growthsim.scenario.types import (
    BASES,
    DEFAULT_DRAWS,
    ID_PATTERN,
    KIND_MEANINGS,
    KINDS,
    MAX_DRAWS,
    SHORT_NAME_CELLS,
    Assumption,
    Indicator,
    Scenario,
    natural_metric,
)
from growthsim.scenario.targets import SIDES, Target
from growthsim.scenario.validation_links import LinkChecks

__all__ = ["Checker"]

_MISSING = object()


def _cells(text: str) -> int:
    """Terminal cells of ``text``: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Checker(LinkChecks):
    """Walks the parsed TOML, building the Scenario and collecting every problem on the way."""

    def __init__(self, resolved):
        self.resolved = resolved
        self.diagnostics: list[Diagnostic] = []
        self.raw_drivers: dict[str, Any] = {}  # indicator id -> its drivers table, checked once all are read

    # -- reporting

    def report(self, path: Sequence, message: str, at: str = "value", severity: str = "error") -> None:
        """Record a problem at ``path``, located in the file (or --set) that wrote that value."""
        source = self.resolved.source_of(path)
        line, col, line_text = source.locate(tuple(path), at=at)
        changer = self.resolved.touched.get(tuple(path))
        if changer is not None and changer is not source:  # a table a later file (or --set) changed
            where = changer.label
            if changer.keymap is not None:
                where += f":{changer.keymap.locate(tuple(path), at='key')[0]}"
            message += _(' (this table was changed by {where})').format(where=where)
        self.diagnostics.append(Diagnostic(source.label, line, col, format_key_path(path), message, severity,
                                           line_text))

    def missing_indicator(self, indicator_id: str, ids: Sequence[str]) -> str:
        """'no indicator X' with a did-you-mean, or who removed it."""
        remover = self.resolved.removed.get(indicator_id)
        if remover is not None:
            return _('indicator {indicator_id!r} was removed by remove_indicators in {label}').format(indicator_id=indicator_id, label=remover.label)
        return _('no indicator {indicator_id!r}{did_you_mean}').format(indicator_id=indicator_id, did_you_mean=did_you_mean(indicator_id, ids))

    def warn(self, path: Sequence, message: str) -> None:
        if self.resolved.source_of(path).keymap is None:
            return  # a --set for one run is not expected to cite its sources
        self.report(path, message, at="key", severity="warning")

    # -- generic checks

    def table(self, raw: Any, path: Sequence, allowed: Iterable[str],
              required: Iterable[str] | Mapping[str, str] = (), what: str = "table") -> dict | None:
        """Check that raw is a table with only allowed keys; ``required`` may map each key to a hint."""
        if not isinstance(raw, dict):
            self.report(path, _('expected a {what} (a [section] or {{ ... }}), got {kind_of}').format(what=what, kind_of=kind_of(raw)))
            return None
        allowed = list(allowed)
        for key in raw:
            if key not in allowed:
                self.report(
                    (*path, key),
                    _('unknown key {key!r}{did_you_mean}; allowed here: {one_of}').format(key=key, did_you_mean=did_you_mean(key, allowed), one_of=one_of(allowed)),
                    at="key",
                )
        hints = required if isinstance(required, Mapping) else dict.fromkeys(required, "")
        for key, hint in hints.items():
            if key not in raw:
                self.report(path, _('missing required key {key!r}{value}').format(key=key, value=': ' + hint if hint else ''), at="key")
        return raw

    def text(self, table: dict, key: str, path: Sequence, required: bool = False) -> str | None:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.report((*path, key), _('expected text in quotes, got {kind_of}').format(kind_of=kind_of(value)))
            return None
        if required and not value.strip():
            self.report((*path, key), _('must not be empty'))
            return None
        return value

    def integer(self, table: dict, key: str, path: Sequence, lo: int, hi: int) -> int | None:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                hint = _(' (write {int} without a decimal point)').format(int=int(value))
            else:
                hint = ""
            self.report((*path, key), _('expected a whole number, got {kind_of} {value!r}{hint}').format(kind_of=kind_of(value), value=value, hint=hint))
            return None
        if not lo <= value <= hi:
            self.report((*path, key), _('must be between {lo:,} and {hi:,} (got {value:,})').format(lo=lo, hi=hi, value=value))
            return None
        return value

    def quantity(self, raw: Any, path: Sequence, expect: Expect, unit: str | None) -> float | None:
        try:
            return parse_quantity(raw, expect, unit)
        except QuantityError as exc:
            self.report(path, str(exc))
            return None

    def choice(self, table: dict, key: str, path: Sequence, choices: Sequence[str], meanings=None) -> str | None:
        value = self.text(table, key, path)
        if value is None:
            return None
        if value not in choices:
            allowed = one_of(f"{c} ({_(meanings[c])})" for c in choices) if meanings else one_of(choices)
            self.report((*path, key), _('{value!r} is not allowed{did_you_mean}; use one of: {allowed}').format(value=value, did_you_mean=did_you_mean(value, choices), allowed=allowed))
            return None
        return value

    # -- the document

    def scenario(self, raw: dict) -> Scenario:
        # extends and remove_indicators were consumed by layers.py; listed so that a misspelling is caught
        self.table(raw, (), ("extends", "remove_indicators", "scenario", "simulation", "indicators", "events",
                            "correlations"), required=("scenario", "indicators"))
        meta = {}
        if "scenario" in raw:  # a missing [scenario] is reported once, above
            meta = self.table(raw["scenario"], ("scenario",),
                              ("name", "short_name", "description", "base_year", "target_year", "source"),
                              required=("name",)) or {}
        name = self.text(meta, "name", ("scenario",), required=True) or ""
        short_name = self.text(meta, "short_name", ("scenario",))
        if short_name is not None and _cells(short_name) > SHORT_NAME_CELLS:
            self.report(("scenario", "short_name"), _("a short name heads a column of compare's table: at most {n} "
                                                      "Chinese characters ({cells} letters), got {got}").format(
                n=SHORT_NAME_CELLS // 2, cells=SHORT_NAME_CELLS, got=short_name))
        description = self.text(meta, "description", ("scenario",)) or ""
        source = self.text(meta, "source", ("scenario",))
        base_year = self.integer(meta, "base_year", ("scenario",), 1900, 2200)
        target_year = self.integer(meta, "target_year", ("scenario",), 1900, 2200)
        base_ok = base_year is not None or "base_year" not in meta  # a bad base_year is reported once
        base_year = base_year if base_year is not None else 2022
        if target_year is None:
            target_year = base_year + 1
        elif base_ok and target_year != base_year + 1:
            self.report(("scenario", 'target_year'),
                        _('growthsim projects one year ahead: target_year must be base_year + 1 = {value}').format(value=base_year + 1))

        sim = self.table(raw.get("simulation", {}), ("simulation",), ("draws", "seed", "correlation_method")) or {}
        method = self.choice(sim, "correlation_method", ("simulation",), METHODS) or METHODS[0]
        draws = self.integer(sim, "draws", ("simulation",), 1, MAX_DRAWS) or DEFAULT_DRAWS
        seed = self.integer(sim, "seed", ("simulation",), 0, 2**63 - 1)

        indicators_raw = raw.get("indicators", {})
        indicators: list[Indicator] = []
        if isinstance(indicators_raw, dict):
            if not indicators_raw and "indicators" in raw:
                self.report(("indicators",), _('no indicators: add at least one [indicators.<id>] section'), at="key")
            for indicator_id, body in indicators_raw.items():
                indicator = self.indicator(indicator_id, body)
                if indicator is not None:
                    indicators.append(indicator)
            indicators = self.check_formulas(indicators, list(indicators_raw))
            indicators = self.check_drivers(indicators, list(indicators_raw))
            self.check_relative_targets(indicators, all_ids=list(indicators_raw))
        else:
            self.report(("indicators",), _('expected a table of indicators, got {kind_of}').format(kind_of=kind_of(indicators_raw)))
        all_ids = list(indicators_raw) if isinstance(indicators_raw, dict) else []
        events = self.events(raw.get("events", {}), indicators, all_ids)
        pairs, matrix = self.correlations(raw.get("correlations", {}), indicators, all_ids)
        self.check_links_against_correlations(indicators, pairs)
        if matrix is not None and method != "gaussian_copula":
            method = self.copula_for_holds(indicators, matrix[0], method)
        return Scenario(name=name, short_name=short_name, description=description, base_year=base_year, target_year=target_year,
                        source=source, draws=draws, seed=seed, indicators=tuple(indicators), events=tuple(events),
                        correlations=pairs, correlation_matrix=matrix, correlation_method=method)

    # -- correlations

    def indicator(self, indicator_id: str, body: Any) -> Indicator | None:
        path = ("indicators", indicator_id)
        ok = True
        if not ID_PATTERN.match(indicator_id):
            if not indicator_id.isascii():  # the hint a bare Chinese key gets too: the one that works
                self.report(path, _(ASCII_ID_HINT).format(key=indicator_id), at="key")
            else:
                self.report(path, _("indicator id {indicator_id!r} must be lower-case ASCII letters, digits and '_', starting with a letter").format(indicator_id=indicator_id), at="key")
            ok = False
        allowed = ("name", "unit", "kind", "basis", "baseline", "growth_2022", "source", "rationale", "note",
                   "growth", "level", "change", "target", "drivers")
        if isinstance(body, dict) and body.get("kind") == "derived":
            allowed = ("name", "unit", "kind", "basis", "baseline", "source", "rationale", "note", "formula", "metric",
                       "target", "drivers")
        body = self.table(body, path, allowed,
                          required={"name": "", "unit": "", "kind": _("one of {kinds}").format(kinds=one_of(KIND_MEANINGS))})
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
        assumption_key, _metric, expect = KINDS[kind]

        basis = None
        if kind == "flow":
            if "basis" not in body:
                self.report(path, _("missing required key 'basis': 'real' (comparable prices, like GDP) or 'nominal' (current prices, like retail sales)"), at="key")
                ok = False
            else:
                basis = self.choice(body, "basis", path, BASES)
                ok &= basis is not None
        elif "basis" in body:
            self.report((*path, "basis"), _("'basis' applies to flow indicators only (this one is a {kind})").format(kind=kind),
                        at="key")
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
                self.report((*path, "growth_2022"), _('growth_2022 applies to flow indicators only'), at="key")
                ok = False
            else:
                growth_2022 = self.quantity(body["growth_2022"], (*path, "growth_2022"), Expect.PERCENT, unit)
                ok &= growth_2022 is not None
        if (baseline is not None or growth_2022 is not None) and not (source or self.text(body, "rationale", path)):
            self.warn(path, _('baseline/growth_2022 given without a source: cite where in the report they come from (or, for a number the report does not give, a rationale)'))

        wrong_keys = [k for k in ("growth", "level", "change") if k in body and k != assumption_key]
        for key in wrong_keys:
            self.report((*path, key), _("a {kind} indicator's assumption is '{assumption_key}' ({KIND_MEANINGS}), not '{key}'").format(kind=kind, assumption_key=assumption_key, KIND_MEANINGS=_(KIND_MEANINGS[kind]), key=key), at="key")
            ok = False
        assumption = None
        if assumption_key in body:
            assumption = self.assumption(body[assumption_key], (*path, assumption_key), kind, unit)
        elif not wrong_keys:
            self.report(path, _("missing the assumption '{assumption_key}': e.g. {assumption_key} = {example}").format(assumption_key=assumption_key, example=DISTRIBUTIONS['normal'].example), at="key")
        ok &= assumption is not None
        if assumption is not None and assumption.dist == "fixed":
            assumption = self.held_within(indicator_id, assumption_key, assumption, kind, unit)

        target = None
        if "target" in body:
            target = self.target(body["target"], (*path, "target"), kind, unit, baseline)
            ok &= target is not None
        if not ok or assumption is None:
            return None
        if "drivers" in body:
            self.raw_drivers[indicator_id] = body["drivers"]
        return Indicator(id=indicator_id, name=name, unit=unit, kind=kind, basis=basis, baseline=baseline,
                         growth_2022=growth_2022, source=source, note=note, assumption=assumption, target=target,
                         rationale=self.text(body, "rationale", path))

    def held_within(self, indicator_id: str, key: str, assumption: Assumption, kind: str,
                    unit: str) -> Assumption:
        """A fixed value that replaced an inherited distribution, with that distribution as its
        law (layers kept it): the value is held within it."""
        replaced = self.resolved.laws.get((indicator_id, key))
        if replaced is None:
            return assumption
        table, origin = replaced
        kept = len(self.diagnostics)
        law = self.assumption(table, ("indicators", indicator_id, key), kind, unit)
        del self.diagnostics[kept:]  # the law was checked in its own layer; nothing to say of it here
        if law is None:
            return assumption
        return dataclasses.replace(assumption, law=law.distribution, law_origin=origin)

    def assumption(self, raw: Any, path: tuple, kind: str, unit: str) -> Assumption | None:
        if not isinstance(raw, dict):
            self.report(path, _('expected a distribution table such as {example}, got {kind_of}').format(example=DISTRIBUTIONS['normal'].example, kind_of=kind_of(raw)))
            return None
        dist_name = raw.get("dist")
        if dist_name is None:
            self.report(path, _("missing 'dist': which distribution (one of: {one_of})").format(one_of=one_of(DISTRIBUTIONS)), at="key")
            return None
        if not isinstance(dist_name, str):
            self.report((*path, "dist"), _('expected text in quotes, got {kind_of}').format(kind_of=kind_of(dist_name)))
            return None
        if dist_name not in DISTRIBUTIONS:
            self.report((*path, "dist"), _('unknown distribution {dist_name!r}{did_you_mean} (expected one of: {one_of})').format(dist_name=dist_name, did_you_mean=did_you_mean(dist_name, DISTRIBUTIONS), one_of=one_of(DISTRIBUTIONS)))
            return None
        spec = DISTRIBUTIONS[dist_name]
        if spec.counts_only and kind != "count":
            self.report((*path, "dist"), _('{dist_name} is for count indicators only (this one is a {kind}); use e.g. normal, split_normal or pert').format(dist_name=dist_name, kind=kind))
            return None
        param_names = [p.name for p in spec.params]
        allowed = ["dist", *param_names, "source", "rationale"]
        for key in raw:
            if key in ("mean", "median", "centre", "center") and key not in param_names and "mode" in param_names:
                self.report((*path, key), _("{dist_name} has no {key!r}: its centre is 'mode' (the most likely value); allowed here: {one_of}").format(dist_name=dist_name, key=key, one_of=one_of(allowed)), at="key")
        raw = {k: v for k, v in raw.items() if not (k in ("mean", "median", "centre", "center")
                                                      and k not in param_names and "mode" in param_names)}
        self.table(raw, path, allowed)
        given = [k for k in raw if k in param_names]
        forms = [f for f in spec.forms if all(k in raw for k in f)]
        form_words = " or ".join("/".join(f) for f in spec.forms)
        if not forms:
            missing = min(([k for k in f if k not in raw] for f in spec.forms), key=len)
            self.report(path, _('{dist_name} needs {form_words}; missing {one_of}').format(dist_name=dist_name, form_words=form_words, one_of=one_of(missing)), at="key")
            return None
        form = forms[0]
        extra = [k for k in given if k not in form and k not in spec.optional]
        if extra or len(forms) > 1:
            self.report(path, _('{dist_name} takes {form_words}, one form only; remove {one_of}').format(dist_name=dist_name, form_words=form_words, one_of=one_of(extra or forms[1])),
                        at="key")
            return None

        expect = KINDS[kind][2]
        spread_expect = Expect.AMOUNT if expect is Expect.AMOUNT else Expect.SPREAD
        params: dict[str, Any] = {}
        ok = True
        for name in given:
            role = spec.param(name).role
            value_path = (*path, name)
            if role == ROLE_VALUES:
                values = raw[name]
                if not isinstance(values, list):
                    self.report(value_path, _('expected a list such as ["5%", "6%"], got {kind_of}').format(kind_of=kind_of(values)))
                    ok = False
                    continue
                parsed = [self.quantity(v, (*value_path, i), expect, unit) for i, v in enumerate(values)]
                ok &= all(v is not None for v in parsed)
                params[name] = parsed
                continue
            this_expect = {ROLE_LOCATION: expect, ROLE_SPREAD: spread_expect, ROLE_NUMBER: Expect.NUMBER}[role]
            value = self.quantity(raw[name], value_path, this_expect, unit)
            ok &= value is not None
            params[name] = value
        if not ok:
            return None
        try:
            distribution = make_distribution(dist_name, params)
        except ParamProblem as problem:
            for name, message in problem.problems:
                if name in raw:  # show the value as the planner wrote it, not in code units
                    message = re.sub(r"\(got [^)]*\)$", f"(got {as_written(raw[name])})", message)
                self.report((*path, name) if name else path, message)
            return None
        source = self.text(raw, "source", path)
        rationale = self.text(raw, "rationale", path)
        if not (source or rationale):
            self.warn(path, _('assumption has neither a source nor a rationale: say where it comes from or why a planner would accept it'))
        written = {k: raw[k] for k in ["dist", *given]}
        return Assumption(on=KINDS[kind][0], dist=dist_name, distribution=distribution, written=written,
                          source=source, rationale=rationale)

    # -- targets
    _FORMS = ("at_least", "at_most", "about", "between", "relative_to")
    _SHORTHAND = re.compile(r"^\s*(>=|≥|<=|≤)\s*(.+?)\s*$")

    def target(self, raw: Any, path: tuple, kind: str, unit: str, baseline: float | None) -> Target | None:
        if isinstance(raw, str):
            match = self._SHORTHAND.match(raw)
            if not match:
                self.report(path, _('cannot read target {raw!r}: write ">= 8%" or "<= 5.5%", or a table such as {{ about = "7%", tolerance = "0.5pp", side = "at_least" }}').format(raw=raw))
                return None
            op = ">=" if match.group(1) in (">=", "≥") else "<="
            raw = {"at_least" if op == ">=" else "at_most": match.group(2)}
            shorthand = True
        else:
            shorthand = False
        allowed = (*self._FORMS, "tolerance", "side", "stretch", "source", "text")
        table = self.table(raw, path, allowed)
        if table is None:
            return None
        forms = [f for f in self._FORMS if f in table]
        if len(forms) != 1:
            which = "none" if not forms else one_of(forms)
            self.report(path, _('a target takes exactly one of: {one_of} (found {which})').format(one_of=one_of(self._FORMS), which=which), at="key")
            return None
        form = forms[0]
        common = dict(written=self.text(table, "text", path), source=self.text(table, "source", path))
        if not common["source"] and not shorthand:
            self.warn(path, _('target has no source: cite where in the report it is set'))
        elif shorthand:
            self.warn(path, _('target has no source: write it as a table, e.g. { at_least = "8%", source = "二: ..." }'))

        for key, forms_ok in (("tolerance", ("about", "relative_to")), ("side", ("about", "relative_to")),
                              ("stretch", ("at_least", "at_most"))):
            if key in table and form not in forms_ok:
                self.report((*path, key), _("'{key}' goes with {join} targets only").format(key=key, join=' or '.join(forms_ok)), at="key")
                return None

        if form == "relative_to":
            other = self.text(table, "relative_to", path)
            tolerance, side = self.tolerance_and_side(table, path, kind, unit)
            if other is None or tolerance is None or side is None:
                return None
            metric, expect = natural_metric(kind)
            return Target(op="relative", metric=metric, expect=expect, unit=unit, relative_to=other,
                          tolerance=tolerance, side=side, **common)

        if form == "between":
            pair = table["between"]
            if not isinstance(pair, list) or len(pair) != 2:
                self.report((*path, "between"), _('expected two values, low and high, e.g. between = ["2%", "4%"]'))
                return None
            low = self.target_value(pair[0], (*path, "between", 0), kind, unit, baseline)
            high = self.target_value(pair[1], (*path, "between", 1), kind, unit, baseline)
            if low is None or high is None:
                return None
            if low[1] != high[1]:
                self.report((*path, "between"), _('both bounds must be of the same kind (both growths or both levels)'))
                return None
            if not low[0] < high[0]:
                self.report((*path, "between", 1), _('the high bound must be greater than the low bound'))
                return None
            return Target(op="between", metric=low[1], expect=low[2], unit=unit, low=low[0], high=high[0], **common)

        parsed = self.target_value(table[form], (*path, form), kind, unit, baseline)
        if parsed is None:
            return None
        value, metric, expect = parsed
        if form == "about":
            tolerance, side = self.tolerance_and_side(table, path, kind, unit, expect)
            if tolerance is None or side is None:
                return None
            return Target(op="about", metric=metric, expect=expect, unit=unit, value=value, tolerance=tolerance,
                          side=side, **common)
        op = ">=" if form == "at_least" else "<="
        stretch = None
        if "stretch" in table:
            parsed_stretch = self.target_value(table["stretch"], (*path, "stretch"), kind, unit, baseline)
            if parsed_stretch is None:
                return None
            stretch, stretch_metric, _ignored = parsed_stretch
            if stretch_metric != metric:
                self.report((*path, "stretch"), _('the stretch must be a {metric} like the target itself').format(metric=metric))
                return None
            more_demanding = stretch >= value if op == ">=" else stretch <= value
            if not more_demanding:
                word = _('at least') if op == ">=" else _('at most')
                self.report((*path, "stretch"), _('a stretch (力争) target must be more demanding than the floor: {word} {format_value}').format(word=word, format_value=format_value(value, expect, unit)))
                return None
        return Target(op=op, metric=metric, expect=expect, unit=unit, value=value, stretch=stretch, **common)

    def target_value(self, raw: Any, path: tuple, kind: str, unit: str,
                     baseline: float | None) -> tuple[float, str, Expect] | None:
        """A threshold, with the metric its writing implies: for a flow, "8%" is growth, "16亿元" a level."""
        if kind != "flow":
            metric, expect = natural_metric(kind)
            value = self.quantity(raw, path, expect, unit)
            return None if value is None else (value, metric, expect)
        if isinstance(raw, str) and raw.strip().endswith(("pp", "个百分点")):
            number = re.sub(r"(pp|个百分点)$", "", raw.strip())
            self.report(path, _('{raw!r} is in percentage points, but a target on a flow is a growth ("{number}%") or a level in {unit} ("{number}{unit}")').format(raw=raw, number=number, unit=unit))
            return None
        if isinstance(raw, str) and raw.strip().endswith(("%", "％")):
            value = self.quantity(raw, path, Expect.PERCENT, unit)
            return None if value is None else (value, "growth", Expect.PERCENT)
        if isinstance(raw, str) and raw.strip():
            if raw.strip()[-1].isdigit() or raw.strip()[-1] == ".":
                raw = float(raw) if _is_number(raw) else raw
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            self.report(path, _('{raw!r} is ambiguous for a flow: write "{raw}%" for a growth target or "{raw}{unit}" for a level target').format(raw=raw, unit=unit))
            return None
        value = self.quantity(raw, path, Expect.AMOUNT, unit)
        if value is None:
            return None
        if baseline is None:
            self.report(path, _("a level target on a flow needs the indicator's baseline (the 2022 level)"))
            return None
        return value, "level", Expect.AMOUNT

    def tolerance_and_side(self, table: dict, path: tuple, kind: str, unit: str,
                           expect: Expect | None = None) -> tuple[float | None, str | None]:
        expect = expect or natural_metric(kind)[1]
        tolerance = side = None
        if "tolerance" not in table:
            self.report(path, _('missing \'tolerance\': how far from the value still counts, e.g. tolerance = "0.5pp"'),
                        at="key")
        else:
            spread = Expect.AMOUNT if expect is Expect.AMOUNT else Expect.SPREAD
            tolerance = self.quantity(table["tolerance"], (*path, "tolerance"), spread, unit)
            if tolerance is not None and tolerance < 0:
                self.report((*path, "tolerance"), _('must not be negative'))
                tolerance = None
        if "side" not in table:
            self.report(path, _("missing 'side': one of {one_of} (at_least: no more than the tolerance below; at_most: no more than the tolerance above; both: within it either way)").format(one_of=one_of(SIDES)),
                        at="key")
        else:
            side = self.choice(table, "side", path, SIDES)
        return tolerance, side


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
