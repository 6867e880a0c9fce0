"""`growthsim history` in a table: each target's odds in January and at each release of the year
(the latest run as of each period), from the run history. The columns (``history_odds``) are shared
by the table, the JSON, the chart (``history_chart``) and the report."""

from __future__ import annotations

from dataclasses import dataclass

from growthsim.i18n import _
from growthsim.output.history import Recorded
from growthsim.output.wording import format_share
from growthsim.scenario.periods import Period

__all__ = ["HistoryColumn", "history_columns", "history_odds", "history_table", "history_targets"]


@dataclass(frozen=True)
class HistoryColumn:
    """January's odds or those as of one period: indicator -> P(hit) and its interval (None for
    January, whose odds are recorded without one)."""

    heading: str
    as_of: tuple[int, int] | None  # (first, last) month; None: January
    p_hit: dict[str, float]
    ci: dict[str, tuple[float, float]]


def history_odds(records: list[Recorded]) -> list[HistoryColumn]:
    """January and each as-of period, in the order of the year; a period run more than once shows
    its latest run."""
    january: dict[str, float] = {}
    by_period: dict[tuple[int, int], dict[str, Recorded]] = {}
    for record in records:  # oldest first: a later run of the same period replaces an earlier one
        if record.p_hit_january is not None:
            january.setdefault(record.indicator, record.p_hit_january)
        if record.as_of is not None:
            by_period.setdefault(record.as_of, {})[record.indicator] = record
    columns = [HistoryColumn(_("January"), None, january, {})] if january else []
    for (first, last), latest in sorted(by_period.items(), key=lambda item: (item[0][1], item[0][0])):
        columns.append(
            HistoryColumn(
                Period(first, last).words(),
                (first, last),
                {indicator: record.p_hit for indicator, record in latest.items()},
                {indicator: record.ci for indicator, record in latest.items()},
            )
        )
    return columns


def history_columns(records: list[Recorded]) -> list[tuple[str, dict[str, float]]]:
    """(heading, indicator -> P(hit)) for January and each as-of period (``history_odds``)."""
    return [(column.heading, column.p_hit) for column in history_odds(records)]


def history_targets(records: list[Recorded]) -> dict[str, Recorded]:
    """Each recorded target (its name and target as first recorded), in the order first seen."""
    seen: dict[str, Recorded] = {}
    for record in records:
        seen.setdefault(record.indicator, record)
    return seen


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
    for indicator, record in history_targets(records).items():
        cells = [format_share(odds[indicator]) if indicator in odds else "—" for _heading, odds in columns]
        name = Text(record.name)
        name.append(f"\n{indicator}", style="dim")
        table.add_row(name, Text(record.target), *cells)
    return table
