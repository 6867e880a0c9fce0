"""What differs between two resolved scenarios, without simulating anything (``diff``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from growthsim.i18n import _
from growthsim.scenario.types import Indicator, Scenario

__all__ = ["Change", "diff"]


@dataclass(frozen=True)
class Change:
    """One difference between two scenarios: ``where`` is e.g. 'fai' or 'scenario'."""

    where: str
    field: str
    a: Any  # None where absent
    b: Any


def diff(a: Scenario, b: Scenario) -> list[Change]:
    """What differs between two resolved scenarios (after extends and --set), field by field."""
    changes = [
        Change("scenario", name, getattr(a, name), getattr(b, name))
        for name in ("name", "draws", "seed", "base_year", "target_year")
        if getattr(a, name) != getattr(b, name)
    ]
    changes += _event_changes(a, b)
    if a.correlation_method != b.correlation_method:
        changes.append(Change("correlations", "method", a.correlation_method, b.correlation_method))
    pairs_a = {frozenset(p[:2]): p for p in a.correlations}
    pairs_b = {frozenset(p[:2]): p for p in b.correlations}
    for key in [*pairs_a, *(k for k in pairs_b if k not in pairs_a)]:
        x, y = pairs_a.get(key), pairs_b.get(key)
        if (x and x[2]) != (y and y[2]):
            pair = x or y
            assert pair is not None  # the key is of a pair in a or in b
            name = " ~ ".join(pair[:2])
            changes.append(Change("correlations", name, None if x is None else x[2], None if y is None else y[2]))
    ids = list(a.ids) + [i for i in b.ids if i not in a.ids]
    for indicator_id in ids:
        in_a, in_b = indicator_id in a.ids, indicator_id in b.ids
        if not (in_a and in_b):
            changes.append(Change(indicator_id, "indicator", "present" if in_a else None, "present" if in_b else None))
            continue
        for name, (x, y) in _fields(a.indicator(indicator_id), b.indicator(indicator_id)).items():
            if x != y:
                changes.append(Change(indicator_id, name, x, y))
    return changes


def _event_changes(a: Scenario, b: Scenario) -> list[Change]:
    def described(event) -> dict[str, Any]:
        effects = "; ".join(f"{e.indicator} {e.kind} {e.written}" for e in event.effects)
        return {
            "name": event.name,
            "probability": f"{event.probability * 100:g}%",
            "group": event.group,
            "effects": effects,
        }

    events_a = {e.id: described(e) for e in a.events}
    events_b = {e.id: described(e) for e in b.events}
    changes = []
    for event_id in [*events_a, *(i for i in events_b if i not in events_a)]:
        x, y = events_a.get(event_id), events_b.get(event_id)
        if x is None or y is None:
            changes.append(Change(f"events.{event_id}", "event", "present" if x else None, "present" if y else None))
            continue
        changes += [Change(f"events.{event_id}", key, x[key], y[key]) for key in x if x[key] != y[key]]
    return changes


def _fields(x: Indicator, y: Indicator) -> dict[str, tuple[Any, Any]]:
    def assumption(i: Indicator) -> str:
        if i.assumption is None:
            assert i.formula is not None  # an indicator without an assumption is derived by its formula
            return f"{i.metric} = {i.formula.text}"
        params = ", ".join(f"{k} = {v}" for k, v in i.assumption.written.items() if k != "dist")
        held = _(", held within {name}").format(name=i.assumption.law.name) if i.assumption.law is not None else ""
        return f"{i.assumption.on} ~ {i.assumption.dist}({params}){held}"

    def target(i: Indicator) -> str | None:
        return None if i.target is None else i.target.text

    def drivers(i: Indicator) -> str | None:
        return (
            "; ".join(f"{d.indicator}: {d.elasticity / d.factor:.4g} {d.unit} at {d.written_at}" for d in i.drivers)
            or None
        )

    return {
        "name": (x.name, y.name),
        "unit": (x.unit, y.unit),
        "kind": (x.kind, y.kind),
        "basis": (x.basis, y.basis),
        "baseline": (x.fmt_baseline(), y.fmt_baseline()),
        "assumption": (assumption(x), assumption(y)),
        "target": (target(x), target(y)),
        "drivers": (drivers(x), drivers(y)),
    }
