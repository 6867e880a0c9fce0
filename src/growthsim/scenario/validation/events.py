"""Shock events: a name, a probability (or a group of exclusive ones) and effects on indicators:
replace (another distribution, through the same uniform), scale or add, each in its indicator's
units.
"""

from __future__ import annotations

from typing import Any

from growthsim.i18n import _
from growthsim.scenario.diagnostics import (
    as_written,
    kind_of,
    one_of,
)
from growthsim.scenario.events import EFFECT_KINDS, Effect, Event
from growthsim.scenario.quantities import (
    Expect,
    format_value,
)
from growthsim.scenario.types import (
    ID_PATTERN,
    Indicator,
)
from growthsim.scenario.validation.values import ValueChecks

__all__ = ["EventChecks"]


class EventChecks(ValueChecks):
    """Shock events and their effects (a mixin of validation.Checker)."""

    def events(self, raw: Any, indicators: list[Indicator], all_ids: list[str]) -> list[Event]:
        if not isinstance(raw, dict):
            self.report(("events",), _("expected [events.<id>] sections, got {kind_of}").format(kind_of=kind_of(raw)))
            return []
        by_id = {i.id: i for i in indicators}
        events: list[Event] = []
        group_totals: dict[str, list[tuple[str, float]]] = {}  # group -> (event id, probability) of each member
        for event_id, body in raw.items():
            path = ("events", event_id)
            if not ID_PATTERN.match(event_id):
                self.report(
                    path,
                    _(
                        "event id {event_id!r} must be lower-case ASCII letters, digits and '_', starting with a letter (the Chinese name goes in name = \"...\")"
                    ).format(event_id=event_id),
                    at="key",
                )
                continue
            body = self.table(
                body,
                path,
                ("name", "probability", "group", "effects", "source", "rationale"),
                required={
                    "name": "",
                    "probability": 'e.g. probability = "15%"',
                    "effects": 'e.g. effects = [{ indicator = "retail", add = "-4pp" }]',
                },
            )
            if body is None:
                continue
            name = self.text(body, "name", path, required=True)
            group = self.text(body, "group", path)
            probability = None
            if "probability" in body:
                probability = self.quantity(body["probability"], (*path, "probability"), Expect.PERCENT, None)
                if probability is not None and not 0 < probability <= 1:
                    self.report((*path, "probability"), _("must be more than 0% and at most 100%"))
                    probability = None
            if not (self.text(body, "source", path) or self.text(body, "rationale", path)):
                self.warn(path, _("event has neither a source nor a rationale for its probability and effects"))
            effects = None
            if "effects" in body:
                effects = self.effects(body["effects"], (*path, "effects"), by_id, all_ids)
            if name is None or probability is None or effects is None:
                continue
            if group is not None:
                group_totals.setdefault(group, []).append((event_id, probability))
            events.append(
                Event(
                    event_id,
                    name,
                    probability,
                    tuple(effects),
                    group,
                    self.text(body, "source", path),
                    self.text(body, "rationale", path),
                )
            )
        for group, members in group_totals.items():
            total = sum(p for _, p in members)
            if total > 1 + 1e-12:
                ids = ", ".join(event_id for event_id, _ in members)
                self.report(
                    ("events", members[-1][0], "group"),
                    _(
                        "the events of group {group!r} ({ids}) exclude each other, so their probabilities must add up to at most 100% (they add up to {format_value})"
                    ).format(group=group, ids=ids, format_value=format_value(total, Expect.PERCENT)),
                )
        return events

    def effects(self, raw: Any, path: tuple, by_id: dict, all_ids: list[str]) -> list[Effect] | None:
        if not isinstance(raw, list) or not raw:
            self.report(path, _('expected a list of effects, e.g. effects = [{ indicator = "retail", add = "-4pp" }]'))
            return None
        effects, ok = [], True
        for index, item in enumerate(raw):
            here = (*path, index)
            item = self.table(item, here, ("indicator", *EFFECT_KINDS), required={"indicator": ""})
            if item is None:
                ok = False
                continue
            kinds = [k for k in EFFECT_KINDS if k in item]
            if len(kinds) != 1:
                self.report(
                    here,
                    _(
                        "an effect takes exactly one of: add (points or units added), scale (a factor on the level), replace (another distribution) (found {value})"
                    ).format(value=one_of(kinds) or "none"),
                    at="key",
                )
                ok = False
                continue
            target_id = self.text(item, "indicator", here)
            indicator = by_id.get(target_id)
            if indicator is not None and indicator.kind == "derived":
                self.report(
                    (*here, "indicator"),
                    _(
                        "{target_id} is derived by its formula: let the event act on the indicators its formula uses"
                    ).format(target_id=target_id),
                )
                ok = False
                continue
            if indicator is None:
                if target_id is not None and target_id not in all_ids:
                    self.report((*here, "indicator"), self.missing_indicator(target_id, all_ids))
                ok = False
                continue
            assert target_id is not None  # by_id has an indicator under it
            kind, value = kinds[0], item[kinds[0]]
            if kind != "add" and indicator.drivers:  # add is the same either way: it moves the outcome
                names = ", ".join(d.indicator for d in indicator.drivers)
                self.report(
                    (*here, kind),
                    _(
                        "{target_id} is driven by {names}: {kind} acts on its own part (what they leave unexplained), and its links still add their effect. To move the outcome, act on {names} (the links carry it), or use add"
                    ).format(target_id=target_id, names=names, kind=kind),
                    at="key",
                    severity="warning",
                )
            if kind == "replace":
                assumption = self.assumption(value, (*here, "replace"), indicator.kind, indicator.unit)
                if assumption is None:
                    ok = False
                    continue
                params = ", ".join(f"{k} = {v}" for k, v in assumption.written.items() if k != "dist")
                effects.append(
                    Effect(
                        target_id,
                        kind,
                        distribution=assumption.distribution,
                        written=f"{indicator.assumption.on} ~ {assumption.dist}({params})",
                    )
                )
                continue
            if kind == "scale":
                parsed = self.quantity(value, (*here, "scale"), Expect.NUMBER, None)
                if parsed is not None and not parsed > 0:
                    self.report(
                        (*here, "scale"),
                        _("the factor must be greater than 0 (got {as_written})").format(as_written=as_written(value)),
                    )
                    parsed = None
            else:
                # points, not "%": "-4%" on a growth could mean 4 percent of it
                expect = Expect.AMOUNT if indicator.expect is Expect.AMOUNT else Expect.POINTS
                parsed = self.quantity(value, (*here, "add"), expect, indicator.unit)
            if parsed is None:
                ok = False
                continue
            effects.append(Effect(target_id, kind, value=parsed, written=as_written(value)))
        return effects if ok else None
