"""A scenario as `growthsim show` and `run --verbose` show it: baselines, assumptions in words with
their sources, targets, drivers and events (``scenario_tables``); the correlations as asked, used and
achieved and the links' shares (``correlations_table``, ``links_table``); and the distributions a
file may name (``distributions_table``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from growthsim.i18n import _
from growthsim.output.wording import (
    assumption_spread,
    assumption_words,
    basis_words,
    elasticity_text,
    format_share,
    kind_words,
    one_line,
    spread_text,
)
from growthsim.scenario.families import (
    DISTRIBUTIONS,
)
from growthsim.scenario.periods import Period
from growthsim.scenario.quantities import (
    format_percent,
)
from growthsim.scenario.types import Indicator, Scenario, Seasonal
from growthsim.stats.distributions import quantity_at

__all__ = ["correlations_table", "distributions_table", "links_table", "scenario_tables"]


def correlations_table(rows, method: str, names: dict[str, str] | None = None):
    """Renderable: each correlated pair as asked, as used (after any repair), as achieved on the
    draws it acts on, and on the outcomes (links included); then the pairs the links tie."""
    from rich.table import Table

    names = names or {}
    table = Table(
        title=_("correlations and links ({method})").format(method=method),
        header_style="bold",
        caption_justify="left",
        caption=_(
            "asked and used (after any repair) are rank correlations of the indicators' own draws "
            "(for a driven indicator: what its drivers leave unexplained); achieved: their Spearman "
            "correlation over the first 65,536 draws, shock events included; outcomes: the "
            "correlation of the outcomes, links included"
        ),
    )
    table.add_column(_("pair"), overflow="fold")
    table.add_column(_("asked"), justify="right", overflow="fold")
    table.add_column(_("used"), justify="right", overflow="fold")
    table.add_column(_("achieved"), justify="right", overflow="fold")
    table.add_column(_("outcomes"), justify="right", overflow="fold")

    def shown(value: float | None) -> str:  # a fixed value has no rank correlation
        return "—" if value is None or not math.isfinite(value) else f"{value:.2f}"

    for check in rows:
        pair = f"{names.get(check.a, check.a)} ~ {names.get(check.b, check.b)}"
        if check.link:
            pair += " " + _("(link)")
        table.add_row(pair, shown(check.asked), shown(check.used), shown(check.achieved), shown(check.outcomes))
    return table


def links_table(scenario: Scenario, shares):
    """Renderable for `show`: every link (driver, elasticity, reference value, rationale), and for each
    driven indicator the spread of its outcome and the share of it its drivers explain."""
    from rich.table import Table
    from rich.text import Text

    by_id = {i.id: i for i in scenario.indicators}
    share_of = {share.indicator: share for share in shares}
    table = Table(
        title=_("links (drivers)"),
        header_style="bold",
        caption_justify="left",
        caption=_(
            "outcome = own draw + Σ elasticity × (driver's outcome − reference value); explained: "
            "the share of the outcome's variance the links explain (first 65,536 draws)"
        ),
    )
    table.add_column(_("indicator"), overflow="fold")
    table.add_column(_("driver"), overflow="fold")
    table.add_column(_("elasticity / reference"), overflow="fold")
    table.add_column(_("source / rationale"), overflow="fold")
    for indicator in scenario.indicators:
        if not indicator.drivers:
            continue
        name = Text(indicator.name)
        name.append(f"\n{indicator.id}", style="dim")
        share = share_of.get(indicator.id)
        if share is not None:
            name.append(
                "\n"
                + _("outcome: sd {sd}, {level} in [{low}, {high}]").format(
                    sd=spread_text(indicator, share.sd),
                    level="90%",
                    low=indicator.fmt(share.p05),
                    high=indicator.fmt(share.p95),
                )
            )
            name.append("\n" + _("own part: sd {sd}").format(sd=spread_text(indicator, share.sd_own)))
            name.append(
                "\n" + _("explained by the links: {share}").format(share=f"{share.share * 100:.0f}%"), style="bold"
            )
        for k, driver in enumerate(indicator.drivers):  # a row per link, the indicator in the first
            other = by_id[driver.indicator]
            elasticity = Text(elasticity_text(driver))
            elasticity.append(_changed_by(scenario, indicator.id, driver.indicator, "elasticity"), style="cyan")
            elasticity.append("\n" + _("at {value}").format(value=other.fmt(driver.at)))
            elasticity.append(_changed_by(scenario, indicator.id, driver.indicator, "at"), style="cyan")
            reasons = Text(one_line(driver.rationale))
            if driver.source:
                reasons.append(
                    ("\n" if driver.rationale else "") + _("source: {source}").format(source=driver.source), style="dim"
                )
            if not (driver.rationale or driver.source):
                reasons.append("—")
            table.add_row(
                name if k == 0 else Text(""),
                Text(f"{other.name}\n{other.id}"),
                elasticity,
                reasons,
                end_section=k == len(indicator.drivers) - 1,
            )
    return table


def _changed_by(scenario: Scenario, indicator_id: str, driver_id: str, key: str) -> str:
    """' ← parent.toml' (or ← --set …) when a layer other than the scenario's own file wrote a link's key."""
    label = scenario.origin("indicators", indicator_id, "drivers", driver_id, key)
    if label is None or label == scenario.path:
        return ""
    return f" ← {label if label.startswith('--') else Path(label).name}"


def scenario_tables(scenario: Scenario) -> list:
    """Renderables for `growthsim show`: the scenario as growthsim understands it."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    header = Text()
    header.append(scenario.name, style="bold")
    if scenario.path:
        assert scenario.sha256 is not None  # load_scenario sets the path and the file's sha256 together
        header.append(f"\n{scenario.path}  sha256 {scenario.sha256[:12]}…", style="dim")
    header.append(
        "\n"
        + _("{base} → {target}; {n} draws; seed {seed}").format(
            base=scenario.base_year,
            target=scenario.target_year,
            n=f"{scenario.draws:,}",
            seed=scenario.seed if scenario.seed is not None else _("fresh each run"),
        )
    )
    if scenario.source:
        header.append("\n" + _("source: {source}").format(source=scenario.source))
    if scenario.description:
        header.append("\n" + one_line(scenario.description))
    if len(scenario.files) > 1:
        header.append(
            "\n" + _("extends: {chain}").format(chain=" → ".join(path for path, _sha in scenario.files[1:])),
            style="dim",
        )
    if scenario.overrides:
        header.append("\n--set: " + "; ".join(scenario.overrides), style="bold")
    out: list = [Panel(header, expand=False)]

    def layer_name(label: str | None) -> str | None:
        if label is None or label == scenario.path:
            return None  # the scenario's own file: nothing to mark
        return label if label.startswith("--set") else Path(label).name

    def from_event(event_id: str) -> str:
        name = layer_name(scenario.origin("events", event_id))
        return "" if name is None else f"\n← {name}"

    def keys_from(table: tuple[str, ...], keys) -> str:
        """Lines 'mode, sd_up ← parent.toml' for the keys of a table written by other layers."""
        by_layer: dict[str, list[str]] = {}
        for key in keys:
            if ("indicators", *table, key) not in scenario.origins:
                continue  # a key the table does not have
            layer = layer_name(scenario.origin("indicators", *table, key))
            if layer is not None:
                by_layer.setdefault(layer, []).append(key)
        return "".join(f"\n{', '.join(keys)} ← {layer}" for layer, keys in by_layer.items())

    def from_where(*path: str) -> str:
        """'← parent.toml' when a value was written by a layer other than the scenario's own file."""
        name = layer_name(scenario.origin("indicators", *path))
        return "" if name is None else f"\n← {name}"

    # every column folds, none cuts: a source or a rationale is read whole, at any width
    table = Table(show_lines=True, header_style="bold")
    table.add_column(_("indicator"), overflow="fold", ratio=2, min_width=12)
    table.add_column(_("kind / baseline"), overflow="fold", ratio=3)
    table.add_column(_("assumption"), overflow="fold", ratio=5)
    table.add_column(_("target"), overflow="fold", ratio=3)
    for indicator in scenario.indicators:
        name = Text(indicator.name)
        name.append(f"\n{indicator.id} ({indicator.unit})", style="dim")

        base = Text(kind_words(indicator.kind) + (", " + basis_words(indicator.basis) if indicator.basis else ""))
        if indicator.baseline is not None:
            base.append(f"\n{scenario.base_year}: {indicator.fmt_baseline()}")
            if indicator.rationale and not indicator.source:  # a baseline the report does not give
                base.append(" " + _("(assumed)"), style="bold")
                base.append("\n" + _("rationale: {text}").format(text=one_line(indicator.rationale)), style="dim")
        if indicator.growth_2022 is not None:
            base.append(f" ({format_percent(indicator.growth_2022, signed=True)})")
        if indicator.source:
            base.append("\n" + _("source: {source}").format(source=indicator.source), style="dim")
        base.append(from_where(indicator.id, "baseline") if indicator.baseline is not None else "", style="cyan")
        if indicator.note:
            base.append("\n" + _("note: {note}").format(note=indicator.note), style="dim italic")
        if indicator.seasonal is not None:  # used only with year-to-date actuals
            base.append("\n" + seasonal_words(indicator.seasonal), style="dim")
        if indicator.measured == "year_end":
            base.append("\n" + _("through the year: read at the year's end"), style="dim")

        text = _assumption_text(indicator)
        if indicator.assumption is not None:
            keys = [*indicator.assumption.written, "source", "rationale"]
            text.append(keys_from((indicator.id, indicator.assumption.on), keys), style="cyan")
        else:
            text.append(keys_from((indicator.id,), ["formula", "metric"]), style="cyan")

        target = indicator.target
        if target is None:
            target_text = Text("—")
        else:
            target_text = Text(target.text, style="bold")
            if target.written:
                target_text.append(f"\n“{target.written}”")
            target_text.append(f"\n{target.explain()}")
            if target.source:
                target_text.append("\n" + _("source: {source}").format(source=target.source), style="dim")
            target_keys = (
                "at_least",
                "at_most",
                "about",
                "between",
                "relative_to",
                "tolerance",
                "side",
                "stretch",
                "text",
                "source",
            )
            target_text.append(keys_from((indicator.id, "target"), target_keys), style="cyan")
        table.add_row(name, base, text, target_text)
    out.append(table)
    if scenario.events:
        events = Table(title=_("shock events"), show_lines=True, header_style="bold")
        events.add_column(_("event"), overflow="fold")
        events.add_column(_("probability"), justify="right", overflow="fold")
        events.add_column(_("effects"), overflow="fold")
        events.add_column(_("source / rationale"), overflow="fold")
        for event in scenario.events:
            effects = "\n".join(f"{e.indicator}: {e.kind} {e.written}" for e in event.effects)
            group = _("\n(exclusive group {group})").format(group=event.group) if event.group else ""
            basis = event.source or one_line(event.rationale)
            events.add_row(
                f"{event.name}\n{event.id}{group}{from_event(event.id)}",
                format_share(event.probability),
                effects,
                basis,
            )
        out.append(events)
    return out


def _assumption_text(indicator: Indicator):
    """What an indicator draws, in words and as written in the file (with its median and 90%
    range), or the formula it is derived by."""
    from rich.text import Text

    assumption = indicator.assumption
    if assumption is None:
        assert indicator.formula is not None  # an indicator without an assumption is derived by its formula
        text = Text(f"{indicator.metric} = {indicator.formula.text}")
        text.append("\n" + _("(derived on each draw from the indicators it names)"), style="dim")
        return text
    params = ", ".join(f"{k} = {v}" for k, v in assumption.written.items() if k != "dist")
    text = Text(assumption_words(indicator))
    text.append(f"\n{assumption.on} ~ {assumption.dist}({params})", style="dim")
    for line, bold in assumption_spread(indicator):
        text.append("\n" + line, style="bold" if bold else "")
    if assumption.law is not None:
        law = assumption.law
        lo, hi = quantity_at(law, np.array([0.05, 0.95]), indicator.kind == "count")
        text.append(
            "\n"
            + _(
                "held within {law} ({level} in [{low}, {high}], from {origin}): correlated partners "
                "are drawn given the value"
            ).format(
                law=law.name, level="90%", low=indicator.fmt(lo), high=indicator.fmt(hi), origin=assumption.law_origin
            ),
            style="bold",
        )
    if assumption.source:
        text.append("\n" + _("source: {source}").format(source=assumption.source), style="dim")
    if assumption.rationale:
        text.append("\n" + _("rationale (assumption): {text}").format(text=one_line(assumption.rationale)), style="dim")
    return text


def seasonal_words(seasonal: Seasonal) -> str:
    """'share of the year by 一季度 22.3%, 上半年 46.5% … (± 2pp)': what year-to-date actuals are set against."""
    shares = ", ".join(f"{Period(1, month).words()} {share * 100:.1f}%" for month, share in seasonal.points)
    words = _("share of the year by {shares}").format(shares=shares)
    if seasonal.sd:
        words += f" (± {seasonal.sd * 100:g}pp)"
    return words


def distributions_table():
    """Renderable for `growthsim distributions`, read from the registry."""
    from rich.table import Table

    table = Table(show_lines=True, header_style="bold", title=_("Distributions for assumptions"))
    table.add_column("dist", no_wrap=True)
    table.add_column(_("parameters"), overflow="fold")
    table.add_column(_("meaning"), overflow="fold")
    table.add_column(_("example (a growth)"), overflow="fold")
    for spec in DISTRIBUTIONS.values():
        forms = " | ".join(", ".join(form) for form in spec.forms)
        optional = [
            _("{name} (default {value})").format(name=p.name, value=f"{p.default:g}")
            for p in spec.params
            if p.default is not None
        ]
        params = forms + (_("; optional: {names}").format(names=", ".join(optional)) if optional else "")
        table.add_row(spec.name, params, _(spec.meaning), spec.example)
    return table
