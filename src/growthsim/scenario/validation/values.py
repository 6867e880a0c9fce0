"""An indicator's own numbers: its assumption (a distribution and its parameters, in the
indicator's units, or a value held fixed) and its target (the forms at_least, at_most, about,
between, relative_to, and the shorthand ">= 8%"), with their tolerance and side.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypedDict

from growthsim.i18n import _
from growthsim.scenario.diagnostics import (
    as_written,
    did_you_mean,
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
from growthsim.scenario.quantities import (
    Expect,
    format_value,
)
from growthsim.scenario.targets import SIDES, Target
from growthsim.scenario.types import (
    KINDS,
    Assumption,
    natural_metric,
)
from growthsim.scenario.validation.base import CheckerBase

__all__ = ["ValueChecks"]


class _Provenance(TypedDict):
    """What every target form takes besides its numbers: the Target fields of the same names."""

    written: str | None
    source: str | None


class ValueChecks(CheckerBase):
    """Assumptions and targets (a mixin of validation.Checker)."""

    def held_within(self, indicator_id: str, key: str, assumption: Assumption, kind: str, unit: str) -> Assumption:
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
            self.report(
                path,
                _("expected a distribution table such as {example}, got {kind_of}").format(
                    example=DISTRIBUTIONS["normal"].example, kind_of=kind_of(raw)
                ),
            )
            return None
        dist_name = raw.get("dist")
        if dist_name is None:
            self.report(
                path,
                _("missing 'dist': which distribution (one of: {one_of})").format(one_of=one_of(DISTRIBUTIONS)),
                at="key",
            )
            return None
        if not isinstance(dist_name, str):
            self.report((*path, "dist"), _("expected text in quotes, got {kind_of}").format(kind_of=kind_of(dist_name)))
            return None
        if dist_name not in DISTRIBUTIONS:
            self.report(
                (*path, "dist"),
                _("unknown distribution {dist_name!r}{did_you_mean} (expected one of: {one_of})").format(
                    dist_name=dist_name,
                    did_you_mean=did_you_mean(dist_name, DISTRIBUTIONS),
                    one_of=one_of(DISTRIBUTIONS),
                ),
            )
            return None
        spec = DISTRIBUTIONS[dist_name]
        if spec.counts_only and kind != "count":
            self.report(
                (*path, "dist"),
                _(
                    "{dist_name} is for count indicators only (this one is a {kind}); use e.g. normal, split_normal or pert"
                ).format(dist_name=dist_name, kind=kind),
            )
            return None
        param_names = [p.name for p in spec.params]
        allowed = ["dist", *param_names, "source", "rationale"]
        for key in raw:
            if key in ("mean", "median", "centre", "center") and key not in param_names and "mode" in param_names:
                self.report(
                    (*path, key),
                    _(
                        "{dist_name} has no {key!r}: its centre is 'mode' (the most likely value); allowed here: {one_of}"
                    ).format(dist_name=dist_name, key=key, one_of=one_of(allowed)),
                    at="key",
                )
        raw = {
            k: v
            for k, v in raw.items()
            if not (k in ("mean", "median", "centre", "center") and k not in param_names and "mode" in param_names)
        }
        self.table(raw, path, allowed)
        given = [k for k in raw if k in param_names]
        forms = [f for f in spec.forms if all(k in raw for k in f)]
        form_words = " or ".join("/".join(f) for f in spec.forms)
        if not forms:
            missing = min(([k for k in f if k not in raw] for f in spec.forms), key=len)
            self.report(
                path,
                _("{dist_name} needs {form_words}; missing {one_of}").format(
                    dist_name=dist_name, form_words=form_words, one_of=one_of(missing)
                ),
                at="key",
            )
            return None
        form = forms[0]
        extra = [k for k in given if k not in form and k not in spec.optional]
        if extra or len(forms) > 1:
            self.report(
                path,
                _("{dist_name} takes {form_words}, one form only; remove {one_of}").format(
                    dist_name=dist_name, form_words=form_words, one_of=one_of(extra or forms[1])
                ),
                at="key",
            )
            return None

        expect = KINDS[kind][2]
        spread_expect = Expect.AMOUNT if expect is Expect.AMOUNT else Expect.SPREAD
        params: dict[str, Any] = {}
        ok = True
        for name in given:
            param = spec.param(name)
            assert param is not None  # given holds only the names of spec's params
            role = param.role
            value_path = (*path, name)
            if role == ROLE_VALUES:
                values = raw[name]
                if not isinstance(values, list):
                    self.report(
                        value_path,
                        _('expected a list such as ["5%", "6%"], got {kind_of}').format(kind_of=kind_of(values)),
                    )
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
            self.warn(
                path,
                _(
                    "assumption has neither a source nor a rationale: say where it comes from or why a planner would accept it"
                ),
            )
        written = {k: raw[k] for k in ["dist", *given]}
        return Assumption(
            on=KINDS[kind][0],
            dist=dist_name,
            distribution=distribution,
            written=written,
            source=source,
            rationale=rationale,
        )

    # -- targets
    _FORMS = ("at_least", "at_most", "about", "between", "relative_to")

    _SHORTHAND = re.compile(r"^\s*(>=|≥|<=|≤)\s*(.+?)\s*$")

    def target(self, raw: Any, path: tuple, kind: str, unit: str, baseline: float | None) -> Target | None:
        if isinstance(raw, str):
            match = self._SHORTHAND.match(raw)
            if not match:
                self.report(
                    path,
                    _(
                        'cannot read target {raw!r}: write ">= 8%" or "<= 5.5%", or a table such as {{ about = "7%", tolerance = "0.5pp", side = "at_least" }}'
                    ).format(raw=raw),
                )
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
            self.report(
                path,
                _("a target takes exactly one of: {one_of} (found {which})").format(
                    one_of=one_of(self._FORMS), which=which
                ),
                at="key",
            )
            return None
        form = forms[0]
        common: _Provenance = {"written": self.text(table, "text", path), "source": self.text(table, "source", path)}
        if not common["source"] and not shorthand:
            self.warn(path, _("target has no source: cite where in the report it is set"))
        elif shorthand:
            self.warn(
                path, _('target has no source: write it as a table, e.g. { at_least = "8%", source = "二: ..." }')
            )

        for key, forms_ok in (
            ("tolerance", ("about", "relative_to")),
            ("side", ("about", "relative_to")),
            ("stretch", ("at_least", "at_most")),
        ):
            if key in table and form not in forms_ok:
                self.report(
                    (*path, key),
                    _("'{key}' goes with {join} targets only").format(key=key, join=" or ".join(forms_ok)),
                    at="key",
                )
                return None

        if form == "relative_to":
            other = self.text(table, "relative_to", path)
            tolerance, side = self.tolerance_and_side(table, path, kind, unit)
            if other is None or tolerance is None or side is None:
                return None
            metric, expect = natural_metric(kind)
            return Target(
                op="relative",
                metric=metric,
                expect=expect,
                unit=unit,
                relative_to=other,
                tolerance=tolerance,
                side=side,
                **common,
            )

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
                self.report((*path, "between"), _("both bounds must be of the same kind (both growths or both levels)"))
                return None
            if not low[0] < high[0]:
                self.report((*path, "between", 1), _("the high bound must be greater than the low bound"))
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
            return Target(
                op="about",
                metric=metric,
                expect=expect,
                unit=unit,
                value=value,
                tolerance=tolerance,
                side=side,
                **common,
            )
        op = ">=" if form == "at_least" else "<="
        stretch = None
        if "stretch" in table:
            parsed_stretch = self.target_value(table["stretch"], (*path, "stretch"), kind, unit, baseline)
            if parsed_stretch is None:
                return None
            stretch, stretch_metric, _ignored = parsed_stretch
            if stretch_metric != metric:
                self.report(
                    (*path, "stretch"), _("the stretch must be a {metric} like the target itself").format(metric=metric)
                )
                return None
            more_demanding = stretch >= value if op == ">=" else stretch <= value
            if not more_demanding:
                word = _("at least") if op == ">=" else _("at most")
                self.report(
                    (*path, "stretch"),
                    _("a stretch (力争) target must be more demanding than the floor: {word} {format_value}").format(
                        word=word, format_value=format_value(value, expect, unit)
                    ),
                )
                return None
        return Target(op=op, metric=metric, expect=expect, unit=unit, value=value, stretch=stretch, **common)

    def target_value(
        self, raw: Any, path: tuple, kind: str, unit: str, baseline: float | None
    ) -> tuple[float, str, Expect] | None:
        """A threshold, with the metric its writing implies: for a flow, "8%" is growth, "16亿元" a level."""
        if kind != "flow":
            metric, expect = natural_metric(kind)
            value = self.quantity(raw, path, expect, unit)
            return None if value is None else (value, metric, expect)
        if isinstance(raw, str) and raw.strip().endswith(("pp", "个百分点")):
            number = re.sub(r"(pp|个百分点)$", "", raw.strip())
            self.report(
                path,
                _(
                    '{raw!r} is in percentage points, but a target on a flow is a growth ("{number}%") or a level in {unit} ("{number}{unit}")'
                ).format(raw=raw, number=number, unit=unit),
            )
            return None
        if isinstance(raw, str) and raw.strip().endswith(("%", "％")):
            value = self.quantity(raw, path, Expect.PERCENT, unit)
            return None if value is None else (value, "growth", Expect.PERCENT)
        if isinstance(raw, str) and raw.strip() and (raw.strip()[-1].isdigit() or raw.strip()[-1] == "."):
            raw = float(raw) if _is_number(raw) else raw
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            self.report(
                path,
                _(
                    '{raw!r} is ambiguous for a flow: write "{raw}%" for a growth target or "{raw}{unit}" for a level target'
                ).format(raw=raw, unit=unit),
            )
            return None
        value = self.quantity(raw, path, Expect.AMOUNT, unit)
        if value is None:
            return None
        if baseline is None:
            self.report(path, _("a level target on a flow needs the indicator's baseline (the 2022 level)"))
            return None
        return value, "level", Expect.AMOUNT

    def tolerance_and_side(
        self, table: dict, path: tuple, kind: str, unit: str, expect: Expect | None = None
    ) -> tuple[float | None, str | None]:
        expect = expect or natural_metric(kind)[1]
        tolerance = side = None
        if "tolerance" not in table:
            self.report(
                path,
                _("missing 'tolerance': how far from the value still counts, e.g. tolerance = \"0.5pp\""),
                at="key",
            )
        else:
            spread = Expect.AMOUNT if expect is Expect.AMOUNT else Expect.SPREAD
            tolerance = self.quantity(table["tolerance"], (*path, "tolerance"), spread, unit)
            if tolerance is not None and tolerance < 0:
                self.report((*path, "tolerance"), _("must not be negative"))
                tolerance = None
        if "side" not in table:
            self.report(
                path,
                _(
                    "missing 'side': one of {one_of} (at_least: no more than the tolerance below; at_most: no more than the tolerance above; both: within it either way)"
                ).format(one_of=one_of(SIDES)),
                at="key",
            )
        else:
            side = self.choice(table, "side", path, SIDES)
        return tolerance, side


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
