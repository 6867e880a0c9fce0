"""A run as records for machines: the JSON document (``summary_to_dict``, schema growthsim.run/1;
solve's and sensitivity's documents too) and the CSV rows (``summary_rows`` at full precision for
frames, ``csv_rows`` rounded to the digits the Monte Carlo error supports). Rates are fractions
(8% -> 0.08), as in every machine output.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from typing import Any

from growthsim._version import __version__
from growthsim.engine.streams import DRAWS_VERSION
from growthsim.engine.summary import QUANTILES, IndicatorSummary, Summary
from growthsim.i18n import language
from growthsim.output.wording import conclusions, target_sentence
from growthsim.output.yeartodate import add_year_to_date
from growthsim.scenario.targets import Target
from growthsim.scenario.types import Indicator, Scenario
from growthsim.stats.intervals import Probability

__all__ = [
    "CSV_COLUMNS",
    "QUANTITY_DIGITS",
    "SCHEMA",
    "SENSITIVITY_COLUMNS",
    "csv_rows",
    "dumps",
    "event_to_dict",
    "indicator_to_dict",
    "probability_fields",
    "rows_to_csv",
    "scenario_fields",
    "sensitivity_rows",
    "solve_to_dict",
    "summary_rows",
    "summary_to_dict",
    "target_to_dict",
]


SCHEMA = "growthsim.run/1"


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


def probability_fields(prefix: str, probability: Probability | None) -> dict[str, Any]:
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
        **probability_fields("p_hit", row.hit),
        "metric": row.metric,
        "mean": row.mean,
        "quantiles": row.quantiles,
        "level_quantiles": row.level_quantiles,
        "level_prices": _level_prices(indicator) if row.level_quantiles else None,
        "difference_quantiles": row.difference_quantiles,
        "difference_quantile_error": row.difference_quantile_error,
        "quantile_error": row.quantile_error,
        "mean_gap_when_missed": row.mean_gap_when_missed,
        "expected_shortfall": row.mean_gap_when_missed,  # 0.1's name of the same number: goes in 0.3
    }
    if row.stretch is not None:
        assert indicator.target is not None  # a stretch P(hit) is of a target's stretch
        out["stretch"] = {"value": indicator.target.stretch, **probability_fields("p_hit", row.stretch)}
    if indicator.drivers:  # elasticity in code units (rates as fractions); as written with its unit
        out["drivers"] = [
            {
                "indicator": d.indicator,
                "elasticity": d.elasticity,
                "at": d.at,
                "unit": d.unit,
                "elasticity_in_unit": d.elasticity / d.factor,
            }
            for d in indicator.drivers
        ]
    return out


def scenario_fields(scenario: Scenario) -> dict[str, Any]:
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


def summary_to_dict(summary: Summary, january: dict[str, Probability] | None = None) -> dict[str, Any]:
    """The JSON document of DESIGN.md's output contract (v1); fields may be added, never changed.

    With actuals, ``january`` is each target's P(hit) without them (the same run without --actuals)."""

    scenario = summary.scenario
    joint = summary.joint
    document = {
        "schema": SCHEMA,
        "growthsim_version": __version__,
        "draws_version": DRAWS_VERSION,  # how draws are made from a seed (engine.streams)
        "scenario": scenario_fields(scenario),
        "draws": summary.n_draws,
        "seed": summary.seed,
        "method": summary.method,
        "replicates": summary.replicates,
        "batches": summary.batches,
        "batch_size": summary.batch_size,
        "correlation_method": summary.correlation_method,
        "precision": (
            None if summary.precision is None else {"half_width": summary.precision[0], "reached": summary.precision[1]}
        ),
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
    if scenario.actuals is not None:
        add_year_to_date(document, summary, january or {})
    return document


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


def dumps(document: dict[str, Any]) -> str:
    """JSON as growthsim writes it: UTF-8 text (Chinese kept readable), indented, no NaN."""
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


CSV_COLUMNS = (
    "id",
    "name",
    "unit",
    "kind",
    "basis",
    "baseline",
    "baseline_assumed",
    "growth_2022",
    "target_text",
    "target_written",
    "target_metric",
    "target_op",
    "target_value",
    "target_lower",
    "target_upper",
    "p_hit",
    "p_hit_se",
    "p_hit_ci_low",
    "p_hit_ci_high",
    "stretch_value",
    "stretch_p_hit",
    "stretch_p_hit_se",
    "metric",
    "mean",
    *QUANTILES,
    *(f"level_{q}" for q in QUANTILES),
    "mean_gap_when_missed",
    "sentence",
    # with --actuals (empty without): the year so far and what the rest of the year must deliver
    "actual_period",
    "actual_last_month",
    "actual_value",
    "actual_growth",
    "rest_of_year_needs_at_least",
    "rest_of_year_needs_at_most",
    "p_hit_without_actuals",
)


def summary_rows(summary: Summary, january: dict[str, Probability] | None = None) -> list[dict[str, Any]]:
    """One flat row per indicator, columns as CSV_COLUMNS (rates as fractions)."""
    rows = []
    for d in summary_to_dict(summary, january)["indicators"]:
        actual = d.get("actual") or {}
        needs = d.get("rest_of_year_needs") or {}
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
            "mean_gap_when_missed": d["mean_gap_when_missed"],
            "sentence": d["sentence"],
            "actual_period": actual.get("period"),
            "actual_last_month": actual.get("last_month"),
            "actual_value": actual.get("value"),
            "actual_growth": actual.get("growth"),
            "rest_of_year_needs_at_least": needs.get("at_least"),
            "rest_of_year_needs_at_most": needs.get("at_most"),
            "p_hit_without_actuals": d.get("p_hit_without_actuals"),
        }
        rows.append({column: row.get(column) for column in CSV_COLUMNS})
    return rows


_PROBABILITY_FIELDS = (
    ("p_hit", "p_hit_se", ("p_hit", "p_hit_ci_low", "p_hit_ci_high")),
    ("stretch_p_hit", "stretch_p_hit_se", ("stretch_p_hit",)),
)


QUANTITY_DIGITS = 5  # significant digits of a projected value in a CSV: its Monte Carlo error is larger


def _significant(value: float, digits: int) -> float:
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def csv_rows(summary: Summary, january: dict[str, Probability] | None = None) -> list[dict[str, Any]]:
    """summary_rows with no more digits than the Monte Carlo error supports (summary.csv; the JSON and
    to_frame keep full precision): a probability to the second significant digit of its standard
    error (0.1370 when se = 0.0011), the error itself to two digits, projected values to
    QUANTITY_DIGITS significant digits."""
    rows = summary_rows(summary, january)
    projected = (
        "mean",
        *QUANTILES,
        *(f"level_{q}" for q in QUANTILES),
        "mean_gap_when_missed",
        "rest_of_year_needs_at_least",
        "rest_of_year_needs_at_most",
    )
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
        if row.get("p_hit_without_actuals") is not None:  # as many digits as P(hit)'s own error allows
            row["p_hit_without_actuals"] = round(row["p_hit_without_actuals"], 4)
    return rows


def rows_to_csv(rows: Iterable[dict[str, Any]], columns: Iterable[str] = CSV_COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else _as_text(v)) for k, v in row.items()})
    return buffer.getvalue()


def _as_text(value: Any) -> Any:
    """A text that Excel would run as a formula ("=cmd|…", "+…", "@…") kept as text by a leading '."""
    return f"'{value}" if isinstance(value, str) and value[:1] in ("=", "+", "@") else value


def solve_to_dict(result, n_draws: int | None = None) -> dict[str, Any]:
    """The JSON document of `growthsim solve` (rates as fractions)."""

    def answer(found) -> dict[str, Any]:
        return {
            "value": found.value,
            "written": found.written,
            **probability_fields("p_hit", found.probability),
            "interval": list(found.interval) if found.interval else None,
        }

    return {
        "schema": "growthsim.solve/1",
        "growthsim_version": __version__,
        "draws_version": DRAWS_VERSION,
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
SENSITIVITY_COLUMNS = (
    "indicator",
    "target_name",
    "input",
    "name",
    "p_low",
    "p_high",
    "swing",
    "swing_links",
    "swing_correlations",
    "p_low_links",
    "p_high_links",
    "spearman",
    "mean_hit",
    "mean_miss",
    "p_bottom_tenth",
    "p_top_tenth",
)


def sensitivity_rows(results) -> list[dict[str, Any]]:
    """The sensitivity analysis as plain data (rates as fractions)."""
    return [
        {
            "indicator": t.indicator,
            "name": t.name,
            "p_hit": t.p_hit,
            "inputs": [
                {
                    "input": e.input,
                    "name": e.name,
                    "p_low": e.p_low,
                    "p_high": e.p_high,
                    "swing": e.swing,
                    "spearman": e.spearman,
                    "mean_hit": e.mean_hit,
                    "mean_miss": e.mean_miss,
                    "p_bottom_tenth": e.p_bottom,
                    "p_top_tenth": e.p_top,
                    "swing_links": e.swing_links,
                    "swing_correlations": e.swing_correlations,
                    "p_low_links": e.p_low_links,
                    "p_high_links": e.p_high_links,
                }
                for e in t.inputs
            ],
        }
        for t in results
    ]
