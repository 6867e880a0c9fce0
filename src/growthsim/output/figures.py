"""What every chart shares: a Chinese font, found among the installed ones (matplotlib ships
none), or labels without Chinese characters and a hint once; the style, applied around building and
saving only (a library user's own matplotlib settings are left alone); figures made directly, not
with pyplot (no GUI backend, no global state); axes in the indicator's units; and the files: PNG and
SVG (text as outlines, so that an SVG looks the same on a machine without the font), a folder of
them or one file written whole (``save_chart``).

Chinese labels need a font with Chinese glyphs. ``chart_fonts`` looks for one among the installed
fonts (and rescans the system once for fonts installed after matplotlib built its cache);
matplotlib then falls back glyph by glyph from DejaVu Sans to it. Without one, the charts are
labelled without Chinese characters (indicator ids instead of names) rather than with empty boxes,
and ``ChartFonts.hint`` says once how to install a font.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from growthsim.i18n import N_, _, language
from growthsim.output.staging import OutputError, check_single_file, write_single_file_with
from growthsim.scenario.quantities import Expect

if TYPE_CHECKING:  # matplotlib is an optional extra: imported only when a chart is drawn
    from matplotlib.figure import Figure

__all__ = [
    "BAND_COLOURS",
    "CHART_MARKER",
    "CHART_SUFFIXES",
    "CJK_FAMILIES",
    "FONT_HINT",
    "INSTALL_HINT",
    "SCENARIO_COLOURS",
    "ChartFonts",
    "ChartsUnavailable",
    "band_colour",
    "chart_fonts",
    "chart_stem",
    "chart_style",
    "check_chart_file",
    "footnote",
    "new_figure",
    "nice_ticks",
    "percent_axis",
    "require_matplotlib",
    "save_chart",
    "save_charts",
    "svg_text",
]


INSTALL_HINT = N_(
    "charts and reports need matplotlib, which is not installed. In the project folder run "
    ".venv/bin/pip install '.[plot]' (or pip install 'growthsim[plot]'; plain pip install matplotlib "
    "works too)"
)


FONT_HINT = N_(
    "no Chinese font found, so the charts are labelled without Chinese characters (ids instead of names). "
    "Install one and run again: on Debian/Ubuntu `sudo apt install fonts-wqy-microhei` (about 5 MB); "
    "Windows and macOS have one already."
)


# Fonts with Chinese glyphs, best first: what Linux distributions, Windows and macOS install.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "DengXian",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Sarasa Gothic SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
    "SimSun",
)


_PROBE = "达标概率增长"  # characters every chart uses: a font is usable only if it has them all


# CJK ideographs and radicals, CJK punctuation, full-width forms: what DejaVu Sans cannot draw
_CHINESE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


# Colours of the probability bands of render.BANDS (same thresholds), readable when printed in grey.
BAND_COLOURS = ((0.90, "#1a7f37"), (0.66, "#4fa35a"), (0.33, "#d4a72c"), (0.10, "#e16f24"), (0.0, "#c4302b"))


SCENARIO_COLOURS = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a8c", "#6b6b6b", "#8c6d31", "#17a2b8", "#d62728")


class ChartsUnavailable(Exception):
    """matplotlib is not installed; the message says how to install it."""


def require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ChartsUnavailable(_(INSTALL_HINT)) from None


def band_colour(p: float) -> str:
    return next(colour for lower, colour in BAND_COLOURS if p >= lower)


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
def chart_style(fonts: ChartFonts) -> Iterator[None]:
    import matplotlib

    families = ["DejaVu Sans"] + ([fonts.cjk] if fonts.cjk else [])
    with matplotlib.rc_context(
        {
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
        }
    ):
        yield


def new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def footnote(figure: Figure, text: str) -> None:
    """A small grey line under the chart (a supxlabel, so the layout leaves room for it)."""
    figure.supxlabel(text, x=0.01, ha="left", fontsize=8, color="#555555")


def nice_ticks(axis, expect: Expect, lo: float, hi: float) -> None:
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


def percent_axis(axis) -> None:
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    axis.set_major_locator(MultipleLocator(0.2))
    axis.set_minor_locator(MultipleLocator(0.1))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%"))


def chart_stem(kind: str, indicator_id: str | None = None) -> str:
    return kind if indicator_id is None else f"{kind}-{indicator_id}"


def save_charts(
    charts: dict[str, Figure], folder: str | Path, fonts: ChartFonts | None = None, dpi: int = 150
) -> list[str]:
    """Write each chart as STEM.png and STEM.svg into ``folder``; returns the file names."""
    fonts = fonts or chart_fonts()
    folder = Path(folder)
    written = []
    with chart_style(fonts):
        for stem, figure in charts.items():
            for suffix in ("png", "svg"):
                figure.savefig(folder / f"{stem}.{suffix}", dpi=dpi, metadata=_metadata(suffix))
                written.append(f"{stem}.{suffix}")
    return written


CHART_MARKER = "growthsim"  # in a chart file's metadata (PNG Software, SVG creator): how a file is known as ours


CHART_SUFFIXES = (".png", ".svg")


def check_chart_file(path: str | Path) -> None:
    """Raise OutputError unless ``path`` can take a chart of its own: a name ending in .png or .svg,
    absent or a chart growthsim wrote there before. Checked before anything is drawn."""
    path = Path(path)
    if path.suffix.lower() not in CHART_SUFFIXES:
        stem = path.stem if path.name not in ("", ".", "..") else ""
        raise OutputError(
            _(
                "{path}: a chart is written as PNG or SVG: give a file name ending in .png or .svg, e.g. {example}"
            ).format(path=path, example=path.parent / f"{stem or 'history'}.png")
        )
    check_single_file(path, CHART_MARKER, "history.png")


def save_chart(figure: Figure, path: str | Path, fonts: ChartFonts | None = None, dpi: int = 150) -> None:
    """Write one chart to ``path`` (PNG or SVG, by its suffix) whole or not at all (staging); a file
    already there is replaced only when growthsim wrote it (check_chart_file)."""
    fonts = fonts or chart_fonts()
    check_chart_file(path)
    suffix = Path(path).suffix.lower().lstrip(".")
    metadata = {"Software": CHART_MARKER} if suffix == "png" else {"Date": None, "Creator": CHART_MARKER}

    def write(temporary: Path) -> None:
        with chart_style(fonts):
            figure.savefig(temporary, format=suffix, dpi=dpi, metadata=metadata)

    write_single_file_with(path, write, CHART_MARKER, "history.png")


def _metadata(suffix: str) -> dict:
    # No creation date, so that the same run writes byte-identical files.
    return {"Date": None} if suffix == "svg" else {"Software": "growthsim"}


def svg_text(figure: Figure, fonts: ChartFonts | None = None) -> str:
    """The chart as an SVG document (for embedding in an HTML report)."""

    fonts = fonts or chart_fonts()
    buffer = io.StringIO()
    with chart_style(fonts):
        figure.savefig(buffer, format="svg", metadata=_metadata("svg"))
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # without the XML prolog and doctype, to sit inside HTML
