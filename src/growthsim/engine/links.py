"""After the draws: the rows computed from other rows on the same draw — derived
indicators (a formula) and driven indicators (their own draw plus links) — in one graph.

A link says one indicator moves *because* another does: a driven indicator's outcome is

    own draw + sum over its drivers of elasticity x (driver's outcome - at)

where ``at`` is the driver's value at which the indicator's own assumption is stated. Drivers may
be derived or driven themselves, and formulas may use driven indicators, so formulas and links
form one graph, evaluated in topological order (validation ruled out cycles). Shock events act
on the drawn values before this stage, so an event on a driver reaches its dependents through the
links, and an event on a driven indicator moves its own part.

A correlation, by contrast, only says that two indicators' draws move together: it acts on the
own draws, before the links, and a what-if that changes one indicator does not carry over to a
partner through it.
"""

from __future__ import annotations

from collections.abc import Container

import numpy as np

from growthsim.engine.conditioning import apply_known
from growthsim.engine.model import Model
from growthsim.i18n import _
from growthsim.scenario.diagnostics import ScenarioError
from growthsim.scenario.quantities import largest
from growthsim.stats.arrays import Floats

__all__ = ["compute_rows", "link_terms", "own_part"]


def compute_rows(
    model: Model, values: Floats, shares: dict[int, Floats | None] | None = None, only: Container[int] | None = None
) -> None:
    """Compute the derived rows and add the driven rows' links, in place, in topological order.
    ``values`` (n_indicators, n) holds the drawn rows after correlations and events; ``shares``
    each conditioned row's drawn share of the year known (conditioning.drawn_shares). With
    ``only``, those computed rows alone (the others hold their values already)."""
    for row in model.computed_rows:
        if only is not None and row not in only:
            continue
        indicator = model.indicators[row]
        if indicator.formula is not None:

            def lookup(indicator_id: str, field: str) -> Floats:
                used = model.rows[indicator_id]
                # Indicator.field_values (scenario.types) is untyped: a field of a float64 row is float64
                field_values: Floats = model.indicators[used].field_values(field, values[used])
                return field_values

            result = np.broadcast_to(indicator.formula.evaluate(lookup), values[row].shape)
            _require_finite(
                model,
                indicator.id,
                "formula",
                result,
                _(
                    "the formula gives no finite value on {bad} of {n} draws (a division by zero, or the log of a "
                    "number that is not positive): change the formula or its inputs"
                ),
            )
            _require_bounded(model, indicator.id, "formula", result)
            values[row] = result
            continue
        total = values[row].copy()
        for driver_row, elasticity, at in model.links[row]:
            total += elasticity * (values[driver_row] - at)
        _require_finite(
            model,
            indicator.id,
            "drivers",
            total,
            _(
                "the links give no finite value on {bad} of {n} draws: an elasticity is too large for the values "
                "its driver takes"
            ),
        )
        _require_bounded(model, indicator.id, "drivers", total)
        if model.is_count[row]:  # a count stays a whole number, and not below zero
            np.maximum(np.rint(total, out=total), 0.0, out=total)
        values[row] = total
        if row in model.known:  # the annual outcome with its links is the January view the year so far moves
            apply_known(model.known[row], values[row], model.is_count[row], (shares or {}).get(row))


def link_terms(model: Model, values: Floats, row: int) -> list[tuple[int, Floats]]:
    """(driver row, elasticity x (driver's outcome - at)) for each driver of ``row``, per draw,
    from the final values: what each link added to the row's outcome."""
    return [
        (driver_row, elasticity * (values[driver_row] - at)) for driver_row, elasticity, at in model.links.get(row, ())
    ]


def own_part(model: Model, values: Floats, row: int) -> Floats:
    """The row's outcome less what its links added: its own draw (for a count, up to rounding)."""
    own: Floats = values[row].copy()
    for _driver, term in link_terms(model, values, row):
        own -= term
    return own


def _require_finite(model: Model, indicator_id: str, key: str, result: Floats, message: str) -> None:
    bad = ~np.isfinite(result)
    if bad.any():
        said = message.format(bad=f"{int(bad.sum()):,}", n=f"{bad.size:,}")
        raise ScenarioError([model.scenario.diagnostic(("indicators", indicator_id, key), said)])


def _require_bounded(model: Model, indicator_id: str, key: str, result: Floats) -> None:
    """A computed value beyond what a file may write (a growth of 10,000%, an amount of 1e15) is no
    projection: refused at the formula or the links, before it reaches a sum, a table or a file."""
    indicator = model.indicators[model.rows[indicator_id]]
    bound, written = largest(indicator.expect)
    beyond = np.abs(result) > bound
    if beyond.any():
        template = (
            _("the formula gives values beyond {largest} either way on {bad} of {n} draws: no projection is that large")
            if key == "formula"
            else _(
                "the links give values beyond {largest} either way on {bad} of {n} draws: an elasticity is too large "
                "for the values its driver takes"
            )
        )
        said = template.format(largest=written, bad=f"{int(beyond.sum()):,}", n=f"{beyond.size:,}")
        raise ScenarioError([model.scenario.diagnostic(("indicators", indicator_id, key), said)])
