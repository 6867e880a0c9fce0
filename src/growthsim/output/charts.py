"""Pictures: charts of a run, a comparison and a sensitivity analysis (matplotlib, optional).

Every chart is built from the summaries alone (an outcome chart from the tested quantity's
quantile profile, see ``summary.PROFILE_PROBABILITIES``), never from the draws, so a chart of a
10^8-draw run costs the same as one of 10^4 draws. Fonts, style and files: ``figures``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from growthsim.engine.summary import PROFILE_PROBABILITIES
from growthsim.i18n import language, pgettext
from growthsim.output.wording import BANDS, format_share
from growthsim.scenario.quantities import Expect

if TYPE_CHECKING:  # matplotlib is an optional extra: imported only when a chart is drawn
    from matplotlib.figure import Figure
from growthsim.output.figures import (
    BAND_COLOURS,
    SCENARIO_COLOURS,
    ChartFonts,
    band_colour,
    chart_fonts,
    chart_stem,
    chart_style,
    footnote,
    new_figure,
    nice_ticks,
    percent_axis,
)

__all__ = [
    "HIT_COLOUR",
    "MISS_COLOUR",
    "comparison_chart",
    "comparison_charts",
    "outcome_chart",
    "overview_chart",
    "run_charts",
    "sensitivity_charts",
    "tornado_chart",
]


HIT_COLOUR, MISS_COLOUR = "#4fa35a", "#b8b8b8"


def _tested_expect(row) -> Expect:
    target = row.indicator.target
    if target.op == "relative":
        return Expect.AMOUNT if target.expect is Expect.AMOUNT else Expect.POINTS
    return target.expect


def _bins(profile: np.ndarray, lo: float, hi: float, cuts: list[float], integer: bool):
    """Bin edges over [lo, hi] that include every cut (the target's bounds), and each bin's share
    of the draws, from the quantile profile (a monotone CDF interpolated between its points)."""
    probabilities = np.asarray(PROFILE_PROBABILITIES)
    values, last = np.unique(profile[::-1], return_index=True)  # keep the largest P at tied values
    cdf_p = probabilities[::-1][last]
    if integer and hi - lo <= 60:  # few whole numbers: one bar each, centred on the integer
        edges = np.arange(math.floor(lo) - 0.5, math.ceil(hi) + 1.0, 1.0)
    else:
        edges = np.union1d(np.linspace(lo, hi, 61), [c for c in cuts if lo < c < hi])
    if values.size == 1:  # a fixed value: all its mass in the bin that holds it
        shares = np.histogram(values, bins=edges)[0].astype(float)
    elif integer and edges[1] - edges[0] == 1.0:
        cdf = np.array([cdf_p[np.searchsorted(values, e, side="right") - 1] if e >= values[0] else 0.0 for e in edges])
        shares = np.diff(cdf)
    else:
        # beyond the profile (its outer 0.1% each side) nothing is drawn: piling that mass into the
        # first and last bins would show a bump that is not there
        shares = np.diff(np.interp(edges, values, cdf_p, left=cdf_p[0], right=cdf_p[-1]))
    return edges, shares


def outcome_chart(
    row, n_draws: int, fonts: ChartFonts | None = None, names: dict[str, str] | None = None, paper: bool = False
) -> Figure:
    """One target: the distribution of what it tests, the hit region shaded, the target marked, and
    P(hit) with its 95% interval written on it. ``names`` maps ids to names (for relative targets).
    ``paper``: sized for half an A4 page's width (the report prints two charts side by side), so
    that its words stay readable there."""
    fonts = fonts or chart_fonts()
    indicator, target, hit = row.indicator, row.indicator.target, row.hit
    if target is None or hit is None or not row.profile:
        raise ValueError(f"{indicator.id} has no target to chart")
    profile = np.asarray(row.profile)
    lower, upper = target.bounds
    cuts = [b for b in (lower, upper) if math.isfinite(b)]
    stretch = target.stretch
    marks = cuts + ([stretch] if stretch is not None else [])
    lo, hi = float(profile[1]), float(profile[-2])  # the central 99.6%
    span = hi - lo if hi > lo else max(abs(hi) * 0.1, 1e-3)
    # Keep the target in view unless it lies far outside the distribution (then it is noted instead).
    for mark in marks:
        if lo - 1.5 * span <= mark <= hi + 1.5 * span:
            lo, hi = min(lo, mark), max(hi, mark)
    pad = 0.06 * (hi - lo if hi > lo else span)
    lo, hi = lo - pad, hi + pad
    integer = indicator.kind == "count" and target.op != "relative" and row.metric == "level"
    edges, shares = _bins(profile, lo, hi, cuts, integer)

    with chart_style(fonts):
        figure = new_figure(*((4.8, 2.35) if paper else (7.2, 3.6)))
        axes = figure.add_subplot()
        centres = (edges[:-1] + edges[1:]) / 2
        inside = (centres >= lower) & (centres <= upper)
        widths = np.diff(edges)
        heights = shares / widths  # a density: bins split at the target keep their height
        axes.bar(
            edges[:-1],
            heights,
            width=widths,
            align="edge",
            linewidth=0,
            color=np.where(inside, HIT_COLOUR, MISS_COLOUR),
        )
        for bound in cuts:
            axes.axvline(bound, color="#222222", linewidth=1.6)
        if stretch is not None and lo <= stretch <= hi:
            axes.axvline(stretch, color="#222222", linewidth=1.2, linestyle="--")
            axes.annotate(
                fonts.say("stretch"),
                (stretch, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -12),
                textcoords="offset points",
                fontsize=9,
            )
        median = row.quantiles["p50"] if target.op != "relative" else row.difference_quantiles["p50"]
        axes.axvline(median, color="#555555", linewidth=0.9, linestyle=":")
        axes.annotate(
            fonts.say("median"),
            (median, 0.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, 4),
            textcoords="offset points",
            fontsize=8,
            color="#555555",
        )
        off_chart = [m for m in cuts if not lo <= m <= hi]
        axes.set_xlim(lo, hi)
        axes.set_ylim(0, heights.max() * 1.28 if heights.size and heights.max() > 0 else 1)
        nice_ticks(axes.xaxis, _tested_expect(row), lo, hi)
        axes.set_yticks([])
        axes.spines["left"].set_visible(False)

        metric = pgettext("metric", row.metric) if fonts.cjk else row.metric
        if target.op == "relative":
            other = fonts.name((names or {}).get(target.relative_to, target.relative_to), target.relative_to)
            xlabel = fonts.say("{metric} minus {other}'s {metric}", metric=metric, other=other)
        else:
            xlabel = metric
        unit = fonts.text(indicator.unit)  # 亿元 without a Chinese font: no unit rather than boxes
        if _tested_expect(row) is Expect.AMOUNT and unit:
            xlabel = fonts.say("{label} ({unit})", label=xlabel, unit=unit)
        axes.set_xlabel(xlabel)
        target_words = target.written if target.written and fonts.cjk and language() == "zh" else target.text
        axes.set_title(
            fonts.say(
                "{name}: {target}", name=fonts.name(indicator.name, indicator.id), target=fonts.text(target_words)
            ),
            loc="left",
            fontsize=10.5 if paper else None,
        )
        low, high = hit.ci
        label = fonts.say("P(hit)")
        # the interval is the margin of error of P(hit), not a "95% chance": say it in those words
        text = f"{label} {format_share(hit.p)}\n" + fonts.say(
            "margin of error {low} – {high}", low=format_share(low), high=format_share(high)
        )
        if row.stretch is not None:
            text += "\n" + fonts.say("stretch") + f" {format_share(row.stretch.p)}"
        if off_chart:
            text += "\n" + fonts.say("target {target} far outside the distribution", target=target.text)
        axes.text(
            0.99,
            0.97,
            text,
            transform=axes.transAxes,
            ha="right",
            va="top",
            fontsize=10,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": band_colour(hit.p), "linewidth": 1.5},
        )
        reading = fonts.say("target read as {target}; ", target=target.text) if target.written else ""
        footnote(
            figure, reading + fonts.say("green: hit region; dotted line: median; {draws} draws", draws=f"{n_draws:,}")
        )
    return figure


def _label(indicator, fonts: ChartFonts) -> str:
    return fonts.name(indicator.name, indicator.id)


def _probability_axes(axes, labels: list[str], fonts: ChartFonts) -> None:
    """The shared frame of the overview charts: rows top to bottom, 0-100% with the band limits."""
    axes.set_yticks(range(len(labels)), labels)
    axes.set_ylim(len(labels) - 0.4, -0.6)
    axes.set_xlim(0, 1.0)
    percent_axis(axes.xaxis)
    for lower, colour in BAND_COLOURS[:-1]:
        axes.axvline(lower, color=colour, linewidth=0.8, linestyle=(0, (4, 3)), alpha=0.7)
    limits = [1.0] + [lower for lower, _colour in BAND_COLOURS]  # (never `_`: it is gettext here)
    # limits has one edge more than there are bands: each band lies between an upper and a lower edge
    for (_lower, words, _band_style), upper, lower, (_band, colour) in zip(
        BANDS, limits, limits[1:], BAND_COLOURS, strict=False
    ):
        axes.text(
            (upper + lower) / 2,
            1.0,
            fonts.say(words),
            transform=axes.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=7.5,
            color=colour,
        )
    axes.set_xlabel(fonts.say("P(hit) (error bars: {interval} interval)", interval="95%"))
    axes.grid(axis="x", which="major", color="#e5e5e5", linewidth=0.6)
    axes.set_axisbelow(True)


def overview_chart(summary, fonts: ChartFonts | None = None) -> Figure:
    """Every target's P(hit) with its 95% interval, most likely first, coloured by band."""
    fonts = fonts or chart_fonts()
    rows = sorted((r for r in summary.indicators if r.hit is not None), key=lambda r: -r.hit.p)
    if not rows:
        raise ValueError("the scenario has no targets to chart")
    with chart_style(fonts):
        figure = new_figure(7.6, 1.5 + 0.34 * len(rows))
        axes = figure.add_subplot()
        _probability_axes(axes, [_label(r.indicator, fonts) for r in rows], fonts)
        for y, row in enumerate(rows):
            p, (low, high) = row.hit.p, row.hit.ci
            colour = band_colour(p)
            axes.barh(y, p, height=0.62, color=colour, alpha=0.85)
            axes.errorbar(p, y, xerr=[[p - low], [high - p]], fmt="none", ecolor="#222222", capsize=2.5, linewidth=1)
            if high > 0.86:  # no room on the right: write it inside the bar
                axes.text(low - 0.012, y, format_share(p), va="center", ha="right", fontsize=8.5, color="white")
            else:
                axes.text(high + 0.012, y, format_share(p), va="center", fontsize=8.5)
        scenario = summary.scenario
        title = fonts.say("{name}: P(hit) of each target", name=fonts.name(scenario.name, str(scenario.target_year)))
        axes.set_title(title, loc="left", pad=16)
        note = fonts.say("{draws} draws, seed {seed}", draws=f"{summary.n_draws:,}", seed=summary.seed)
        if summary.joint.all_hit is not None:
            all_hit = summary.joint.all_hit
            # symbols, not words: the note may be drawn without a Chinese font
            share = (
                format_share(all_hit.p)
                if all_hit.p > 0
                else "0%"
                if all_hit.ci[1] == 0
                else f"< {format_share(all_hit.ci[1])}"
            )
            note += fonts.say("; all targets hit together: {share}", share=share)
        footnote(figure, note)
    return figure


def comparison_chart(comparison, fonts: ChartFonts | None = None) -> Figure:
    """P(hit) of every target in each scenario, side by side (the first scenario's order). A filled
    marker is a difference to the first scenario beyond Monte Carlo noise; a hollow one is within it."""
    fonts = fonts or chart_fonts()
    rows = [r for r in comparison.rows if any(s is not None and s.hit is not None for s in r.summaries)]
    if not rows:
        raise ValueError("the scenarios have no targets to chart")

    def first_p(row):
        summary = next(s for s in row.summaries if s is not None and s.hit is not None)
        return -summary.hit.p

    rows.sort(key=first_p)
    k = len(comparison.summaries)
    with chart_style(fonts):
        figure = new_figure(7.8, 2.2 + len(rows) * (0.16 * k + 0.12))
        axes = figure.add_subplot()
        _probability_axes(axes, [_label(r.indicator, fonts) for r in rows], fonts)
        offsets = (np.arange(k) - (k - 1) / 2) * min(0.7 / k, 0.22)
        for j in range(len(comparison.summaries)):
            colour = SCENARIO_COLOURS[j % len(SCENARIO_COLOURS)]
            for y, row in enumerate(rows):
                cell = row.summaries[j]
                if cell is None or cell.hit is None:
                    continue
                p, (low, high) = cell.hit.p, cell.hit.ci
                difference = row.differences[j]
                filled = j == 0 or (difference is not None and difference.material(comparison.material))
                axes.errorbar(
                    p,
                    y + offsets[j],
                    xerr=[[p - low], [high - p]],
                    fmt="o",
                    color=colour,
                    markersize=5.5,
                    markerfacecolor=colour if filled else "white",
                    capsize=2,
                    linewidth=1,
                )
        from matplotlib.lines import Line2D

        handles = [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                color=SCENARIO_COLOURS[j % len(SCENARIO_COLOURS)],
                label=fonts.name(summary.scenario.name, fonts.say("scenario {number}", number=j + 1)),
            )
            for j, summary in enumerate(comparison.summaries)
        ]
        figure.legend(handles=handles, loc="outside upper center", ncol=min(k, 3), frameon=False, fontsize=9)
        axes.set_title(
            fonts.say(
                "Scenarios compared: P(hit) of each target ({draws} common draws)", draws=f"{comparison.n_draws:,}"
            ),
            loc="left",
            pad=16,
        )
        footnote(
            figure,
            fonts.say(
                "filled: a material difference from the first scenario (beyond the simulation's "
                "random error and at least {points} points); hollow: not",
                points=f"{comparison.material * 100:g}",
            ),
        )
    return figure


def tornado_chart(result, top: int = 10, fonts: ChartFonts | None = None, paper: bool = False) -> Figure:
    """A tornado: P(hit) with each input held at its p10 and at its p90 (events: never/always),
    largest swing on top, around the target's P(hit) with every input random. ``paper``: sized for
    half an A4 page's width, as outcome_chart."""
    fonts = fonts or chart_fonts()
    drivers = list(result.drivers)
    effects = drivers[:top]
    if not effects:
        raise ValueError(f"no input matters to {result.indicator}'s P(hit)")
    base = result.p_hit
    with chart_style(fonts):
        figure = new_figure(*((4.8, 1.15 + 0.24 * len(effects)) if paper else (7.6, 1.6 + 0.36 * len(effects))))
        axes = figure.add_subplot()
        labels = [fonts.name(e.name, e.input) for e in effects]
        axes.set_yticks(range(len(effects)), labels)
        axes.set_ylim(len(effects) - 0.4, -0.6)
        axes.set_xlim(0, 1.0)
        percent_axis(axes.xaxis)
        low_label = fonts.say("input at its 10th percentile (an event: does not happen)")
        high_label = fonts.say("input at its 90th percentile (an event: happens)")
        for y, effect in enumerate(effects):
            axes.barh(
                y, effect.p_low - base, left=base, height=0.6, color="#4a7fb5", label=low_label if y == 0 else None
            )
            axes.barh(
                y, effect.p_high - base, left=base, height=0.6, color="#e08a3c", label=high_label if y == 0 else None
            )
        for y, effect in enumerate(effects):  # the rank correlation: how the input goes with the target
            rho = "—" if effect.spearman is None else f"{effect.spearman:+.2f}"
            axes.text(
                1.01, y, f"ρ {rho}", transform=axes.get_yaxis_transform(), va="center", fontsize=8, color="#555555"
            )
        axes.axvline(base, color="#222222", linewidth=1.2)
        axes.annotate(
            fonts.say("all random {share}", share=format_share(base)),
            (base, 0.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
        )
        axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.set_xlabel(fonts.say("P(hit)"))
        # half a page wide (paper): the two entries one above the other, or they run off the figure
        axes.legend(
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=1 if paper else 2,
            frameon=False,
            fontsize=7.5 if paper else 8.5,
        )
        axes.set_title(
            fonts.say("{name}: what drives P(hit)", name=fonts.name(result.name, result.indicator)),
            fontsize=10.5 if paper else None,
            loc="left",
            pad=30 if paper else 22,
        )
        unrelated = len(result.inputs) - len(drivers)
        note = fonts.say(
            "other inputs random (correlated ones move with it), {draws} common draws each; "
            "ρ: rank correlation with the target",
            draws=f"{result.draws:,}",
        )
        if unrelated:
            note += fonts.say("; {count} more inputs do not affect this target (not shown)", count=unrelated)
        if not paper:  # the report says it once, above its targets, where there is room
            footnote(figure, note)
    return figure


def run_charts(summary, fonts: ChartFonts | None = None) -> dict[str, Figure]:
    """overview, and outcome-<id> for every target."""
    fonts = fonts or chart_fonts()
    names = {indicator.id: indicator.name for indicator in summary.scenario.indicators}
    charts = {}
    if any(r.hit is not None for r in summary.indicators):
        charts["overview"] = overview_chart(summary, fonts)
    for row in summary.indicators:
        if row.hit is not None:
            charts[chart_stem("outcome", row.indicator.id)] = outcome_chart(row, summary.n_draws, fonts, names)
    return charts


def comparison_charts(comparison, fonts: ChartFonts | None = None) -> dict[str, Figure]:
    return {"compare-overview": comparison_chart(comparison, fonts)}


def sensitivity_charts(results, fonts: ChartFonts | None = None) -> dict[str, Figure]:
    return {chart_stem("tornado", r.indicator): tornado_chart(r, fonts=fonts) for r in results if r.drivers}
