"""One row of year-to-date actuals (a table's row, or a scenario's [actuals.<id>]) read into an
Actual and checked against the scenario: its indicator (by id or name, with did-you-mean), its period
(of the target year; the year to date for a flow or a count), its figures (the scenario's rules for
percentages and units, or the column's "(%)" and the row's 单位), and the row as a whole (what the
indicator's kind needs, two rows for one period, a value against its growth and the base year).
``actuals`` finds the rows; this module says what is wrong with each, at its cell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from growthsim.i18n import _
from growthsim.scenario.diagnostics import Diagnostic, did_you_mean
from growthsim.scenario.periods import Period, PeriodError, parse_period
from growthsim.scenario.quantities import Expect, QuantityError, parse_quantity, split_multiplier
from growthsim.scenario.tables import Cell, Table
from growthsim.scenario.types import Actual, Actuals, Indicator, Scenario

__all__ = ["Columns", "RowChecker", "assembled"]


@dataclass
class Columns:
    """Where a row's fields are: a table's columns (or a scenario table's keys, each on its line)."""

    table: Table
    header_row: int
    at: dict[str, int]  # column name -> 1-based column
    percent: dict[str, bool]  # column name -> its header said "%"
    headers: dict[str, str]  # column name -> the header as written
    lines: dict[str, int] = field(default_factory=dict)  # a scenario's [actuals]: each key on its own line


def assembled(label: str, rows: Sequence[Actual], sha256: str | None) -> Actuals:
    latest: dict[str, Actual] = {}
    for actual in rows:
        if actual.indicator not in latest or actual.period.last > latest[actual.indicator].period.last:
            latest[actual.indicator] = actual
    return Actuals(label, tuple(rows), sha256, latest=latest)


class RowChecker:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.diagnostics: list[Diagnostic] = []
        self.rows: list[Actual] = []
        self.seen: dict[tuple[str, int, int], str] = {}  # (indicator, first, last) -> where
        self.by_name = {i.name: i for i in scenario.indicators} | {i.id: i for i in scenario.indicators}

    def table(self, columns: Columns) -> None:
        for cells in columns.table.rows:
            if not cells or cells[0].row <= columns.header_row:
                continue
            by_col = {cell.col: cell for cell in cells}
            row = {name: by_col.get(col) for name, col in columns.at.items()}
            figures = [row.get(name) for name in ("period", "value", "growth", "base_value")]
            if all(cell is None or cell.empty for cell in figures):
                continue  # a blank row, or a note below the table (注：以上为初步核算数)
            self.row(columns, cells[0].row, row)

    def report(self, columns: Columns, row: int, name: str | None, message: str) -> None:
        col = columns.at.get(name) if name else None
        key = columns.headers.get(name, "") if name else ""
        line = columns.lines.get(name, row) if name else row
        self.diagnostics.append(columns.table.diagnostic(line, col, key, message))

    def row(self, columns: Columns, row: int, cells: Mapping[str, Cell | None]) -> None:
        problems_before = len(self.diagnostics)
        indicator = self.indicator(columns, row, cells.get("indicator"))
        period = self.period(columns, row, cells.get("period"))
        if indicator is None or period is None:
            return
        unit = _text(cells.get("unit"))
        value = self.number(columns, row, cells.get("value"), "value", indicator, unit)
        growth = self.number(columns, row, cells.get("growth"), "growth", indicator, None)
        base_value = self.number(columns, row, cells.get("base_value"), "base_value", indicator, unit)
        if len(self.diagnostics) > problems_before:
            return
        table = columns.table
        where = f"{table.label}:{row}" if table.sheet is None else f"{table.label}!{table.sheet}:{row}"
        actual = Actual(indicator.id, period, value, growth, base_value, _text(cells.get("source")), where)
        if self.fits(columns, row, indicator, actual):
            self.rows.append(actual)
        self.seen.setdefault((indicator.id, period.first, period.last), where)

    def indicator(self, columns: Columns, row: int, cell: Cell | None) -> Indicator | None:
        written = _text(cell)
        if written is None:
            self.report(columns, row, "indicator", _("no indicator: give its id (gdp) or its name (地区生产总值)"))
            return None
        indicator = self.by_name.get(written.replace("\u3000", "").strip())
        if indicator is None:
            self.report(
                columns,
                row,
                "indicator",
                _("{written!r} is not an indicator of this scenario{hint}").format(
                    written=written, hint=did_you_mean(written, self.by_name)
                ),
            )
        return indicator

    def period(self, columns: Columns, row: int, cell: Cell | None) -> Period | None:
        raw = cell.value if cell is not None else None
        try:
            period = parse_period(raw.strip() if isinstance(raw, str) else raw)
        except PeriodError as error:
            self.report(columns, row, "period", str(error))
            return None
        year = self.scenario.target_year
        if period.year is not None and period.year != year:
            self.report(
                columns,
                row,
                "period",
                (
                    _("{raw!r} is beyond the scenario's target year {year}").format(raw=raw, year=year)
                    if period.year > year
                    else _(
                        "{raw!r} is a period of {written}, not of the target year {year}: the base year's figure for "
                        "the same period goes in a column 上年同期"
                    ).format(raw=raw, written=period.year, year=year)
                ),
            )
            return None
        return period

    def number(
        self, columns: Columns, row: int, cell: Cell | None, name: str, indicator: Indicator, unit: str | None
    ) -> float | None:
        if cell is None or cell.empty:
            return None
        raw = cell.value
        expect = Expect.PERCENT if name == "growth" or indicator.kind == "rate" else Expect.AMOUNT
        # the header (累计增长(%)) or, for a rate's value, the row's unit (%) says its bare numbers are percentages
        said_percent = columns.percent.get(name) or (name == "value" and unit in ("%", "％"))
        if expect is Expect.PERCENT and isinstance(raw, (int, float)) and not isinstance(raw, bool):
            if cell.percent:  # a workbook cell shown as 5.1% holds 0.051
                return float(raw)
            if said_percent:
                raw = f"{raw}%"
        elif isinstance(raw, str):
            raw = _without_thousands(raw.strip())
            if expect is Expect.PERCENT and said_percent and re.fullmatch(r"[+\-−]?[\d.]+", raw):
                raw = f"{raw}%"
        try:
            if expect is Expect.AMOUNT and unit and unit != indicator.unit:
                return self.amount_in(raw, unit, indicator)
            return parse_quantity(raw, expect, indicator.unit)
        except QuantityError as error:
            self.report(columns, row, name, str(error))
            return None

    def amount_in(self, raw: object, unit: str, indicator: Indicator) -> float:
        """An amount given with the row's unit (万元), in the indicator's (亿元)."""
        number = parse_quantity(raw, Expect.AMOUNT, unit)
        given_factor, given_base = split_multiplier(unit)
        own_factor, own_base = split_multiplier(indicator.unit)
        if given_base != own_base:
            raise QuantityError(
                _(
                    "the unit {unit!r} is not that of {name} ({own}): give the figure in {own}, or in 万{base} or 亿{base}"
                ).format(unit=unit, name=indicator.name, own=indicator.unit, base=own_base)
            )
        return number * given_factor / own_factor

    def fits(self, columns: Columns, row: int, indicator: Indicator, actual: Actual) -> bool:
        """The row makes sense for its indicator: checks that need the whole row."""
        problems_before = len(self.diagnostics)
        period = actual.period
        if indicator.kind == "derived":
            self.report(
                columns,
                row,
                "indicator",
                _("{name} is computed from other indicators by its formula: give the actuals of those instead").format(
                    name=indicator.name
                ),
            )
        elif indicator.kind == "change":
            self.report(
                columns,
                row,
                "indicator",
                _(
                    "{name} is a change known only at the end of the year: there are no year-to-date figures of it"
                ).format(name=indicator.name),
            )
        elif indicator.kind in ("flow", "count") and not period.year_to_date:
            self.report(
                columns,
                row,
                "period",
                _(
                    "{period} alone is not a year-to-date figure: give the cumulative figure from January "
                    "(e.g. 1—{last}月), as the bureau publishes it"
                ).format(period=period.words(), last=period.last),
            )
        elif indicator.kind == "flow" and actual.growth is None and not (actual.value and actual.base_value):
            self.report(
                columns,
                row,
                "growth",
                _("no cumulative growth: a flow needs its growth on the same period of the base year"),
            )
        elif indicator.kind in ("count", "rate") and actual.value is None:
            self.report(columns, row, "value", _("no cumulative value: a count or a rate needs the figure itself"))
        else:
            self.consistent(columns, row, indicator, actual)
        key = (indicator.id, period.first, period.last)
        if key in self.seen:
            self.report(
                columns,
                row,
                "period",
                _("{name} has two rows for {period} (the first at {first}): keep one").format(
                    name=indicator.name, period=period.words(), first=self.seen[key]
                ),
            )
        return len(self.diagnostics) == problems_before

    def consistent(self, columns: Columns, row: int, indicator: Indicator, actual: Actual) -> None:
        """A value against its growth, the base year's same period and the base year's whole."""
        baseline, value = indicator.baseline, actual.value
        if value is None or baseline is None or indicator.kind == "rate":
            return
        if value > 3 * baseline * actual.period.last / 12 + baseline:  # beyond a whole year and more
            self.report(
                columns,
                row,
                "value",
                _(
                    "{value:g} is more than the whole of the base year ({baseline:g}{unit}) for {period}: is it in "
                    "another unit (万 rather than 亿)? Give the unit in a column 单位"
                ).format(value=value, baseline=baseline, unit=indicator.unit, period=actual.period.words()),
            )
            return
        if actual.growth is None or indicator.basis == "real":  # a real growth does not divide a value in prices
            return
        implied = value / (1 + actual.growth)
        if actual.base_value is not None:
            # the published growth is rounded to 0.1pp: allow that, and a little for the values' rounding
            if abs(implied - actual.base_value) > actual.base_value * (0.0006 / (1 + actual.growth) + 0.001):
                self.report(
                    columns,
                    row,
                    "growth",
                    _(
                        "the value {value:g} and the growth {growth} imply {implied:.4g} for the base year's same "
                        "period, but its figure is {base:g}: one of the three is wrong"
                    ).format(value=value, growth=f"{actual.growth:.1%}", implied=implied, base=actual.base_value),
                )
        elif implied > baseline * 1.001 and actual.period.last < 12:
            self.report(
                columns,
                row,
                "value",
                _(
                    "the value {value:g} and the growth {growth} imply {implied:.4g} for the base year's {period}, more "
                    "than its whole year ({baseline:g}{unit}): one of them is wrong"
                ).format(
                    value=value,
                    growth=f"{actual.growth:.1%}",
                    implied=implied,
                    period=actual.period.words(),
                    baseline=baseline,
                    unit=indicator.unit,
                ),
            )


_THOUSANDS_GROUPED = re.compile(r"^[+\-−]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:\D.*)?$")


def _without_thousands(text: str) -> str:
    """Statistics tables group thousands (14,562.3): the numbers, not the commas, are the figure."""
    return text.replace(",", "") if _THOUSANDS_GROUPED.match(text) else text


def _text(cell: Cell | None) -> str | None:
    if cell is None or cell.empty:
        return None
    value = cell.value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return str(value).strip()
