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

from .quantities import Expect
from .i18n import language, translated
from .render import BANDS, format_share
from .summary import PROFILE_PROBABILITIES

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

INSTALL_HINT = ("charts and reports need matplotlib, which is not installed. In the project folder run "
                ".venv/bin/pip install '.[plot]' (or pip install 'growthsim[plot]'; plain pip install matplotlib "
                "works too)")
FONT_HINT = (
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
        raise ChartsUnavailable(INSTALL_HINT) from None


def band_colour(p: float) -> str:
    return next(colour for lower, colour in BAND_COLOURS if p >= lower)


# --- fonts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartFonts:
    """The CJK font the charts use, or None (then labels are written without Chinese characters)."""

    cjk: str | None

    @property
    def hint(self) -> str | None:
        return None if self.cjk else FONT_HINT

    def text(self, text: str, fallback: str | None = None) -> str:
        """The text as drawn: unchanged with a CJK font; otherwise ``fallback``, or the text with its
        Chinese characters dropped (so that no glyph is drawn as an empty box). In English
        (--lang en) the fallback is drawn where there is one."""
        if fallback is not None and language() == "en":
            return fallback
        if self.cjk:
            return text
        if fallback is not None:
            return fallback
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


_METRIC_WORDS = {"growth": ("增速", "growth"), "level": ("水平", "level"), "change": ("变动", "change")}


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


def outcome_chart(row, n_draws: int, fonts: ChartFonts | None = None, names: dict[str, str] | None = None) -> "Figure":
    """One target: the distribution of what it tests, the hit region shaded, the target marked, and
    P(hit) with its 95% interval written on it. ``names`` maps ids to names (for relative targets)."""
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
        figure = _figure(7.2, 3.6)
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
            axes.annotate(fonts.text("力争", "stretch"), (stretch, 1.0), xycoords=("data", "axes fraction"),
                          xytext=(3, -12), textcoords="offset points", fontsize=9)
        median = row.quantiles["p50"] if target.op != "relative" else row.difference_quantiles["p50"]
        axes.axvline(median, color="#555555", linewidth=0.9, linestyle=":")
        axes.annotate(fonts.text("中位数", "median"), (median, 0.0), xycoords=("data", "axes fraction"),
                      xytext=(3, 4), textcoords="offset points", fontsize=8, color="#555555")
        off_chart = [m for m in cuts if not lo <= m <= hi]
        axes.set_xlim(lo, hi)
        axes.set_ylim(0, heights.max() * 1.28 if heights.size and heights.max() > 0 else 1)
        _nice_ticks(axes.xaxis, _tested_expect(row), lo, hi)
        axes.set_yticks([])
        axes.spines["left"].set_visible(False)

        metric_zh, metric_en = _METRIC_WORDS[row.metric]
        if target.op == "relative":
            other = (names or {}).get(target.relative_to, target.relative_to)
            xlabel_zh = f"{metric_zh}减去{other}{metric_zh}"
            xlabel_en = f"{metric_en} minus {target.relative_to}'s {metric_en}"
        else:
            xlabel_zh, xlabel_en = f"{metric_zh}", metric_en
        unit = f"（{indicator.unit}）" if _tested_expect(row) is Expect.AMOUNT and indicator.unit else ""
        axes.set_xlabel(fonts.text(xlabel_zh + unit, xlabel_en))
        target_words = target.written or target.text
        axes.set_title(fonts.text(f"{indicator.name}：{target_words}", f"{indicator.id}: {fonts.text(target.text)}"),
                       loc="left")
        low, high = hit.ci
        label = fonts.text("达标概率", "P(hit)")
        text = f"{label} {format_share(hit.p)}\n95%: {format_share(low)} – {format_share(high)}"
        if row.stretch is not None:
            text += f"\n{fonts.text('力争', 'stretch')} {format_share(row.stretch.p)}"
        if off_chart:
            text += "\n" + fonts.text(f"目标 {target.text} 远在分布之外", "target far outside the distribution")
        axes.text(0.99, 0.97, text, transform=axes.transAxes, ha="right", va="top", fontsize=10,
                  bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": band_colour(hit.p),
                        "linewidth": 1.5})
        reading = fonts.text(f"目标读作 {target.text}；" if target.written else "")
        _footnote(figure, fonts.text(f"{reading}绿色：达标区域；虚线：中位数；{n_draws:,}次模拟",
                                     f"target: {fonts.text(target.text)}; green: hit region; {n_draws:,} draws"))
    return figure


# --- all targets at a glance ------------------------------------------------------------------------


def _label(indicator, fonts: ChartFonts) -> str:
    return fonts.text(indicator.name, indicator.id)


def _probability_axes(axes, labels: list[str], fonts: ChartFonts) -> None:
    """The shared frame of the overview charts: rows top to bottom, 0-100% with the band limits."""
    axes.set_yticks(range(len(labels)), labels)
    axes.set_ylim(len(labels) - 0.4, -0.6)
    axes.set_xlim(0, 1.0)
    _percent_axis(axes.xaxis)
    for lower, colour in BAND_COLOURS[:-1]:
        axes.axvline(lower, color=colour, linewidth=0.8, linestyle=(0, (4, 3)), alpha=0.7)
    limits = [1.0] + [lower for lower, _ in BAND_COLOURS]
    for (_, words, _), upper, lower, (_, colour) in zip(BANDS, limits, limits[1:], BAND_COLOURS):
        axes.text((upper + lower) / 2, 1.0, fonts.text(translated(words, "zh"), words),
                  transform=axes.get_xaxis_transform(),
                  ha="center", va="bottom", fontsize=7.5, color=colour)
    axes.set_xlabel(fonts.text("达标概率（误差线：95%区间）", "P(hit) (error bars: 95% interval)"))
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
        title = fonts.text(f"{scenario.name}：各目标达标概率", f"{scenario.target_year} targets: P(hit)")
        axes.set_title(title, loc="left", pad=16)
        note = fonts.text(f"{summary.n_draws:,}次模拟，种子 {summary.seed}",
                          f"{summary.n_draws:,} draws, seed {summary.seed}")
        if summary.joint.all_hit is not None:
            all_hit = summary.joint.all_hit
            share = format_share(all_hit.p) if all_hit.p > 0 else f"< {format_share(all_hit.ci[1])}"
            note += fonts.text(f"；全部目标同时达标 {share}", f"; all targets hit {share}")
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
                filled = j == 0 or (difference is not None and difference.distinguishable)
                axes.errorbar(p, y + offsets[j], xerr=[[p - low], [high - p]], fmt="o", color=colour,
                              markersize=5.5, markerfacecolor=colour if filled else "white", capsize=2,
                              linewidth=1)
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], marker="o", linestyle="", color=SCENARIO_COLOURS[j % len(SCENARIO_COLOURS)],
                          label=fonts.text(summary.scenario.name, f"scenario {j + 1}"))
                   for j, summary in enumerate(comparison.summaries)]
        figure.legend(handles=handles, loc="outside upper center", ncol=min(k, 3), frameon=False, fontsize=9)
        axes.set_title(fonts.text(f"情景比较：各目标达标概率（{comparison.n_draws:,}次模拟，共用随机数）",
                                  f"Scenarios compared: P(hit) ({comparison.n_draws:,} common draws)"),
                       loc="left", pad=16)
        _footnote(figure, fonts.text("实心：与第一个情景的差异超出随机误差；空心：在误差之内",
                                     "filled: differs from the first scenario beyond noise; hollow: within noise"))
    return figure


# --- what drives a target ---------------------------------------------------------------------------


def tornado_chart(result, top: int = 10, fonts: ChartFonts | None = None) -> "Figure":
    """A tornado: P(hit) with each input held at its p10 and at its p90 (events: never/always),
    largest swing on top, around the target's P(hit) with every input random."""
    fonts = fonts or chart_fonts()
    drivers = list(result.drivers)
    effects = drivers[:top]
    if not effects:
        raise ValueError(f"no input matters to {result.indicator}'s P(hit)")
    base = result.p_hit
    with _style(fonts):
        figure = _figure(7.6, 1.6 + 0.36 * len(effects))
        axes = figure.add_subplot()
        labels = [fonts.text(e.name, e.input) for e in effects]
        axes.set_yticks(range(len(effects)), labels)
        axes.set_ylim(len(effects) - 0.4, -0.6)
        axes.set_xlim(0, 1.0)
        _percent_axis(axes.xaxis)
        low_label = fonts.text("输入取第10百分位（事件：不发生）", "input at its p10 (event: never)")
        high_label = fonts.text("输入取第90百分位（事件：发生）", "input at its p90 (event: always)")
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
        axes.annotate(fonts.text(f"全部随机 {format_share(base)}", f"all random {format_share(base)}"), (base, 0.0),
                      xycoords=("data", "axes fraction"), xytext=(4, 4), textcoords="offset points", fontsize=8)
        axes.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.set_xlabel(fonts.text("达标概率", "P(hit)"))
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8.5)
        axes.set_title(fonts.text(f"{result.name}：什么左右达标概率", f"{result.indicator}: what drives P(hit)"),
                       loc="left", pad=22)
        unrelated = len(result.inputs) - len(drivers)
        note = fonts.text(f"其余输入随机（与之相关的随之变动），每组{result.draws:,}次模拟、共用随机数；"
                          "ρ：与目标的秩相关",
                          f"other inputs random (correlated ones move with it), {result.draws:,} common draws; "
                          "ρ: rank correlation with the target")
        if unrelated:
            note += fonts.text(f"；另有{unrelated}个输入与该目标无关（未列出）",
                               f"; {unrelated} unrelated inputs not shown")
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
