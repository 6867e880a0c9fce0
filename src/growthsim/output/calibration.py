"""A calibration (``analysis.calibrate``) for people and programs: the table per indicator, its
notes (exclusions, pooling, what was too short to fit), JSON, and the scenario file ``calibrate
--out`` writes, whose assumption blocks cite the record's rows and the method.

The file holds one assumption block per calibrated indicator: a split normal around this year's
target moved by the record's bias, with its two spreads, for the scenario it ``extends`` (the
targets are that scenario's). Rates and growths err in percentage points; amounts as a share of
their target, so an amount's block is scaled to the target it is written for.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from growthsim._version import __version__
from growthsim.analysis.calibrate import MIN_YEARS, Calibrated, Calibration, Reference
from growthsim.i18n import _
from growthsim.output.wording import format_share
from growthsim.scenario.quantities import format_amount, format_percent, format_points

__all__ = ["CALIBRATION_MARKER", "calibration_notes", "calibration_record", "calibration_table", "calibration_toml"]

CALIBRATION_MARKER = "# growthsim calibrate"  # the first line of a file --out wrote (it may be replaced)


def _spread(c: Calibrated, value: float, signed: bool = False) -> str:
    """An error or a spread as read: percentage points (rates), or a share of the target (amounts)."""
    if c.percent:
        return format_points(value, 2, signed=signed)
    return format_percent(value, 1, signed=signed)


def _outcome(c: Calibrated, value: float) -> str:
    return format_percent(value, 2) if c.percent else format_amount(value, c.unit, 1)


def _name(c: Calibrated) -> str:
    return f"{c.place} {c.indicator}".strip()


def calibration_table(calibration: Calibration):
    """One row per place and indicator fitted: years, bias and spreads against the target, the
    share of years met, and the odds (and 90% interval) of this year's target."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=_("Learnt from the record: {file}").format(file=calibration.label),
        box=box.HEAVY_HEAD,
        header_style="bold",
    )
    shown = [c for c in calibration.results if c.against_target is not None]
    with_interval = any(
        c.against_target is not None and c.against_target.interval is not None and c.this_year is not None
        for c in shown
    )
    table.add_column(_("indicator"))
    table.add_column(_("years"), justify="right")
    table.add_column(_("bias"), justify="right")
    table.add_column(_("sd ↓ / ↑"), justify="right")  # two lines: at 80 columns every column keeps its words
    table.add_column(_("met"), justify="right")
    table.add_column(_("P(hit)"), justify="right")
    if with_interval:
        table.add_column(_("this year: 90%"), justify="right")
    for c in shown:
        reference = c.against_target
        assert reference is not None  # shown holds the fitted ones
        law = reference.law
        name = Text(_name(c))
        direction = _("ceiling (≤ target)") if c.sense == "at_most" else _("floor (≥ target)")
        name.append("\n" + direction, style="dim")
        cells: list[Text | str] = [
            name,
            f"{len(c.used)}\n{c.used[0].year}–{c.used[-1].year}",
            _spread(c, law.mode, signed=True),
            f"↓{_spread(c, law.sd_down)}\n↑{_spread(c, law.sd_up)}",
            f"{c.met}/{len(c.used)}",
            format_share(reference.p_hit) if reference.p_hit is not None else "—",
        ]
        if with_interval:
            interval = "—"
            if reference.interval is not None and c.this_year is not None:
                lo, hi = reference.interval
                interval = f"{_outcome(c, lo)}–{_outcome(c, hi)}\n" + _("target {target}").format(
                    target=_outcome(c, c.this_year.target)
                )
            cells.append(interval)
        table.add_row(*cells)
    return table


def calibration_notes(calibration: Calibration) -> list[str]:
    """The lines under the table: against last year's outcome, exclusions, pooling, what was not fitted."""
    lines = []
    for c in calibration.results:
        previous = c.against_previous
        if previous is not None and previous.p_hit is not None:
            lines.append(
                _(
                    "{name}: against last year's outcome ({base}), the record's changes give P(hit) {p} "
                    "(change: mode {mode}, sd {down} / {up})."
                ).format(
                    name=_name(c),
                    base=_outcome(c, c.last_outcome) if c.last_outcome is not None else "—",
                    p=format_share(previous.p_hit),
                    mode=_spread(c, previous.law.mode, signed=True),
                    down=_spread(c, previous.law.sd_down),
                    up=_spread(c, previous.law.sd_up),
                )
            )
        for exclusion in c.excluded:
            lines.append(
                _("{name}: {year} left out: {reason} ({where}).").format(
                    name=_name(c), year=exclusion.year, reason=exclusion.reason, where=exclusion.where
                )
            )
        reference = c.against_target
        if reference is not None and reference.weights is not None:
            lines.append(
                _(
                    "{name}: pooled with {n} places (empirical Bayes): the pool's weight is {w_bias} in the bias, "
                    "{w_down} / {w_up} in the spreads."
                ).format(
                    name=_name(c),
                    n=len(reference.pooled_over),
                    w_bias=format_share(reference.weights[0]),
                    w_down=format_share(reference.weights[1]),
                    w_up=format_share(reference.weights[2]),
                )
            )
        if reference is not None and reference.fit.winsorized:
            lines.append(
                _("{name}: {n} year(s) beyond 2.5 sd counted as at 2.5 sd (robust fit).").format(
                    name=_name(c), n=reference.fit.winsorized
                )
            )
    for place, indicator, years in calibration.skipped:
        lines.append(
            _("{name}: {n} year(s) with outcomes: too few to fit (at least {least}).").format(
                name=f"{place} {indicator}".strip(), n=years, least=MIN_YEARS
            )
        )
    return lines


def _reference_record(c: Calibrated, reference: Reference | None) -> dict | None:
    if reference is None:
        return None
    law = reference.law
    return {
        "years": list(reference.years),
        "errors": list(reference.errors),
        "fit": {"mode": reference.fit.mode, "sd_down": reference.fit.sd_down, "sd_up": reference.fit.sd_up},
        "law": {"mode": law.mode, "sd_down": law.sd_down, "sd_up": law.sd_up},
        "winsorized": reference.fit.winsorized,
        "pool_weights": list(reference.weights) if reference.weights else None,
        "pooled_over": list(reference.pooled_over),
        "p_hit": reference.p_hit,
        "interval_90": list(reference.interval) if reference.interval else None,
    }


def calibration_record(calibration: Calibration) -> dict:
    """The calibration as JSON: rates as fractions, errors as in the table (fractions of points for
    rates, shares of the target for amounts)."""
    return {
        "record": calibration.label,
        "record_sha256": calibration.sha256,
        "growthsim": __version__,
        "results": [
            {
                "place": c.place,
                "indicator": c.indicator,
                "unit": c.unit,
                "errors_in": "points" if c.percent else "share_of_target",
                "sense": c.sense,
                "form": c.form,
                "years_used": [r.year for r in c.used],
                "rows": [r.where for r in c.used],
                "excluded": [{"year": e.year, "reason": e.reason, "where": e.where} for e in c.excluded],
                "met": c.met,
                "this_year": None
                if c.this_year is None
                else {"year": c.this_year.year, "target": c.this_year.target, "last_outcome": c.last_outcome},
                "against_target": _reference_record(c, c.against_target),
                "against_previous": _reference_record(c, c.against_previous),
            }
            for c in calibration.results
        ],
    }


def _rows_cited(c: Calibrated) -> str:
    """The rows used, as runs: "3–9, 11–16"."""
    lines = sorted({int(r.where.rsplit(":", 1)[1]) for r in c.used})
    runs: list[list[int]] = []
    for n in lines:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in runs)


def calibration_toml(
    calibration: Calibration,
    blocks: Mapping[str, tuple[Calibrated, str, float, str]],
    extends: str | None,
    command: str,
) -> str:
    """The scenario file of ``blocks``: id -> (calibrated, the assumption's key: growth, level or
    change; this year's target it is centred on, in code units; that target's unit). Each block's
    rationale cites the record's rows, the method, the share of years met and the odds."""
    today = datetime.date.today().isoformat()
    lines = [
        f"{CALIBRATION_MARKER} {__version__}, {today}: {command}",
        "# "
        + _("Assumptions learnt from the record {file} (sha256 {sha}).").format(
            file=calibration.label, sha=calibration.sha256[:12]
        ),
    ]
    if extends is None:
        lines.append("# " + _('Add extends = "your-scenario.toml" on the first line, or pass --extends.'))
    else:
        lines.append(f'extends = "{_toml_escape(extends)}"')
    for key, (c, on, target, unit) in blocks.items():
        reference = c.against_target
        assert reference is not None  # only fitted indicators get a block (cli.calibrate)
        law = reference.law
        if c.percent:
            mode, down, up = (
                format_percent(target + law.mode, 2),
                format_points(law.sd_down, 2),
                format_points(law.sd_up, 2),
            )
            mode_toml, down_toml, up_toml = f'"{mode}"', f'"{down}"', f'"{up}"'
        else:
            mode_value, down_value, up_value = target * (1 + law.mode), target * law.sd_down, target * law.sd_up
            mode_toml, down_toml, up_toml = (f"{v:.6g}" for v in (mode_value, down_value, up_value))
            mode, down, up = (format_amount(float(v), unit, 1) for v in (mode_value, down_value, up_value))
        excluded = "".join(_("; {year} left out ({reason})").format(year=e.year, reason=e.reason) for e in c.excluded)
        pooled = (
            _("; pooled with {n} places by empirical Bayes (the pool's weight {w} in the bias)").format(
                n=len(reference.pooled_over), w=format_share(reference.weights[0])
            )
            if reference.weights
            else _("; not pooled (fewer than 3 places)")
        )
        rationale = _(
            "Learnt by growthsim calibrate from {file}, rows {rows} ({name}, {n} years {first}–{last}{excluded}). "
            "Outcome minus target: bias {bias}, sd {sd_down} down / {sd_up} up (a split normal fitted by maximum "
            "likelihood, errors beyond 2.5 sd counted as at 2.5 sd{pooled}). Centred on this year's target "
            "{target}: mode {mode}, sd {down} / {up}. The target was met in {met} of {n} years; the odds of this "
            "year's are {p}."
        ).format(
            file=calibration.label,
            rows=_rows_cited(c),
            name=_name(c),
            n=len(c.used),
            first=c.used[0].year,
            last=c.used[-1].year,
            excluded=excluded,
            bias=_spread(c, law.mode, signed=True),
            sd_down=_spread(c, law.sd_down),
            sd_up=_spread(c, law.sd_up),
            pooled=pooled,
            target=format_percent(target, 2) if c.percent else format_amount(target, unit, 1),
            mode=mode,
            down=down,
            up=up,
            met=c.met,
            p=format_share(reference.p_hit) if reference.p_hit is not None else "—",
        )
        lines += [
            "",
            f"[indicators.{key}.{on}]",
            'dist = "split_normal"',
            f"mode = {mode_toml}",
            f"sd_down = {down_toml}",
            f"sd_up = {up_toml}",
            f'rationale = """\n{_toml_escape(rationale)}"""',
        ]
    return "\n".join(lines) + "\n"


def _toml_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
