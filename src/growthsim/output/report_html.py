"""The report as one HTML page (``report_html``): the overview, one section per target with its
charts, drivers and what it would take, the assumptions with their sources, the comparison and the
manifest; styles from report.css, inlined. ``report.build_report`` computes what it shows.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from growthsim.i18n import _, language
from growthsim.output.figures import band_colour
from growthsim.output.render_compare import column_name, difference_words
from growthsim.output.report import GENERATOR, TORNADO_TOP, Report, goal_text
from growthsim.output.words import (
    BANDS,
    assumption_spread,
    assumption_words,
    band_of,
    conclusions,
    elasticity_text,
    format_share,
    interval_text,
    joint_share,
    metric_text,
    one_line,
    target_sentence,
)
from growthsim.scenario.quantities import Expect, format_value
from growthsim.scenario.types import Scenario

__all__ = ["made_at", "report_html"]


def made_at(created: str) -> str:
    """When a report was made, as its reader tells time: 2026年12月1日 22:55（北京时间） in Chinese (the
    planners' clock), 2026-12-01 14:55 UTC in English; the manifest keeps the ISO time in UTC."""
    from datetime import datetime, timedelta, timezone

    moment = datetime.fromisoformat(created)
    if language() == "zh":
        local = moment.astimezone(timezone(timedelta(hours=8)))
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}（北京时间）"
    return f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


# (Babel does not look inside f-strings: a message is translated outside them and put in by these.)
def _small(text: str) -> str:
    return f'<span class="small">{_e(text)}</span>'


def _h2(anchor: str, title: str) -> str:
    return f'<h2 id="{anchor}">{_e(title)}</h2>'


def _head(*columns: tuple[str, bool]) -> str:
    """A header row: (words, numeric) per column."""
    return "<tr>" + "".join(f'<th class="num">{_e(w)}</th>' if numeric else f"<th>{_e(w)}</th>"
                            for w, numeric in columns) + "</tr>"


def _img(report: Report, key: str, alt: str, kind: str = "") -> str:
    svg = report.charts.get(key)
    if svg is None:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<figure class="{kind}"><img src="data:image/svg+xml;base64,{data}" alt="{_e(alt)}"></figure>'


# The report's styles, inlined into every report (a report is one self-contained file).
_CSS = (Path(__file__).with_name("report.css")).read_text(encoding="utf-8")


def _section_title(number: int, title: str) -> str:
    """一、概览 in Chinese, 1. Overview in English."""
    if language() == "zh":
        return f"{'一二三四五六七八九十'[number - 1]}、{title}"
    return f"{number}. {title}"


def report_html(report: Report) -> str:
    """The report as one HTML document, in the language in use."""
    summaries = report.summaries
    first = summaries[0]
    scenario = first.scenario
    several = len(summaries) > 1
    title = (_("{scenario}: how likely the {year} targets are").format(scenario=scenario.name,
                                                                        year=scenario.target_year) if not several
             else _("{year} targets: {n} scenarios compared").format(year=scenario.target_year, n=len(summaries)))
    targeted = [r for r in first.indicators if r.hit is not None]
    lead = _("growthsim {version} · {draws} Monte Carlo draws · seed {seed} · made {created}").format(
        version=report.manifest["growthsim_version"], draws=f"{first.n_draws:,}", seed=first.seed,
        created=made_at(report.manifest["created"]))
    number = iter(range(1, 10))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be fetched: the file must look the same offline (and a test checks no request is made).
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">",
        f'<meta name="generator" content="{GENERATOR} {_e(report.manifest["growthsim_version"])}">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="lead">{_e(lead)}</p>',
        _conclusions(first),
        _how_to_read(report),
        _contents(targeted, several),
        _h2("overview", _section_title(next(number), _("Overview: P(hit) of each target"))),
    ]
    for index, summary in enumerate(summaries):
        if several:
            parts.append(f"<h3>{_e(summary.scenario.name)}</h3>")
        parts.append(_img(report, f"overview-{index}", _("{name}: P(hit) of each target").format(
            name=summary.scenario.name), "overview"))
        if several:
            parts.append(_joint_sentence(summary))
    parts.append(_overview_table(report))
    if several:
        parts.append(_h2("compare", _section_title(next(number), _("Scenarios compared"))))
        parts.append(f"<p>{_e(_compare_words(report.comparison))}</p>")
        parts.append(_img(report, "compare", _("Scenarios compared")))
        parts.append(_comparison_table(report))
    details = _("Each target in detail ({scenario})").format(scenario=scenario.name)
    parts.append(_h2("targets", _section_title(next(number), details)))
    parts.append(_how_drivers_read(report))
    for row in targeted:
        parts.append(_target_section(report, row))
    parts.append(_h2("assumptions", _section_title(next(number), _("Assumptions and sources"))))
    parts.append(f"<p>{_assumption_words()}</p>")
    for summary in summaries:
        parts.append(_assumptions(summary.scenario, several))
    parts.append(_h2("manifest", _section_title(next(number), _("Record of the run"))))
    parts.append(_manifest(report))
    parts.append("</body></html>")
    return "\n".join(parts)


def _conclusions(summary) -> str:
    lines = conclusions(summary)
    if not lines:
        return ""
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return '<div class="conclusions"><h2>' + _e(_("Conclusions")) + f"</h2><ul>{items}</ul></div>"


def _how_to_read(report: Report) -> str:
    bands = _(", ").join(f"≥{lower * 100:g}% {_(words)}" for lower, words, _style in BANDS[:-1])
    return "<p>" + _e(_(
        "A target's P(hit) is the share of the simulated {year}s, drawn under the scenario's assumptions, "
        "in which it is hit; the brackets after it give its margin of error (the simulation's random error, a {level} "
        "interval). Judgements: {bands}, below that {lowest}. “What drives it” compares P(hit) with one input at its "
        "10th and at its 90th percentile (the other inputs random, those correlated with it moving with it); “for "
        "{goal} confidence” says where the target's own central assumption would have to be.").format(
        year=report.summaries[0].scenario.target_year, level="95%", bands=bands, lowest=_(BANDS[-1][1]),
        goal=goal_text(report.goal))) + "</p>"


def _compare_words(comparison) -> str:
    return _("The scenarios share their random numbers, so differences come only from their assumptions. A "
             "difference is “material” when it exceeds the simulation's random error (the {level} margin of the "
             "paired difference) and is at least {points} percentage points; smaller ones are said to be so.").format(
        level="95%", points=f"{comparison.material * 100:g}")


def _assumption_words() -> str:
    return _e(_("Baselines and targets are quoted from the report (“source”); a number the report does not give "
                "is an assumption of the scenario, marked {assumed} and given with its rationale.")).format(
        assumed='<span class="assumed">' + _e(_("assumed")) + "</span>")


def _contents(targeted, several: bool) -> str:
    def item(anchor: str, words: str, inside: str = "") -> str:
        return f'<li><a href="#{anchor}">{_e(words)}</a>{inside}</li>'

    items = [item("overview", _("Overview"))]
    if several:
        items.append(item("compare", _("Scenarios compared")))
    items.append(item("targets", _("Each target in detail"), "<ol>" + "".join(
        item(f"t-{_e(r.indicator.id)}", r.indicator.name) for r in targeted) + "</ol>"))
    items.append(item("assumptions", _("Assumptions and sources")))
    items.append(item("manifest", _("Record of the run")))
    return f"<nav><ol>{''.join(items)}</ol></nav>"


def _probability(probability, stacked: bool = False) -> str:
    """13.7% [13.2%, 14.2%]; ``stacked``: the interval on a line of its own (a narrow table column)."""
    low, high = probability.ci
    gap = "<br>" if stacked else " "
    return f"{format_share(probability.p)}{gap}<span class=\"small\">[{format_share(low)}, {format_share(high)}]</span>"


def _band(p: float) -> str:
    words = band_of(p)[0]
    return f'<span class="band" style="background:{band_colour(p)}">{_e(words)}</span>'


def _joint_sentence(summary) -> str:
    joint = summary.joint
    if joint.all_hit is None:
        return ""
    p = joint.all_hit
    share = joint_share(p)
    return "<p>" + _e(_("The chance that all {n} targets are hit together is {share}; on average {expected} are "
                        "hit.").format(n=joint.n_targets, share=share, expected=f"{joint.expected_hits:.1f}")) + "</p>"


def _projection(row, stacked: bool = False) -> str:
    indicator = row.indicator
    interval = interval_text(indicator, row.metric, row.quantiles["p05"], row.quantiles["p95"])
    return (f"{_e(metric_text(indicator, row.metric, row.quantiles['p50']))}{'<br>' if stacked else ' '}"
            f"<span class=\"small\">{_e(interval)}</span>")


def _overview_table(report: Report) -> str:
    first = report.summaries[0]
    rows = []
    for row in sorted((r for r in first.indicators if r.hit is not None), key=lambda r: -r.hit.p):
        target = row.indicator.target
        drivers = report.drivers.get(row.indicator.id)
        top = _(", ").join(e.name for e in drivers.drivers[:2]) if drivers else ""
        advice = report.advice.get(row.indicator.id)
        needed = "—"
        if advice and advice.needed:
            arrow = _("may ease to") if advice.already else "→"
            needed = (f"{_e(advice.current)} {_e(arrow)} <b>{_e(advice.needed)}</b>"
                      f"<div class=\"small\">{_e(advice.what or advice.parameter)}</div>")
        rows.append(
            f'<tr><td><a href="#t-{_e(row.indicator.id)}">{_e(row.indicator.name)}</a></td>'
            f"<td>{_e(target.written or target.text)}</td><td class=\"num\">{_projection(row, stacked=True)}</td>"
            f"<td class=\"num\">{_probability(row.hit, stacked=True)}</td><td>{_band(row.hit.p)}</td>"
            f"<td>{_e(top) or '—'}</td><td class=\"advice\">{needed}</td></tr>"
        )
    head = _head((_("indicator"), False), (_("target"), False),
                 (_("median [{level} interval]").format(level="90%"), True), (_("P(hit) [margin of error]"), True),
                 (_("judgement"), False), (_("main drivers"), False),
                 (_("for {goal} confidence").format(goal=goal_text(report.goal)), False))
    title = f"<h3>{_e(first.scenario.name)}</h3>" if len(report.summaries) > 1 else ""
    return f'{title}<table class="overview">{head}{"".join(rows)}</table>'


def _comparison_table(report: Report) -> str:

    comparison = report.comparison
    names = "".join(f"<th class=\"num\">{_e(column_name(s.scenario) or s.scenario.name)}</th>"
                    for s in comparison.summaries)
    rows = []
    for row in comparison.rows:
        if not any(s is not None and s.hit is not None for s in row.summaries):
            continue
        cells = []
        for summary, difference in zip(row.summaries, row.differences):
            if summary is None or summary.hit is None:
                cells.append("<td>" + _e(_("(no such target)")) + "</td>")
                continue
            text = _probability(summary.hit)
            if difference is not None:
                verdict = difference_words(difference, comparison.material)[0]
                text += (f"<br><span class=\"small\">{difference.delta * 100:+.1f}pp ±{difference.margin * 100:.1f}"
                         f" {_e(verdict)}</span>")
            cells.append(f'<td class="num">{text}</td>')
        rows.append(f"<tr><td>{_e(row.indicator.name)}</td>{''.join(cells)}</tr>")
    return "<table><tr><th>" + _e(_("indicator")) + f"</th>{names}</tr>{''.join(rows)}</table>"


def _target_section(report: Report, row) -> str:
    indicator, target = row.indicator, row.indicator.target
    year = report.summaries[0].scenario.target_year
    facts = [
        (_("target"), f"{_e(target.written or target.text)}"
                      + (" " + _small(_("(read as {text})").format(text=target.text)) if target.written else "")),
        (_("P(hit)"), f"{_probability(row.hit)} {_band(row.hit.p)}"),
    ]
    if row.stretch is not None:
        facts.append((_("P(hit) of the stretch target"), _probability(row.stretch)))
    facts.append((_("{year} projection").format(year=year), _projection(row)))
    if row.mean_gap_when_missed is not None and row.hit.p < 1:
        facts.append((_("mean gap when missed"), _e(_gap(target, row.mean_gap_when_missed))))
    if target.source:
        facts.append((_("source of the target"), f'<span class="source">{_e(target.source)}</span>'))
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in facts)
    advice = report.advice.get(indicator.id)
    if advice is not None:
        confidence = _("for {goal} confidence").format(goal=goal_text(report.goal))
        dl += f'<dt class="advice">{_e(confidence)}</dt><dd class="wide">{_advice_sentence(advice, report.goal)}</dd>'
    drivers = report.drivers.get(indicator.id)
    moving = list(drivers.drivers) if drivers else []
    charts = (_img(report, f"outcome-{indicator.id}", _("{name}: projected distribution").format(name=indicator.name))
              + _img(report, f"tornado-{indicator.id}", _("{name}: what drives it").format(name=indicator.name)))
    parts = [f'<section class="target" id="t-{_e(indicator.id)}"><h3>{_e(indicator.name)} '
             f'<span class="small">{_e(indicator.id)}</span></h3>',
             f'<p class="sentence">{_e(target_sentence(row))}</p>',
             f'<div class="charts">{charts}</div>',
             f'<dl class="facts">{dl}</dl>']
    if moving:
        def tail(p):
            return "—" if p is None else format_share(p)

        rows = "".join(
            f"<tr><td>{_e(e.name)}</td>"
            f"<td class=\"num\">{format_share(e.p_low)}</td>"
            f"<td class=\"num\">{format_share(e.p_high)}</td>"
            f"<td class=\"num\">{e.swing * 100:.1f}pp</td>"
            f"<td class=\"num\">{'—' if e.spearman is None else f'{e.spearman:+.2f}'}</td>"
            f"<td class=\"num\">{tail(e.p_bottom)} / {tail(e.p_top)}</td></tr>"
            for e in moving[:TORNADO_TOP])
        head = "".join(f"<th class=\"num\">{_e(h)}</th>" for h in (
            _("at its 10th percentile"), _("at its 90th percentile"), _("swing"), _("rank correlation"),
            _("lowest / highest tenth")))
        parts.append('<table class="drivers"><tr><th>' + _e(_("what drives it")) + f"</th>{head}</tr>{rows}</table>")
    parts.append("</section>")
    return "".join(parts)


def _how_drivers_read(report: Report) -> str:
    """Said once, above the targets: how each target's driver table reads."""
    events = (_("Events: “10th percentile” is “does not happen”, “90th” is “happens”. ")
              if report.summaries[0].scenario.events else "")
    return '<p class="small">' + _e(_(
        "Each target: one sentence, its projected distribution (green: where it is hit) and what drives it, the "
        "inputs that move its P(hit) most. For each input, P(hit) with the input at its 10th and at its 90th "
        "percentile; the other inputs are random, those correlated with the input moving with it; {draws} draws, "
        "common random numbers. “Lowest / highest tenth”: P(hit) on the draws where the input falls in its own "
        "lowest or highest tenth, which shows when a target depends on an input's tails. ").format(
        draws=f"{report.analysis_draws:,}") + events) + "</p>"


def _advice_sentence(advice, goal: float) -> str:
    """What it would take, in one sentence (HTML): the assumption's current and needed values."""
    if advice.why_not is not None:
        return _e(advice.why_not)
    key = f'{_e(advice.what)}<span class="small">（<code>{_e(advice.parameter)}</code>）</span>'
    share = _e(goal_text(goal))
    if not advice.reachable:
        return _("within the values {key} can take, P(hit) does not reach {goal}").format(key=key, goal=share)
    values = {"key": key, "goal": share, "current": _e(advice.current), "needed": f"<b>{_e(advice.needed)}</b>",
              "error": _small(_("(margin of error {interval})").format(interval=advice.interval)),
              "p": _e(f"{advice.achieved:.0%}")}
    if advice.already:
        return _("P(hit) is {goal} or more already: even if {key} went from {current} to {needed}{error}, "
                 "it would still be about {p}").format(**values)
    return _("for P(hit) to reach {goal}, {key} must go from {current} to {needed}{error} "
             "(P(hit) then about {p})").format(**values)


def _gap(target, gap: float) -> str:
    """A distance to a target: percentage points for rates and growths, an amount otherwise."""

    expect = Expect.AMOUNT if target.expect is Expect.AMOUNT else Expect.POINTS
    return format_value(gap, expect, target.unit)


def _source(text: str) -> str:
    return '<div class="source">' + _e(_("source: {source}").format(source=text)) + "</div>"


def _assumed(text: str) -> str:
    return '<div class="source"><span class="assumed">' + _e(_("assumed")) + f"</span> {_e(one_line(text))}</div>"


def _assumptions(scenario: Scenario, several: bool) -> str:
    parts = [f"<h3>{_e(scenario.name)}</h3>" if several else ""]
    if scenario.description:
        parts.append(f"<p>{_e(one_line(scenario.description))}</p>")
    if scenario.source:
        parts.append('<p class="source">' + _e(_("Source: {source}").format(source=scenario.source)) + "</p>")
    if scenario.overrides:
        parts.append("<p><b>" + _e(_("Changed for this run (--set):")) + f"</b> {_e('; '.join(scenario.overrides))}</p>")
    rows = []
    for indicator in scenario.indicators:
        base = _e(indicator.fmt_baseline())
        if indicator.baseline_assumed:
            base += _assumed(indicator.rationale or "")
        elif indicator.source:
            base += _source(indicator.source)
        assumption = indicator.assumption
        if assumption is None:
            described = _e(assumption_words(indicator))
        else:
            described = _e(assumption_words(indicator)) + "".join(
                f'<div class="small">{_e(line)}</div>' for line, _bold in assumption_spread(indicator))
        if assumption is not None and assumption.source:
            described += _source(assumption.source)
        if assumption is not None and assumption.rationale:
            described += _assumed(assumption.rationale)
        target = indicator.target
        target_cell = "—" if target is None else _e(target.written or target.text) + (
            _source(target.source) if target.source else "")
        rows.append(f"<tr><td>{_e(indicator.name)}<div class=\"small\">{_e(indicator.id)} · {_e(indicator.unit)}"
                    f"</div></td><td>{base}</td><td>{described}</td><td>{target_cell}</td></tr>")
    columns = '<colgroup><col class="indicator"><col class="base"><col class="assumption"><col class="target"></colgroup>'
    head = _head((_("indicator"), False), (_("{year} base").format(year=scenario.base_year), False),
                 (_("{year} assumption").format(year=scenario.target_year), False), (_("target"), False))
    parts.append(f'<table class="assumptions">{columns}{head}{"".join(rows)}</table>')
    if scenario.events:
        events = "".join(
            f"<tr><td>{_e(event.name)}</td><td class=\"num\">{_e(format_share(event.probability))}</td>"
            f"<td>{_e('; '.join(f'{e.indicator}: {e.kind} {e.written}' for e in event.effects))}</td>"
            f"<td class=\"source\">{_e(event.source or one_line(event.rationale or ''))}</td></tr>"
            for event in scenario.events)
        head = _head((_("shock event"), False), (_("probability"), True), (_("effects"), False), (_("grounds"), False))
        parts.append(f"<table>{head}{events}</table>")
    linked = [(indicator, driver) for indicator in scenario.indicators for driver in indicator.drivers]
    if linked:
        by_id = {i.id: i for i in scenario.indicators}
        links = "".join(
            f"<tr><td>{_e(indicator.name)}</td><td>{_e(by_id[driver.indicator].name)}</td>"
            f"<td class=\"num\">{_e(elasticity_text(driver))}</td>"
            f"<td class=\"num\">{_e(by_id[driver.indicator].fmt(driver.at))}</td>"
            f"<td class=\"source\">{_e(driver.source or one_line(driver.rationale or ''))}</td></tr>"
            for indicator, driver in linked)
        head = _head((_("driven indicator"), False), (_("driving indicator"), False), (_("elasticity"), True),
                     (_("reference value"), True), (_("grounds"), False))
        parts.append(f"<table>{head}{links}</table><p class=\"small\">" + _e(_(
            "A link: the driven indicator's outcome = its own assumption + elasticity × (the driving indicator's "
            "outcome − the reference value), on every draw; changing the driving indicator's assumption moves the "
            "driven one through the link.")) + "</p>")
    if scenario.correlations:
        names = {i.id: i.name for i in scenario.indicators}
        pairs = _("; ").join(f"{names.get(a, a)}—{names.get(b, b)} {rho:+.2f}" for a, b, rho in scenario.correlations)
        parts.append('<p class="small">' + _e(_(
            "How strongly indicators move together (rank correlation, from −1, always opposite, through 0, "
            "unrelated, to +1, always together; drawn with {method}): {pairs}").format(
            method=scenario.correlation_method, pairs=pairs)) + "</p>")
    return "".join(parts)


def _manifest(report: Report) -> str:
    record = report.manifest
    versions = f"{record['python']} / {record['numpy']} / {record['scipy']} / {record['matplotlib']}"
    rows = [  # (label, HTML)
        ("growthsim", _e(record["growthsim_version"])),
        (_("made (UTC)"), _e(record["created"])),
        (_("command line"), f"<code>{_e(' '.join(record.get('command_line') or []) or '—')}</code>"),
        (_("draws"), f"{record['draws']:,}"),
        (_("seed"), _e(record["seed"])),
        (_("draws of the sensitivity analysis and goal seeks"), f"{record['analysis_draws']:,}"),
        (_("time taken"), _e(_("{seconds} s").format(seconds=f"{record['elapsed_seconds']:.1f}"))),
        ("Python / numpy / scipy / matplotlib", _e(versions)),
        (_("chart font"), _e(record.get("chart_font") or _("(no Chinese font)"))),
        (_("language"), _e(record.get("language") or language())),
    ]
    for scenario in record.get("scenarios") or [record["scenario"]]:
        files = scenario.get("files") or [{"path": scenario.get("path"), "sha256": scenario.get("sha256")}]
        for file in files:
            where = (f"{_e(file['path'])}<br><code>sha256 {_e(file['sha256'])}</code>" if file.get("path")
                     else _e(_("(not from a file)")))
            rows.append((_("scenario file ({name})").format(name=scenario["name"]), where))
        if scenario.get("overrides"):
            rows.append(("--set", _e("; ".join(scenario["overrides"]))))
    body = "".join(f"<tr><th>{_e(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return (f"<table>{body}</table><p class=\"small\">" + _e(_(
        "The same growthsim version, scenario files, changes, seed and number of draws give exactly the same "
        "numbers.")) + "</p>")
