"""Tables a planner gives as input (year-to-date actuals; later, a place's record of outcomes): a CSV
file or an Excel workbook, read cell by cell with where each cell stands, so that every problem is
told at its file:row:column (CSV) or file!sheet:cell (a workbook).

CSV is read with the standard csv module and workbooks with openpyxl, not through pandas: pandas
would give the values but lose their places (blank rows dropped, the header row moved), and
openpyxl also says how a cell is shown (0.051 formatted as 5.1% is a percentage, not 0.051). A CSV
may be UTF-8 (with or without the byte-order mark Excel writes), GBK/GB18030 (what Excel on Chinese
Windows saves as plain "CSV"), or UTF-16 (Excel's "Unicode text"); comma-, tab- or
semicolon-separated.
"""

from __future__ import annotations

import csv
import io
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from growthsim.i18n import _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, shown_path

__all__ = ["HEADER_ROWS_SEARCHED", "MAX_TABLE_BYTES", "Cell", "Header", "Table", "find_header", "read_tables"]

# A statistics table of a district is a few kB, a year of monthly reports well under a megabyte.
MAX_TABLE_BYTES = 20_000_000


@dataclass(frozen=True)
class Cell:
    value: object  # str (CSV, text cells), int, float, datetime (workbook cells), None (empty)
    row: int  # 1-based: the file's line (CSV) or the sheet's row
    col: int  # 1-based
    percent: bool = False  # a workbook cell shown as a percentage: its value 0.051 means 5.1%

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass(frozen=True)
class Table:
    label: str  # the file, as messages show it
    rows: tuple[tuple[Cell, ...], ...]
    sheet: str | None = None  # a workbook's sheet; None for CSV

    def diagnostic(self, row: int, col: int | None, key: str, message: str, severity: str = "error") -> Diagnostic:
        """A problem at a cell (or a row, with ``col`` None): file:row:col, or file!sheet:C5."""
        if self.sheet is None:
            return Diagnostic(self.label, row, col, key, message, severity)
        from openpyxl.utils import get_column_letter

        cell = f"{self.sheet}:{get_column_letter(col)}{row}" if col is not None else f"{self.sheet}:{row}"
        return Diagnostic(self.label, row, col, key, message, severity, cell=cell)


def read_tables(path: str | Path) -> list[Table]:
    """The tables of a CSV file (one) or a workbook (one per sheet that holds anything)."""
    path = Path(path)
    label = shown_path(path)

    def cannot(message: str) -> ScenarioError:
        return ScenarioError([Diagnostic(label, None, None, "", message)])

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise cannot(_("is a directory, not a table (give a .csv or .xlsx file)"))
        if not stat.S_ISREG(info.st_mode):
            raise cannot(_("is not a regular file (a device, a pipe or a socket): give a .csv or .xlsx file"))
        if info.st_size > MAX_TABLE_BYTES:
            raise cannot(
                _("is {size} MB: a table of figures is at most {limit} MB").format(
                    size=f"{info.st_size / 1e6:.1f}", limit=f"{MAX_TABLE_BYTES / 1e6:g}"
                )
            )
        with path.open("rb") as file:
            data = file.read(MAX_TABLE_BYTES + 1)
    except FileNotFoundError:
        raise cannot(_("file not found")) from None
    except OSError as exc:
        raise cannot(_("cannot read the file: {strerror}").format(strerror=exc.strerror)) from None
    if data.startswith(b"PK\x03\x04"):
        return _workbook(data, label, cannot)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise cannot(
            _("is an old-style Excel or WPS workbook (.xls, .et): open it and save it as .xlsx (or as CSV UTF-8)")
        )
    return [_csv(_decode(data, cannot), label)]


def _decode(data: bytes, cannot) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # Excel's plain "CSV" on Chinese Windows
    except UnicodeDecodeError:
        raise cannot(_("is neither UTF-8 nor GBK text, nor a workbook: save it as .xlsx or as CSV UTF-8")) from None


def _csv(text: str, label: str) -> Table:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    line = 1
    for fields in reader:
        rows.append(tuple(Cell(field, line, col) for col, field in enumerate(fields, start=1)))
        line = reader.line_num + 1  # the next record starts after every line this one took
    return Table(label, tuple(rows))


def _workbook(data: bytes, label: str, cannot) -> list[Table]:
    import zipfile

    from openpyxl import load_workbook

    try:
        # data_only: a formula's value as Excel last computed it, which is what the planner sees
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise cannot(_("is a zip file but not a workbook growthsim can read ({error})").format(error=exc)) from None
    tables = []
    try:
        for sheet in book.worksheets:
            rows = []
            for cells in sheet.iter_rows():
                row = []
                for cell in cells:
                    number, column = getattr(cell, "row", None), getattr(cell, "column", None)
                    if number is None or column is None:  # an empty cell in read-only mode has no place
                        continue
                    value = cell.value
                    percent = isinstance(value, (int, float)) and "%" in str(cell.number_format or "")
                    row.append(Cell(value, number, column, percent))
                if row:
                    rows.append(tuple(row))
            if rows:
                tables.append(Table(label, tuple(rows), sheet=sheet.title))
    finally:
        book.close()
    return tables


# Title rows above a table's header ("洛龙区2023年1—6月主要经济指标") are skipped: the header is
# looked for in this many rows.
HEADER_ROWS_SEARCHED = 10


@dataclass(frozen=True)
class Header:
    """Where a table's columns are, found by their headers."""

    row: int  # the header's row
    at: dict[str, int]  # column name -> 1-based column
    percent: dict[str, bool]  # column name -> its header said "%" ("增长(%)")
    headers: dict[str, str]  # column name -> the header as written


def normal_header(text: str) -> tuple[str, bool]:
    """(the header without spaces, brackets and '%', lower-cased; whether it said '%')."""
    said_percent = "%" in text or "％" in text
    plain = re.sub(r"[\s　()（）\[\]【】%％]", "", text).lower()
    return plain, said_percent


def find_header(table: Table, columns: Mapping[str, Sequence[str]], required: Sequence[str]) -> Header | None:
    """The first of the table's first HEADER_ROWS_SEARCHED rows that names every ``required`` column:
    each column of ``columns`` by any of its headers (compared as ``normal_header`` makes them)."""
    known = {name: {normal_header(word)[0] for word in words} for name, words in columns.items()}
    for cells in table.rows[:HEADER_ROWS_SEARCHED]:
        at: dict[str, int] = {}
        percent: dict[str, bool] = {}
        headers: dict[str, str] = {}
        for cell in cells:
            if not isinstance(cell.value, str):
                continue
            plain, said_percent = normal_header(cell.value)
            for name, words in known.items():
                if name not in at and plain in words:
                    at[name], percent[name], headers[name] = cell.col, said_percent, cell.value.strip()
        if all(name in at for name in required):
            return Header(cells[0].row, at, percent, headers)
    return None
