"""The pieces the HTML report is made of: escaped text, headings, table heads, a chart as an inline
SVG image, a probability with its error bar, its band as a badge, a projection, and the time of the
run in Beijing time. Nothing here knows the report's layout.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime, timedelta, timezone
from typing import Any

from growthsim.i18n import language
from growthsim.output.figures import band_colour
from growthsim.output.report import Report
from growthsim.output.wording import band_of, format_share, interval_text, metric_text

__all__ = [
    "band_badge",
    "chart_img",
    "esc",
    "h2",
    "head_row",
    "made_at",
    "probability_cell",
    "projection_text",
    "small",
]


def made_at(created: str) -> str:
    """When a report was made, as its reader tells time: 2026年12月1日 22:55（北京时间） in Chinese (the
    planners' clock), 2026-12-01 14:55 UTC in English; the manifest keeps the ISO time in UTC."""

    moment = datetime.fromisoformat(created)
    if language() == "zh":
        local = moment.astimezone(timezone(timedelta(hours=8)))
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"
    return f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


# (Babel does not look inside f-strings: a message is translated outside them and put in by these.)
def small(text: str) -> str:
    return f'<span class="small">{esc(text)}</span>'


def h2(anchor: str, title: str) -> str:
    return f'<h2 id="{anchor}">{esc(title)}</h2>'


def head_row(*columns: tuple[str, bool]) -> str:
    """A header row: (words, numeric) per column."""
    return (
        "<tr>"
        + "".join(f'<th class="num">{esc(w)}</th>' if numeric else f"<th>{esc(w)}</th>" for w, numeric in columns)
        + "</tr>"
    )


def chart_img(report: Report, key: str, alt: str, kind: str = "") -> str:
    svg = report.charts.get(key)
    if svg is None:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<figure class="{kind}"><img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}"></figure>'


def probability_cell(probability, stacked: bool = False) -> str:
    """13.7% [13.2%, 14.2%]; ``stacked``: the interval on a line of its own (a narrow table column)."""
    low, high = probability.ci
    gap = "<br>" if stacked else " "
    return f'{format_share(probability.p)}{gap}<span class="small">[{format_share(low)}, {format_share(high)}]</span>'


def band_badge(p: float) -> str:
    words = band_of(p)[0]
    return f'<span class="band" style="background:{band_colour(p)}">{esc(words)}</span>'


def projection_text(row, stacked: bool = False) -> str:
    indicator = row.indicator
    interval = interval_text(indicator, row.metric, row.quantiles["p05"], row.quantiles["p95"])
    return (
        f"{esc(metric_text(indicator, row.metric, row.quantiles['p50']))}{'<br>' if stacked else ' '}"
        f'<span class="small">{esc(interval)}</span>'
    )
