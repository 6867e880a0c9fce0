"""A place's record of targets and outcomes (the input of `growthsim calibrate`), read and checked.

A record is a table (CSV or an Excel workbook, read by ``tables``) with a row per place, indicator
and year: the year's target and its outcome, in the row's unit. Its columns are found by their
headers, Chinese or English (``COLUMNS``), under any title rows. Required: the indicator, the year,
the target, the outcome and the unit; optional: the place (地区; one place if absent), its level
(层级), the previous year's outcome (上年实际), the target's form (预期/底线/力争), its direction
(方向: ≥ or ≤; else from the indicator's name, ``_AT_MOST_WORDS``), a source and an exclusion
(剔除: the reason a year is left out, e.g. 疫情冲击).

Numbers are in the row's unit: with a percent unit (%, pct_yoy, 百分比 …) a bare 5.1 is 5.1%, and a
workbook cell shown as a percentage (0.051 as 5.1%) is read as shown. A row of this year's target
leaves the outcome empty. Every problem is told at its cell: a year that is not a year, a rate
written 0.051 in a % column, a year twice, a unit unlike the indicator's other rows, a form or a
direction not known, an exclusion without a reason. ``read_record`` returns a Record or raises
ScenarioError with all of them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from growthsim.i18n import N_, _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError
from growthsim.scenario.quantities import Expect, QuantityError, parse_quantity
from growthsim.scenario.tables import HEADER_ROWS_SEARCHED, Cell, Header, Table, find_header, read_tables

__all__ = ["COLUMNS", "FORMS", "SENSES", "Record", "RecordRow", "read_record"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "place": ("地区", "地方", "行政区", "区域", "place", "region", "area"),
    "level": ("层级", "级别", "行政级别", "level"),
    "indicator": ("指标", "指标名称", "项目", "indicator", "name", "id"),
    "year": ("年份", "年度", "年", "year"),
    "target": ("目标", "预期目标", "目标值", "计划目标", "target"),
    "outcome": ("实际", "实际值", "完成", "完成值", "实绩", "结果", "outcome", "actual"),
    "previous": ("上年实际", "上年完成", "上年", "previous", "previous_outcome", "last_year"),
    "form": ("目标类型", "目标性质", "类型", "性质", "form"),
    "sense": ("方向", "考核方向", "sense", "direction"),
    "unit": ("单位", "计量单位", "unit"),
    "source": ("来源", "出处", "资料来源", "数据来源", "source", "source_url", "sources"),
    "excluded": ("剔除", "排除", "剔除原因", "排除原因", "exclude", "excluded", "exclusion"),
}
_REQUIRED = ("indicator", "year", "target", "outcome")
_COLUMN_WORDS = {
    "indicator": N_("indicator"),
    "year": N_("year"),
    "target": N_("target"),
    "outcome": N_("outcome"),
    "unit": N_("unit"),
}

# A target's form as the reports write it: 预期性 (expected), 底线/约束性 (a floor that must hold), 力争 (stretch).
FORMS: dict[str, str] = {
    "预期": "expected",
    "预期性": "expected",
    "expected": "expected",
    "底线": "floor",
    "约束性": "floor",
    "约束": "floor",
    "floor": "floor",
    "力争": "stretch",
    "争取": "stretch",
    "stretch": "stretch",
}
SENSES: dict[str, str] = {
    "≥": "at_least",
    ">=": "at_least",
    "at_least": "at_least",
    "不低于": "at_least",
    "以上": "at_least",
    "下限": "at_least",
    "≤": "at_most",
    "<=": "at_most",
    "at_most": "at_most",
    "不超过": "at_most",
    "以内": "at_most",
    "上限": "at_most",
}
# Indicators whose targets are ceilings when the record does not say (CPI 3%左右, 失业率5.5%以内).
_AT_MOST_WORDS = ("cpi", "价格", "物价", "失业", "unemployment", "能耗", "energy_intensity", "inflation")
_PERCENT_UNITS = ("%", "％", "百分比", "percent", "pct")
_BARE_REASONS = {"是", "y", "yes", "1", "true", "x", "√", "✓", "剔除", "排除"}
_QUALIFIERS = re.compile(r"(左右|以上|以内|以下|上下|之内)$")


@dataclass(frozen=True)
class RecordRow:
    """One year of one indicator at one place. Rates are fractions (0.051 for 5.1%), like a scenario's."""

    place: str
    indicator: str
    year: int
    target: float
    outcome: float | None  # None: this year's target, not yet known
    unit: str  # as written
    percent: bool  # a rate or a growth (the unit is a percentage)
    sense: str  # "at_least" or "at_most"
    sense_given: bool  # written in the row (else from the indicator's name)
    where: str  # file:row, or file!sheet:row
    previous: float | None = None
    form: str | None = None  # "expected", "floor", "stretch"
    level: str | None = None
    source: str | None = None
    excluded: str | None = None  # the reason the year is left out


@dataclass(frozen=True)
class Record:
    label: str
    rows: tuple[RecordRow, ...]
    sha256: str


def read_record(path: str | Path) -> Record:
    """The record in ``path`` (CSV or .xlsx), or ScenarioError listing every problem in it."""
    tables = read_tables(path)
    label = tables[0].label if tables else str(path)
    found = [(table, header) for table in tables if (header := find_header(table, COLUMNS, _REQUIRED)) is not None]
    if not found:
        names = ", ".join(f"{_(_COLUMN_WORDS[name])}（{' / '.join(COLUMNS[name][:3])}）" for name in _COLUMN_WORDS)
        message = _(
            "no header row naming the indicator, the year, the target and the outcome was found in the first {n} "
            "rows: the columns are {names}"
        ).format(n=HEADER_ROWS_SEARCHED, names=names)
        raise ScenarioError([Diagnostic(label, None, None, "", message)])
    reader = _Reader()
    for table, header in found:
        reader.table(table, header)
    reader.consistent()
    if reader.diagnostics:
        raise ScenarioError(reader.diagnostics)
    return Record(label, tuple(reader.rows), hashlib.sha256(Path(path).read_bytes()).hexdigest())


class _Reader:
    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.rows: list[RecordRow] = []
        self.cells: dict[int, tuple[Table, Header, int]] = {}  # index in rows -> where its row is

    def report(self, table: Table, header: Header, row: int, name: str | None, message: str) -> None:
        col = header.at.get(name) if name else None
        self.diagnostics.append(table.diagnostic(row, col, header.headers.get(name, "") if name else "", message))

    def table(self, table: Table, header: Header) -> None:
        if "unit" not in header.at:
            message = _(
                "no unit column (单位 / unit): say each row's unit: rates and growths in %, amounts in 万人, 亿元 …"
            )
            self.diagnostics.append(table.diagnostic(header.row, None, "", message))
            return
        for cells in table.rows:
            if not cells or cells[0].row <= header.row:
                continue
            by_col = {cell.col: cell for cell in cells}
            row = {name: by_col.get(col) for name, col in header.at.items()}
            if all((cell := row.get(name)) is None or cell.empty for name in ("year", "target", "outcome")):
                continue  # a blank row, or a note below the table
            self.row(table, header, cells[0].row, row)

    def row(self, table: Table, header: Header, line: int, cells: dict[str, Cell | None]) -> None:
        before = len(self.diagnostics)

        def problem(name: str | None, message: str) -> None:
            self.report(table, header, line, name, message)

        indicator = _text(cells.get("indicator"))
        if indicator is None:
            problem("indicator", _("no indicator: name it as your record does (GDP, 地区生产总值 …)"))
        year = self.year(cells.get("year"), problem)
        unit = _text(cells.get("unit"))
        if unit is None:
            problem("unit", _("no unit: a rate or a growth is in %, an amount in its unit (万人, 亿元 …)"))
            return
        percent = unit.lower().startswith(_PERCENT_UNITS)
        figures = {}
        for name in ("target", "outcome", "previous"):
            figures[name] = self.number(cells.get(name), name, unit, percent, problem)
        target_cell = cells.get("target")
        if target_cell is None or target_cell.empty:
            problem("target", _("no target: a year without a target has nothing to learn from; leave the row out"))
        form = self.choice(cells.get("form"), FORMS, "form", problem)
        sense_written = self.choice(cells.get("sense"), SENSES, "sense", problem)
        excluded = _text(cells.get("excluded"))
        if excluded is not None and excluded.lower() in _BARE_REASONS:
            problem(
                "excluded",
                _("{value!r}: say why the year is left out, e.g. 疫情冲击 or 统计口径调整").format(value=excluded),
            )
        if len(self.diagnostics) > before or indicator is None or year is None or figures["target"] is None:
            return
        place = _text(cells.get("place")) or ""
        sense = sense_written or ("at_most" if any(w in indicator.lower() for w in _AT_MOST_WORDS) else "at_least")
        where = f"{table.label}:{line}" if table.sheet is None else f"{table.label}!{table.sheet}:{line}"
        self.cells[len(self.rows)] = (table, header, line)
        self.rows.append(
            RecordRow(
                place,
                indicator,
                year,
                figures["target"],
                figures["outcome"],
                unit,
                percent,
                sense,
                sense_written is not None,
                where,
                figures["previous"],
                form,
                _text(cells.get("level")),
                _text(cells.get("source")),
                excluded,
            )
        )

    def year(self, cell: Cell | None, problem) -> int | None:
        raw = cell.value if cell is not None else None
        text = str(raw).strip().removesuffix("年").strip() if raw is not None else ""
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        if not re.fullmatch(r"\d{4}", text) or not 1949 <= int(text) <= 2100:
            problem("year", _("{raw!r} is not a year: write it as 2023").format(raw=raw if raw is not None else ""))
            return None
        return int(text)

    def number(self, cell: Cell | None, name: str, unit: str, percent: bool, problem) -> float | None:
        if cell is None or cell.empty:
            return None
        raw = cell.value
        if isinstance(raw, bool):
            problem(name, _("{raw!r} is not a number").format(raw=raw))
            return None
        if isinstance(raw, (int, float)):
            if cell.percent:  # a workbook cell shown as 5.1% holds 0.051
                if not percent:
                    _not_percent(unit, name, problem)
                    return None
                return float(raw)
            text = repr(float(raw)) if isinstance(raw, float) else str(raw)
        else:
            text = _QUALIFIERS.sub("", str(raw).strip().replace(",", "").replace("，", ""))
        written_percent = text.endswith(("%", "％"))
        number_text = text.rstrip("%％").strip()
        try:
            value = parse_quantity(number_text, Expect.AMOUNT)
            if percent:  # the row's unit says its numbers are percentages: 5.1 is 5.1%, read exactly
                fraction = parse_quantity(f"{number_text}%", Expect.PERCENT)
        except QuantityError:
            problem(name, _("{raw!r} is not a number (write 5.1, 1206 or 5.1%)").format(raw=raw))
            return None
        if not percent:
            if written_percent:
                _not_percent(unit, name, problem)
                return None
            return value
        if not written_percent and 0 < abs(value) < 0.2 and len(number_text.split(".")[-1]) >= 3:
            problem(
                name,
                _(
                    "{raw!r} in a row whose unit is {unit!r} reads as {raw}%: if {percent} is meant, write "
                    "{written} (or {percent})"
                ).format(raw=number_text, unit=unit, percent=f"{value * 100:g}%", written=f"{value * 100:g}"),
            )
            return None
        return fraction

    def choice(self, cell: Cell | None, allowed: dict[str, str], name: str, problem) -> str | None:
        text = _text(cell)
        if text is None:
            return None
        found = allowed.get(text.lower().replace(" ", ""))
        if found is None:
            problem(name, _("{value!r} is not one of {allowed}").format(value=text, allowed=" / ".join(allowed)))
        return found

    def consistent(self) -> None:
        """Checks across rows: a year twice, a unit or a direction unlike the first row's, two open years."""
        first: dict[tuple[str, str], int] = {}
        seen: dict[tuple[str, str, int], int] = {}
        open_year: dict[tuple[str, str], int] = {}
        for index, row in enumerate(self.rows):
            table, header, line = self.cells[index]
            key = (row.place, row.indicator)

            def problem(name: str, message: str) -> None:
                self.report(table, header, line, name, message)  # noqa: B023 - used at once, in this iteration

            other = seen.setdefault((*key, row.year), index)
            if other != index:
                problem(
                    "year",
                    _("{year} is given twice for {what}: also at {where}").format(
                        year=row.year, what=_what(row), where=self.rows[other].where
                    ),
                )
            k = first.setdefault(key, index)
            head = self.rows[k]
            if row.unit != head.unit:
                problem(
                    "unit",
                    _("{unit!r} is not the unit of {what} in its other rows ({first!r}, at {where})").format(
                        unit=row.unit, what=_what(row), first=head.unit, where=head.where
                    ),
                )
            if row.sense != head.sense and (row.sense_given or head.sense_given):
                problem(
                    "sense",
                    _("the direction differs from {what}'s other rows (at {where})").format(
                        what=_what(row), where=head.where
                    ),
                )
            if row.outcome is None:
                previous = open_year.setdefault(key, index)
                if previous != index:
                    problem(
                        "outcome",
                        _(
                            "no outcome for {what} in {year} nor in {other} ({where}): only this year's target "
                            "can be without its outcome"
                        ).format(
                            what=_what(row),
                            year=row.year,
                            other=self.rows[previous].year,
                            where=self.rows[previous].where,
                        ),
                    )


def _what(row: RecordRow) -> str:
    return f"{row.place} {row.indicator}".strip()


def _not_percent(unit: str, name: str, problem) -> None:
    problem(name, _("a percentage in a row whose unit is {unit!r}: write the amount in {unit}").format(unit=unit))


def _text(cell: Cell | None) -> str | None:
    if cell is None or cell.empty:
        return None
    return str(cell.value).replace("\u3000", " ").strip()
