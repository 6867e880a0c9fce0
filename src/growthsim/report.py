"""A report a planner can mail: one self-contained HTML file, in Chinese, for screen and print.

For every target it says how likely it is (overview and an outcome chart), what drives it (the top
of the sensitivity tornado) and what it would take (goal seek: the central assumption at which
P(hit) reaches the goal, 80% by default); then the assumptions with their sources and rationales,
the comparison when several scenarios are given, and the run's manifest.

Self-contained: styles inline, charts as SVG in data: URIs (text drawn as outlines, so no font is
needed to show them, and they stay sharp when printed), no script, and a Content-Security-Policy
that forbids fetching anything, so the file shows the same offline as online.
"""

from __future__ import annotations

import base64
import html
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from .render import (
    _assumption_text,
    _elasticity_text,
    _fmt_interval,
    _fmt_metric,
    band_of,
    format_share,
    summary_to_dict,
)
from .scenario import Indicator, Scenario

__all__ = ["TargetAdvice", "Report", "build_report", "report_html", "GENERATOR"]

GENERATOR = "growthsim report"  # in <meta name="generator">: how a report file is recognised as ours


@dataclass(frozen=True)
class TargetAdvice:
    """What it would take: the central value of the target's own assumption at which P(hit) reaches
    the goal, or why that cannot be said."""

    parameter: str | None
    current: str | None  # as written in the scenario
    needed: str | None  # None when not reachable or not applicable
    achieved: float | None
    message: str  # a sentence in Chinese (HTML)
    already: bool = False  # P(hit) is at the goal already: `needed` is how far the assumption may fall
    what: str | None = None  # the parameter in words: 地区生产总值增速的最可能值


@dataclass(frozen=True)
class Report:
    summaries: tuple  # Summary per scenario
    comparison: Any  # Comparison or None (one scenario)
    drivers: dict  # indicator id -> TargetSensitivity (first scenario)
    advice: dict  # indicator id -> TargetAdvice (first scenario)
    goal: float
    analysis_draws: int
    manifest: dict
    charts: dict  # name -> SVG text


def build_report(scenarios: Sequence[Scenario], n_draws: int | None = None, seed: int | None = None, *,
                 goal: float = 0.8, analysis_draws: int = 10_000, command_line: Sequence[str] = (),
                 step: Callable[[str], None] | None = None) -> Report:
    """Run everything the report shows. ``step(words)`` is told what is being done (for a progress line)."""
    from .charts import chart_fonts, comparison_chart, outcome_chart, overview_chart, svg_text, tornado_chart
    from .compare import compare
    from .engine import map_on_cores, simulate
    from .export import manifest
    from .render_compare import comparison_to_dict
    from .sensitivity import sensitivity

    if not scenarios:
        raise ValueError("a report needs at least one scenario")
    if not 0 < goal < 1:
        raise ValueError("the goal must be a probability strictly between 0 and 1")
    step = step or (lambda words: None)
    started = time.perf_counter()
    first = scenarios[0]
    n_draws = int(n_draws if n_draws is not None else first.draws)
    step(f"simulating {len(scenarios)} scenario(s), {n_draws:,} draws")
    if len(scenarios) == 1:
        summaries = (simulate(first, n_draws, seed),)
        comparison = None
        document = summary_to_dict(summaries[0])
    else:
        comparison = compare(list(scenarios), n_draws, seed)
        summaries = comparison.summaries
        document = comparison_to_dict(comparison)
    used_seed = summaries[0].seed
    step("what drives each target (sensitivity)")
    drivers = {t.indicator: t for t in sensitivity(first, None, analysis_draws, used_seed)}
    step(f"what it would take: a goal seek for each of {len(first.targeted)} targets")
    p_hits = {r.indicator.id: r.hit.p for r in summaries[0].indicators if r.hit is not None}
    jobs = [(indicator.id, goal, analysis_draws, used_seed, p_hits[indicator.id]) for indicator in first.targeted]
    # independent goal seeks of about half a second each: on every core
    advice = dict(zip([job[0] for job in jobs], map_on_cores(_run_advice, first, jobs)))

    step("drawing charts")
    fonts = chart_fonts()
    names = {i.id: i.name for s in scenarios for i in s.indicators}
    charts = {}
    for index, summary in enumerate(summaries):
        if any(r.hit is not None for r in summary.indicators):
            charts[f"overview-{index}"] = svg_text(overview_chart(summary, fonts), fonts)
    if comparison is not None:
        charts["compare"] = svg_text(comparison_chart(comparison, fonts), fonts)
    for row in summaries[0].indicators:
        if row.hit is not None:
            charts[f"outcome-{row.indicator.id}"] = svg_text(outcome_chart(row, n_draws, fonts, names), fonts)
    for indicator_id, result in drivers.items():
        if result.drivers:
            charts[f"tornado-{indicator_id}"] = svg_text(tornado_chart(result, top=8, fonts=fonts), fonts)

    import matplotlib

    record = manifest(document, list(command_line), {}, 0, time.perf_counter() - started)
    record.pop("files", None)
    record.pop("chunk_size", None)
    record["matplotlib"] = matplotlib.__version__
    record["chart_font"] = fonts.cjk
    record["analysis_draws"] = analysis_draws
    return Report(tuple(summaries), comparison, drivers, advice, goal, analysis_draws, record, charts)


def _run_advice(scenario: Scenario, job) -> TargetAdvice:
    indicator_id, goal, n_draws, seed, p_hit = job
    return _advice(scenario, scenario.indicator(indicator_id), goal, n_draws, seed, p_hit)


def _advice(scenario: Scenario, indicator: Indicator, goal: float, n_draws: int, seed: int,
            p_hit: float) -> TargetAdvice:
    from .diagnostics import ScenarioError
    from .solve import central_parameter, solve

    if scenario.path is None:
        return TargetAdvice(None, None, None, None, "情景不是从文件读入，未做目标求解")
    try:
        parameter = central_parameter(scenario, indicator.id)
    except ScenarioError:
        what = "由公式推算" if indicator.assumption is None else "的假设没有单一的中心值"
        return TargetAdvice(None, None, None, None, f"该指标{what}，见下方驱动因素")
    name = parameter.rsplit(".", 1)[1]
    current = _with_unit(indicator.assumption.written[name], indicator)
    own = "自身部分（驱动因素之外）" if indicator.drivers else ""  # a driven indicator's assumption is its own part
    what = (f"{indicator.name}{_ON_WORDS.get(indicator.assumption.on, '')}{own}的"
            f"{_PARAMETER_WORDS.get(name, name)}")
    key = f'{_e(what)}<span class="small">（<code>{_e(parameter)}</code>）</span>'
    share = _goal(goal)
    try:
        result = solve(scenario.path, indicator.id, goal, parameter, overrides=scenario.overrides,
                       n_draws=n_draws, seed=seed)
    except ScenarioError as error:  # a value the scenario cannot take: say so, do not fail the report
        return TargetAdvice(parameter, current, None, None, f"无法求解：{_e(error)}")
    if not result.reachable:
        return TargetAdvice(parameter, current, None, None, f"在{key}可取的范围内，达标概率达不到 {share}")
    already = p_hit >= goal
    interval = f'<span class="small">（蒙特卡洛区间 {_e(result.interval_written)}）</span>'
    if already:
        message = (f"已有{share}以上把握：{key}即使从 {_e(current)} 变为 <b>{_e(result.written)}</b>{interval}，"
                   f"达标概率仍约为 {result.probability.p:.0%}")
    else:
        message = (f"需把{key}从 {_e(current)} 调到 <b>{_e(result.written)}</b>{interval}，"
                   f"达标概率才约为 {result.probability.p:.0%}")
    return TargetAdvice(parameter, current, result.written, result.probability.p, message, already, what)


_ON_WORDS = {"growth": "增速", "change": "变动"}  # a level needs no word: 新增企业数的均值
_PARAMETER_WORDS = {"mean": "均值", "mode": "最可能值", "value": "取值"}


def _with_unit(written, indicator: Indicator) -> str:
    """A parameter as written, with the indicator's unit where the file gave a bare number (14000 -> 14000户)."""
    text = str(written)
    return f"{text}{indicator.unit}" if isinstance(written, (int, float)) and indicator.unit != "%" else text


def _goal(goal: float) -> str:
    return f"{goal * 100:g}%"


# --- HTML -------------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _img(report: Report, key: str, alt: str) -> str:
    svg = report.charts.get(key)
    if svg is None:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{_e(alt)}"></figure>'


_CSS = """
:root { --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --band: #f6f8fa; }
* { box-sizing: border-box; }
body { font-family: "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
       "WenQuanYi Micro Hei", sans-serif; color: var(--ink); max-width: 62rem; margin: 0 auto;
       padding: 1.5rem 1.25rem 4rem; line-height: 1.6; font-size: 15px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.5rem 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.08rem; margin: 1.75rem 0 .5rem; }
p.lead { color: var(--muted); margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--rule); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.small, .source { color: var(--muted); font-size: .82rem; }
.assumed { font-weight: 600; color: #9a6700; }
.band { display: inline-block; padding: 0 .45rem; border-radius: .6rem; color: #fff; font-size: .8rem;
        white-space: nowrap; }
figure { margin: .75rem 0 1.25rem; }
figure img { width: 100%; height: auto; display: block; }
section.target { border-top: 1px solid var(--rule); padding-top: .25rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
nav ol { font-size: .9rem; }
nav ol ol { columns: 3; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  section.target, figure, tr { break-inside: avoid; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
}
@page { size: A4; margin: 16mm 14mm; }
"""


def report_html(report: Report) -> str:
    """The report as one HTML document."""
    summaries = report.summaries
    first = summaries[0]
    scenario = first.scenario
    several = len(summaries) > 1
    title = (f"{scenario.name}：{scenario.target_year}年目标达成概率" if not several
             else f"{scenario.target_year}年目标达成概率：{len(summaries)}个情景比较")
    targeted = [r for r in first.indicators if r.hit is not None]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be fetched: the file must look the same offline (and a test checks no request is made).
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">",
        f'<meta name="generator" content="{GENERATOR} {_e(report.manifest["growthsim_version"])}">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="lead">growthsim {_e(report.manifest["growthsim_version"])} · {first.n_draws:,}次蒙特卡洛模拟 · '
        f'随机种子 {first.seed} · 生成于 {_e(report.manifest["created"])}</p>',
        _how_to_read(report),
        _contents(targeted, several),
        '<h2 id="overview">一、概览：各目标达标概率</h2>',
    ]
    for index, summary in enumerate(summaries):
        if several:
            parts.append(f"<h3>{_e(summary.scenario.name)}</h3>")
        parts.append(_img(report, f"overview-{index}", f"{summary.scenario.name}：各目标达标概率"))
        parts.append(_joint_sentence(summary))
    parts.append(_overview_table(report))
    if several:
        parts.append('<h2 id="compare">二、情景比较</h2>')
        parts.append('<p>各情景使用同一组随机数（共用随机数），差异只来自假设不同；'
                     '“显著”表示差异超出蒙特卡洛误差（配对差异的95%误差范围）。</p>')
        parts.append(_img(report, "compare", "情景比较"))
        parts.append(_comparison_table(report))
    number = "三" if several else "二"
    parts.append(f'<h2 id="targets">{number}、各目标详情（{_e(scenario.name)}）</h2>')
    for row in targeted:
        parts.append(_target_section(report, row))
    number = "四" if several else "三"
    parts.append(f'<h2 id="assumptions">{number}、假设与来源</h2>')
    parts.append('<p>基数与目标均引自报告原文（“来源”）；报告没有给出的数值是本情景的假设，标为'
                 '<span class="assumed">假设</span>并说明理由。</p>')
    for summary in summaries:
        parts.append(_assumptions(summary.scenario, several))
    number = "五" if several else "四"
    parts.append(f'<h2 id="manifest">{number}、运行记录</h2>')
    parts.append(_manifest(report))
    parts.append("</body></html>")
    return "\n".join(parts)


def _how_to_read(report: Report) -> str:
    return (
        '<p>每个目标的<b>达标概率</b>是在各项假设之下，模拟出的众多可能的'
        f'{report.summaries[0].scenario.target_year}年中实现该目标的比例，括号内为其95%区间（模拟误差）。'
        '评估用语：≥90% 很可能，≥66% 可能，≥33% 难料，≥10% 不太可能，其下 很难。'
        f'“驱动因素”比较某一输入取其第10与第90百分位时的达标概率（其余输入随机，与之相关的输入随之变动）；“要有{_goal(report.goal)}把握”'
        '给出该指标自身假设的中心值需要达到多少。</p>'
    )


def _contents(targeted, several: bool) -> str:
    items = ['<li><a href="#overview">概览</a></li>']
    if several:
        items.append('<li><a href="#compare">情景比较</a></li>')
    items.append('<li><a href="#targets">各目标详情</a><ol>' + "".join(
        f'<li><a href="#t-{_e(r.indicator.id)}">{_e(r.indicator.name)}</a></li>' for r in targeted) + "</ol></li>")
    items.append('<li><a href="#assumptions">假设与来源</a></li><li><a href="#manifest">运行记录</a></li>')
    return f"<nav><ol>{''.join(items)}</ol></nav>"


def _probability(probability) -> str:
    low, high = probability.ci
    return f"{format_share(probability.p)} <span class=\"small\">[{format_share(low)}, {format_share(high)}]</span>"


def _band(p: float) -> str:
    from .charts import band_colour
    words = band_of(p)[0]
    return f'<span class="band" style="background:{band_colour(p)}">{_e(words)}</span>'


def _joint_sentence(summary) -> str:
    joint = summary.joint
    if joint.all_hit is None:
        return ""
    p = joint.all_hit
    share = format_share(p.p) if p.p > 0 else f"低于 {format_share(p.ci[1])}"
    return (f'<p>{joint.n_targets}个目标全部同时达标的概率：{share}；平均可达标 '
            f'{joint.expected_hits:.1f} 个。</p>')


def _projection(row) -> str:
    indicator = row.indicator
    interval = _fmt_interval(indicator, row.metric, row.quantiles["p05"], row.quantiles["p95"])
    return (f"{_e(_fmt_metric(indicator, row.metric, row.quantiles['p50']))} "
            f"<span class=\"small\">{_e(interval)}</span>")


def _overview_table(report: Report) -> str:
    first = report.summaries[0]
    rows = []
    for row in sorted((r for r in first.indicators if r.hit is not None), key=lambda r: -r.hit.p):
        target = row.indicator.target
        drivers = report.drivers.get(row.indicator.id)
        top = ", ".join(e.name for e in drivers.drivers[:2]) if drivers else ""
        advice = report.advice.get(row.indicator.id)
        needed = "—"
        if advice and advice.needed:
            arrow = "可放宽至" if advice.already else "→"
            needed = (f"{_e(advice.current)} {arrow} <b>{_e(advice.needed)}</b>"
                      f"<div class=\"small\">{_e(advice.what or advice.parameter)}</div>")
        rows.append(
            f'<tr><td><a href="#t-{_e(row.indicator.id)}">{_e(row.indicator.name)}</a></td>'
            f"<td>{_e(target.written or target.text)}</td><td class=\"num\">{_projection(row)}</td>"
            f"<td class=\"num\">{_probability(row.hit)}</td><td>{_band(row.hit.p)}</td>"
            f"<td>{_e(top) or '—'}</td><td class=\"num\">{needed}</td></tr>"
        )
    head = (f"<tr><th>指标</th><th>目标</th><th class=\"num\">预测中位数 [90%区间]</th>"
            f"<th class=\"num\">达标概率 [95%]</th><th>评估</th>"
            f"<th>主要驱动因素</th><th class=\"num\">要有{_goal(report.goal)}把握</th></tr>")
    title = f"<h3>{_e(first.scenario.name)}</h3>" if len(report.summaries) > 1 else ""
    return f"{title}<table>{head}{''.join(rows)}</table>"


def _comparison_table(report: Report) -> str:
    comparison = report.comparison
    names = "".join(f"<th class=\"num\">{_e(s.scenario.name)}</th>" for s in comparison.summaries)
    rows = []
    for row in comparison.rows:
        if not any(s is not None and s.hit is not None for s in row.summaries):
            continue
        cells = []
        for summary, difference in zip(row.summaries, row.differences):
            if summary is None or summary.hit is None:
                cells.append("<td>（无此目标）</td>")
                continue
            text = _probability(summary.hit)
            if difference is not None:
                verdict = "显著" if difference.distinguishable else "噪声内"
                text += (f"<br><span class=\"small\">{difference.delta * 100:+.1f}pp ±{difference.margin * 100:.1f}"
                         f" {verdict}</span>")
            cells.append(f'<td class="num">{text}</td>')
        rows.append(f"<tr><td>{_e(row.indicator.name)}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>指标</th>{names}</tr>{''.join(rows)}</table>"


def _target_section(report: Report, row) -> str:
    indicator, target = row.indicator, row.indicator.target
    facts = [
        ("目标", f"{_e(target.written or target.text)}"
                 + (f' <span class="small">（读作 {_e(target.text)}）</span>' if target.written else "")),
        ("达标概率", f"{_probability(row.hit)} {_band(row.hit.p)}"),
    ]
    if row.stretch is not None:
        facts.append(("力争目标达成概率", _probability(row.stretch)))
    facts.append((f"{report.summaries[0].scenario.target_year}年预测", _projection(row)))
    if row.expected_shortfall is not None and row.hit.p < 1:
        facts.append(("未达标时平均差距", _e(_gap(target, row.expected_shortfall))))
    if target.source:
        facts.append(("目标来源", f'<span class="source">{_e(target.source)}</span>'))
    advice = report.advice.get(indicator.id)
    if advice is not None:
        facts.append((f"要有{_goal(report.goal)}把握", advice.message))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    parts = [f'<section class="target" id="t-{_e(indicator.id)}"><h3>{_e(indicator.name)} '
             f'<span class="small">{_e(indicator.id)}</span></h3>',
             _img(report, f"outcome-{indicator.id}", f"{indicator.name}的预测分布"),
             f'<dl class="facts">{dl}</dl>']
    drivers = report.drivers.get(indicator.id)
    moving = list(drivers.drivers) if drivers else []
    if moving:
        parts.append(_img(report, f"tornado-{indicator.id}", f"{indicator.name}的驱动因素"))
        def tail(p):
            return "—" if p is None else format_share(p)

        rows = "".join(
            f"<tr><td>{_e(e.name)}</td><td class=\"num\">{format_share(e.p_low)}</td>"
            f"<td class=\"num\">{format_share(e.p_high)}</td>"
            f"<td class=\"num\">{e.swing * 100:.1f}pp</td>"
            f"<td class=\"num\">{'—' if e.spearman is None else f'{e.spearman:+.2f}'}</td>"
            f"<td class=\"num\">{tail(e.p_bottom)} / {tail(e.p_top)}</td></tr>"
            for e in moving[:5])
        parts.append("<table><tr><th>驱动因素</th><th class=\"num\">取第10百分位时</th>"
                     "<th class=\"num\">取第90百分位时</th><th class=\"num\">摆幅</th>"
                     f"<th class=\"num\">秩相关</th><th class=\"num\">最低/最高10%时</th></tr>{rows}</table>")
        events = "事件：“第10百分位”为不发生，“第90百分位”为发生。" if report.summaries[0].scenario.events else ""
        parts.append(f'<p class="small">{events}其余输入随机，与之相关的输入随之变动；'
                     f'{report.analysis_draws:,}次模拟，共用随机数。“最低/最高10%时”：该输入落在自身最低/最高'
                     '十分之一的模拟中的达标概率，目标取决于输入的尾部时由此可见。</p>')
    parts.append("</section>")
    return "".join(parts)


def _gap(target, gap: float) -> str:
    """A distance to a target: percentage points for rates and growths, an amount otherwise."""
    from .quantities import Expect, format_value

    expect = Expect.AMOUNT if target.expect is Expect.AMOUNT else Expect.POINTS
    return format_value(gap, expect, target.unit)


def _assumptions(scenario: Scenario, several: bool) -> str:
    parts = [f"<h3>{_e(scenario.name)}</h3>" if several else ""]
    if scenario.description:
        parts.append(f"<p>{_e(' '.join(scenario.description.split()))}</p>")
    if scenario.source:
        parts.append(f'<p class="source">资料来源：{_e(scenario.source)}</p>')
    if scenario.overrides:
        parts.append(f"<p><b>本次改动（--set）：</b>{_e('; '.join(scenario.overrides))}</p>")
    rows = []
    for indicator in scenario.indicators:
        base = _e(indicator.fmt_baseline())
        if indicator.baseline is not None and indicator.rationale and not indicator.source:
            base += f' <span class="assumed">假设</span><div class="source">{_e(_one_line(indicator.rationale))}</div>'
        elif indicator.source:
            base += f'<div class="source">来源：{_e(indicator.source)}</div>'
        assumption = indicator.assumption
        text = _assumption_text(indicator).plain.split("\n")
        described = _e(text[0]) + (f'<div class="small">{_e(text[1])}</div>' if len(text) > 1 else "")
        if assumption is not None and assumption.source:
            described += f'<div class="source">来源：{_e(assumption.source)}</div>'
        if assumption is not None and assumption.rationale:
            described += (f'<div class="source"><span class="assumed">假设</span> '
                          f'{_e(_one_line(assumption.rationale))}</div>')
        target = indicator.target
        target_cell = "—" if target is None else _e(target.written or target.text) + (
            f'<div class="source">来源：{_e(target.source)}</div>' if target.source else "")
        rows.append(f"<tr><td>{_e(indicator.name)}<div class=\"small\">{_e(indicator.id)} · {_e(indicator.unit)}"
                    f"</div></td><td>{base}</td><td>{described}</td><td>{target_cell}</td></tr>")
    parts.append(f"<table><tr><th>指标</th><th>{scenario.base_year}年基数</th><th>{scenario.target_year}年假设</th>"
                 f"<th>目标</th></tr>{''.join(rows)}</table>")
    if scenario.events:
        events = "".join(
            f"<tr><td>{_e(event.name)}</td><td class=\"num\">{_e(format_share(event.probability))}</td>"
            f"<td>{_e('; '.join(f'{e.indicator}: {e.kind} {e.written}' for e in event.effects))}</td>"
            f"<td class=\"source\">{_e(event.source or _one_line(event.rationale or ''))}</td></tr>"
            for event in scenario.events)
        parts.append("<table><tr><th>冲击事件</th><th>发生概率</th><th>影响</th><th>依据</th></tr>"
                     f"{events}</table>")
    linked = [(indicator, driver) for indicator in scenario.indicators for driver in indicator.drivers]
    if linked:
        by_id = {i.id: i for i in scenario.indicators}
        links = "".join(
            f"<tr><td>{_e(indicator.name)}</td><td>{_e(by_id[driver.indicator].name)}</td>"
            f"<td class=\"num\">{_e(_elasticity_text(driver))}</td>"
            f"<td class=\"num\">{_e(by_id[driver.indicator].fmt(driver.at))}</td>"
            f"<td class=\"source\">{_e(driver.source or _one_line(driver.rationale or ''))}</td></tr>"
            for indicator, driver in linked)
        parts.append("<table><tr><th>受驱动指标</th><th>驱动指标</th><th>弹性</th><th>参照值</th><th>依据</th></tr>"
                     f"{links}</table><p class=\"small\">关联：受驱动指标的结果 = 自身假设 + 弹性 × (驱动指标结果 − 参照值)，"
                     "逐次模拟计算；改变驱动指标的假设会经关联传到受驱动指标。</p>")
    if scenario.correlations:
        names = {i.id: i.name for i in scenario.indicators}
        pairs = "；".join(f"{_e(names.get(a, a))}—{_e(names.get(b, b))} {rho:+.2f}"
                         for a, b, rho in scenario.correlations)
        parts.append(f'<p class="small">相关性（秩相关，{_e(scenario.correlation_method)}）：{pairs}</p>')
    return "".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _manifest(report: Report) -> str:
    record = report.manifest
    versions = f"{record['python']} / {record['numpy']} / {record['scipy']} / {record['matplotlib']}"
    rows = [  # (label, HTML)
        ("growthsim", _e(record["growthsim_version"])),
        ("生成时间 (UTC)", _e(record["created"])),
        ("命令行", f"<code>{_e(' '.join(record.get('command_line') or []) or '—')}</code>"),
        ("模拟次数", f"{record['draws']:,}"),
        ("随机种子", _e(record["seed"])),
        ("敏感性与求解的模拟次数", f"{record['analysis_draws']:,}"),
        ("耗时", f"{record['elapsed_seconds']:.1f} 秒"),
        ("Python / numpy / scipy / matplotlib", _e(versions)),
        ("图表字体", _e(record.get("chart_font") or "（无中文字体）")),
    ]
    for scenario in record.get("scenarios") or [record["scenario"]]:
        files = scenario.get("files") or [{"path": scenario.get("path"), "sha256": scenario.get("sha256")}]
        for file in files:
            where = (f"{_e(file['path'])}<br><code>sha256 {_e(file['sha256'])}</code>" if file.get("path")
                     else "（非文件）")
            rows.append((f"情景文件（{scenario['name']}）", where))
        if scenario.get("overrides"):
            rows.append(("--set", _e("; ".join(scenario["overrides"]))))
    body = "".join(f"<tr><th>{_e(label)}</th><td>{value}</td></tr>" for label, value in rows)
    return (f"<table>{body}</table><p class=\"small\">同一版本的 growthsim、同样的情景文件、改动、种子与模拟次数，"
            "得到完全相同的数字。</p>")
