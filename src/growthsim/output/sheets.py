"""The sheets of growthsim's workbooks, as data: each a name, its columns (headers in the language of
the run) and rows, and a number format per column: Excel percentages for probabilities, growths and
rates (the cell holds 0.137, shown 13.7%), points for changes, amounts in their unit's column.
``workbook`` writes them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from growthsim.engine.summary import QUANTILES
from growthsim.i18n import N_, _, pgettext
from growthsim.output.comparison import column_name, difference_words
from growthsim.output.records import summary_rows
from growthsim.output.wording import assumption_words, band_of, conclusions, one_line, target_sentence
from growthsim.scenario.families import PARAMETER_WORDS
from growthsim.scenario.quantities import Expect

__all__ = [
    "AMOUNT",
    "COUNT",
    "PERCENT",
    "POINTS",
    "RATE",
    "Sheet",
    "assumptions_sheet",
    "comparison_sheet",
    "conclusions_sheet",
    "drivers_sheet",
    "points_format",
    "quantiles_sheet",
    "record_sheet",
    "sheet_name",
    "targets_sheet",
]


PERCENT = "0.0%"  # a probability, a growth or a rate: 0.137 shows as 13.7%


RATE = "0.00%"  # a rate level (unemployment 5.30%)


POINTS = "points"  # a change in percentage points: the cell holds points (0.7 for 0.007), see points_format


AMOUNT = "#,##0.00"


COUNT = "#,##0"


class Sheet:
    """One sheet: a title per column, its number format, and rows of values."""

    def __init__(self, name: str):
        self.name = name
        self.columns: list[tuple[str, str | None]] = []  # (header, number format)
        self.rows: list[list[Any]] = []
        self.formats: list[list[str | None]] = []  # a format per cell where it differs by row

    def column(self, header: str, number_format: str | None = None) -> None:
        self.columns.append((header, number_format))

    def row(self, values: Sequence[Any], formats: Sequence[str | None] | None = None) -> None:
        self.rows.append([_cell(v) for v in values])
        self.formats.append(list(formats) if formats is not None else [None] * len(values))


def points_format() -> str:
    """0.70个百分点 (0.70pp in English): Excel has no format that shows a fraction as points, so
    the cell holds points."""
    return '0.00"' + pgettext("unit", "pp") + '"'


def _cell(value: Any) -> Any:
    """Excel has no NaN or infinity: an empty cell instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _value_format(indicator, metric: str) -> str:
    """The number format of what an indicator's target tests (its metric)."""
    if metric == "growth":
        return PERCENT
    if metric == "change":
        return POINTS
    if indicator.natural_kind in ("rate", "derived/level%"):
        return RATE
    return COUNT if indicator.kind == "count" else AMOUNT


def _in_cell(metric: str, value: float | None) -> float | None:
    """A projected value as its cell holds it: a change in points (Excel has no format that shows a
    fraction as points), anything else as in the JSON (rates as fractions, formatted as %)."""
    return None if value is None else value * 100 if metric == "change" else value


def _baseline_format(indicator) -> str:
    expect = indicator.baseline_expect
    if expect is Expect.PERCENT:
        return RATE
    whole = indicator.baseline is not None and float(indicator.baseline).is_integer()
    return COUNT if indicator.kind == "count" or whole else AMOUNT  # 37,000 not 37,000.00


def conclusions_sheet(summaries) -> Sheet:

    sheet = Sheet(pgettext("sheet", "Conclusions"))
    sheet.column(_("Conclusions"))
    for summary in summaries:
        if len(summaries) > 1:
            sheet.row([summary.scenario.name])
        for line in conclusions(summary):
            sheet.row([line])
        sheet.row([""])
        for row in summary.indicators:
            sentence = target_sentence(row)
            if sentence:
                sheet.row([sentence])
        sheet.row([""])
    return sheet


def targets_sheet(summary, name: str | None = None, january: dict | None = None) -> Sheet:
    """One row per target; with actuals, also the year so far (as summary.csv has it: the
    actuals' period, value and growth, what the rest of the year needs, P(hit) without them,
    ``january``)."""
    scenario = summary.scenario
    sheet = Sheet(name or pgettext("sheet", "P(hit)"))
    for header, number_format in (
        (_("indicator"), None),
        (_("id"), None),
        (_("unit"), None),
        (_("{year}").format(year=scenario.base_year), None),
        (_("assumed"), None),
        (_("target as written"), None),
        (_("target as read"), None),
        (_("median"), None),
        (_("{level} interval: low").format(level="90%"), None),
        (_("{level} interval: high").format(level="90%"), None),
        (_("P(hit)"), PERCENT),
        (_("margin of error (±)"), PERCENT),
        (_("judgement"), None),
        (_("in one sentence"), None),
    ):
        sheet.column(header, number_format)
    known = _year_so_far(sheet, summary, january) if scenario.actuals is not None else None
    for row in summary.indicators:
        indicator, target = row.indicator, row.indicator.target
        if target is None or row.hit is None:
            continue
        value_format = _value_format(indicator, row.metric)
        q = row.quantiles
        values = [
            indicator.name,
            indicator.id,
            indicator.unit,
            indicator.baseline,
            _("assumed") if indicator.baseline_assumed else "",
            target.written or target.text,
            target.text,
            *(_in_cell(row.metric, q[k]) for k in ("p50", "p05", "p95")),
            row.hit.p,
            row.hit.margin,
            band_of(row.hit.p)[0],
            target_sentence(row),
        ]
        formats = [
            None,
            None,
            None,
            _baseline_format(indicator),
            None,
            None,
            None,
            value_format,
            value_format,
            value_format,
            PERCENT,
            PERCENT,
            None,
            None,
        ]
        if known is not None:
            more, more_formats = _year_so_far_cells(indicator, known[indicator.id])
            values, formats = values + more, formats + more_formats
        sheet.row(values, formats)
    return sheet


def _year_so_far(sheet: Sheet, summary, january: dict | None) -> dict[str, dict[str, Any]]:
    """The year-so-far columns of the targets sheet (P(hit) without the actuals only when it was
    computed: compare's sheets have none), and their values per indicator: the rows of summary.csv
    (records.summary_rows), at full precision."""
    for header, number_format in (
        (_("year so far: period"), None),
        (_("year so far: actual"), None),
        (_("year so far: growth"), PERCENT),
        (_("rest of the year needs: at least"), None),
        (_("rest of the year needs: at most"), None),
        *(((_("P(hit) without the actuals"), PERCENT),) if january is not None else ()),
    ):
        sheet.column(header, number_format)
    rows = {row["id"]: row for row in summary_rows(summary, january)}
    if january is None:
        for row in rows.values():
            row.pop("p_hit_without_actuals")
    return rows


def _year_so_far_cells(indicator, row: dict[str, Any]) -> tuple[list[Any], list[str | None]]:
    # what the rest of the year needs is in the indicator's metric: a flow's growth, a count's
    # number still to come, a rate's average level
    needs_format = _value_format(indicator, indicator.metric)
    values = [
        row["actual_period"] or "",
        row["actual_value"],
        row["actual_growth"],
        _in_cell(indicator.metric, row["rest_of_year_needs_at_least"]),
        _in_cell(indicator.metric, row["rest_of_year_needs_at_most"]),
    ]
    formats = [None, _value_format(indicator, "level"), PERCENT, needs_format, needs_format]
    if "p_hit_without_actuals" in row:
        values.append(row["p_hit_without_actuals"])
        formats.append(PERCENT)
    return values, formats


def quantiles_sheet(summary, name: str | None = None) -> Sheet:

    sheet = Sheet(name or pgettext("sheet", "Quantiles"))
    for header in (_("indicator"), _("id"), _("unit"), _("what is projected")):
        sheet.column(header)

    for q in QUANTILES:
        sheet.column(_("median") if q == "p50" else _(PARAMETER_WORDS.get(q, q)))
    for row in summary.indicators:
        indicator = row.indicator
        value_format = _value_format(indicator, row.metric)
        sheet.row(
            [
                indicator.name,
                indicator.id,
                indicator.unit,
                pgettext("metric", row.metric),
                *(_in_cell(row.metric, row.quantiles[q]) for q in QUANTILES),
            ],
            [None] * 4 + [value_format] * len(QUANTILES),
        )
    return sheet


def assumptions_sheet(scenario, name: str | None = None) -> Sheet:

    sheet = Sheet(name or pgettext("sheet", "Assumptions and sources"))
    for header in (
        _("indicator"),
        _("id"),
        _("unit"),
        _("{year} base").format(year=scenario.base_year),
        _("source of the base, or why it is assumed"),
        _("{year} assumption").format(year=scenario.target_year),
        _("grounds of the assumption"),
        _("target as written"),
        _("source of the target"),
    ):
        sheet.column(header)
    for indicator in scenario.indicators:
        assumption, target = indicator.assumption, indicator.target
        base_note = (
            (indicator.source or "")
            if not indicator.baseline_assumed
            else (_("assumed: {text}").format(text=one_line(indicator.rationale)))
        )
        grounds = ""
        if assumption is not None:
            grounds = assumption.source or (
                _("assumed: {text}").format(text=one_line(assumption.rationale)) if assumption.rationale else ""
            )
        sheet.row(
            [
                indicator.name,
                indicator.id,
                indicator.unit,
                indicator.baseline,
                base_note if indicator.baseline is not None else "",
                assumption_words(indicator),
                grounds,
                (target.written or target.text) if target else "",
                (target.source or "") if target else "",
            ],
            [None, None, None, _baseline_format(indicator), None, None, None, None, None],
        )
    return sheet


# the manifest's keys in words (the key stays beside them, for those who read manifest.json)
_RECORD_WORDS = {
    "growthsim_version": N_("growthsim version"),
    "draws_version": N_("draws version (how draws are made from a seed)"),
    "created": N_("made (UTC)"),
    "command_line": N_("command line"),
    "scenario": N_("scenario"),
    "scenarios": N_("scenarios"),
    "draws": N_("draws"),
    "seed": N_("seed"),
    "chunk_size": N_("draws per chunk"),
    "elapsed_seconds": N_("time taken (s)"),
    "language": N_("language"),
    "method": N_("sampling method"),
    "replicates": N_("replicates"),
    "correlation_method": N_("correlation method"),
    "reproduce": N_("to reproduce"),
}


def record_sheet(record: dict) -> Sheet:
    sheet = Sheet(pgettext("sheet", "Record of the run"))
    sheet.column(_("item"))
    sheet.column(_("key"))
    sheet.column(_("value"))
    for key, value in record.items():
        if key == "files":
            continue
        if key == "reproduce":
            value = _(
                "The same growthsim version, scenario files, changes, seed and number of draws give exactly "
                "the same numbers."
            )
        elif isinstance(value, dict):
            value = "; ".join(f"{k}={v}" for k, v in value.items() if not isinstance(v, (list, dict)))
        elif isinstance(value, list):
            value = " ".join(str(v if not isinstance(v, dict) else v.get("name", v)) for v in value)
        sheet.row([_(_RECORD_WORDS[key]) if key in _RECORD_WORDS else key, key, value])
    return sheet


def comparison_sheet(comparison) -> Sheet:

    sheet = Sheet(pgettext("sheet", "Scenarios compared"))
    sheet.column(_("indicator"))
    sheet.column(_("id"))
    sheet.column(_("target as written"))
    marks = "①②③④⑤⑥⑦⑧⑨"
    for k, summary in enumerate(comparison.summaries):
        label = f"{marks[k] if k < 9 else k + 1} {column_name(summary.scenario) or summary.scenario.name}"
        sheet.column(_("{scenario}: P(hit)").format(scenario=label), PERCENT)
        if k:
            sheet.column(_("{scenario}: difference").format(scenario=label), PERCENT)
            sheet.column(_("{scenario}: margin of error (±)").format(scenario=label), PERCENT)
            sheet.column(_("{scenario}: verdict").format(scenario=label))

    def cells(probabilities, differences) -> list[Any]:
        values: list[Any] = []
        for k, (p, difference) in enumerate(zip(probabilities, differences, strict=True)):
            values.append(p)
            if k:
                values += (
                    [None, None, ""]
                    if difference is None
                    else [difference.delta, difference.margin, difference_words(difference, comparison.material)[0]]
                )
        return values

    for row in comparison.rows:
        present = [s for s in row.summaries if s is not None and s.hit is not None]
        if not present:
            continue
        target = present[0].indicator.target
        sheet.row(
            [
                row.indicator.name,
                row.id,
                target.written or target.text,
                *cells([None if s is None or s.hit is None else s.hit.p for s in row.summaries], row.differences),
            ]
        )
    # the chance that every target is hit, as the terminal's last row (not compared when the targets differ)
    joint = [None if s.joint.all_hit is None else s.joint.all_hit.p for s in comparison.summaries]
    sheet.row([_("all targets"), "", "", *cells(joint, comparison.joint_differences)])
    return sheet


def drivers_sheet(results) -> Sheet:
    sheet = Sheet(pgettext("sheet", "Drivers"))
    for header, number_format in (
        (_("target"), None),
        (_("id"), None),
        (_("P(hit) (sensitivity analysis)"), PERCENT),
        (_("input"), None),
        (_("input id"), None),
        (_("at its 10th percentile"), PERCENT),
        (_("at its 90th percentile"), PERCENT),
        (_("swing"), PERCENT),
        (_("of which direct or through links"), PERCENT),
        (_("of which through correlations"), PERCENT),
        (_("rank correlation"), "0.00"),
        (_("P(hit) in its lowest tenth"), PERCENT),
        (_("P(hit) in its highest tenth"), PERCENT),
    ):
        sheet.column(header, number_format)
    for result in results:
        for effect in result.inputs:
            sheet.row(
                [
                    result.name,
                    result.indicator,
                    result.p_hit,
                    effect.name,
                    effect.input,
                    effect.p_low,
                    effect.p_high,
                    effect.swing,
                    effect.swing_links,
                    effect.swing_correlations,
                    effect.spearman,
                    effect.p_bottom,
                    effect.p_top,
                ]
            )
    return sheet


def sheet_name(kind: str, label: str) -> str:
    """'达标概率 2 下行': at most Excel's 31 characters, without the characters it forbids."""

    return re.sub(r"[\[\]:*?/\\]", "_", f"{kind} {label}")[:31]
