"""The Excel workbook of a --out folder, for planners who work in Excel and WPS.

``run`` writes summary.xlsx: 结论 (the 结论摘要 and one sentence per target), 达标概率 (one row per
target: name, 2022, the target as written, median, 90% interval, P(hit), its margin of error, the
judgement; with --actuals also the year so far, as summary.csv has it), 分位数, 假设与来源 and 运行记录 (the manifest). ``compare`` writes compare.xlsx with
情景比较 first; ``sensitivity`` writes sensitivity.xlsx with 影响因素.

Headers are in the language of the run; percentages are Excel percentages (the cell holds 0.137,
shown 13.7%) and amounts numbers in their unit's column, rounded for display by the number format
while the cell keeps full precision; the header row is frozen and columns are sized to their text.
The sheets themselves are data (``sheets``): pandas writes them and openpyxl formats them, both
imported only here, when a workbook is written."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from growthsim.i18n import pgettext
from growthsim.output.comparison import column_name
from growthsim.output.sheets import (
    PERCENT,
    POINTS,
    RATE,
    Sheet,
    assumptions_sheet,
    comparison_sheet,
    conclusions_sheet,
    drivers_sheet,
    points_format,
    quantiles_sheet,
    record_sheet,
    sheet_name,
    targets_sheet,
)

__all__ = ["write_compare_workbook", "write_run_workbook", "write_sensitivity_workbook"]


def _write(path: str | Path, sheets: Sequence[Sheet]) -> None:
    """Write the sheets with pandas and format them with openpyxl."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet in sheets:
            headers = [h for h, _f in sheet.columns]
            frame = pd.DataFrame(sheet.rows, columns=headers) if sheet.rows else pd.DataFrame(columns=headers)
            frame.to_excel(writer, sheet_name=sheet.name[:31], index=False)
            worksheet = writer.sheets[sheet.name[:31]]
            worksheet.freeze_panes = "A2"
            # printed from Excel or WPS: landscape, one page wide, the header on every page
            worksheet.page_setup.orientation = "landscape"
            worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
            worksheet.page_setup.fitToWidth, worksheet.page_setup.fitToHeight = 1, 0
            worksheet.sheet_properties.pageSetUpPr.fitToPage = True
            worksheet.print_title_rows = "1:1"
            for cell in worksheet[1]:
                cell.font = Font(bold=True)
                cell.fill = PatternFill("solid", fgColor="F2F4F7")
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for j, (header, number_format) in enumerate(sheet.columns, start=1):
                widest = _width(header)
                for i, row in enumerate(sheet.rows, start=2):
                    cell = worksheet.cell(row=i, column=j)
                    chosen = sheet.formats[i - 2][j - 1] or number_format
                    chosen = points_format() if chosen == POINTS else chosen
                    if chosen and isinstance(row[j - 1], (int, float)) and not isinstance(row[j - 1], bool):
                        cell.number_format = chosen
                    text = row[j - 1]
                    if isinstance(text, str) and text.startswith("="):  # a name like "=…" is text, not a formula
                        cell.data_type = "s"
                    widest = max(widest, _width(_shown(text, chosen)))
                    if isinstance(text, str) and _width(text) > 60:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    else:
                        cell.alignment = Alignment(vertical="top")
                worksheet.column_dimensions[get_column_letter(j)].width = min(max(widest + 2, 8), 62)


def _shown(value: Any, number_format: str | None) -> str:
    """About what Excel shows, to size the column."""
    if value is None:
        return ""
    if isinstance(value, float) and number_format in (PERCENT, RATE):
        return f"{value * 100:.2f}%"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def _width(text: str) -> int:
    """Excel column units of ``text``: a Chinese character takes about two."""

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def write_run_workbook(path: str | Path, summary, record: dict, january: dict | None = None) -> None:
    """With actuals, ``january`` is each target's P(hit) without them (the targets sheet shows it)."""
    _write(
        path,
        [
            conclusions_sheet([summary]),
            targets_sheet(summary, january=january),
            quantiles_sheet(summary),
            assumptions_sheet(summary.scenario),
            record_sheet(record),
        ],
    )


def write_compare_workbook(path: str | Path, comparison, record: dict) -> None:
    summaries = comparison.summaries

    sheets = [comparison_sheet(comparison), conclusions_sheet(summaries)]
    for k, summary in enumerate(summaries):  # each scenario's own sheets, named as its column
        label = f"{k + 1} {column_name(summary.scenario)}".strip()
        sheets.append(targets_sheet(summary, sheet_name(pgettext("sheet", "P(hit)"), label)))
        sheets.append(quantiles_sheet(summary, sheet_name(pgettext("sheet", "Quantiles"), label)))
        sheets.append(
            assumptions_sheet(summary.scenario, sheet_name(pgettext("sheet", "Assumptions and sources"), label))
        )
    sheets.append(record_sheet(record))
    _write(path, sheets)


def write_sensitivity_workbook(path: str | Path, results, scenario, record: dict) -> None:
    _write(path, [drivers_sheet(results), assumptions_sheet(scenario), record_sheet(record)])
