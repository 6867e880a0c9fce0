"""The report as one HTML page (``report_html``): the overview, the year so far with actuals
(``report_year``), one section per target (``report_sections``), the assumptions with their sources,
the comparison and the manifest; styles from report.css, inlined. ``report.build_report`` computes
what it shows.
"""

from __future__ import annotations

from pathlib import Path

from growthsim.i18n import _, language
from growthsim.output.comparison import column_name, difference_words
from growthsim.output.html import band_badge, chart_img, esc, h2, head_row, made_at, probability_cell, projection_text
from growthsim.output.report import GENERATOR, Report, goal_text
from growthsim.output.report_sections import assumptions_section, how_drivers_read, target_section
from growthsim.output.report_year import year_section
from growthsim.output.wording import BANDS, conclusions, joint_share

__all__ = ["report_html"]


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
    title = (
        _("{scenario}: how likely the {year} targets are").format(scenario=scenario.name, year=scenario.target_year)
        if not several
        else _("{year} targets: {n} scenarios compared").format(year=scenario.target_year, n=len(summaries))
    )
    targeted = [r for r in first.indicators if r.hit is not None]
    lead = _("growthsim {version} · {draws} Monte Carlo draws · seed {seed} · made {created}").format(
        version=report.manifest["growthsim_version"],
        draws=f"{first.n_draws:,}",
        seed=first.seed,
        created=made_at(report.manifest["created"]),
    )
    number = iter(range(1, 10))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if language() == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be fetched: the file must look the same offline (and a test checks no request is made).
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f'<meta name="generator" content="{GENERATOR} {esc(report.manifest["growthsim_version"])}">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">{esc(lead)}</p>',
        _conclusions(first),
        _how_to_read(report),
        _contents(targeted, several, first.scenario.actuals is not None),
        h2("overview", _section_title(next(number), _("Overview: P(hit) of each target"))),
    ]
    for index, summary in enumerate(summaries):
        if several:
            parts.append(f"<h3>{esc(summary.scenario.name)}</h3>")
        parts.append(
            chart_img(
                report,
                f"overview-{index}",
                _("{name}: P(hit) of each target").format(name=summary.scenario.name),
                "overview",
            )
        )
        if several:
            parts.append(_joint_sentence(summary))
    parts.append(_overview_table(report))
    if scenario.actuals is not None:
        parts.append(year_section(report, _section_title(next(number), _("The year so far"))))
    if several:
        parts.append(h2("compare", _section_title(next(number), _("Scenarios compared"))))
        parts.append(f"<p>{esc(_compare_words(report.comparison))}</p>")
        parts.append(chart_img(report, "compare", _("Scenarios compared")))
        parts.append(_comparison_table(report))
    details = _("Each target in detail ({scenario})").format(scenario=scenario.name)
    parts.append(h2("targets", _section_title(next(number), details)))
    parts.append(how_drivers_read(report))
    for row in targeted:
        parts.append(target_section(report, row))
    parts.append(h2("assumptions", _section_title(next(number), _("Assumptions and sources"))))
    parts.append(f"<p>{_assumption_words()}</p>")
    for summary in summaries:
        parts.append(assumptions_section(summary.scenario, several))
    parts.append(h2("manifest", _section_title(next(number), _("Record of the run"))))
    parts.append(_manifest(report))
    parts.append("</body></html>")
    return "\n".join(parts)


def _conclusions(summary) -> str:
    lines = conclusions(summary)
    if not lines:
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return '<div class="conclusions"><h2>' + esc(_("Conclusions")) + f"</h2><ul>{items}</ul></div>"


def _how_to_read(report: Report) -> str:
    bands = _(", ").join(f"≥{lower * 100:g}% {_(words)}" for lower, words, _style in BANDS[:-1])
    return (
        "<p>"
        + esc(
            _(
                "A target's P(hit) is the share of the simulated {year}s, drawn under the scenario's assumptions, "
                "in which it is hit; the brackets after it give its margin of error (the simulation's random error, a {level} "
                "interval). Judgements: {bands}, below that {lowest}. “What drives it” compares P(hit) with one input at its "
                "10th and at its 90th percentile (the other inputs random, those correlated with it moving with it); “for "
                "{goal} confidence” says where the target's own central assumption would have to be."
            ).format(
                year=report.summaries[0].scenario.target_year,
                level="95%",
                bands=bands,
                lowest=_(BANDS[-1][1]),
                goal=goal_text(report.goal),
            )
        )
        + "</p>"
    )


def _compare_words(comparison) -> str:
    return _(
        "The scenarios share their random numbers, so differences come only from their assumptions. A "
        "difference is “material” when it exceeds the simulation's random error (the {level} margin of the "
        "paired difference) and is at least {points} percentage points; smaller ones are said to be so."
    ).format(level="95%", points=f"{comparison.material * 100:g}")


def _assumption_words() -> str:
    return esc(
        _(
            "Baselines and targets are quoted from the report (“source”); a number the report does not give "
            "is an assumption of the scenario, marked {assumed} and given with its rationale."
        )
    ).format(assumed='<span class="assumed">' + esc(_("assumed")) + "</span>")


def _contents(targeted, several: bool, year: bool) -> str:
    def item(anchor: str, words: str, inside: str = "") -> str:
        return f'<li><a href="#{anchor}">{esc(words)}</a>{inside}</li>'

    items = [item("overview", _("Overview"))]
    if year:
        items.append(item("year", _("The year so far")))
    if several:
        items.append(item("compare", _("Scenarios compared")))
    items.append(
        item(
            "targets",
            _("Each target in detail"),
            "<ol>" + "".join(item(f"t-{esc(r.indicator.id)}", r.indicator.name) for r in targeted) + "</ol>",
        )
    )
    items.append(item("assumptions", _("Assumptions and sources")))
    items.append(item("manifest", _("Record of the run")))
    return f"<nav><ol>{''.join(items)}</ol></nav>"


def _joint_sentence(summary) -> str:
    joint = summary.joint
    if joint.all_hit is None:
        return ""
    p = joint.all_hit
    share = joint_share(p)
    return (
        "<p>"
        + esc(
            _("The chance that all {n} targets are hit together is {share}; on average {expected} are hit.").format(
                n=joint.n_targets, share=share, expected=f"{joint.expected_hits:.1f}"
            )
        )
        + "</p>"
    )


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
            needed = (
                f"{esc(advice.current)} {esc(arrow)} <b>{esc(advice.needed)}</b>"
                f'<div class="small">{esc(advice.what or advice.parameter)}</div>'
            )
        rows.append(
            f'<tr><td><a href="#t-{esc(row.indicator.id)}">{esc(row.indicator.name)}</a></td>'
            f'<td>{esc(target.written or target.text)}</td><td class="num">{projection_text(row, stacked=True)}</td>'
            f'<td class="num">{probability_cell(row.hit, stacked=True)}</td><td>{band_badge(row.hit.p)}</td>'
            f'<td>{esc(top) or "—"}</td><td class="advice">{needed}</td></tr>'
        )
    head = head_row(
        (_("indicator"), False),
        (_("target"), False),
        (_("median [{level} interval]").format(level="90%"), True),
        (_("P(hit) [margin of error]"), True),
        (_("judgement"), False),
        (_("main drivers"), False),
        (_("for {goal} confidence").format(goal=goal_text(report.goal)), False),
    )
    title = f"<h3>{esc(first.scenario.name)}</h3>" if len(report.summaries) > 1 else ""
    return f'{title}<table class="overview">{head}{"".join(rows)}</table>'


def _comparison_table(report: Report) -> str:

    comparison = report.comparison
    names = "".join(
        f'<th class="num">{esc(column_name(s.scenario) or s.scenario.name)}</th>' for s in comparison.summaries
    )
    rows = []
    for row in comparison.rows:
        if not any(s is not None and s.hit is not None for s in row.summaries):
            continue
        cells = []
        for summary, difference in zip(row.summaries, row.differences, strict=True):
            if summary is None or summary.hit is None:
                cells.append("<td>" + esc(_("(no such target)")) + "</td>")
                continue
            text = probability_cell(summary.hit)
            if difference is not None:
                verdict = difference_words(difference, comparison.material)[0]
                text += (
                    f'<br><span class="small">{difference.delta * 100:+.1f}pp ±{difference.margin * 100:.1f}'
                    f" {esc(verdict)}</span>"
                )
            cells.append(f'<td class="num">{text}</td>')
        rows.append(f"<tr><td>{esc(row.indicator.name)}</td>{''.join(cells)}</tr>")
    return "<table><tr><th>" + esc(_("indicator")) + f"</th>{names}</tr>{''.join(rows)}</table>"


def _manifest(report: Report) -> str:
    record = report.manifest
    versions = f"{record['python']} / {record['numpy']} / {record['scipy']} / {record['matplotlib']}"
    rows = [  # (label, HTML)
        ("growthsim", esc(record["growthsim_version"])),
        (_("made (UTC)"), esc(record["created"])),
        (_("command line"), f"<code>{esc(' '.join(record.get('command_line') or []) or '—')}</code>"),
        (_("draws"), f"{record['draws']:,}"),
        (_("seed"), esc(record["seed"])),
        (_("draws of the sensitivity analysis and goal seeks"), f"{record['analysis_draws']:,}"),
        (_("time taken"), esc(_("{seconds} s").format(seconds=f"{record['elapsed_seconds']:.1f}"))),
        ("Python / numpy / scipy / matplotlib", esc(versions)),
        (_("chart font"), esc(record.get("chart_font") or _("(no Chinese font)"))),
        (_("language"), esc(record.get("language") or language())),
    ]
    for scenario in record.get("scenarios") or [record["scenario"]]:
        files = scenario.get("files") or [{"path": scenario.get("path"), "sha256": scenario.get("sha256")}]
        for file in files:
            where = (
                f"{esc(file['path'])}<br><code>sha256 {esc(file['sha256'])}</code>"
                if file.get("path")
                else esc(_("(not from a file)"))
            )
            rows.append((_("scenario file ({name})").format(name=scenario["name"]), where))
        if scenario.get("overrides"):
            rows.append(("--set", esc("; ".join(scenario["overrides"]))))
    body = "".join(f"<tr><th>{esc(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return (
        f'<table>{body}</table><p class="small">'
        + esc(
            _(
                "The same growthsim version, scenario files, changes, seed and number of draws give exactly the same "
                "numbers."
            )
        )
        + "</p>"
    )
