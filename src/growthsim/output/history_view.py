"""`growthsim history` in a table: each target's odds in January and at each release of the year
(the latest run as of each period), from the run history."""

from __future__ import annotations

from growthsim.i18n import _
from growthsim.output.history import Recorded
from growthsim.output.wording import format_share
from growthsim.scenario.periods import Period

__all__ = ["history_columns", "history_table"]


def history_columns(records: list[Recorded]) -> list[tuple[str, dict[str, float]]]:
    """(heading, indicator -> P(hit)) for January and each as-of period, in the order of the year;
    a period run more than once shows its latest run."""
    january: dict[str, float] = {}
    by_period: dict[tuple[int, int], dict[str, float]] = {}
    for record in records:  # oldest first: a later run of the same period replaces an earlier one
        if record.p_hit_january is not None:
            january.setdefault(record.indicator, record.p_hit_january)
        if record.as_of is not None:
            by_period.setdefault(record.as_of, {})[record.indicator] = record.p_hit
    columns = [(_("January"), january)] if january else []
    for (first, last), odds in sorted(by_period.items(), key=lambda item: (item[0][1], item[0][0])):
        columns.append((Period(first, last).words(), odds))
    return columns


def history_table(records: list[Recorded], title: str):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    columns = history_columns(records)
    table = Table(title=title, box=box.HEAVY_HEAD, header_style="bold")
    table.add_column(_("indicator"))
    table.add_column(_("target"))
    for heading, _odds in columns:
        table.add_column(heading, justify="right")
    seen: dict[str, Recorded] = {}
    for record in records:
        seen.setdefault(record.indicator, record)
    for indicator, record in seen.items():
        cells = [format_share(odds[indicator]) if indicator in odds else "—" for _heading, odds in columns]
        name = Text(record.name)
        name.append(f"\n{indicator}", style="dim")
        table.add_row(name, Text(record.target), *cells)
    return table
