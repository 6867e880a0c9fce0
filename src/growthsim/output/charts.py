"""Stage 6, pictures: charts of a run, a comparison and a sensitivity analysis (matplotlib, optional).

Every chart is built from the summaries alone (an outcome chart from the tested quantity's
quantile profile, see ``summary.PROFILE_PROBABILITIES``), never from the draws, so a chart of a
10^8-draw run costs the same as one of 10^4 draws.

Chinese labels need a font with Chinese glyphs, which matplotlib does not ship. ``chart_fonts``
looks for one among the installed fonts (and rescans the system once for fonts installed after
matplotlib built its cache); matplotlib then falls back glyph by glyph from DejaVu Sans to it.
Without one, the charts are labelled without Chinese characters (indicator ids instead of names)
rather than with empty boxes, and ``ChartFonts.hint`` says once how to install a font.

Figures are made with ``matplotlib.figure.Figure`` directly, not pyplot: no GUI backend, no global
state, nothing left open. The style (fonts, SVG text as paths so that an SVG looks the same on a
machine without the font) is applied with ``rc_context`` around both building and saving, so a
library user's own matplotlib settings are left alone.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from growthsim.scenario.quantities import Expect
from growthsim.i18n import N_, _, language, pgettext
from growthsim.output.render import BANDS, format_share
from growthsim.engine.summary import PROFILE_PROBABILITIES

if TYPE_CHECKING:  # matplotlib is an optional extra: imported only when a chart is drawn
    from matplotlib.figure import Figure

__all__ = [
    "ChartsUnavailable",
    "ChartFonts",
    "require_matplotlib",
    "chart_fonts",
    "outcome_chart",
    "overview_chart",
    "comparison_chart",
    "tornado_chart",
    "run_charts",
    "comparison_charts",
    "sensitivity_charts",
    "save_charts",
]

INSTALL_HINT = N_("charts and reports need matplotlib, which is not installed. In the project folder run "
                ".venv/bin/pip install '.[plot]' (or pip install 'growthsim[plot]'; plain pip install matplotlib "
                "works too)")
FONT_HINT = N_(
    "no Chinese font found, so the charts are labelled without Chinese characters (ids instead of names). "
    "Install one and run again: on Debian/Ubuntu `sudo apt install fonts-wqy-microhei` (about 5 MB); "
    "Windows and macOS have one already."
)

# Fonts with Chinese glyphs, best first: what Linux distributions, Windows and macOS install.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Microsoft YaHei", "DengXian", "SimHei", "PingFang SC", "Hiragino Sans GB",
    "Heiti SC", "STHeiti", "Sarasa Gothic SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "AR PL UMing CN",
    "Droid Sans Fallback", "SimSun",
)
_PROBE = "达标概率增长"  # characters every chart uses: a font is usable only if it has them all
# CJK ideographs and radicals, CJK punctuation, full-width forms: what DejaVu Sans cannot draw
_CHINESE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")

# Colours of the probability bands of render.BANDS (same thresholds), readable when printed in grey.
BAND_COLOURS = ((0.90, "#1a7f37"), (0.66, "#4fa35a"), (0.33, "#d4a72c"), (0.10, "#e16f24"), (0.0, "#c4302b"))
SCENARIO_COLOURS = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a8c", "#6b6b6b", "#8c6d31", "#17a2b8", "#d62728")
HIT_COLOUR, MISS_COLOUR = "#4fa35a", "#b8b8b8"


class ChartsUnavailable(Exception):
    """matplotlib is not installed; the message says how to install it."""


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ChartsUnavailable(_(INSTALL_HINT)) from None


def band_colour(p: float) -> str:
    return next(colour for lower, colour in BAND_COLOURS if p >= lower)


# --- fonts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartFonts:
    """The CJK font the charts use, or None (then labels are written without Chinese characters)."""

    cjk: str | None

    @property
    def hint(self) -> str | None:
        return None if self.cjk else _(FONT_HINT)

    def say(self, message: str, **values: object) -> str:
        """A chart's own words (an English catalog message, with named placeholders) as drawn: in
        the language in use, but in English when no Chinese font is installed (then a Chinese
        label would be drawn as empty boxes)."""
        words = _(message) if self.cjk else message
        return words.format(**values) if values else words

    def name(self, name: str, identifier: str) -> str:
        """A name the scenario wrote (Chinese) as drawn: the name in Chinese with a Chinese font,
        the ASCII id in English or without one."""
        return name if self.cjk and language() == "zh" else identifier

    def text(self, text: str) -> str:
        """Text from the scenario (a target as written) as drawn: unchanged with a Chinese font,
        otherwise with its Chinese characters dropped (so that no glyph is drawn as an empty box)."""
        if self.cjk:
            return text
        return re.sub(r"\s{2,}", " ", _CHINESE.sub(" ", text)).strip()


@functools.lru_cache(maxsize=1)
def chart_fonts() -> ChartFonts:
    """Find an installed font with real Chinese glyphs (once per process)."""
    require_matplotlib()
    from matplotlib import font_manager

    found = _real_cjk_font(font_manager.fontManager.ttflist)
    if found is None:
        # Fonts installed since matplotlib built its font cache (after `apt install
        # fonts-wqy-microhei`, say) are not in it until the cache is rebuilt: add them now.
        cached = {entry.fname for entry in font_manager.fontManager.ttflist}
        for path in sorted(set(font_manager.findSystemFonts()) - cached):
            with contextlib.suppress(Exception):
                font_manager.fontManager.addfont(path)
        found = _real_cjk_font(font_manager.fontManager.ttflist)
    return ChartFonts(found)


def _real_cjk_font(entries) -> str | None:
    """The best font among ``entries`` (matplotlib FontEntry objects) that draws Chinese: a known
    CJK family first, else any font whose own glyphs cover the probe characters. Fonts shipped
    inside matplotlib are never candidates: it ships no Chinese font, only placeholders such as
    "Last Resort High-Efficiency", whose character map claims every code point and draws a box."""
    candidates = [entry for entry in entries if not _is_bundled(entry.fname)]
    names = {entry.name for entry in candidates}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for entry in candidates:
        if _covers_probe(entry.fname):
            return entry.name
    return None


def _is_bundled(path: str) -> bool:
    import matplotlib

    bundled = Path(matplotlib.get_data_path()).resolve()
    with contextlib.suppress(OSError, ValueError):
        return Path(path).resolve().is_relative_to(bundled)
    return False


def _covers_probe(path: str) -> bool:
    """Does the font at ``path`` have a glyph of its own for every probe character? Distinct
    characters must map to distinct glyphs: a placeholder font maps a whole block to one box."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except Exception:  # a font file matplotlib cannot read is simply not a candidate
        return False
    glyphs = [charmap.get(ord(ch), 0) for ch in _PROBE]
    return 0 not in glyphs and len(set(glyphs)) == len(set(_PROBE))


@contextlib.contextmanager
def _style(fonts: ChartFonts) -> Iterator[None]:
    import matplotlib

    families = ["DejaVu Sans"] + ([fonts.cjk] if fonts.cjk else [])
    with matplotlib.rc_context({
        # matplotlib falls back glyph by glyph along an explicit list of families (not along the
        # candidates of a generic family such as sans-serif, of which it takes only the first)
        "font.family": families,
        "axes.unicode_minus": False,  # CJK fonts often lack U+2212; a hyphen-minus reads the same
        "svg.fonttype": "path",  # SVG text as outlines: looks the same where the font is missing
        "svg.hashsalt": "growthsim",  # stable ids inside the SVG: the same run gives the same file
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "normal",  # CJK fonts rarely have a bold face: matplotlib would log a warning
        "axes.titlesize": 12.5,
        "font.size": 10,
    }):
        yield


def _figure(width: float, height: float) -> "Figure":
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _footnote(figure: "Figure", text: str) -> None:
    """A small grey line under the chart (a supxlabel, so the layout leaves room for it)."""
    figure.supxlabel(text, x=0.01, ha="left", fontsize=8, color="#555555")


# --- number formats on axes -------------------------------------------------------------------------


def _nice_ticks(axis, expect: Expect, lo: float, hi: float) -> None:
    """Ticks at 1, 2 or 5 times a power of ten, labelled with just the digits they need, in the
    report's units: 8% for rates, 0.5pp for points, 12,345 for amounts (a tick at 4.75% printed
    as 4.8% beside a target line at 4.8% would mislead)."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    scale = 100.0 if expect in (Expect.PERCENT, Expect.POINTS) else 1.0
    raw = max((hi - lo) * scale / 9, 1e-12)  # 5 to 10 ticks
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    suffix = {Expect.PERCENT: "%", Expect.POINTS: "pp"}.get(expect, "")
    axis.set_major_locator(MultipleLocator(step / scale))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * scale:,.{decimals}f}{suffix}"))


def _percent_axis(axis) -> None:
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    axis.set_major_locator(MultipleLocator(0.2))
    axis.set_minor_locator(MultipleLocator(0.1))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))


# --- one target's outcome ---------------------------------------------------------------------------




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
        cdf = np.array([cdf_p[np.searchsorted(values, e, side="right") - 1] if e >= values[0] else 0.0
                        for e in edges])
        shares = np.diff(cdf)
    else:
        # beyond the profile (its outer 0.1% each side) nothing is drawn: piling that mass into the
        # first and last bins would show a bump that is not there
        shares = np.diff(np.interp(edges, values, cdf_p, left=cdf_p[0], right=cdf_p[-1]))
    return edges, shares


def outcome_chart(row, n_draws: int, fonts: ChartFonts | None = None, names: dict[str, str] | None = None,
                  paper: bool = False) -> "Figure":
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

    with _style(fonts):
        figure = _figure(*((4.8, 2.35) if paper else (7.2, 3.6)))
        axes = figure.add_subplot()
        centres = (edges[:-1] + edges[1:]) / 2
        inside = (centres >= lower) & (centres <= upper)
        widths = np.diff(edges)
        heights = shares / widths  # a density: bins split at the target keep their height
        axes.bar(edges[:-1], heights, width=widths, align="edge", linewidth=0,
                 color=np.where(inside, HIT_COLOUR, MISS_COLOUR))
        for bound in cuts:
            axes.axvline(bound, color="#222222", linewidth=1.6)
        if stretch is not None and lo <= stretch <= hi:
            axes.axvline(stretch, color="#222222", linewidth=1.2, linestyle="--")
            axes.annotate(fonts.say("stretch"), (stretch, 1.0), xycoords=("data", "axes fraction"),
                          xytext=(3, -12), textcoords="offset points", fontsize=9)
        median = row.quantiles["p50"] if target.op != "relative" else row.difference_quantiles["p50"]
        axes.axvline(median, color="#555555", linewidth=0.9, linestyle=":")
        axes.annotate(fonts.say("median"), (median, 0.0), xycoords=("data", "axes fraction"),
                      xytext=(3, 4), textcoords="offset points", fontsize=8, color="#555555")
        off_chart = [m for m in cuts if not lo <= m <= hi]
        axes.set_xlim(lo, hi)
        axes.set_ylim(0, heights.max() * 1.28 if heights.size and heights.max() > 0 else 1)
        _nice_ticks(axes.xaxis, _tested_expect(row), lo, hi)
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
        axes.set_title(fonts.say("{name}: {target}", name=fonts.name(indicator.name, indicator.id),
                                 target=fonts.text(target_words)), loc="left", fontsize=10.5 if paper else None)
        low, high = hit.ci
        label = fonts.say("P(hit)")
        # the interval is the margin of error of P(hit), not a "95% chance": say it in those words
        text = f"{label} {format_share(hit.p)}\n" + fonts.say("margin of error {low} – {high}", low=format_share(low),
                                                              high=format_share(high))
        if row.stretch is not None:
            text += "\n" + fonts.say("stretch") + f" {format_share(row.stretch.p)}"
        if off_chart:
            text += "\n" + fonts.say("target {target} far outside the distribution", target=target.text)
        axes.text(0.99, 0.97, text, transform=axes.transAxes, ha="right", va="top", fontsize=10,
                  bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": band_colour(hit.p),
                        "linewidth": 1.5})
        reading = fonts.say("target read as {target}; ", target=target.text) if target.written else ""
        _footnote(figure, reading + fonts.say("green: hit region; dotted line: median; {draws} draws",
                                              draws=f"{n_draws:,}"))
    return figure


# --- all targets at a glance ------------------------------------------------------------------------


def _label(indicator, fonts: ChartFonts) -> str:
    return fonts.name(indicator.name, indicator.id)


def _probability_axes(axes, labels: list[str], fonts: ChartFonts) -> None:
    """The shared frame of the overview charts: rows top to bottom, 0-100% with the band limits."""
    axes.set_yticks(range(len(labels)), labels)
    axes.set_ylim(len(labels) - 0.4, -0.6)
    axes.set_xlim(0, 1.0)
    _percent_axis(axes.xaxis)
    for lower, colour in BAND_COLOURS[:-1]:
        axes.axvline(lower, color=colour, linewidth=0.8, linestyle=(0, (4, 3)), alpha=0.7)
    limits = [1.0] + [lower for lower, _colour in BAND_COLOURS]  # (never `_`: it is gettext here)
    for (_lower, words, _style), upper, lower, (_band, colour) in zip(BANDS, limits, limits[1:], BAND_COLOURS):
        axes.text((upper + lower) / 2, 1.0, fonts.say(words),
                  transform=axes.get_xaxis_transform(),
                  ha="center", va="bottom", fontsize=7.5, color=colour)
    axes.set_xlabel(fonts.say("P(hit) (error bars: {interval} interval)", interval="95%"))
    axes.grid(axis="x", which="major", color="#e5e5e5", linewidth=0.6)
    axes.set_axisbelow(True)


def overview_chart(summary, fonts: ChartFonts | None = None) -> "Figure":
    """Every target's P(hit) with its 95% interval, most likely first, coloured by band."""
    fonts = fonts or chart_fonts()
    rows = sorted((r for r in summary.indicators if r.hit is not None), key=lambda r: -r.hit.p)
    if not rows:
        raise ValueError("the scenario has no targets to chart")
    with _style(fonts):
        figure = _figure(7.6, 1.5 + 0.34 * len(rows))
        axes = figure.add_subplot()
        _probability_axes(axes, [_label(r.indicator, fonts) for r in rows], fonts)
        for y, row in enumerate(rows):
            p, (low, high) = row.hit.p, row.hit.ci
            colour = band_colour(p)
            axes.barh(y, p, height=0.62, color=colour, alpha=0.85)
            axes.errorbar(p, y, xerr=[[p - low], [high - p]], fmt="none", ecolor="#222222", capsize=2.5,
                          linewidth=1)
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
            share = (format_share(all_hit.p) if all_hit.p > 0 else "0%" if all_hit.ci[1] == 0
                     else f"< {format_share(all_hit.ci[1])}")
            note += fonts.say("; all targets hit together: {share}", share=share)
        _footnote(figure, note)
    return figure


def comparison_chart(comparison, fonts: ChartFonts | None = None) -> "Figure":
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
    with _style(fonts):
        figure = _figure(7.8, 2.2 + len(rows) * (0.16 * k + 0.12))
        axes = figure.add_subplot()
        _probability_axes(axes, [_label(r.indicator, fonts) for r in rows], fonts)
        offsets = (np.arange(k) - (k - 1) / 2) * min(0.7 / k, 0.22)
        for j, summary in enumerate(comparison.summaries):
            colour = SCENARIO_COLOURS[j % len(SCENARIO_COLOURS)]
            for y, row in enumerate(rows):
                cell = row.summaries[j]
                if cell is None or cell.hit is None:
                    continue
                p, (low, high) = cell.hit.p, cell.hit.ci
                difference = row.differences[j]
                filled = j == 0 or (difference is not None and difference.material(comparison.material))
                axes.errorbar(p, y + offsets[j], xerr=[[p - low], [high - p]], fmt="o", color=colour,
                              markersize=5.5, markerfacecolor=colour if filled else "white", capsize=2,
                              linewidth=1)
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], marker="o", linestyle="", color=SCENARIO_COLOURS[j % len(SCENARIO_COLOURS)],
                          label=fonts.name(summary.scenario.name, fonts.say("scenario {number}", number=j + 1)))
                   for j, summary in enumerate(comparison.summaries)]
        figure.legend(handles=handles, loc="outside upper center", ncol=min(k, 3), frameon=False, fontsize=9)
        axes.set_title(fonts.say("Scenarios compared: P(hit) of each target ({draws} common draws)",
                                 draws=f"{comparison.n_draws:,}"),
                       loc="left", pad=16)
        _footnote(figure, fonts.say("filled: a material difference from the first scenario (beyond the simulation's "
                                    "random error and at least {points} points); hollow: not",
                                    points=f"{comparison.material * 100:g}"))
    return figure


# --- what drives a target ---------------------------------------------------------------------------


def tornado_chart(result, top: int = 10, fonts: ChartFonts | None = None, paper: bool = False) -> "Figure":
    """A tornado: P(hit) with each input held at its p10 and at its p90 (events: never/always),
    largest swing on top, around the target's P(hit) with every input random. ``paper``: sized for
    half an A4 page's width, as outcome_chart."""
    fonts = fonts or chart_fonts()
    drivers = list(result.drivers)
    effects = drivers[:top]
    if not effects:
        raise ValueError(f"no input matters to {result.indicator}'s P(hit)")
    base = result.p_hit
    with _style(fonts):
        figure = _figure(*((4.8, 1.15 + 0.24 * len(effects)) if paper else (7.6, 1.6 + 0.36 * len(effects))))
        axes = figure.add_subplot()
        labels = [fonts.name(e.name, e.input) for e in effects]
        axes.set_yticks(range(len(effects)), labels)
        axes.set_ylim(len(effects) - 0.4, -0.6)
        axes.set_xlim(0, 1.0)
        _percent_axis(axes.xaxis)
        low_label = fonts.say("input at its 10th percentile (an event: does not happen)")
        high_label = fonts.say("input at its 90th percentile (an event: happens)")
        for y, effect in enumerate(effects):
            axes.barh(y, effect.p_low - base, left=base, height=0.6, color="#4a7fb5",
                      label=low_label if y == 0 else None)
            axes.barh(y, effect.p_high - base, left=base, height=0.6, color="#e08a3c",
                      label=high_label if y == 0 else None)
        for y, effect in enumerate(effects):  # the rank correlation: how the input goes with the target
            rho = "—" if effect.spearman is None else f"{effect.spearman:+.2f}"
            axes.text(1.01, y, f"ρ {rho}", transform=axes.get_yaxis_transform(), va="center", fontsize=8,
                      color="#555555")
        axes.axvline(base, color="#222222", linewidth=1.2)
        axes.annotate(fonts.say("all random {share}", share=format_share(base)), (base, 0.0),
                      xycoords=("data", "axes fraction"), xytext=(4, 4), textcoords="offset points", fontsize=8)
        axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.set_xlabel(fonts.say("P(hit)"))
        # half a page wide (paper): the two entries one above the other, or they run off the figure
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=1 if paper else 2, frameon=False,
                    fontsize=7.5 if paper else 8.5)
        axes.set_title(fonts.say("{name}: what drives P(hit)", name=fonts.name(result.name, result.indicator)),
                       fontsize=10.5 if paper else None, loc="left", pad=30 if paper else 22)
        unrelated = len(result.inputs) - len(drivers)
        note = fonts.say("other inputs random (correlated ones move with it), {draws} common draws each; "
                         "ρ: rank correlation with the target", draws=f"{result.draws:,}")
        if unrelated:
            note += fonts.say("; {count} more inputs do not affect this target (not shown)", count=unrelated)
        if not paper:  # the report says it once, above its targets, where there is room
            _footnote(figure, note)
    return figure


# --- sets of charts and files -----------------------------------------------------------------------


def _stem(kind: str, indicator_id: str | None = None) -> str:
    return kind if indicator_id is None else f"{kind}-{indicator_id}"


def run_charts(summary, fonts: ChartFonts | None = None) -> dict[str, "Figure"]:
    """overview, and outcome-<id> for every target."""
    fonts = fonts or chart_fonts()
    names = {indicator.id: indicator.name for indicator in summary.scenario.indicators}
    charts = {}
    if any(r.hit is not None for r in summary.indicators):
        charts["overview"] = overview_chart(summary, fonts)
    for row in summary.indicators:
        if row.hit is not None:
            charts[_stem("outcome", row.indicator.id)] = outcome_chart(row, summary.n_draws, fonts, names)
    return charts


def comparison_charts(comparison, fonts: ChartFonts | None = None) -> dict[str, "Figure"]:
    return {"compare-overview": comparison_chart(comparison, fonts)}


def sensitivity_charts(results, fonts: ChartFonts | None = None) -> dict[str, "Figure"]:
    return {_stem("tornado", r.indicator): tornado_chart(r, fonts=fonts) for r in results if r.drivers}


def save_charts(charts: dict[str, "Figure"], folder: str | Path, fonts: ChartFonts | None = None,
                dpi: int = 150) -> list[str]:
    """Write each chart as STEM.png and STEM.svg into ``folder``; returns the file names."""
    fonts = fonts or chart_fonts()
    folder = Path(folder)
    written = []
    with _style(fonts):
        for stem, figure in charts.items():
            for suffix in ("png", "svg"):
                figure.savefig(folder / f"{stem}.{suffix}", dpi=dpi, metadata=_metadata(suffix))
                written.append(f"{stem}.{suffix}")
    return written


def _metadata(suffix: str) -> dict:
    # No creation date, so that the same run writes byte-identical files.
    return {"Date": None} if suffix == "svg" else {"Software": "growthsim"}


def svg_text(figure: "Figure", fonts: ChartFonts | None = None) -> str:
    """The chart as an SVG document (for embedding in an HTML report)."""
    import io

    fonts = fonts or chart_fonts()
    buffer = io.StringIO()
    with _style(fonts):
        figure.savefig(buffer, format="svg", metadata=_metadata("svg"))
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # without the XML prolog and doctype, to sit inside HTML
