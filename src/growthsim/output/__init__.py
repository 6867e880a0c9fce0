"""What planners read, the only stage that formats numbers for people: a run in words (``words``),
as JSON and CSV (``records``) and as terminal tables (``tables``); a scenario's tables (``show``);
comparisons (``comparison``) and diffs (``diff``); Excel workbooks (``sheets``, ``workbook``) and
pandas DataFrames (``frames``); charts (``figures``, ``charts``); the HTML report (``report``,
``report_html``, ``report_sections``, ``html``, report.css); and output folders written
all-or-nothing (``export``).
"""
