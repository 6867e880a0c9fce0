"""A run as the terminal shows it: prose wrapped as Chinese wraps (``wrap_prose``, ``Prose``), tables
that take a compact layout below NARROW columns (``ByWidth``), the run's table with its caption,
the events' table and the sensitivity tables. rich renders them.
"""

from __future__ import annotations

import math
import re

from growthsim.analysis.yeartodate import year_to_date
from growthsim.engine.summary import EventSummary, Summary
from growthsim.i18n import _
from growthsim.output.wording import (
    band_of,
    conclusions,
    format_share,
    interval_text,
    metric_text,
    probability_bar,
    probability_text,
)
from growthsim.output.yeartodate import actual_text, needs_lines
from growthsim.stats.intervals import Probability

__all__ = [
    "NARROW",
    "ByWidth",
    "Prose",
    "captioned",
    "events_table",
    "sensitivity_tables",
    "summary_table",
    "wrap_prose",
]


def _clear_shift(event_summary, indicator_id: str) -> bool:
    """Does P(hit) differ with and without the event by more than Monte Carlo noise?"""
    with_, without = event_summary.hit_with.get(indicator_id), event_summary.hit_without.get(indicator_id)
    if with_ is None or without is None:
        return False
    return abs(with_.p - without.p) > math.hypot(with_.margin, without.margin)


def _with_and_without(event_summary: EventSummary, indicator_id: str) -> tuple[Probability, Probability]:
    """P(hit) with and without the event, of an indicator whose shift is clear (it has both)."""
    with_, without = event_summary.hit_with[indicator_id], event_summary.hit_without[indicator_id]
    assert with_ is not None and without is not None  # _clear_shift is False for an indicator without both
    return with_, without


def _clear_effect(event_summary: EventSummary, indicator_id: str) -> float:
    """The event's effect on P(hit), of an indicator whose shift is clear (it has one)."""
    effect = event_summary.effect_on(indicator_id)
    assert effect is not None  # _clear_shift is False for an indicator without P(hit) with and without
    return effect


def events_table(summary: Summary):
    """Renderable: how often each shock event occurred and the targets it moves most."""
    from rich.table import Table

    table = Table(
        title=_("shock events"),
        header_style="bold",
        caption_justify="left",
        caption=_(
            "P(hit) with / without: the P(hit) of the draws on which the event occurred and of "
            "those on which it did not (the three targets it moves most)"
        ),
    )
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
        moved = sorted(
            (k for k in event_summary.hit_with if _clear_shift(event_summary, k)),
            key=lambda k: -abs(_clear_effect(event_summary, k)),
        )[:3]
        shifts = (
            "\n".join(
                f"{names[k]} {with_.p * 100:.1f}% / {without.p * 100:.1f}%"
                for k in moved
                for with_, without in (_with_and_without(event_summary, k),)
            )
            or "—"
        )
        group = _("\n(exclusive group {group})").format(group=event.group) if event.group else ""
        table.add_row(
            f"{event.name}\n{event.id}{group}",
            format_share(event.probability),
            f"{event_summary.frequency.p * 100:.1f}%",
            effects,
            shifts,
        )
    return table


# A line may not begin with closing punctuation nor end with opening punctuation (禁则).
_NO_LINE_START = set("，。、；：？！）」』”’》〉】…%,.;:!?)]}")


_NO_LINE_END = set("（「『“‘《〈【([{")


def _units(paragraph: str) -> list[str]:
    """The pieces a line may break between: each Chinese character, each run of other non-space
    characters (a number, a word, `growthsim show`'s halves) and each run of spaces."""

    return re.findall(
        r" +|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d…]|[^ \u2e80-\u9fff"
        r"\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d…]+",
        paragraph,
    )


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


class ByWidth:
    """A renderable laid out for the width it is given (a table that must keep every column at 80
    columns drops decorations there instead of cutting text)."""

    def __init__(self, build):
        self.build = build

    def __rich_console__(self, console, options):
        yield self.build(options.max_width)


NARROW = 100  # below this many columns, tables take their compact layout


def summary_table(summary: Summary, january: dict[str, Probability] | None = None):
    """The 结论摘要, then a table with one row per indicator, coloured by how likely its target is.

    The id goes under the Chinese name, the target shows the report's wording over growthsim's
    reading of it. Below NARROW columns the judgement goes under P(hit) in place of the bar and
    names fold, so that at 80 columns no column and no word is lost.
    """
    from rich.console import Group
    from rich.text import Text

    table = ByWidth(lambda width: captioned(_summary_table(summary, january or {}, narrow=width < NARROW)))
    lines = conclusions(summary)
    needs = needs_lines(summary) if summary.scenario.actuals is not None else []
    after: list[Text | Prose] = (
        [Text(""), Text(_("What the rest of the year must deliver"), style="bold")] if needs else []
    )
    after += [Prose(line, indent="  ") for line in needs]
    if not lines:
        return Group(table, *after) if after else table
    heading = Text(_("Conclusions"), style="bold")
    return Group(heading, *(Prose(line, indent="  ") for line in lines), Text(""), table, *after)


def _summary_table(summary: Summary, january: dict[str, Probability], narrow: bool):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    scenario = summary.scenario
    overrides = (
        _("\nchanged for this run --set: {changes}").format(changes="; ".join(scenario.overrides))
        if scenario.overrides
        else ""
    )
    table = Table(
        title=_("{scenario}: how likely each {year} target is").format(
            scenario=scenario.name, year=scenario.target_year
        )
        + overrides,
        caption=_caption(summary),
        caption_justify="left",
        header_style="bold",
        expand=False,
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
        show_edge=not narrow,
        collapse_padding=narrow,
        pad_edge=not narrow,
    )
    known = {part.indicator.id: part for part in year_to_date(scenario)} if scenario.actuals is not None else {}
    # narrow: the name column as wide as the longest id (up to 20), so that ids stay whole; the target folds
    longest = max((len(i.id) for i in scenario.indicators), default=10)
    table.add_column(_("indicator"), min_width=min(max(longest, 10), 20) if narrow else 16, overflow="fold")
    table.add_column(_("{year}").format(year=scenario.base_year), justify="right")
    table.add_column(_("target"), min_width=14, max_width=14 if narrow else None, overflow="fold")
    table.add_column(
        _("{year} projection\nmedian [{level} interval]").format(year=scenario.target_year, level="90%"),
        justify="right",
        no_wrap=not narrow,
        min_width=16 if narrow else None,  # [-0.17%, 1.16%]
        max_width=16 if narrow else None,
    )
    table.add_column(
        _("P(hit)\n± margin of error"),
        justify="right",
        no_wrap=not narrow,
        min_width=10 if narrow else None,
        max_width=10 if narrow else None,
    )  # 13.7% ±0.5
    if not narrow:
        table.add_column(_("judgement"), no_wrap=True)
    for row in summary.indicators:
        indicator = row.indicator
        projection = Text(metric_text(indicator, row.metric, row.quantiles["p50"]))
        projection.append("\n" + interval_text(indicator, row.metric, row.quantiles["p05"], row.quantiles["p95"]))
        if indicator.id in known:  # the year so far, under the projection it conditions
            projection.append("\n" + actual_text(known[indicator.id]), style="dim")
        if row.difference_quantiles is not None:  # what a relative target actually tests
            assert indicator.target is not None  # difference quantiles are computed for a relative target only
            gap = indicator.target.fmt_tested(row.difference_quantiles["p50"])
            projection.append(_("\nvs {other}: {gap}").format(other=indicator.target.relative_to, gap=gap), style="dim")
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
        assert row.hit is not None  # every target has its P(hit) (engine.accumulate)
        words, style = band_of(row.hit.p)
        probability = Text(probability_text(row.hit), style=style)
        probability.append("\n" + (words if narrow else probability_bar(row.hit.p)), style=style)
        if row.stretch is not None:
            probability.append(
                _("\nstretch {p}").format(p=probability_text(row.stretch)), style=band_of(row.stretch.p)[1]
            )
        if indicator.id in january:  # the odds without the actuals: how they moved since January
            probability.append(_("\nJanuary {p}").format(p=format_share(january[indicator.id].p)), style="dim")
        table.add_row(
            name, baseline, target_text, projection, probability, *(() if narrow else (Text(words, style=style),))
        )
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
                upper=format_share(p.ci[1]), n=f"{summary.n_draws:,}", level="95%"
            )
        else:
            share = _("{share} (margin of error {low} to {high})").format(
                share=format_share(p.p), low=format_share(p.ci[0]), high=format_share(p.ci[1])
            )
        assert joint.all_hit_independent is not None  # None, like all_hit, only when there is no target
        dependence = (
            _("If the targets were independent it would be {p}.").format(p=format_share(joint.all_hit_independent))
            if summary.scenario.correlations
            or summary.scenario.events
            or any(i.drivers for i in summary.scenario.indicators)
            else _(
                "The indicators are drawn independently: if they move together, the chance that all are hit is higher."
            )
        )
        lines.append(
            _(
                "The chance that all {n} targets are hit together: {share}; expected to hit {expected} of {n}. "
                "{dependence}"
            ).format(n=joint.n_targets, share=share, expected=f"{joint.expected_hits:.1f}", dependence=dependence)
        )
    design = {"lhs": _("Latin hypercube sampling"), "sobol": _("Sobol' sequence sampling")}.get(summary.method)
    how = ""
    if design:
        copula = (
            _("; correlations imposed with the Gaussian copula (rank correlations and marginals unchanged)")
            if summary.correlation_method and summary.scenario.correlation_method != summary.correlation_method
            else ""
        )
        how = _(" ({design}, {n} independent replicates, errors from the spread between them{copula})").format(
            design=design, n=summary.replicates, copula=copula
        )
    elif summary.batches is not None:  # Iman-Conover: the draws of a group are rearranged together
        how = _(
            " (Iman-Conover correlations imposed in {groups} groups of {size} draws; errors of what depends on "
            "several correlated indicators come from the spread between groups)"
        ).format(groups=summary.batches, size=f"{summary.batch_size:,}")
    lines.append(
        _(
            "{n} draws{how}, seed {seed}. ± is the margin of error: the simulation's random error of P(hit) "
            "({level} interval, in percentage points). How each target is read: `growthsim show`."
        ).format(level="95%", n=f"{summary.n_draws:,}", how=how, seed=summary.seed)
    )
    if any(i.baseline_assumed for i in summary.scenario.indicators):
        lines.append(
            _(
                "“Assumed”: a base-year figure the report does not give; the scenario says why it is what it "
                "is (growthsim show)."
            )
        )
    return "\n".join(lines)


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
    table = Table(
        title=_("{target}: what drives its P(hit) of {p} (sensitivity analysis, {n} draws)").format(
            target=target.name, p=f"{target.p_hit * 100:.1f}%", n=f"{target.draws:,}"
        ),
        header_style="bold",
        caption=None
        if not last
        else _(
            "p10/p90: P(hit) with the input held at its own 10th/90th percentile (an event: never/"
            "always occurring); the other inputs random (those correlated with it follow it), on "
            "common random numbers; {n} draws per trial, seed {seed}. The swing is the total "
            "effect, in two parts: “direct/links”, through the input itself and its links (the "
            "inputs correlated with it left alone), and “correlations”, through the inputs "
            "correlated with it. “·own” marks a driven indicator's own part. Lowest/highest "
            "tenth: P(hit) on the draws where the input is in its lowest/highest tenth (an "
            "event: did not/did occur)"
        ).format(n=f"{target.draws:,}", seed=target.seed),
        caption_justify="left",
        box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
        show_edge=not narrow,
        collapse_padding=narrow,
        pad_edge=not narrow,
    )
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
        held = (
            [f"{effect.p_low * 100:.1f}%\n{effect.p_high * 100:.1f}%"]
            if narrow
            else [f"{effect.p_low * 100:.1f}%", f"{effect.p_high * 100:.1f}%"]
        )
        table.add_row(name, *held, f"{effect.swing * 100:.1f}pp", parts, rho, tails)
    return captioned(table)
