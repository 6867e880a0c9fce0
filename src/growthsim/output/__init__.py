"""What planners read: tables and plain-language sentences for the terminal (``render``,
``render_compare``), JSON and CSV, output folders written all-or-nothing (``export``), Excel
workbooks (``workbook``), pandas DataFrames (``frames``), charts (``charts``) and the HTML report
(``report``). The only stage that formats numbers for people."""
