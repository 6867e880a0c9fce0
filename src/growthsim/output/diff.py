"""`growthsim diff` for people and machines: what differs between two scenarios (assumptions,
targets, events, after extends) as a table of the file's keys with both values, and as JSON
(schema growthsim.diff/1).
"""

from __future__ import annotations

from typing import Any

from growthsim._version import __version__
from growthsim.i18n import N_, _
from growthsim.output.records import (
    scenario_fields,
)
from growthsim.output.wording import assumption_words
from growthsim.scenario.types import Scenario

__all__ = ["DIFF_SCHEMA", "diff_table", "diff_to_dict"]


DIFF_SCHEMA = "growthsim.diff/1"


def diff_to_dict(changes, a: Scenario, b: Scenario) -> dict[str, Any]:
    """The JSON document of `growthsim diff`: each change as where, field, a, b (None where absent)."""

    def plain(value):
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)

    return {
        "schema": DIFF_SCHEMA,
        "growthsim_version": __version__,
        "a": scenario_fields(a),
        "b": scenario_fields(b),
        "changes": [{"where": c.where, "field": c.field, "a": plain(c.a), "b": plain(c.b)} for c in changes],
    }


# diff's items in words (the JSON keeps the field names)
_FIELD_WORDS = {
    "name": N_("name"),
    "draws": N_("draws"),
    "seed": N_("seed"),
    "base_year": N_("base year"),
    "target_year": N_("target year"),
    "method": N_("correlation method"),
    "indicator": N_("indicator"),
    "unit": N_("unit"),
    "kind": N_("kind"),
    "basis": N_("price basis"),
    "baseline": N_("baseline"),
    "assumption": N_("assumption"),
    "target": N_("target"),
    "drivers": N_("links"),
    "event": N_("shock event"),
    "probability": N_("probability"),
    "group": N_("exclusive group"),
    "effects": N_("effects"),
}


def diff_table(changes, a: Scenario, b: Scenario):
    """What differs, in words: indicators by name (id under it), items in the run's language, an
    assumption as a distribution in words (its TOML form under it)."""
    from rich.table import Table
    from rich.text import Text

    names = {i.id: i.name for s in (b, a) for i in s.indicators}
    events = {f"events.{e.id}": e.name for s in (b, a) for e in s.events}

    def where(change) -> Text:
        if change.where == "scenario":
            return Text(_("scenario"))
        if change.where == "correlations":
            return Text(_("how strongly indicators move together"))
        text = Text(names.get(change.where) or events.get(change.where) or change.where)
        text.append(f"\n{change.where}", style="dim")
        return text

    def value(change, scenario: Scenario, raw) -> Text:
        if raw is None:
            return Text("—")
        if raw == "present":
            return Text(_("present"))
        if change.field == "assumption" and change.where in scenario.ids:
            text = Text(assumption_words(scenario.indicator(change.where)))
            text.append(f"\n{raw}", style="dim")
            return text
        return Text(str(raw))

    table = Table(
        title=_("Differences between scenarios: {a} → {b}").format(a=a.name, b=b.name),
        header_style="bold",
        show_lines=True,
    )
    table.add_column(_("indicator"), overflow="fold")
    table.add_column(_("item"), overflow="fold")
    table.add_column(f"A: {a.name}", overflow="fold")
    table.add_column(f"B: {b.name}", overflow="fold")
    for change in changes:
        table.add_row(
            where(change),
            _(_FIELD_WORDS[change.field]) if change.field in _FIELD_WORDS else change.field,
            value(change, a, change.a),
            value(change, b, change.b),
        )
    return table
