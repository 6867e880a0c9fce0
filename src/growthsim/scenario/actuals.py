"""Year-to-date actuals (累计 figures) as the statistics bureau publishes them, read and checked
against the scenario they update.

A file (``--actuals``: CSV or an Excel workbook, read by ``tables``) has a row per indicator and
period; its columns are found by their headers, Chinese or English (``COLUMNS``), under any title
rows above them. An indicator is named by its id or its Chinese name. Each row gives the
cumulative value (累计值) and/or the cumulative growth (累计增长), optionally its unit, the base
year's figure for the same period (上年同期) and a source. Growths follow the scenario rule (a
bare 5.1 is ambiguous), except that a column headed with "(%)", or a workbook cell shown as a
percentage, says so once for all its numbers. A value in another unit than the indicator's
(万元 for 亿元) is converted when the row says its unit, and refused as implausible when it does not.

Every problem is told at its cell: an unknown indicator (with did-you-mean), a period that cannot be
read or is not of the target year, a single quarter where a flow needs the year to date, two rows
for one period, a value that contradicts its growth and the base year. ``read_actuals`` returns
``Actuals`` or raises ScenarioError with all of them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from growthsim.i18n import N_, _
from growthsim.scenario.actuals_rows import Columns, RowChecker, assembled
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, did_you_mean
from growthsim.scenario.tables import HEADER_ROWS_SEARCHED, Cell, Table, find_header, read_tables
from growthsim.scenario.types import DEFAULT_PERSISTENCE, Actuals, Scenario

__all__ = ["COLUMNS", "TOML_KEYS", "actuals_from_table", "read_actuals"]


# Each column, by the headers that name it (compared without spaces, brackets or "%", and with
# English in lower case). The first header row that names an indicator and a period is the header.
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("指标", "指标名称", "项目", "名称", "indicator", "id", "name"),
    "period": ("时期", "期间", "时间", "统计期", "月份", "报告期", "period"),
    "value": ("累计值", "累计", "本期累计", "累计数", "绝对值", "数值", "value", "cumulative"),
    "growth": (
        "累计增长",
        "累计增速",
        "累计增幅",
        "增长",
        "增速",
        "同比增长",
        "比上年同期增长",
        "累计比上年同期增长",
        "growth",
    ),
    "base_value": ("上年同期", "上年同期累计", "上年同期累计值", "上年同期数", "base_value", "base"),
    "unit": ("单位", "计量单位", "unit"),
    "source": ("来源", "出处", "资料来源", "数据来源", "source"),
}
_COLUMN_WORDS = {
    "indicator": N_("indicator"),
    "period": N_("period"),
    "value": N_("cumulative value"),
    "growth": N_("cumulative growth"),
    "base_value": N_("base year's same period"),
    "unit": N_("unit"),
    "source": N_("source"),
}


def _find_columns(table: Table) -> Columns | None:
    header = find_header(table, COLUMNS, ("indicator", "period"))
    if header is None:
        return None
    return Columns(table, header.row, header.at, header.percent, header.headers)


def read_actuals(path: str | Path, scenario: Scenario) -> Actuals:
    """The actuals in ``path`` (CSV or .xlsx), checked against ``scenario``; ScenarioError listing
    every problem otherwise."""
    import hashlib

    tables = read_tables(path)
    found = [columns for table in tables if (columns := _find_columns(table)) is not None]
    label = tables[0].label if tables else str(path)
    if not found:
        names = ", ".join(f"{_(_COLUMN_WORDS[name])}（{' / '.join(COLUMNS[name][:3])}）" for name in COLUMNS)
        raise ScenarioError(
            [
                Diagnostic(
                    label,
                    None,
                    None,
                    "",
                    _(
                        "no header row naming the indicator and the period was found in the first {n} rows: "
                        "the columns are {names}"
                    ).format(n=HEADER_ROWS_SEARCHED, names=names),
                )
            ]
        )
    checker = RowChecker(scenario)
    for columns in found:
        checker.table(columns)
    if checker.diagnostics:
        raise ScenarioError(checker.diagnostics)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return assembled(label, checker.rows, digest)


# A scenario's [actuals] table: [actuals.<id>] with these keys (the columns' names), and persistence.
TOML_KEYS = ("period", "value", "growth", "base_value", "unit", "source")


def actuals_from_table(raw: object, label: str, locate, scenario: Scenario) -> Actuals:
    """The actuals of a scenario's [actuals] table, checked like a file's, each problem at its key.
    ``locate(path, at)`` gives (line, column, line text) of a key path's key or value ("key",
    "value") in the scenario's file."""
    checker = RowChecker(scenario)
    persistence = DEFAULT_PERSISTENCE
    if not isinstance(raw, dict):
        raise ScenarioError([_toml_diagnostic(label, locate, ("actuals",), _("expected a table: [actuals.gdp] ..."))])
    for key, entry in raw.items():
        if key == "persistence":
            persistence = _persistence(entry, label, locate, checker)
            continue
        if not isinstance(entry, dict):
            checker.diagnostics.append(
                _toml_diagnostic(
                    label, locate, ("actuals", key), _('expected a table, e.g. [actuals.gdp] with period = "上半年"')
                )
            )
            continue
        unknown = [k for k in entry if k not in TOML_KEYS]
        for name in unknown:
            checker.diagnostics.append(
                _toml_diagnostic(
                    label,
                    locate,
                    ("actuals", key, name),
                    _("unknown key {key!r}{did_you_mean}; allowed here: {one_of}").format(
                        key=name, did_you_mean=did_you_mean(name, TOML_KEYS), one_of=", ".join(TOML_KEYS)
                    ),
                    at="key",
                )
            )
        line, col, _text_line = locate(("actuals", key), "key")
        cells = {"indicator": Cell(key, line or 0, col or 1)}
        at, lines, headers = {"indicator": col or 1}, {"indicator": line or 0}, {"indicator": f"actuals.{key}"}
        for name in TOML_KEYS:
            if name in entry:
                key_line, key_col, _line_text = locate(("actuals", key, name), "value")
                cells[name] = Cell(entry[name], key_line or 0, key_col or 1)
                at[name], lines[name], headers[name] = key_col or 1, key_line or 0, f"actuals.{key}.{name}"
        columns = Columns(Table(label, ()), 0, at, {}, headers, lines)
        if "period" not in entry:
            checker.report(columns, line or 0, "indicator", _('no period: e.g. period = "上半年"'))
            continue
        checker.row(columns, line or 0, cells)
    if checker.diagnostics:
        raise ScenarioError(checker.diagnostics)
    return dataclasses.replace(assembled(label, checker.rows, None), persistence=persistence)


def _persistence(entry: object, label: str, locate, checker: RowChecker) -> float:
    if isinstance(entry, (int, float)) and not isinstance(entry, bool) and 0 <= entry <= 1:
        return float(entry)
    checker.diagnostics.append(
        _toml_diagnostic(
            label,
            locate,
            ("actuals", "persistence"),
            _(
                "persistence is a number from 0 (the rest of the year as in January) to 1 (as the year so far), e.g. 0.5"
            ),
        )
    )
    return DEFAULT_PERSISTENCE


def _toml_diagnostic(label: str, locate, path: tuple, message: str, at: str = "value") -> Diagnostic:
    line, col, text = locate(path, at)
    return Diagnostic(label, line, col, ".".join(path), message, source_line=text)
