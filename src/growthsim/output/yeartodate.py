"""The year so far in words: an indicator's actuals to date (上半年 +5.1%), its odds in January
beside its odds now, and what the rest of the year must deliver for its target
(「全年增长8%，下半年需增长10.9%」), for the run table and the report."""

from __future__ import annotations

from typing import Any

from growthsim.analysis.yeartodate import YearToDate, rest_of_year_words, year_to_date
from growthsim.engine.summary import Summary
from growthsim.i18n import _
from growthsim.output.wording import format_amount, format_share, metric_text
from growthsim.stats.intervals import Probability

__all__ = ["actual_text", "add_year_to_date", "needs_lines"]


def actual_text(known: YearToDate) -> str:
    """'上半年实际 +5.1%', '1—6月实际 4,700户', '6月实际 5.10%'."""
    actual, indicator = known.known.actual, known.indicator
    if indicator.kind == "flow":
        growth = known.known.as_year
        figure = f"{growth * 100:+.1f}%"
    elif indicator.kind == "count":
        assert actual.value is not None  # a count's actual has its count
        figure = format_amount(actual.value, indicator.unit)
    else:
        figure = metric_text(indicator, "level", known.known.as_year)
    return _("{period} actual {figure}").format(period=actual.period.words(), figure=figure)


def needs_lines(summary: Summary) -> list[str]:
    """For each target of an indicator with actuals: what the rest of the year must reach, and the
    odds that it does (the target's P(hit) given the year so far); and for each target of a change
    (urbanisation), that the year so far cannot tell it."""
    hits = {row.indicator.id: row.hit for row in summary.indicators if row.hit is not None}
    lines = []
    for known in year_to_date(summary.scenario):
        indicator = known.indicator
        if indicator.target is None or indicator.id not in hits:
            continue
        rest = rest_of_year_words(known.period)
        odds = format_share(hits[indicator.id].p)
        target = indicator.target.written or indicator.target.text
        if known.known.whole_year:
            lines.append(_("{name} ({target}): the whole year is known.").format(name=indicator.name, target=target))
            continue
        needs = _needs(known)
        if needs is None:
            continue
        lines.append(
            _("{name} ({target}): {rest} needs {needs}; the chance of it: {odds}.").format(
                name=indicator.name, target=target, rest=rest, needs=needs, odds=odds
            )
        )
    for indicator in summary.scenario.targeted:  # no year-to-date figure exists of a change: say so
        if indicator.kind == "change" and indicator.target is not None:
            lines.append(
                _(
                    "{name} ({target}): a change known only at the year's end: no year-to-date figures, its odds "
                    "are January's unless what it is linked to moves them."
                ).format(name=indicator.name, target=indicator.target.written or indicator.target.text)
            )
    return lines


def _needs(known: YearToDate) -> str | None:
    indicator, low, high = known.indicator, known.low, known.high
    if indicator.kind == "count":
        if low is not None and low <= 0 and high is None:
            return _("nothing more: the count so far already reaches the target")
        words = (_("at least {low} more"), _("at most {high} more"), _("between {low} and {high} more"))

        def shown(value: float) -> str:
            return format_amount(max(0.0, value), indicator.unit)

    elif indicator.kind == "flow":
        words = (_("growth of at least {low}"), _("growth of at most {high}"), _("growth between {low} and {high}"))

        def shown(value: float) -> str:
            return f"{value * 100:.1f}%"

    else:  # a rate: the rest of the year's average, or the December reading of one read at the year's end
        words = (
            (
                _("a year-end reading of at least {low}"),
                _("a year-end reading of at most {high}"),
                _("a year-end reading between {low} and {high}"),
            )
            if indicator.measured == "year_end"
            else (
                _("an average of at least {low}"),
                _("an average of at most {high}"),
                _("an average between {low} and {high}"),
            )
        )

        def shown(value: float) -> str:
            return metric_text(indicator, "level", value)

    if low is not None and high is not None:
        return words[2].format(low=shown(low), high=shown(high))
    if low is not None:
        return words[0].format(low=shown(low))
    if high is not None:
        return words[1].format(high=shown(high))
    return None


def add_year_to_date(document: dict[str, Any], summary: Summary, january: dict[str, Probability]) -> None:
    """The actuals the run is conditioned on, and per indicator its year so far and what the rest
    of the year must deliver (analysis.yeartodate)."""
    actuals = summary.scenario.actuals
    assert actuals is not None  # called only with actuals
    as_of = actuals.as_of
    document["actuals"] = {
        "path": actuals.label,
        "sha256": actuals.sha256,
        "as_of": None if as_of is None else {"first_month": as_of.first, "last_month": as_of.last},
        "persistence": actuals.persistence,
    }
    by_id = {entry["id"]: entry for entry in document["indicators"]}
    for known in year_to_date(summary.scenario):
        actual = known.known.actual
        entry = by_id[known.indicator.id]
        entry["actual"] = {
            "first_month": actual.period.first,
            "last_month": actual.period.last,
            "period": actual.period.words(),
            "value": actual.value,
            "growth": actual.growth,
            "base_value": actual.base_value,
            "source": actual.source,
            "row": actual.where,
            "share_of_year": known.known.share,
            "share_of_year_sd": known.known.share_sd,
            "share_of_year_from": known.known.share_from,
            "weight_of_january_view": known.known.weight,
        }
        entry["rest_of_year_needs"] = {"at_least": known.low, "at_most": known.high}
    for indicator_id, probability in january.items():  # every target: the actuals of one move others
        by_id[indicator_id].update(_probability_fields("p_hit_without_actuals", probability))


def _probability_fields(prefix: str, probability: Probability) -> dict[str, Any]:
    return {prefix: probability.p, f"{prefix}_se": probability.se, f"{prefix}_ci": list(probability.ci)}
