"""Shock events on draws: which events occur (``occurrences``), holding an event's occurrence for
a what-if (``hold_occurrences``), and applying their effects (``apply_effects``). What an event *is*
(its probability and effects, in the order replace, scale, add) is declared in scenario.events."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence

import numpy as np

from growthsim.scenario.events import EFFECT_KINDS, Event
from growthsim.stats.arrays import Bools, Floats
from growthsim.stats.distributions import quantity_at

__all__ = ["apply_effects", "hold_occurrences", "occurrences"]


def occurrences(events: Sequence[Event], uniforms_of: Callable[[str, bool], Floats]) -> Bools:
    """Which events occur on each draw: bool array (n_events, n).

    ``uniforms_of(name, is_group)`` returns the uniforms of an independent event's stream or of a
    group's stream. The events of a group split its unit interval in file order, so at most one of
    them occurs on a draw.
    """
    rows: list[Bools] = []
    group_start: dict[str, float] = {}
    group_uniforms: dict[str, Floats] = {}
    for event in events:
        if event.group is None:
            rows.append(uniforms_of(event.id, False) < event.probability)
            continue
        if event.group not in group_uniforms:
            group_uniforms[event.group] = uniforms_of(event.group, True)
            group_start[event.group] = 0.0
        u, lower = group_uniforms[event.group], group_start[event.group]
        rows.append((u >= lower) & (u < lower + event.probability))
        group_start[event.group] = lower + event.probability
    return np.array(rows, dtype=bool).reshape(len(rows), -1)


def hold_occurrences(events: Sequence[Event], occurred: Bools, held: tuple[tuple[str, bool], ...]) -> None:
    """Hold events, in place: ``held`` pairs an event id with True (it occurs on every draw, and
    so no other event of its exclusive group occurs on any) or False (it never occurs; the
    others occur as drawn). What sensitivity's "always" and "never" mean: setting a grouped
    event's probability to 1 instead would leave its group's other events occurring."""
    index_of = {event.id: index for index, event in enumerate(events)}
    for event_id, occurs in held:
        held_event = events[index_of[event_id]]
        if occurs and held_event.group is not None:
            for index, event in enumerate(events):
                if event.group == held_event.group:
                    occurred[index] = False
        occurred[index_of[event_id]] = occurs


def apply_effects(
    events: Sequence[Event],
    occurred: Bools,
    values: Floats,
    rows: dict[str, int],
    kinds: dict[str, str],
    uniforms_of_row: Callable[[int], Floats],
    only: Container[int] | None = None,
) -> None:
    """Apply every effect in place to ``values`` (n_indicators, n) on the draws where its event occurred.

    ``kinds`` maps indicator id to its kind (a flow's scale acts on 1 + growth; counts stay whole).
    ``uniforms_of_row(row)`` gives an indicator's own uniforms, for replacements. With ``only``,
    just the effects on those rows (each row's effects depend on nothing but the row itself).
    """
    for kind in EFFECT_KINDS:
        for index, event in enumerate(events):
            mask = occurred[index]
            if not mask.any():
                continue
            for effect in event.effects:
                if effect.kind != kind:
                    continue
                row = rows[effect.indicator]
                if only is not None and row not in only:
                    continue
                indicator_kind = kinds[effect.indicator]
                if kind == "replace":
                    assert effect.distribution is not None  # a replace effect is made with its law (validation)
                    u = uniforms_of_row(row)[mask]
                    values[row, mask] = quantity_at(effect.distribution, u, indicator_kind == "count")
                elif kind == "scale":
                    if indicator_kind == "flow":
                        values[row, mask] = (1.0 + values[row, mask]) * effect.value - 1.0
                    else:
                        values[row, mask] *= effect.value
                else:
                    values[row, mask] += effect.value
                if indicator_kind == "count":
                    values[row, mask] = np.maximum(np.rint(values[row, mask]), 0.0)
