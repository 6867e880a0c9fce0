"""Comparisons: `growthsim compare` as tables, JSON and long CSV (diff: ``diff``)."""

from __future__ import annotations

from typing import Any

from growthsim._version import __version__
from growthsim.engine.streams import DRAWS_VERSION
from growthsim.i18n import _, ngettext
from growthsim.output.records import (
    event_to_dict,
    probability_fields,
    scenario_fields,
)
from growthsim.output.tables import captioned
from growthsim.output.wording import band_of, joint_share, probability_bar
from growthsim.scenario.types import Scenario

__all__ = [
    "COMPARE_SCHEMA",
    "column_name",
    "comparison_rows",
    "comparison_table",
    "comparison_to_dict",
    "difference_words",
    "legend",
]


COMPARE_SCHEMA = "growthsim.compare/1"


def _difference_fields(difference, material: float) -> dict[str, Any]:
    if difference is None:
        return {
            "delta": None,
            "delta_se": None,
            "delta_margin": None,
            "delta_se_unpaired": None,
            "distinguishable": None,
            "material": None,
        }
    return {
        "delta": difference.delta,
        "delta_se": difference.se,
        "delta_margin": difference.margin,
        "delta_se_unpaired": difference.se_unpaired,
        "distinguishable": difference.distinguishable,
        "material": difference.material(material),
    }


def difference_words(difference, material: float) -> tuple[str, str]:
    """(words, rich style) for a paired difference: within the simulation's random error, beyond
    it but smaller than ``material`` (a share), or a material difference."""
    if not difference.distinguishable:
        return _("within random error"), "dim"
    if not difference.material(material):
        points = material * 100
        return ngettext(
            "beyond random error, under {points} percentage point",
            "beyond random error, under {points} percentage points",
            1 if points == 1 else 2,
        ).format(points=f"{points:g}"), ""
    return _("material"), "bold"


def _channels_fields(channels) -> dict[str, Any]:
    if channels is None:
        return {}

    def estimate(e) -> dict[str, Any]:
        return {"change": e.value, "se": e.se, "ci": list(e.ci)}

    return {
        "channels": {
            "outcome": estimate(channels.outcome),
            "own": estimate(channels.own),
            "drivers": {driver: estimate(e) for driver, e in channels.drivers},
            "settings": None if channels.settings is None else estimate(channels.settings),
            "reference": None if channels.reference is None else estimate(channels.reference),
            "reference_id": channels.reference_id,
        }
    }


def comparison_to_dict(comparison) -> dict[str, Any]:
    """The JSON document of `growthsim compare`: per target, each scenario's P(hit) and its paired
    difference to the first scenario (rates as fractions)."""

    indicators = []
    for row in comparison.rows:
        per_scenario = []
        channels = row.channels or (None,) * len(row.summaries)
        for summary, difference, through in zip(row.summaries, row.differences, channels, strict=True):
            if summary is None:
                per_scenario.append(
                    {
                        "present": False,
                        **probability_fields("p_hit", None),
                        **_difference_fields(None, comparison.material),
                    }
                )
                continue
            per_scenario.append(
                {
                    "present": True,
                    "target": summary.indicator.target.text,
                    "target_written": summary.indicator.target.written,
                    **probability_fields("p_hit", summary.hit),
                    "p50": summary.quantiles["p50"],
                    **_difference_fields(difference, comparison.material),
                    **_channels_fields(through),
                }
            )
        indicators.append(
            {"id": row.id, "name": row.indicator.name, "unit": row.indicator.unit, "scenarios": per_scenario}
        )
    joint = []
    for summary, difference in zip(comparison.summaries, comparison.joint_differences, strict=True):
        all_hit = summary.joint.all_hit
        joint.append(
            {
                "p_all": all_hit.p if all_hit else None,
                "p_all_se": all_hit.se if all_hit else None,
                "expected_hits": summary.joint.expected_hits,
                "n_targets": summary.joint.n_targets,
                **_difference_fields(difference, comparison.material),
            }
        )
    # each scenario's shock events, as in `run`'s JSON: how often each occurred, P(hit) with and without
    events = [[event_to_dict(e) for e in summary.events] for summary in comparison.summaries]
    return {
        "schema": COMPARE_SCHEMA,
        "growthsim_version": __version__,
        "draws_version": DRAWS_VERSION,  # how draws are made from a seed (engine.streams)
        "scenarios": [scenario_fields(s.scenario) for s in comparison.summaries],
        "draws": comparison.n_draws,
        "seed": comparison.seed,
        "material": comparison.material,  # the smallest difference of P(hit) called material
        "indicators": indicators,
        "joint": joint,
        "notes": list(comparison.notes),
        "events": events,
    }


def comparison_rows(comparison) -> list[dict[str, Any]]:
    """Long form for Excel pivot tables: one row per scenario, indicator and statistic, with the
    indicator's name and its target as written beside the machine columns."""
    document = comparison_to_dict(comparison)
    names = [s["name"] for s in document["scenarios"]]
    rows = []

    def add(number: int, indicator: dict | None, cells: dict, statistic: str, value) -> None:
        rows.append(
            {
                "scenario_no": number,
                "scenario": names[number - 1],
                "indicator": "(all)" if indicator is None else indicator["id"],
                "name": _("all targets") if indicator is None else indicator["name"],
                "target": None if indicator is None else cells.get("target_written") or cells.get("target"),
                "statistic": statistic,
                "value": int(value) if isinstance(value, bool) else value,
            }
        )

    statistics = ("p_hit", "p_hit_se", "p50", "delta", "delta_se", "delta_se_unpaired", "distinguishable", "material")
    for indicator in document["indicators"]:
        for number, cells in enumerate(indicator["scenarios"], start=1):
            if not cells["present"]:
                add(number, indicator, cells, "present", 0)
                continue
            for statistic in statistics:
                if cells[statistic] is not None:
                    add(number, indicator, cells, statistic, cells[statistic])
        for number, cells in enumerate(indicator["scenarios"], start=1):
            channels = cells.get("channels")
            if not channels:
                continue
            parts = [
                ("outcome", channels["outcome"]),
                ("own", channels["own"]),
                *((f"driver:{d}", e) for d, e in channels["drivers"].items()),
                ("settings", channels["settings"]),
                ("reference", channels["reference"]),
            ]
            for part, estimate in parts:
                if estimate is not None:
                    add(number, indicator, cells, f"channel_{part}", estimate["change"])
    for number, cells in enumerate(document["joint"], start=1):
        for statistic in ("p_all", "p_all_se", "expected_hits", "delta", "delta_se", "distinguishable", "material"):
            if cells[statistic] is not None:
                add(number, None, cells, statistic, cells[statistic])
    return rows


def _fmt_difference(difference, material: float) -> Any:
    from rich.text import Text

    points = difference.delta * 100
    margin = difference.margin * 100
    if difference.delta == 0 and difference.se == 0:
        return Text(_("±0 same on every draw"), style="dim")  # the same outcome on every draw
    # a P(all) of a few thousandths of a percent moves by less than 0.05 points: two significant digits
    # then, or "+0.0 ±0.0" would read as no change
    text = Text(f"{points:+.1f} ±{margin:.1f}" if max(abs(points), margin) >= 0.05 else f"{points:+.2g} ±{margin:.2g}")
    words, style = difference_words(difference, material)
    text.append(" " + words, style=style)
    return text


def _fmt_channels(channels, indicator, names: dict[str, str]):
    """'均值 −0.38pp：经固定资产投资 −0.38pp' — where a driven target's change came from (the drawn
    quantity's mean; parts within their Monte Carlo error of 0 are left out)."""
    from rich.text import Text

    def amount(value: float) -> str:
        if indicator.expect.value == "amount":
            return f"{value:+,.0f}{indicator.unit}" if indicator.kind == "count" else f"{value:+,.4g}{indicator.unit}"
        return f"{value * 100:+.2f}pp"

    def moved(estimate) -> bool:  # beyond its Monte Carlo error, and not 0 as shown
        shown = amount(estimate.value).lstrip("+-−").rstrip(indicator.unit + "p")
        return not estimate.ci[0] <= 0 <= estimate.ci[1] and shown.strip("0.,") != ""

    # one part a line, drivers by name (the id where a name is long): columns are narrow
    def named(indicator_id: str) -> str:
        name = names.get(indicator_id, indicator_id)
        return name if len(name) <= 6 else indicator_id

    parts = [
        _("via {driver} {change}").format(driver=named(driver), change=amount(e.value))
        for driver, e in channels.drivers
        if moved(e)
    ]
    if channels.settings is not None and moved(channels.settings):
        parts.append(_("links restated {change}").format(change=amount(channels.settings.value)))
    if channels.reference is not None and moved(channels.reference):
        parts.append(
            _("compared with {other} {change}").format(
                other=channels.reference_id, change=amount(channels.reference.value)
            )
        )
    if moved(channels.own):
        parts.append(_("own part {change}").format(change=amount(channels.own.value)))
    if not parts:
        return None
    return Text(
        _("mean {change}:").format(change=amount(channels.outcome.value)) + "\n" + "\n".join(parts), style="dim"
    )


def _mark(k: int) -> str:
    return "①②③④⑤⑥⑦⑧⑨"[k] if k < 9 else f"({k + 1})"


def column_name(scenario: Scenario) -> str:
    """What heads a scenario's column: its short_name, or its name when that is short; the legend
    under the table gives every name in full (with its file)."""
    if scenario.short_name:
        return scenario.short_name
    from rich.cells import cell_len

    return scenario.name if cell_len(scenario.name) <= 16 else ""


def legend(comparison) -> str:
    """① 洛龙区2023年基准情景（scenarios/luolong-2023-baseline.toml）, one scenario a line."""
    lines = []
    for k, summary in enumerate(comparison.summaries):
        scenario = summary.scenario
        where = _(" ({path})").format(path=scenario.path) if scenario.path else ""
        lines.append(f"{_mark(k)} {scenario.name}{where}")
    return "\n".join(lines)


def comparison_table(comparison):
    """A rich Table: a row per target, a column per scenario, differences to the first below."""
    from rich.table import Table
    from rich.text import Text

    names = [s.scenario.name for s in comparison.summaries]
    names_of = {i.id: i.name for s in comparison.summaries for i in s.scenario.indicators}
    overrides = comparison.summaries[0].scenario.overrides
    table = Table(
        title=_("Scenarios compared: P(hit) of each target")
        + (_("\nchanged for this run --set: {changes}").format(changes="; ".join(overrides)) if overrides else ""),
        caption=legend(comparison)
        + "\n"
        + _(
            "{n} draws, seed {seed}; the scenarios share their random numbers (an indicator draws the same "
            "in each). Differences to “{first}” are in percentage points ± their margin of error (the simulation's "
            "random error of the paired difference, {level} interval); “material” means beyond that error and "
            "at least {material} points (compare --material). For a driven target, the change of the mean "
            "of what it tests (growth, value, or difference to the other indicator) is split by source: via "
            "a driver = what that driver's own change brought through its link; links restated = an "
            "elasticity or reference changed; compared with = the other indicator's change in a relative "
            "target (with its sign turned); own part = the rest."
        ).format(
            n=f"{comparison.n_draws:,}",
            seed=comparison.seed,
            first=names[0],
            level="95%",
            material=f"{comparison.material * 100:g}",
        ),
        caption_justify="left",
        header_style="bold",
    )
    table.add_column(_("indicator"), min_width=12, overflow="fold")  # at 80 columns words fold, never cut
    for k, summary in enumerate(comparison.summaries):
        table.add_column(f"{_mark(k)} {column_name(summary.scenario)}".rstrip(), justify="right", overflow="fold")
    for row in comparison.rows:
        name = Text(row.indicator.name)
        name.append(f"\n{row.id}", style="dim")
        cells = []
        channels = row.channels or (None,) * len(row.summaries)
        for summary, difference, through in zip(row.summaries, row.differences, channels, strict=True):
            if summary is None:
                cells.append(Text(_("no such target"), style="dim"))
                continue
            cell = Text(f"{summary.hit.p * 100:.1f}%", style=band_of(summary.hit.p)[1])
            cell.append(f"  {summary.indicator.target.text}", style="dim")
            cell.append("\n" + probability_bar(summary.hit.p), style=band_of(summary.hit.p)[1])
            if difference is not None:
                cell.append("\n")
                cell.append_text(_fmt_difference(difference, comparison.material))
            explained = None if through is None else _fmt_channels(through, row.indicator, names_of)
            if explained is not None:
                cell.append("\n")
                cell.append_text(explained)
            cells.append(cell)
        table.add_row(name, *cells)
    table.add_section()
    all_cells = []
    for summary, difference in zip(comparison.summaries, comparison.joint_differences, strict=True):
        joint = summary.joint
        if joint.all_hit is None:
            all_cells.append(Text("—"))
            continue
        share = joint_share(joint.all_hit)
        cell = Text(_("all hit {share}").format(share=share))
        if difference is not None:  # the difference is P(all)'s: say so, beside it, not under the next line
            cell.append("\n" + _("all hit") + " ")
            cell.append_text(_fmt_difference(difference, comparison.material))
        cell.append(
            "\n" + _("expected hits {expected}/{n}").format(expected=f"{joint.expected_hits:.1f}", n=joint.n_targets)
        )
        all_cells.append(cell)
    table.add_row(Text(_("all targets\n(not compared when the targets differ)")), *all_cells)
    return captioned(table)
