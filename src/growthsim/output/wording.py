"""What a director reads, in words: the band of a probability, a share said plainly, one sentence
per target, the three lines of conclusions, a value or interval in its indicator's units, and an
assumption's distribution in words (偏态正态分布，最可能值6.5%，下行标准差1.5个百分点). Every table,
JSON sentence, workbook and report takes its words from here, so all say the same.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from growthsim.engine.summary import IndicatorSummary, Summary
from growthsim.i18n import N_, _, language, ngettext, pgettext
from growthsim.scenario.families import (
    DISTRIBUTION_WORDS,
    PARAMETER_WORDS,
)
from growthsim.scenario.quantities import (
    Expect,
    format_amount,
    format_value,
)
from growthsim.scenario.types import Indicator
from growthsim.stats.distributions import quantity_at
from growthsim.stats.intervals import Probability

__all__ = [
    "BANDS",
    "assumption_spread",
    "assumption_words",
    "band_of",
    "basis_words",
    "conclusions",
    "elasticity_text",
    "format_share",
    "interval_text",
    "joint_share",
    "kind_words",
    "metric_text",
    "one_line",
    "plain_share",
    "probability_bar",
    "probability_text",
    "spread_text",
    "target_sentence",
]


# Words for probabilities, after the calibrated language of IPCC reports, with a colour each.
BANDS = (
    (0.90, N_("very likely"), "bold green"),
    (0.66, N_("likely"), "green"),
    (0.33, N_("about even"), "yellow"),
    (0.10, N_("unlikely"), "dark_orange"),
    (0.00, N_("very unlikely"), "bold red"),
)


def band_of(p: float) -> tuple[str, str]:
    """(words in the language in use, rich style) for a probability."""
    return next((_(words), style) for lower, words, style in BANDS if p >= lower)


def one_line(text: str | None) -> str:
    """A text from a scenario file on one line: its line breaks go, Chinese lines join without a
    space (a space inside a Chinese sentence reads as a typo), Latin ones with one."""

    joined = ""
    for line in (text or "").splitlines():
        line = re.sub(
            r"\s+(?=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])|(?<=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])\s+",
            "",
            " ".join(line.split()),
        )  # 约 1.8个百分点 -> 约1.8个百分点
        if not line:
            continue
        if joined and not (_is_cjk(joined[-1]) or _is_cjk(line[0])):
            joined += " "
        joined += line
    return joined


def _is_cjk(character: str) -> bool:
    return "\u2e80" <= character <= "\u9fff" or "\uff00" <= character <= "\uffef" or "\u3000" <= character <= "\u303f"


def joint_share(p: Probability) -> str:
    """P(all) in words: its share; below its upper bound when no draw hit them all; 0% when one
    target cannot be hit at all (an input held where it misses: no bound to give)."""
    if p.p > 0:
        return format_share(p.p)
    if p.ci[1] == 0:
        return "0%"
    return _("under {share}").format(share=format_share(p.ci[1]))


def plain_share(p: float) -> str:
    """A probability as a director reads it: '约14%', '不到1%', '超过99%' (the table gives the digits)."""
    if p < 0.01:
        return _("under {share}").format(share="1%")
    if p > 0.99:
        return _("over {share}").format(share="99%")
    return _("about {share}").format(share=f"{p * 100:.0f}%")


def _plain_value(indicator: Indicator, metric: str, value: float) -> str:
    """A projected value in words: 增长6.2%, 提高0.70个百分点, 13,824户, 5.30%."""
    if metric == "change":
        words = _("a rise of {points} percentage points") if value >= 0 else _("a fall of {points} percentage points")
        return words.format(points=f"{abs(value) * 100:.2f}")
    if metric == "growth":
        return _("growth of {value}").format(value=metric_text(indicator, metric, value))
    return metric_text(indicator, metric, value)


def _plain_range(indicator: Indicator, metric: str, low: float, high: float) -> str:
    if metric == "change":
        return _("{low} to {high} percentage points").format(low=f"{low * 100:.2f}", high=f"{high * 100:.2f}")
    return _("{low} to {high}").format(
        low=metric_text(indicator, metric, low), high=metric_text(indicator, metric, high)
    )


def target_sentence(row: IndicatorSummary) -> str | None:
    """One sentence for one target: 「地区生产总值增长8%：达标概率约14%（不太可能），预计增长6.2%
    （90%区间3.1%–8.9%）。」 None for an indicator without a target."""
    indicator, target = row.indicator, row.indicator.target
    if target is None or row.hit is None:
        return None
    q = row.quantiles
    sentence = _(
        "{name} {target}: the chance of hitting it is {share} ({band}); expected {value} ({level} range {range})."
    ).format(
        name=indicator.name,
        target=(target.written if language() == "zh" else None) or target.text,
        share=plain_share(row.hit.p),
        band=band_of(row.hit.p)[0],
        value=_plain_value(indicator, row.metric, q["p50"]),
        level="90%",
        range=_plain_range(indicator, row.metric, q["p05"], q["p95"]),
    )
    if row.stretch is not None:
        sentence += _(" The stretch target's chance is {share}.").format(share=plain_share(row.stretch.p))
    return sentence


def conclusions(summary: Summary) -> list[str]:
    """The 结论摘要: three lines at the top of `run` and the report: how many targets are likely,
    which are at risk, and the chance that all are hit together. Empty without targets."""
    rows = [r for r in summary.indicators if r.hit is not None]
    if not rows:
        return []
    # (every row has a hit: the repeated check is what lets mypy know it inside the comprehension)
    likely = [r.indicator.name for r in rows if r.hit is not None and r.hit.p >= BANDS[1][0]]
    at_risk = [r.indicator.name for r in rows if r.hit is not None and r.hit.p < BANDS[2][0]]
    separator = _(", ")
    lines = [
        ngettext(
            "Of {n} target, {k} is likely or very likely to be hit{names}.",
            "Of {n} targets, {k} are likely or very likely to be hit{names}.",
            len(rows),
        ).format(
            n=len(rows), k=len(likely), names=_(": {names}").format(names=separator.join(likely)) if likely else ""
        )
    ]
    if at_risk:
        lines.append(
            _("{k} at risk (unlikely or very unlikely): {names}; the other {rest} about even.").format(
                k=len(at_risk), names=separator.join(at_risk), rest=len(rows) - len(likely) - len(at_risk)
            )
        )
    else:
        lines.append(
            _("None is at risk (unlikely or very unlikely); {rest} about even.").format(rest=len(rows) - len(likely))
        )
    joint = summary.joint
    if joint.all_hit is not None and joint.n_targets > 1:
        p = joint.all_hit
        share = joint_share(p)
        lines.append(
            _("The chance that all {n} targets are hit together is {share}; on average {expected} are hit.").format(
                n=joint.n_targets, share=share, expected=f"{joint.expected_hits:.1f}"
            )
        )
    return lines


def elasticity_text(driver) -> str:
    """The elasticity in its written unit ("0.15 pp/pp", "300 人/pp")."""
    return f"{driver.elasticity / driver.factor:.4g} {driver.unit}"


def spread_text(indicator: Indicator, sd: float) -> str:
    """A standard deviation in the indicator's terms: points for percentages, the unit for amounts."""
    if indicator.expect is Expect.AMOUNT:
        return format_value(float(f"{sd:.3g}"), Expect.AMOUNT, indicator.unit)  # three figures say enough
    return f"{sd * 100:.2f}pp"


def metric_text(indicator: Indicator, metric: str, value: float) -> str:
    """A projected value for the table, with fixed decimals so that columns read evenly."""
    if not math.isfinite(value):
        return "—"
    if metric == "growth":
        return f"{value * 100:.1f}%"
    if metric == "change":
        return f"{value * 100:.2f}pp"
    if indicator.natural_kind in ("rate", "derived/level%"):  # levels that are percentages
        return f"{value * 100:.2f}%"
    return format_amount(value, indicator.unit)


def interval_text(indicator: Indicator, metric: str, lo: float, hi: float) -> str:
    """'[3.1%, 8.9%]' for rates; '10,145–18,365户' style ranges for amounts, whose commas would clash."""
    if metric in ("growth", "change") or indicator.natural_kind in ("rate", "derived/level%"):
        return f"[{metric_text(indicator, metric, lo)}, {metric_text(indicator, metric, hi)}]"
    return f"[{format_amount(lo)}–{format_amount(hi)}]"


def probability_bar(p: float, width: int = 10) -> str:
    """A bar of ``width`` cells filled in proportion to p, in eighths of a cell: '███▍      '."""
    eighths = round(max(0.0, min(1.0, p)) * width * 8)
    full, rest = divmod(eighths, 8)
    bar = "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])
    return bar.ljust(width, "·")


def probability_text(probability: Probability) -> str:
    if probability.se == 0 and probability.ci == (probability.p, probability.p):
        # fixed by construction: no Monte Carlo error
        return _("{p} (certain)").format(p=f"{probability.p * 100:.0f}%")
    if probability.p == 0.0:  # no draw hit: ±0 would claim certainty
        return f"0% (<{format_share(probability.ci[1])})"
    if probability.p == 1.0:  # none missed: the lower bound, with digits enough to be below 100%
        return f"100% (>{_below_one(probability.ci[0])})"
    return f"{probability.p * 100:.1f}% ±{probability.margin * 100:.1f}"


def _below_one(p: float) -> str:
    """0.99981 -> '99.98%': rounded down, with the digits that keep it below 100%."""
    if p < 0.99:
        return format_share(p)
    digits = max(1, -math.floor(math.log10((1 - p) * 100)) + 1)
    return f"{math.floor(p * 100 * 10**digits) / 10**digits:.{digits}f}%"


def format_share(p: float) -> str:
    """A probability as a percentage with enough digits to be non-zero when it is: 0.00004 -> '0.004%'."""
    if p == 0:
        return "0%"
    if p >= 0.01:
        return f"{p * 100:.1f}%"
    digits = max(1, -math.floor(math.log10(p * 100)) + 1)
    return f"{p * 100:.{digits}f}%"


def kind_words(kind: str) -> str:
    return {
        "flow": pgettext("kind", "flow"),
        "rate": pgettext("kind", "rate"),
        "change": pgettext("kind", "change"),
        "count": pgettext("kind", "count"),
        "derived": pgettext("kind", "derived"),
    }.get(kind, kind)


def basis_words(basis: str) -> str:
    return {"real": pgettext("basis", "real"), "nominal": pgettext("basis", "nominal")}.get(basis, basis)


def _written_words(value: Any, indicator: Indicator) -> str:
    """A parameter as written, in words: '1.5pp' -> '1.5个百分点', 14000 -> '14000户'."""
    if isinstance(value, list):
        return _(", ").join(_written_words(v, indicator) for v in value)
    text = str(value)
    if isinstance(value, str) and text.endswith("pp"):
        return _("{points} percentage points").format(points=text[:-2])
    if isinstance(value, (int, float)) and indicator.unit != "%" and indicator.expect is Expect.AMOUNT:
        return f"{text}{indicator.unit}"
    return text


def assumption_words(indicator: Indicator) -> str:
    """The assumption in words: 增速：偏态正态分布，最可能值10%，下行标准差8个百分点，上行标准差6个百分点."""
    assumption = indicator.assumption
    if assumption is None:
        assert indicator.formula is not None  # an indicator without an assumption is derived by its formula
        return _("computed by the formula {formula}").format(formula=indicator.formula.text)
    parts = [
        _(PARAMETER_WORDS.get(k, k)) + _written_words(v, indicator)
        if language() == "zh"
        else f"{_(PARAMETER_WORDS.get(k, k))} {_written_words(v, indicator)}"
        for k, v in assumption.written.items()
        if k != "dist"
    ]
    return _("{on}: {distribution}, {parameters}").format(
        on=pgettext("metric", assumption.on),
        distribution=_(DISTRIBUTION_WORDS.get(assumption.dist, assumption.dist)),
        parameters=_(", ").join(parts),
    )


def assumption_spread(indicator: Indicator) -> list[tuple[str, bool]]:
    """What the assumption gives: its median and 90% range (for a driven indicator, of its own part,
    with what the part is stated for), as (line, is a warning) pairs."""
    assumption = indicator.assumption
    assert assumption is not None  # asked only of a drawn indicator (a derived one has no assumption)
    p05, p50, p95 = quantity_at(assumption.distribution, np.array([0.05, 0.5, 0.95]), indicator.kind == "count")
    spread = {"median": indicator.fmt(p50), "level": "90%", "low": indicator.fmt(p05), "high": indicator.fmt(p95)}
    if not indicator.drivers:
        return [(_("median {median}, {level} in [{low}, {high}]").format(**spread), False)]
    drivers = ", ".join(
        _("{driver} at {value}").format(driver=d.indicator, value=d.written_at) for d in indicator.drivers
    )
    return [
        (
            _("own part, stated for {drivers}; the outcome adds the links (see the links table)").format(
                drivers=drivers
            ),
            True,
        ),
        (_("own part: median {median}, {level} in [{low}, {high}]").format(**spread), False),
    ]
