"""The chart of how the odds moved through the year (`growthsim history --plot`, the report's year so
far): each target's P(hit) in January and as of each release (the latest run of each period: the
columns of ``history_view``), one line per target, its 95% interval as error bars, on 0–100% with a
dashed line at even odds.

January's odds were recorded without their interval (the run history keeps only P(hit) without the
actuals), so January's points have no error bar, and the footnote says so. Like every chart it is
drawn without pyplot and, without a Chinese font, labelled in English with ids (``figures``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from growthsim.i18n import language
from growthsim.output.figures import (
    SCENARIO_COLOURS,
    ChartFonts,
    chart_fonts,
    chart_style,
    footnote,
    new_figure,
    percent_axis,
)
from growthsim.output.history import Recorded
from growthsim.output.history_view import HistoryColumn, history_odds, history_targets

if TYPE_CHECKING:  # matplotlib is an optional extra: imported only when a chart is drawn
    from matplotlib.figure import Figure

__all__ = ["history_chart"]


def _heading(column: HistoryColumn, fonts: ChartFonts) -> str:
    """The column's heading as drawn: as the table has it (年初, 上半年), or in English when no
    Chinese font is installed (the English of Period.words, whatever the language in use)."""
    if fonts.cjk or language() == "en":
        return column.heading
    if column.as_of is None:
        return "January"
    first, last = column.as_of
    if first == last:
        return f"month {last}"
    named = {3: "Q1", 6: "H1", 9: "Q1–Q3", 12: "the whole year"}
    return named[last] if first == 1 and last in named else f"months {first}–{last}"


def _colours(n: int) -> list:
    if n <= len(SCENARIO_COLOURS):
        return list(SCENARIO_COLOURS[:n])
    import matplotlib

    palette = matplotlib.colormaps["tab20"]
    return [palette(k % 20) for k in range(n)]


def history_chart(records: list[Recorded], fonts: ChartFonts | None = None) -> Figure:
    """Each recorded target's P(hit) against the as-of period, January first (``records`` as
    output.history.read_history gives them, oldest first)."""
    fonts = fonts or chart_fonts()
    columns = history_odds(records)
    if not columns:
        raise ValueError("the run history holds no odds to chart")
    targets = history_targets(records)
    n = len(targets)
    with chart_style(fonts):
        figure = new_figure(8.4, 4.9)
        axes = figure.add_subplot()
        axes.set_xticks(range(len(columns)), [_heading(column, fonts) for column in columns])
        axes.set_xlim(-0.5, len(columns) - 0.5)
        axes.set_ylim(0, 1.0)
        percent_axis(axes.yaxis)
        axes.grid(axis="y", which="major", color="#e5e5e5", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.axhline(0.5, color="#555555", linewidth=0.9, linestyle=(0, (5, 4)))
        axes.annotate(
            fonts.say("even odds"),
            (1.0, 0.5),
            xycoords=("axes fraction", "data"),
            xytext=(-2, 3),
            textcoords="offset points",
            ha="right",
            fontsize=7.5,
            color="#555555",
        )
        # side by side around each period, so that one target's error bar does not hide another's
        spread = min(0.32, 0.05 * (n - 1))
        for k, ((indicator, record), colour) in enumerate(zip(targets.items(), _colours(n), strict=True)):
            offset = -spread / 2 + k * spread / (n - 1) if n > 1 else 0.0
            xs = [j + offset for j in range(len(columns))]
            ps = [column.p_hit.get(indicator, math.nan) for column in columns]  # NaN: not recorded, a gap
            axes.plot(
                xs,
                ps,
                marker="o",
                markersize=4,
                linewidth=1.3,
                color=colour,
                label=fonts.name(record.name, indicator),
                clip_on=False,  # odds of 0% and 100% are common: their markers drawn whole
            )
            cis = [column.ci.get(indicator) for column in columns]  # None: January, or not recorded
            bars = [(x, p, ci) for x, p, ci in zip(xs, ps, cis, strict=True) if ci is not None]
            if bars:
                axes.errorbar(
                    [x for x, _p, _ci in bars],
                    [p for _x, p, _ci in bars],
                    yerr=[[p - ci[0] for _x, p, ci in bars], [ci[1] - p for _x, p, ci in bars]],
                    fmt="none",
                    ecolor=colour,
                    elinewidth=0.9,
                    capsize=2,
                    clip_on=False,
                )
        axes.set_ylabel(fonts.say("P(hit) (error bars: {interval} interval)", interval="95%"))
        axes.set_xlabel(fonts.say("as of"))
        figure.legend(loc="outside right upper", frameon=False, fontsize=8)
        name = fonts.name(records[-1].scenario_name, "")
        axes.set_title(
            fonts.say("{name}: how the odds moved through the year", name=name)
            if name
            else fonts.say("How the odds moved through the year"),
            loc="left",
        )
        footnote(
            figure,
            fonts.say(
                "each period: its latest run with --actuals; January: the odds without the actuals, "
                "recorded without an interval"
            ),
        )
    return figure
