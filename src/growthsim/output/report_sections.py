"""The report's long sections: one per target (how likely, the projection, the mean gap when missed,
its charts and drivers, what it would take) and the table of assumptions with their sources.
"""

from __future__ import annotations

from growthsim.i18n import _
from growthsim.output.html import band_badge, chart_img, esc, head_row, probability_cell, projection_text, small
from growthsim.output.report import TORNADO_TOP, Report, goal_text
from growthsim.output.wording import (
    assumption_spread,
    assumption_words,
    elasticity_text,
    format_share,
    one_line,
    target_sentence,
)
from growthsim.scenario.quantities import Expect, format_value
from growthsim.scenario.types import Scenario

__all__ = ["assumptions_section", "how_drivers_read", "target_section"]


def target_section(report: Report, row) -> str:
    indicator, target = row.indicator, row.indicator.target
    year = report.summaries[0].scenario.target_year
    facts = [
        (
            _("target"),
            f"{esc(target.written or target.text)}"
            + (" " + small(_("(read as {text})").format(text=target.text)) if target.written else ""),
        ),
        (_("P(hit)"), f"{probability_cell(row.hit)} {band_badge(row.hit.p)}"),
    ]
    if row.stretch is not None:
        facts.append((_("P(hit) of the stretch target"), probability_cell(row.stretch)))
    facts.append((_("{year} projection").format(year=year), projection_text(row)))
    if row.mean_gap_when_missed is not None and row.hit.p < 1:
        facts.append((_("mean gap when missed"), esc(_gap(target, row.mean_gap_when_missed))))
    if target.source:
        facts.append((_("source of the target"), f'<span class="source">{esc(target.source)}</span>'))
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in facts)
    advice = report.advice.get(indicator.id)
    if advice is not None:
        confidence = _("for {goal} confidence").format(goal=goal_text(report.goal))
        dl += f'<dt class="advice">{esc(confidence)}</dt><dd class="wide">{_advice_sentence(advice, report.goal)}</dd>'
    drivers = report.drivers.get(indicator.id)
    moving = list(drivers.drivers) if drivers else []
    charts = chart_img(
        report, f"outcome-{indicator.id}", _("{name}: projected distribution").format(name=indicator.name)
    ) + chart_img(report, f"tornado-{indicator.id}", _("{name}: what drives it").format(name=indicator.name))
    parts = [
        f'<section class="target" id="t-{esc(indicator.id)}"><h3>{esc(indicator.name)} '
        f'<span class="small">{esc(indicator.id)}</span></h3>',
        f'<p class="sentence">{esc(target_sentence(row))}</p>',
        f'<div class="charts">{charts}</div>',
        f'<dl class="facts">{dl}</dl>',
    ]
    if moving:

        def tail(p):
            return "—" if p is None else format_share(p)

        rows = "".join(
            f"<tr><td>{esc(e.name)}</td>"
            f'<td class="num">{format_share(e.p_low)}</td>'
            f'<td class="num">{format_share(e.p_high)}</td>'
            f'<td class="num">{e.swing * 100:.1f}pp</td>'
            f'<td class="num">{"—" if e.spearman is None else f"{e.spearman:+.2f}"}</td>'
            f'<td class="num">{tail(e.p_bottom)} / {tail(e.p_top)}</td></tr>'
            for e in moving[:TORNADO_TOP]
        )
        head = "".join(
            f'<th class="num">{esc(h)}</th>'
            for h in (
                _("at its 10th percentile"),
                _("at its 90th percentile"),
                _("swing"),
                _("rank correlation"),
                _("lowest / highest tenth"),
            )
        )
        parts.append('<table class="drivers"><tr><th>' + esc(_("what drives it")) + f"</th>{head}</tr>{rows}</table>")
    parts.append("</section>")
    return "".join(parts)


def how_drivers_read(report: Report) -> str:
    """Said once, above the targets: how each target's driver table reads."""
    events = (
        _("Events: “10th percentile” is “does not happen”, “90th” is “happens”. ")
        if report.summaries[0].scenario.events
        else ""
    )
    return (
        '<p class="small">'
        + esc(
            _(
                "Each target: one sentence, its projected distribution (green: where it is hit) and what drives it, the "
                "inputs that move its P(hit) most. For each input, P(hit) with the input at its 10th and at its 90th "
                "percentile; the other inputs are random, those correlated with the input moving with it; {draws} draws, "
                "common random numbers. “Lowest / highest tenth”: P(hit) on the draws where the input falls in its own "
                "lowest or highest tenth, which shows when a target depends on an input's tails. "
            ).format(draws=f"{report.analysis_draws:,}")
            + events
        )
        + "</p>"
    )


def _advice_sentence(advice, goal: float) -> str:
    """What it would take, in one sentence (HTML): the assumption's current and needed values."""
    if advice.why_not is not None:
        return esc(advice.why_not)
    key = f'{esc(advice.what)}<span class="small">（<code>{esc(advice.parameter)}</code>）</span>'
    share = esc(goal_text(goal))
    if not advice.reachable:
        return _("within the values {key} can take, P(hit) does not reach {goal}").format(key=key, goal=share)
    values = {
        "key": key,
        "goal": share,
        "current": esc(advice.current),
        "needed": f"<b>{esc(advice.needed)}</b>",
        "error": small(_("(margin of error {interval})").format(interval=advice.interval)),
        "p": esc(f"{advice.achieved:.0%}"),
    }
    if advice.already:
        return _(
            "P(hit) is {goal} or more already: even if {key} went from {current} to {needed}{error}, "
            "it would still be about {p}"
        ).format(**values)
    return _(
        "for P(hit) to reach {goal}, {key} must go from {current} to {needed}{error} (P(hit) then about {p})"
    ).format(**values)


def _gap(target, gap: float) -> str:
    """A distance to a target: percentage points for rates and growths, an amount otherwise."""

    expect = Expect.AMOUNT if target.expect is Expect.AMOUNT else Expect.POINTS
    return format_value(gap, expect, target.unit)


def _source(text: str) -> str:
    return '<div class="source">' + esc(_("source: {source}").format(source=text)) + "</div>"


def _assumed(text: str) -> str:
    return '<div class="source"><span class="assumed">' + esc(_("assumed")) + f"</span> {esc(one_line(text))}</div>"


def assumptions_section(scenario: Scenario, several: bool) -> str:
    parts = [f"<h3>{esc(scenario.name)}</h3>" if several else ""]
    if scenario.description:
        parts.append(f"<p>{esc(one_line(scenario.description))}</p>")
    if scenario.source:
        parts.append('<p class="source">' + esc(_("Source: {source}").format(source=scenario.source)) + "</p>")
    if scenario.overrides:
        parts.append(
            "<p><b>" + esc(_("Changed for this run (--set):")) + f"</b> {esc('; '.join(scenario.overrides))}</p>"
        )
    rows = []
    for indicator in scenario.indicators:
        base = esc(indicator.fmt_baseline())
        if indicator.baseline_assumed:
            base += _assumed(indicator.rationale or "")
        elif indicator.source:
            base += _source(indicator.source)
        assumption = indicator.assumption
        if assumption is None:
            described = esc(assumption_words(indicator))
        else:
            described = esc(assumption_words(indicator)) + "".join(
                f'<div class="small">{esc(line)}</div>' for line, _bold in assumption_spread(indicator)
            )
        if assumption is not None and assumption.source:
            described += _source(assumption.source)
        if assumption is not None and assumption.rationale:
            described += _assumed(assumption.rationale)
        target = indicator.target
        target_cell = (
            "—"
            if target is None
            else esc(target.written or target.text) + (_source(target.source) if target.source else "")
        )
        rows.append(
            f'<tr><td>{esc(indicator.name)}<div class="small">{esc(indicator.id)} · {esc(indicator.unit)}'
            f"</div></td><td>{base}</td><td>{described}</td><td>{target_cell}</td></tr>"
        )
    columns = (
        '<colgroup><col class="indicator"><col class="base"><col class="assumption"><col class="target"></colgroup>'
    )
    head = head_row(
        (_("indicator"), False),
        (_("{year} base").format(year=scenario.base_year), False),
        (_("{year} assumption").format(year=scenario.target_year), False),
        (_("target"), False),
    )
    parts.append(f'<table class="assumptions">{columns}{head}{"".join(rows)}</table>')
    if scenario.events:
        events = "".join(
            f'<tr><td>{esc(event.name)}</td><td class="num">{esc(format_share(event.probability))}</td>'
            f"<td>{esc('; '.join(f'{e.indicator}: {e.kind} {e.written}' for e in event.effects))}</td>"
            f'<td class="source">{esc(event.source or one_line(event.rationale or ""))}</td></tr>'
            for event in scenario.events
        )
        head = head_row(
            (_("shock event"), False), (_("probability"), True), (_("effects"), False), (_("grounds"), False)
        )
        parts.append(f"<table>{head}{events}</table>")
    linked = [(indicator, driver) for indicator in scenario.indicators for driver in indicator.drivers]
    if linked:
        by_id = {i.id: i for i in scenario.indicators}
        links = "".join(
            f"<tr><td>{esc(indicator.name)}</td><td>{esc(by_id[driver.indicator].name)}</td>"
            f'<td class="num">{esc(elasticity_text(driver))}</td>'
            f'<td class="num">{esc(by_id[driver.indicator].fmt(driver.at))}</td>'
            f'<td class="source">{esc(driver.source or one_line(driver.rationale or ""))}</td></tr>'
            for indicator, driver in linked
        )
        head = head_row(
            (_("driven indicator"), False),
            (_("driving indicator"), False),
            (_("elasticity"), True),
            (_("reference value"), True),
            (_("grounds"), False),
        )
        parts.append(
            f'<table>{head}{links}</table><p class="small">'
            + esc(
                _(
                    "A link: the driven indicator's outcome = its own assumption + elasticity × (the driving indicator's "
                    "outcome − the reference value), on every draw; changing the driving indicator's assumption moves the "
                    "driven one through the link."
                )
            )
            + "</p>"
        )
    if scenario.correlations:
        names = {i.id: i.name for i in scenario.indicators}
        pairs = _("; ").join(f"{names.get(a, a)}—{names.get(b, b)} {rho:+.2f}" for a, b, rho in scenario.correlations)
        parts.append(
            '<p class="small">'
            + esc(
                _(
                    "How strongly indicators move together (rank correlation, from −1, always opposite, through 0, "
                    "unrelated, to +1, always together; drawn with {method}): {pairs}"
                ).format(method=scenario.correlation_method, pairs=pairs)
            )
            + "</p>"
        )
    return "".join(parts)
