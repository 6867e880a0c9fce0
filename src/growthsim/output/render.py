"""Stage 6: a Summary (or a Scenario) as a planner's table, as JSON, or as CSV rows.

Machine outputs carry rates as fractions (8% -> 0.08); tables write them as the report does.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from growthsim.scenario.families import DISTRIBUTION_WORDS, DISTRIBUTIONS, PARAMETER_WORDS
from growthsim.stats.distributions import quantity_at
from growthsim.i18n import N_, _, language, ngettext, pgettext
from growthsim.stats.intervals import Probability
from growthsim.scenario.quantities import Expect, format_amount, format_percent, format_value
from growthsim.scenario.types import Indicator, Scenario
from growthsim.engine.summary import QUANTILES, IndicatorSummary, Summary
from growthsim.scenario.targets import Target

__all__ = [
    "SCHEMA",
    "BANDS",
    "band_of",
    "summary_to_dict",
    "summary_rows",
    "rows_to_csv",
    "summary_table",
    "captioned",
    "scenario_tables",
    "distributions_table",
]

SCHEMA = "growthsim.run/1"

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


# --- in words: what a director reads ---------------------------------------------------------------


def one_line(text: str | None) -> str:
    """A text from a scenario file on one line: its line breaks go, Chinese lines join without a
    space (a space inside a Chinese sentence reads as a typo), Latin ones with one."""
    import re

    joined = ""
    for line in (text or "").splitlines():
        line = re.sub(r"\s+(?=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])|(?<=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])\s+",
                      "", " ".join(line.split()))  # 约 1.8个百分点 -> 约1.8个百分点
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
        return _("growth of {value}").format(value=_fmt_metric(indicator, metric, value))
    return _fmt_metric(indicator, metric, value)


def _plain_range(indicator: Indicator, metric: str, low: float, high: float) -> str:
    if metric == "change":
        return _("{low} to {high} percentage points").format(low=f"{low * 100:.2f}", high=f"{high * 100:.2f}")
    return _("{low} to {high}").format(low=_fmt_metric(indicator, metric, low), high=_fmt_metric(indicator, metric, high))


def target_sentence(row: IndicatorSummary) -> str | None:
    """One sentence for one target: 「地区生产总值增长8%：达标概率约14%（不太可能），预计增长6.2%
    （90%区间3.1%–8.9%）。」 None for an indicator without a target."""
    indicator, target = row.indicator, row.indicator.target
    if target is None or row.hit is None:
        return None
    q = row.quantiles
    sentence = _("{name} {target}: the chance of hitting it is {share} ({band}); expected {value} "
                 "({level} range {range}).").format(
        name=indicator.name, target=(target.written if language() == "zh" else None) or target.text,
        share=plain_share(row.hit.p),
        band=band_of(row.hit.p)[0], value=_plain_value(indicator, row.metric, q["p50"]), level="90%",
        range=_plain_range(indicator, row.metric, q["p05"], q["p95"]))
    if row.stretch is not None:
        sentence += _(" The stretch target's chance is {share}.").format(share=plain_share(row.stretch.p))
    return sentence


def conclusions(summary: Summary) -> list[str]:
    """The 结论摘要: three lines at the top of `run` and the report: how many targets are likely,
    which are at risk, and the chance that all are hit together. Empty without targets."""
    rows = [r for r in summary.indicators if r.hit is not None]
    if not rows:
        return []
    likely = [r.indicator.name for r in rows if r.hit.p >= BANDS[1][0]]
    at_risk = [r.indicator.name for r in rows if r.hit.p < BANDS[2][0]]
    separator = _(", ")
    lines = [ngettext("Of {n} target, {k} is likely or very likely to be hit{names}.",
                      "Of {n} targets, {k} are likely or very likely to be hit{names}.", len(rows)).format(
        n=len(rows), k=len(likely), names=_(": {names}").format(names=separator.join(likely)) if likely else "")]
    if at_risk:
        lines.append(_("{k} at risk (unlikely or very unlikely): {names}; the other {rest} about even.").format(
            k=len(at_risk), names=separator.join(at_risk), rest=len(rows) - len(likely) - len(at_risk)))
    else:
        lines.append(_("None is at risk (unlikely or very unlikely); {rest} about even.").format(
            rest=len(rows) - len(likely)))
    joint = summary.joint
    if joint.all_hit is not None and joint.n_targets > 1:
        p = joint.all_hit
        share = joint_share(p)
        lines.append(_("The chance that all {n} targets are hit together is {share}; on average {expected} "
                       "are hit.").format(n=joint.n_targets, share=share, expected=f"{joint.expected_hits:.1f}"))
    return lines


# --- JSON -----------------------------------------------------------------------------------------


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def target_to_dict(target: Target) -> dict[str, Any]:
    lower, upper = target.bounds
    out: dict[str, Any] = {
        "text": target.text,
        "written": target.written,
        "metric": target.metric,
        "op": target.op,
        "value": target.value,
        "lower": _finite(lower),
        "upper": _finite(upper),
        "source": target.source,
    }
    if target.op == "between":
        out["low"], out["high"] = target.low, target.high
    if target.op in ("about", "relative"):
        out["tolerance"], out["side"] = target.tolerance, target.side
    if target.op == "relative":
        out["relative_to"] = target.relative_to
    if target.stretch is not None:
        out["stretch"] = target.stretch
    return out


def _probability_fields(prefix: str, probability: Probability | None) -> dict[str, Any]:
    if probability is None:
        return {prefix: None, f"{prefix}_se": None, f"{prefix}_ci": None}
    return {prefix: probability.p, f"{prefix}_se": probability.se, f"{prefix}_ci": list(probability.ci)}


def indicator_to_dict(row: IndicatorSummary) -> dict[str, Any]:
    indicator = row.indicator
    out: dict[str, Any] = {
        "id": indicator.id,
        "name": indicator.name,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "basis": indicator.basis,
        "baseline": indicator.baseline,
        "baseline_assumed": indicator.baseline_assumed,  # ours, not the report's: marked 假设
        "growth_2022": indicator.growth_2022,
        "target": target_to_dict(indicator.target) if indicator.target else None,
        "sentence": target_sentence(row),
        **_probability_fields("p_hit", row.hit),
        "metric": row.metric,
        "mean": row.mean,
        "quantiles": row.quantiles,
        "level_quantiles": row.level_quantiles,
        "level_prices": _level_prices(indicator) if row.level_quantiles else None,
        "difference_quantiles": row.difference_quantiles,
        "difference_quantile_error": row.difference_quantile_error,
        "quantile_error": row.quantile_error,
        "expected_shortfall": row.expected_shortfall,
    }
    if row.stretch is not None:
        out["stretch"] = {"value": indicator.target.stretch, **_probability_fields("p_hit", row.stretch)}
    if indicator.drivers:  # elasticity in code units (rates as fractions); as written with its unit
        out["drivers"] = [{"indicator": d.indicator, "elasticity": d.elasticity, "at": d.at, "unit": d.unit,
                           "elasticity_in_unit": d.elasticity / d.factor} for d in indicator.drivers]
    return out


def _scenario_fields(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name,
        "path": scenario.path,
        "sha256": scenario.sha256,
        "files": [{"path": path, "sha256": digest} for path, digest in scenario.files],
        "overrides": list(scenario.overrides),
    }


def _level_prices(indicator: Indicator) -> str | None:
    """The price basis of projected levels: a real flow's levels are at base-year prices."""
    if indicator.basis == "real":
        return "constant_base_year"
    if indicator.basis == "nominal":
        return "current"
    return None


def summary_to_dict(summary: Summary) -> dict[str, Any]:
    """The JSON document of DESIGN.md's output contract (v1); fields may be added, never changed."""
    from growthsim._version import __version__

    scenario = summary.scenario
    joint = summary.joint
    return {
        "schema": SCHEMA,
        "growthsim_version": __version__,
        "scenario": _scenario_fields(scenario),
        "draws": summary.n_draws,
        "seed": summary.seed,
        "method": summary.method,
        "replicates": summary.replicates,
        "batches": summary.batches,
        "batch_size": summary.batch_size,
        "correlation_method": summary.correlation_method,
        "precision": (None if summary.precision is None else
                      {"half_width": summary.precision[0], "reached": summary.precision[1]}),
        "language": language(),  # of the sentences and names of bands
        "conclusions": conclusions(summary),
        "indicators": [indicator_to_dict(row) for row in summary.indicators],
        "joint": {
            "n_targets": joint.n_targets,
            "p_all": joint.all_hit.p if joint.all_hit else None,
            "p_all_se": joint.all_hit.se if joint.all_hit else None,
            "p_all_ci": list(joint.all_hit.ci) if joint.all_hit else None,
            "expected_hits": joint.expected_hits,
            "expected_hits_se": joint.expected_hits_estimate.se if joint.expected_hits_estimate else None,
            "expected_hits_ci": list(joint.expected_hits_estimate.ci) if joint.expected_hits_estimate else None,
            "hits_distribution": list(joint.hits_distribution),
            "hits_distribution_se": [p.se for p in joint.hits_probabilities],
            "p_all_independent": joint.all_hit_independent,
        },
        "events": [event_to_dict(e) for e in summary.events],
    }


def event_to_dict(summary) -> dict[str, Any]:
    event = summary.event

    def probabilities(table, field="p"):
        return {k: (None if v is None else getattr(v, field)) for k, v in table.items()}

    return {
        "id": event.id,
        "name": event.name,
        "probability": event.probability,
        "group": event.group,
        "effects": [{"indicator": e.indicator, "kind": e.kind, "written": e.written} for e in event.effects],
        "frequency": summary.frequency.p,
        "frequency_se": summary.frequency.se,
        "p_hit_with": probabilities(summary.hit_with),
        "p_hit_without": probabilities(summary.hit_without),
        "p_hit_with_se": probabilities(summary.hit_with, "se"),
        "p_hit_without_se": probabilities(summary.hit_without, "se"),
    }


def _clear_shift(event_summary, indicator_id: str) -> bool:
    """Does P(hit) differ with and without the event by more than Monte Carlo noise?"""
    with_, without = event_summary.hit_with.get(indicator_id), event_summary.hit_without.get(indicator_id)
    if with_ is None or without is None:
        return False
    return abs(with_.p - without.p) > math.hypot(with_.margin, without.margin)


def correlations_table(rows, method: str, names: dict[str, str] | None = None):
    """Renderable: each correlated pair as asked, as used (after any repair), as achieved on the
    draws it acts on, and on the outcomes (links included); then the pairs the links tie."""
    from rich.table import Table

    names = names or {}
    table = Table(title=_("correlations and links ({method})").format(method=method), header_style="bold",
                  caption_justify="left",
                  caption=_("asked and used (after any repair) are rank correlations of the indicators' own draws "
                            "(for a driven indicator: what its drivers leave unexplained); achieved: their Spearman "
                            "correlation over the first 65,536 draws, shock events included; outcomes: the "
                            "correlation of the outcomes, links included"))
    table.add_column(_("pair"), overflow="fold")
    table.add_column(_("asked"), justify="right", overflow="fold")
    table.add_column(_("used"), justify="right", overflow="fold")
    table.add_column(_("achieved"), justify="right", overflow="fold")
    table.add_column(_("outcomes"), justify="right", overflow="fold")

    def shown(value: float | None) -> str:  # a fixed value has no rank correlation
        return "—" if value is None or not math.isfinite(value) else f"{value:.2f}"

    for check in rows:
        pair = f"{names.get(check.a, check.a)} ~ {names.get(check.b, check.b)}"
        if check.link:
            pair += " " + _("(link)")
        table.add_row(pair, shown(check.asked), shown(check.used), shown(check.achieved), shown(check.outcomes))
    return table


def links_table(scenario: Scenario, shares):
    """Renderable for `show`: every link (driver, elasticity, reference value, rationale), and for each
    driven indicator the spread of its outcome and the share of it its drivers explain."""
    from rich.table import Table
    from rich.text import Text

    by_id = {i.id: i for i in scenario.indicators}
    share_of = {share.indicator: share for share in shares}
    table = Table(title=_("links (drivers)"), header_style="bold", caption_justify="left",
                  caption=_("outcome = own draw + Σ elasticity × (driver's outcome − reference value); explained: "
                            "the share of the outcome's variance the links explain (first 65,536 draws)"))
    table.add_column(_("indicator"), overflow="fold")
    table.add_column(_("driver"), overflow="fold")
    table.add_column(_("elasticity / reference"), overflow="fold")
    table.add_column(_("source / rationale"), overflow="fold")
    for indicator in scenario.indicators:
        if not indicator.drivers:
            continue
        name = Text(indicator.name)
        name.append(f"\n{indicator.id}", style="dim")
        share = share_of.get(indicator.id)
        if share is not None:
            name.append("\n" + _("outcome: sd {sd}, {level} in [{low}, {high}]").format(
                sd=_spread(indicator, share.sd), level="90%", low=indicator.fmt(share.p05),
                high=indicator.fmt(share.p95)))
            name.append("\n" + _("own part: sd {sd}").format(sd=_spread(indicator, share.sd_own)))
            name.append("\n" + _("explained by the links: {share}").format(share=f"{share.share * 100:.0f}%"),
                        style="bold")
        for k, driver in enumerate(indicator.drivers):  # a row per link, the indicator in the first
            other = by_id[driver.indicator]
            elasticity = Text(_elasticity_text(driver))
            elasticity.append(_changed_by(scenario, indicator.id, driver.indicator, "elasticity"), style="cyan")
            elasticity.append("\n" + _("at {value}").format(value=other.fmt(driver.at)))
            elasticity.append(_changed_by(scenario, indicator.id, driver.indicator, "at"), style="cyan")
            reasons = Text(one_line(driver.rationale))
            if driver.source:
                reasons.append(("\n" if driver.rationale else "") + _("source: {source}").format(source=driver.source),
                               style="dim")
            if not (driver.rationale or driver.source):
                reasons.append("—")
            table.add_row(name if k == 0 else Text(""), Text(f"{other.name}\n{other.id}"), elasticity, reasons,
                          end_section=k == len(indicator.drivers) - 1)
    return table


def _changed_by(scenario: Scenario, indicator_id: str, driver_id: str, key: str) -> str:
    """' ← parent.toml' (or ← --set …) when a layer other than the scenario's own file wrote a link's key."""
    label = scenario.origin("indicators", indicator_id, "drivers", driver_id, key)
    if label is None or label == scenario.path:
        return ""
    return f" ← {label if label.startswith('--') else Path(label).name}"


def _elasticity_text(driver) -> str:
    """The elasticity in its written unit ("0.15 pp/pp", "300 人/pp")."""
    return f"{driver.elasticity / driver.factor:.4g} {driver.unit}"


def _spread(indicator: Indicator, sd: float) -> str:
    """A standard deviation in the indicator's terms: points for percentages, the unit for amounts."""
    if indicator.expect is Expect.AMOUNT:
        return format_value(float(f"{sd:.3g}"), Expect.AMOUNT, indicator.unit)  # three figures say enough
    return f"{sd * 100:.2f}pp"


def events_table(summary: Summary):
    """Renderable: how often each shock event occurred and the targets it moves most."""
    from rich.table import Table

    table = Table(title=_("shock events"), header_style="bold", caption_justify="left",
                  caption=_("P(hit) with / without: the P(hit) of the draws on which the event occurred and of "
                            "those on which it did not (the three targets it moves most)"))
    table.add_column(_("event"), overflow="fold")
    table.add_column(_("probability set"), justify="right", overflow="fold")
    table.add_column(_("frequency drawn"), justify="right", overflow="fold")
    table.add_column(_("effects"), overflow="fold")
    table.add_column(_("P(hit) with / without"), overflow="fold")
    names = {row.indicator.id: row.indicator.name for row in summary.indicators}
    for event_summary in summary.events:
        event = event_summary.event
        verbs = {"add": _("add"), "scale": _("times"), "replace": _("becomes")}
        effects = "\n".join(f"{names.get(e.indicator, e.indicator)} {verbs[e.kind]} {e.written}" for e in event.effects)
        moved = sorted((k for k in event_summary.hit_with if _clear_shift(event_summary, k)),
                       key=lambda k: -abs(event_summary.effect_on(k)))[:3]
        shifts = "\n".join(
            f"{names[k]} {event_summary.hit_with[k].p * 100:.1f}% / {event_summary.hit_without[k].p * 100:.1f}%"
            for k in moved
        ) or "—"
        group = _("\n(exclusive group {group})").format(group=event.group) if event.group else ""
        table.add_row(f"{event.name}\n{event.id}{group}", format_share(event.probability),
                      f"{event_summary.frequency.p * 100:.1f}%", effects, shifts)
    return table


def dumps(document: dict[str, Any]) -> str:
    """JSON as growthsim writes it: UTF-8 text (Chinese kept readable), indented, no NaN."""
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


# --- CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id", "name", "unit", "kind", "basis", "baseline", "baseline_assumed", "growth_2022",
    "target_text", "target_written", "target_metric", "target_op", "target_value", "target_lower", "target_upper",
    "p_hit", "p_hit_se", "p_hit_ci_low", "p_hit_ci_high",
    "stretch_value", "stretch_p_hit", "stretch_p_hit_se",
    "metric", "mean", *QUANTILES, *(f"level_{q}" for q in QUANTILES), "expected_shortfall", "sentence",
)


def summary_rows(summary: Summary) -> list[dict[str, Any]]:
    """One flat row per indicator, columns as CSV_COLUMNS (rates as fractions)."""
    rows = []
    for item in summary.indicators:
        d = indicator_to_dict(item)
        target = d["target"] or {}
        hit_ci = d["p_hit_ci"] or [None, None]
        stretch = d.get("stretch") or {}
        row = {
            **{k: d[k] for k in ("id", "name", "unit", "kind", "basis", "baseline", "baseline_assumed", "growth_2022")},
            "target_text": target.get("text"),
            "target_written": target.get("written"),
            "target_metric": target.get("metric"),
            "target_op": target.get("op"),
            "target_value": target.get("value"),
            "target_lower": target.get("lower"),
            "target_upper": target.get("upper"),
            "p_hit": d["p_hit"],
            "p_hit_se": d["p_hit_se"],
            "p_hit_ci_low": hit_ci[0],
            "p_hit_ci_high": hit_ci[1],
            "stretch_value": stretch.get("value"),
            "stretch_p_hit": stretch.get("p_hit"),
            "stretch_p_hit_se": stretch.get("p_hit_se"),
            "metric": d["metric"],
            "mean": d["mean"],
            **d["quantiles"],
            **{f"level_{k}": v for k, v in (d["level_quantiles"] or {}).items()},
            "expected_shortfall": d["expected_shortfall"],
            "sentence": d["sentence"],
        }
        rows.append({column: row.get(column) for column in CSV_COLUMNS})
    return rows


_PROBABILITY_FIELDS = (("p_hit", "p_hit_se", ("p_hit", "p_hit_ci_low", "p_hit_ci_high")),
                       ("stretch_p_hit", "stretch_p_hit_se", ("stretch_p_hit",)))
QUANTITY_DIGITS = 5  # significant digits of a projected value in a CSV: its Monte Carlo error is larger


def _significant(value: float, digits: int) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def csv_rows(summary: Summary) -> list[dict[str, Any]]:
    """summary_rows with no more digits than the Monte Carlo error supports (summary.csv; the JSON and
    to_frame keep full precision): a probability to the second significant digit of its standard
    error (0.1370 when se = 0.0011), the error itself to two digits, projected values to
    QUANTITY_DIGITS significant digits."""
    rows = summary_rows(summary)
    projected = ("mean", *QUANTILES, *(f"level_{q}" for q in QUANTILES), "expected_shortfall")
    for row in rows:
        for _p, se_field, fields in _PROBABILITY_FIELDS:
            se = row.get(se_field)
            if se is None:
                continue
            decimals = 6 if se == 0 else max(0, 1 - math.floor(math.log10(se)))
            for field in fields:
                if row.get(field) is not None:
                    row[field] = round(row[field], decimals)
            row[se_field] = _significant(se, 2)
        for field in projected:
            if isinstance(row.get(field), float):
                row[field] = _significant(row[field], QUANTITY_DIGITS)
    return rows


def rows_to_csv(rows: Iterable[dict[str, Any]], columns: Iterable[str] = CSV_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()


# --- tables for people ----------------------------------------------------------------------------


def _fmt_metric(indicator: Indicator, metric: str, value: float) -> str:
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


def _fmt_interval(indicator: Indicator, metric: str, lo: float, hi: float) -> str:
    """'[3.1%, 8.9%]' for rates; '10,145–18,365户' style ranges for amounts, whose commas would clash."""
    if metric in ("growth", "change") or indicator.natural_kind in ("rate", "derived/level%"):
        return f"[{_fmt_metric(indicator, metric, lo)}, {_fmt_metric(indicator, metric, hi)}]"
    return f"[{format_amount(lo)}–{format_amount(hi)}]"


def probability_bar(p: float, width: int = 10) -> str:
    """A bar of ``width`` cells filled in proportion to p, in eighths of a cell: '███▍      '."""
    eighths = round(max(0.0, min(1.0, p)) * width * 8)
    full, rest = divmod(eighths, 8)
    bar = "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])
    return bar.ljust(width, "·")


# A line may not begin with closing punctuation nor end with opening punctuation (禁则).
_NO_LINE_START = set("，。、；：？！）」』”’》〉】…%,.;:!?)]}")
_NO_LINE_END = set("（「『“‘《〈【([{")


def _units(paragraph: str) -> list[str]:
    """The pieces a line may break between: each Chinese character, each run of other non-space
    characters (a number, a word, `growthsim show`'s halves) and each run of spaces."""
    import re

    return re.findall(r" +|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d…]|[^ \u2e80-\u9fff"
                      r"\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d…]+", paragraph)


def wrap_prose(paragraph: str, width: int) -> list[str]:
    """``paragraph`` in lines of at most ``width`` terminal cells, wrapped as Chinese text is: between
    any two characters, not before closing or after opening punctuation; Latin words and numbers
    stay whole where they fit (rich's wrapping breaks only at spaces, so a Chinese sentence with one
    space in it left a short line and folded the rest mid-number)."""
    from rich.cells import cell_len

    width = max(width, 8)
    lines: list[list[str]] = [[]]
    used = 0
    for unit in _units(paragraph):
        size = cell_len(unit)
        if unit.isspace():
            if lines[-1] and used + size < width:
                lines[-1].append(unit)
                used += size
            continue
        if used + size > width and lines[-1]:
            carried: list[str] = []
            if unit[0] in _NO_LINE_START and len(lines[-1]) > 1:  # take the last character along
                carried.append(lines[-1].pop())
            while len(lines[-1]) > 1 and lines[-1][-1][-1] in _NO_LINE_END:
                carried.insert(0, lines[-1].pop())
            while lines[-1] and lines[-1][-1].isspace():
                lines[-1].pop()
            lines.append([u for u in carried if not u.isspace()])
            used = sum(cell_len(u) for u in lines[-1])
        while size > width - used and len(unit) > 1:  # longer than a line: fold it
            room = width - used
            cut = max(1, next(i for i in range(len(unit), 0, -1) if cell_len(unit[:i]) <= room) if room > 0 else 1)
            lines[-1].append(unit[:cut])
            lines.append([])
            unit, used, size = unit[cut:], 0, cell_len(unit[cut:])
        lines[-1].append(unit)
        used += size
    return ["".join(line).rstrip() for line in lines] if any(lines) else [""]


class Prose:
    """Text for the terminal that wraps as Chinese does (see wrap_prose), each line indented."""

    def __init__(self, text: str, style: str = "", indent: str = ""):
        self.text, self.style, self.indent = text, style, indent

    def __rich_console__(self, console, options):
        from rich.cells import cell_len
        from rich.text import Text

        width = options.max_width - cell_len(self.indent)
        for paragraph in self.text.split("\n"):
            for line in wrap_prose(paragraph, width):
                yield Text(self.indent + line, style=self.style, no_wrap=True, overflow="ignore")

    def __str__(self) -> str:
        return self.text


def captioned(table):
    """The table with its caption as text below it that wraps at the terminal's width: a caption
    inside a table wraps at the table's width, and on a terminal narrower than the table (80
    columns) it was cut off mid-sentence ('预计达成 7.9 / 17' read '预计达成 7')."""
    from rich.console import Group

    caption, table.caption = table.caption, None
    return table if not caption else Group(table, Prose(str(caption), style="table.caption"))


def _fmt_probability(probability: Probability) -> str:
    if probability.se == 0 and probability.ci == (probability.p, probability.p):
        return f"{probability.p * 100:.0f}%（确定）"  # fixed by construction: no Monte Carlo error
    if probability.p in (0.0, 1.0):  # no draw hit (or none missed): ±0 would claim certainty
        bound = probability.ci[1] if probability.p == 0 else probability.ci[0]
        return f"{probability.p * 100:.0f}% ({'<' if probability.p == 0 else '>'}{format_share(bound)})"
    return f"{probability.p * 100:.1f}% ±{probability.margin * 100:.1f}"


def format_share(p: float) -> str:
    """A probability as a percentage with enough digits to be non-zero when it is: 0.00004 -> '0.004%'."""
    if p == 0:
        return "0%"
    if p >= 0.01:
        return f"{p * 100:.1f}%"
    digits = max(1, -math.floor(math.log10(p * 100)) + 1)
    return f"{p * 100:.{digits}f}%"


class ByWidth:
    """A renderable laid out for the width it is given (a table that must keep every column at 80
    columns drops decorations there instead of cutting text)."""

    def __init__(self, build):
        self.build = build

    def __rich_console__(self, console, options):
        yield self.build(options.max_width)


NARROW = 100  # below this many columns, tables take their compact layout


def summary_table(summary: Summary):
    """The 结论摘要, then a table with one row per indicator, coloured by how likely its target is.

    The id goes under the Chinese name, the target shows the report's wording over growthsim's
    reading of it. Below NARROW columns the judgement goes under P(hit) in place of the bar and
    names fold, so that at 80 columns no column and no word is lost.
    """
    from rich.console import Group
    from rich.text import Text

    table = ByWidth(lambda width: captioned(_summary_table(summary, narrow=width < NARROW)))
    lines = conclusions(summary)
    if not lines:
        return table
    return Group(Text(_("Conclusions"), style="bold"), *(Prose(line, indent="  ") for line in lines), Text(""),
                 table)


def _summary_table(summary: Summary, narrow: bool):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    scenario = summary.scenario
    overrides = _("\nchanged for this run --set: {changes}").format(changes="; ".join(scenario.overrides)) \
        if scenario.overrides else ""
    table = Table(
        title=_("{scenario}: how likely each {year} target is").format(scenario=scenario.name,
                                                                       year=scenario.target_year) + overrides,
        caption=_caption(summary),
        caption_justify="left",
        header_style="bold",
        expand=False,
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
        show_edge=not narrow,
        collapse_padding=narrow,
        pad_edge=not narrow,
    )
    # narrow: the name column as wide as the longest id (up to 20), so that ids stay whole; the target folds
    longest = max((len(i.id) for i in scenario.indicators), default=10)
    table.add_column(_("indicator"), min_width=min(max(longest, 10), 20) if narrow else 16, overflow="fold")
    table.add_column(_("{year}").format(year=scenario.base_year), justify="right")
    table.add_column(_("target"), min_width=14, max_width=14 if narrow else None, overflow="fold")
    table.add_column(_("{year} projection\nmedian [{level} interval]").format(year=scenario.target_year, level="90%"),
                     justify="right", no_wrap=not narrow, min_width=16 if narrow else None,  # [-0.17%, 1.16%]
                     max_width=16 if narrow else None)
    table.add_column(_("P(hit)\n± margin of error"), justify="right", no_wrap=not narrow,
                     min_width=10 if narrow else None, max_width=10 if narrow else None)  # 13.7% ±0.5
    if not narrow:
        table.add_column(_("judgement"), no_wrap=True)
    for row in summary.indicators:
        indicator = row.indicator
        projection = Text(_fmt_metric(indicator, row.metric, row.quantiles["p50"]))
        projection.append("\n" + _fmt_interval(indicator, row.metric, row.quantiles["p05"], row.quantiles["p95"]))
        if row.difference_quantiles is not None:  # what a relative target actually tests
            gap = indicator.target.fmt_tested(row.difference_quantiles["p50"])
            projection.append(_("\nvs {other}: {gap}").format(other=indicator.target.relative_to, gap=gap),
                              style="dim")
        name = Text(indicator.name)
        name.append(f"\n{indicator.id}", style="dim")
        target = indicator.target
        baseline = Text(indicator.fmt_baseline())
        if indicator.baseline_assumed:  # not a published figure: say so beside it
            baseline.append("\n" + _("assumed"), style="yellow")
        if target is None:
            table.add_row(name, baseline, "—", projection, "—", *(() if narrow else ("",)))
            continue
        target_text = Text(target.written or target.text)
        if target.written:
            target_text.append(f"\n{target.text}", style="dim")
        words, style = band_of(row.hit.p)
        probability = Text(_fmt_probability(row.hit), style=style)
        probability.append("\n" + (words if narrow else probability_bar(row.hit.p)), style=style)
        if row.stretch is not None:
            probability.append(_("\nstretch {p}").format(p=_fmt_probability(row.stretch)),
                               style=band_of(row.stretch.p)[1])
        table.add_row(name, baseline, target_text, projection, probability,
                      *(() if narrow else (Text(words, style=style),)))
    return table


def _caption(summary: Summary) -> str:
    joint = summary.joint
    lines = []
    if joint.all_hit is not None:
        p = joint.all_hit
        if p.p == 0 and p.ci[1] == 0:
            share = _("0% (a target cannot be hit at all)")
        elif p.p == 0:
            # the percentages go in as placeholders: "95% u…" would read as a %u conversion to gettext's tools
            share = _("< {upper} (0 of {n} draws; {level} upper bound)").format(
                upper=format_share(p.ci[1]), n=f"{summary.n_draws:,}", level="95%")
        else:
            share = _("{share} (margin of error {low} to {high})").format(
                share=format_share(p.p), low=format_share(p.ci[0]), high=format_share(p.ci[1]))
        dependence = (_("If the targets were independent it would be {p}.").format(
                          p=format_share(joint.all_hit_independent))
                      if summary.scenario.correlations or summary.scenario.events
                      or any(i.drivers for i in summary.scenario.indicators)
                      else _("The indicators are drawn independently: if they move together, the chance that "
                             "all are hit is higher."))
        lines.append(_("The chance that all {n} targets are hit together: {share}; expected to hit {expected} of {n}. "
                       "{dependence}").format(n=joint.n_targets, share=share, expected=f"{joint.expected_hits:.1f}",
                                              dependence=dependence))
    design = {"lhs": _("Latin hypercube sampling"), "sobol": _("Sobol' sequence sampling")}.get(summary.method)
    how = ""
    if design:
        copula = (_("; correlations imposed with the Gaussian copula (rank correlations and marginals unchanged)")
                  if summary.correlation_method and summary.scenario.correlation_method != summary.correlation_method
                  else "")
        how = _(" ({design}, {n} independent replicates, errors from the spread between them{copula})").format(
            design=design, n=summary.replicates, copula=copula)
    elif summary.batches is not None:  # Iman-Conover: the draws of a group are rearranged together
        how = _(" (Iman-Conover correlations imposed in {groups} groups of {size} draws; errors of what depends on "
                "several correlated indicators come from the spread between groups)").format(
            groups=summary.batches, size=f"{summary.batch_size:,}")
    lines.append(_("{n} draws{how}, seed {seed}. ± is the margin of error: the simulation's random error of P(hit) "
                   "({level} interval, in percentage points). How each target is read: `growthsim show`.").format(
        level="95%", n=f"{summary.n_draws:,}", how=how, seed=summary.seed))
    if any(i.baseline_assumed for i in summary.scenario.indicators):
        lines.append(_("“Assumed”: a base-year figure the report does not give; the scenario says why it is what it "
                       "is (growthsim show)."))
    return "\n".join(lines)


def _kind_words(kind: str) -> str:
    return {"flow": pgettext("kind", "flow"), "rate": pgettext("kind", "rate"), "change": pgettext("kind", "change"),
            "count": pgettext("kind", "count"), "derived": pgettext("kind", "derived")}.get(kind, kind)


def _basis_words(basis: str) -> str:
    return {"real": pgettext("basis", "real"), "nominal": pgettext("basis", "nominal")}.get(basis, basis)


def scenario_tables(scenario: Scenario) -> list:
    """Renderables for `growthsim show`: the scenario as growthsim understands it."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    header = Text()
    header.append(scenario.name, style="bold")
    if scenario.path:
        header.append(f"\n{scenario.path}  sha256 {scenario.sha256[:12]}…", style="dim")
    header.append("\n" + _("{base} → {target}; {n} draws; seed {seed}").format(
        base=scenario.base_year, target=scenario.target_year, n=f"{scenario.draws:,}",
        seed=scenario.seed if scenario.seed is not None else _("fresh each run")))
    if scenario.source:
        header.append("\n" + _("source: {source}").format(source=scenario.source))
    if scenario.description:
        header.append("\n" + one_line(scenario.description))
    if len(scenario.files) > 1:
        header.append("\n" + _("extends: {chain}").format(chain=" → ".join(path for path, _sha in scenario.files[1:])),
                      style="dim")
    if scenario.overrides:
        header.append("\n--set: " + "; ".join(scenario.overrides), style="bold")
    out: list = [Panel(header, expand=False)]

    def layer_name(label: str | None) -> str | None:
        if label is None or label == scenario.path:
            return None  # the scenario's own file: nothing to mark
        return label if label.startswith("--set") else Path(label).name

    def from_event(event_id: str) -> str:
        name = layer_name(scenario.origin("events", event_id))
        return "" if name is None else f"\n← {name}"

    def keys_from(table: tuple[str, ...], keys) -> str:
        """Lines 'mode, sd_up ← parent.toml' for the keys of a table written by other layers."""
        by_layer: dict[str, list[str]] = {}
        for key in keys:
            if ("indicators", *table, key) not in scenario.origins:
                continue  # a key the table does not have
            layer = layer_name(scenario.origin("indicators", *table, key))
            if layer is not None:
                by_layer.setdefault(layer, []).append(key)
        return "".join(f"\n{', '.join(keys)} ← {layer}" for layer, keys in by_layer.items())

    def from_where(*path: str) -> str:
        """'← parent.toml' when a value was written by a layer other than the scenario's own file."""
        name = layer_name(scenario.origin("indicators", *path))
        return "" if name is None else f"\n← {name}"

    # every column folds, none cuts: a source or a rationale is read whole, at any width
    table = Table(show_lines=True, header_style="bold")
    table.add_column(_("indicator"), overflow="fold", ratio=2, min_width=12)
    table.add_column(_("kind / baseline"), overflow="fold", ratio=3)
    table.add_column(_("assumption"), overflow="fold", ratio=5)
    table.add_column(_("target"), overflow="fold", ratio=3)
    for indicator in scenario.indicators:
        name = Text(indicator.name)
        name.append(f"\n{indicator.id} ({indicator.unit})", style="dim")

        base = Text(_kind_words(indicator.kind) + (", " + _basis_words(indicator.basis) if indicator.basis else ""))
        if indicator.baseline is not None:
            base.append(f"\n{scenario.base_year}: {indicator.fmt_baseline()}")
            if indicator.rationale and not indicator.source:  # a baseline the report does not give
                base.append(" " + _("(assumed)"), style="bold")
                base.append("\n" + _("rationale: {text}").format(text=one_line(indicator.rationale)),
                            style="dim")
        if indicator.growth_2022 is not None:
            base.append(f" ({format_percent(indicator.growth_2022, signed=True)})")
        if indicator.source:
            base.append("\n" + _("source: {source}").format(source=indicator.source), style="dim")
        base.append(from_where(indicator.id, "baseline") if indicator.baseline is not None else "", style="cyan")
        if indicator.note:
            base.append("\n" + _("note: {note}").format(note=indicator.note), style="dim italic")

        text = _assumption_text(indicator)
        if indicator.assumption is not None:
            keys = [*indicator.assumption.written, "source", "rationale"]
            text.append(keys_from((indicator.id, indicator.assumption.on), keys), style="cyan")
        else:
            text.append(keys_from((indicator.id,), ["formula", "metric"]), style="cyan")

        target = indicator.target
        if target is None:
            target_text = Text("—")
        else:
            target_text = Text(target.text, style="bold")
            if target.written:
                target_text.append(f"\n“{target.written}”")
            target_text.append(f"\n{target.explain()}")
            if target.source:
                target_text.append("\n" + _("source: {source}").format(source=target.source), style="dim")
            target_keys = ("at_least", "at_most", "about", "between", "relative_to", "tolerance", "side",
                           "stretch", "text", "source")
            target_text.append(keys_from((indicator.id, "target"), target_keys), style="cyan")
        table.add_row(name, base, text, target_text)
    out.append(table)
    if scenario.events:
        events = Table(title=_("shock events"), show_lines=True, header_style="bold")
        events.add_column(_("event"), overflow="fold")
        events.add_column(_("probability"), justify="right", overflow="fold")
        events.add_column(_("effects"), overflow="fold")
        events.add_column(_("source / rationale"), overflow="fold")
        for event in scenario.events:
            effects = "\n".join(f"{e.indicator}: {e.kind} {e.written}" for e in event.effects)
            group = _("\n(exclusive group {group})").format(group=event.group) if event.group else ""
            basis = event.source or one_line(event.rationale)
            events.add_row(f"{event.name}\n{event.id}{group}{from_event(event.id)}", format_share(event.probability),
                           effects, basis)
        out.append(events)
    return out


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
        return _("computed by the formula {formula}").format(formula=indicator.formula.text)
    parts = [_(PARAMETER_WORDS.get(k, k)) + _written_words(v, indicator) if language() == "zh" else
             f"{_(PARAMETER_WORDS.get(k, k))} {_written_words(v, indicator)}"
             for k, v in assumption.written.items() if k != "dist"]
    return _("{on}: {distribution}, {parameters}").format(
        on=pgettext("metric", assumption.on), distribution=_(DISTRIBUTION_WORDS.get(assumption.dist, assumption.dist)),
        parameters=_(", ").join(parts))


def assumption_spread(indicator: Indicator) -> list[tuple[str, bool]]:
    """What the assumption gives: its median and 90% range (for a driven indicator, of its own part,
    with what the part is stated for), as (line, is a warning) pairs."""
    assumption = indicator.assumption
    p05, p50, p95 = quantity_at(assumption.distribution, np.array([0.05, 0.5, 0.95]), indicator.kind == "count")
    spread = dict(median=indicator.fmt(p50), level="90%", low=indicator.fmt(p05), high=indicator.fmt(p95))
    if not indicator.drivers:
        return [(_("median {median}, {level} in [{low}, {high}]").format(**spread), False)]
    drivers = ", ".join(_("{driver} at {value}").format(driver=d.indicator, value=d.written_at)
                        for d in indicator.drivers)
    return [(_("own part, stated for {drivers}; the outcome adds the links (see the links table)")
             .format(drivers=drivers), True),
            (_("own part: median {median}, {level} in [{low}, {high}]").format(**spread), False)]


def _assumption_text(indicator: Indicator):
    """What an indicator draws, in words and as written in the file (with its median and 90%
    range), or the formula it is derived by."""
    from rich.text import Text

    assumption = indicator.assumption
    if assumption is None:
        text = Text(f"{indicator.metric} = {indicator.formula.text}")
        text.append("\n" + _("(derived on each draw from the indicators it names)"), style="dim")
        return text
    params = ", ".join(f"{k} = {v}" for k, v in assumption.written.items() if k != "dist")
    text = Text(assumption_words(indicator))
    text.append(f"\n{assumption.on} ~ {assumption.dist}({params})", style="dim")
    for line, bold in assumption_spread(indicator):
        text.append("\n" + line, style="bold" if bold else "")
    if assumption.law is not None:
        law = assumption.law
        lo, hi = quantity_at(law, np.array([0.05, 0.95]), indicator.kind == "count")
        text.append("\n" + _("held within {law} ({level} in [{low}, {high}], from {origin}): correlated partners "
                              "are drawn given the value").format(law=law.name, level="90%", low=indicator.fmt(lo),
                                                                  high=indicator.fmt(hi), origin=assumption.law_origin),
                    style="bold")
    if assumption.source:
        text.append("\n" + _("source: {source}").format(source=assumption.source), style="dim")
    if assumption.rationale:
        text.append("\n" + _("rationale (assumption): {text}").format(text=one_line(assumption.rationale)),
                    style="dim")
    return text


def distributions_table():
    """Renderable for `growthsim distributions`, read from the registry."""
    from rich.table import Table

    table = Table(show_lines=True, header_style="bold", title=_("Distributions for assumptions"))
    table.add_column("dist", no_wrap=True)
    table.add_column(_("parameters"), overflow="fold")
    table.add_column(_("meaning"), overflow="fold")
    table.add_column(_("example (a growth)"), overflow="fold")
    for spec in DISTRIBUTIONS.values():
        forms = " | ".join(", ".join(form) for form in spec.forms)
        optional = [_("{name} (default {value})").format(name=p.name, value=f"{p.default:g}")
                    for p in spec.params if p.default is not None]
        params = forms + (_("; optional: {names}").format(names=", ".join(optional)) if optional else "")
        table.add_row(spec.name, params, _(spec.meaning), spec.example)
    return table


def solve_to_dict(result, n_draws: int | None = None) -> dict[str, Any]:
    """The JSON document of `growthsim solve` (rates as fractions)."""
    from growthsim._version import __version__

    def answer(found) -> dict[str, Any]:
        return {"value": found.value, "written": found.written, **_probability_fields("p_hit", found.probability),
                "interval": list(found.interval) if found.interval else None}

    return {
        "schema": "growthsim.solve/1",
        "growthsim_version": __version__,
        "parameter": result.parameter,
        "goal": result.goal,
        "reachable": result.reachable,
        "message": result.message,
        "draws": result.probability.n if result.probability else n_draws,
        "seed": result.seed,
        "answer": answer(result) if result.reachable else None,
        "other_side": answer(result.other) if result.other else None,
        "best": {"value": result.best[0], "p_hit": result.best[1]} if result.best else None,
    }


# the long CSV of `sensitivity`: a row per target and input
SENSITIVITY_COLUMNS = ("indicator", "target_name", "input", "name", "p_low", "p_high", "swing", "swing_links", "swing_correlations",
                       "p_low_links", "p_high_links", "spearman", "mean_hit", "mean_miss", "p_bottom_tenth",
                       "p_top_tenth")


def sensitivity_rows(results) -> list[dict[str, Any]]:
    """The sensitivity analysis as plain data (rates as fractions)."""
    return [{"indicator": t.indicator, "name": t.name, "p_hit": t.p_hit, "inputs": [
        {"input": e.input, "name": e.name, "p_low": e.p_low, "p_high": e.p_high, "swing": e.swing,
         "spearman": e.spearman, "mean_hit": e.mean_hit, "mean_miss": e.mean_miss,
         "p_bottom_tenth": e.p_bottom, "p_top_tenth": e.p_top, "swing_links": e.swing_links,
         "swing_correlations": e.swing_correlations, "p_low_links": e.p_low_links,
         "p_high_links": e.p_high_links} for e in t.inputs]}
        for t in results]


def sensitivity_tables(results, top: int = 8) -> list:
    """One table per target: its inputs by swing (the tornado), with rank correlation; the notes
    once, under the last table (17 targets printed them 17 times)."""

    def table_of(target, last: bool):
        return ByWidth(lambda width: _sensitivity_table(target, last, top, narrow=width < NARROW))

    return [table_of(target, number == len(results)) for number, target in enumerate(results, start=1)]


def _sensitivity_table(target, last: bool, top: int, narrow: bool):
    """Below NARROW columns: a compact box, and P(hit) at p10 over p90 in one column."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # P(hit) here is the analysis's own estimate, on fewer draws than `run`: say so in the title
    table = Table(title=_("{target}: what drives its P(hit) of {p} (sensitivity analysis, {n} draws)").format(
                      target=target.name, p=f"{target.p_hit * 100:.1f}%", n=f"{target.draws:,}"),
                  header_style="bold",
                  caption=None if not last else _("p10/p90: P(hit) with the input held at its own 10th/90th percentile (an event: never/"
                            "always occurring); the other inputs random (those correlated with it follow it), on "
                            "common random numbers; {n} draws per trial, seed {seed}. The swing is the total "
                            "effect, in two parts: “direct/links”, through the input itself and its links (the "
                            "inputs correlated with it left alone), and “correlations”, through the inputs "
                            "correlated with it. “·own” marks a driven indicator's own part. Lowest/highest "
                            "tenth: P(hit) on the draws where the input is in its lowest/highest tenth (an "
                            "event: did not/did occur)").format(n=f"{target.draws:,}", seed=target.seed),
                  caption_justify="left", box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
                  show_edge=not narrow, collapse_padding=narrow, pad_edge=not narrow)
    table.add_column(_("input"), overflow="fold", min_width=12)
    if narrow:
        table.add_column(_("P(hit) @p10") + "\n@p90", justify="right", overflow="fold")
    else:
        table.add_column(_("P(hit) @p10"), justify="right", overflow="fold")
        table.add_column("@p90", justify="right")
    table.add_column(_("swing"), justify="right")
    table.add_column(_("direct/links\ncorrelations"), justify="right", overflow="fold")
    table.add_column(_("rank correlation"), justify="right", overflow="fold")
    table.add_column(_("lowest tenth\nhighest tenth"), justify="right", overflow="fold")
    for effect in target.drivers[:top]:
        rho = "—" if effect.spearman is None else f"{effect.spearman:+.2f}"
        tails = "\n".join("—" if p is None else f"{p * 100:.1f}%" for p in (effect.p_bottom, effect.p_top))
        parts = f"{effect.swing_links * 100:.1f}pp\n{effect.swing_correlations * 100:+.1f}pp"
        name = Text(effect.name)
        name.append(f"\n{effect.input}", style="dim")  # the id on its own line: folded, it read (rd_spendin / g)
        held = ([f"{effect.p_low * 100:.1f}%\n{effect.p_high * 100:.1f}%"] if narrow
                else [f"{effect.p_low * 100:.1f}%", f"{effect.p_high * 100:.1f}%"])
        table.add_row(name, *held, f"{effect.swing * 100:.1f}pp", parts, rho, tails)
    return captioned(table)
