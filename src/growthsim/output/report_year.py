"""The report's section on the year so far, when the first scenario has actuals: the file and the
period they are as of; for each target whose indicator has actuals, the actual to date and P(hit)
given it beside P(hit) in January (the same draws without the actuals); what the rest of the year
must deliver; and, when the run history holds runs of the scenario, how the odds moved release by
release (the chart and the table of `growthsim history`).
"""

from __future__ import annotations

from growthsim.analysis.yeartodate import year_to_date
from growthsim.i18n import _
from growthsim.output.history_view import history_odds, history_targets
from growthsim.output.html import chart_img, esc, h2, head_row, probability_cell
from growthsim.output.report import Report
from growthsim.output.wording import format_share
from growthsim.output.yeartodate import actual_text, needs_lines

__all__ = ["year_section"]


def year_section(report: Report, title: str) -> str:
    """The section (an h2 titled ``title``, anchor #year); empty without actuals."""
    summary = report.summaries[0]
    actuals = summary.scenario.actuals
    if actuals is None:
        return ""
    as_of = actuals.as_of
    lead = _(
        "The odds in this report are conditioned on the year-to-date actuals in {file} (as of {period}): each "
        "simulated year is the part already known plus the rest of the year. P(hit) in January is the same "
        "run without the actuals."
    ).format(file=actuals.label, period=as_of.words() if as_of is not None else "—")
    parts = [h2("year", title), f"<p>{esc(lead)}</p>", _odds_table(report)]
    needs = needs_lines(summary)
    if needs:
        heading = _("What the rest of the year must deliver")
        items = "".join(f"<li>{esc(line)}</li>" for line in needs)
        parts.append(f"<h3>{esc(heading)}</h3><ul>{items}</ul>")
    if report.history:
        parts.append(_history(report))
    return "\n".join(parts)


def _odds_table(report: Report) -> str:
    summary = report.summaries[0]
    known = {part.indicator.id: part for part in year_to_date(summary.scenario)}
    january = report.january or {}
    rows = []
    for row in summary.indicators:
        indicator = row.indicator
        if row.hit is None or indicator.target is None or indicator.id not in known:
            continue
        before = january.get(indicator.id)
        moved = "—" if before is None else f"{(row.hit.p - before.p) * 100:+.1f}pp"
        rows.append(
            f"<tr><td>{esc(indicator.name)}</td><td>{esc(indicator.target.written or indicator.target.text)}</td>"
            f"<td>{esc(actual_text(known[indicator.id]))}</td>"
            f'<td class="num">{probability_cell(row.hit)}</td>'
            f'<td class="num">{"—" if before is None else probability_cell(before)}</td>'
            f'<td class="num">{moved}</td></tr>'
        )
    head = head_row(
        (_("indicator"), False),
        (_("target"), False),
        (_("year so far"), False),
        (_("P(hit) now [margin of error]"), True),
        (_("P(hit) in January"), True),
        (_("change since January"), True),
    )
    return f'<table class="year">{head}{"".join(rows)}</table>'


def _history(report: Report) -> str:
    records = list(report.history)
    columns = history_odds(records)
    heading = _("How the odds moved through the year")
    words = _(
        "From the run history {file}: the odds in January, then those of the latest run with --actuals as of "
        "each period (error bars: the {level} interval)."
    ).format(file=report.history_file or "", level="95%")
    chart = chart_img(report, "history", heading)
    head = head_row((_("indicator"), False), (_("target"), False), *((column.heading, True) for column in columns))
    rows = []
    for indicator, record in history_targets(records).items():
        cells = "".join(
            f'<td class="num">{format_share(column.p_hit[indicator]) if indicator in column.p_hit else "—"}</td>'
            for column in columns
        )
        rows.append(f"<tr><td>{esc(record.name)}</td><td>{esc(record.target)}</td>{cells}</tr>")
    return f"<h3>{esc(heading)}</h3><p>{esc(words)}</p>{chart}<table>{head}{''.join(rows)}</table>"
