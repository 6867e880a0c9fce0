"""The options several commands share, declared once: how a planner writes a probability (0.8 or
80%), a seed, a precision and a materiality in percentage points, the sampling methods, the output
formats, and the scenario argument with --set and --plot.
"""

from __future__ import annotations

from enum import Enum
from typing import cast, overload

import typer

from growthsim.i18n import _
from growthsim.scenario.quantities import Expect, QuantityError, parse_quantity

__all__ = [
    "MATERIAL_OPTION",
    "PLOT_OPTION",
    "SCENARIO_ARG",
    "SEEDS",
    "SET_OPTION",
    "Method",
    "OutputFormat",
    "bounded",
    "converted",
    "material_option",
    "points_option",
    "precision_option",
    "probability_option",
    "resolve_indicator_id",
]


class Method(str, Enum):
    mc = "mc"
    lhs = "lhs"
    sobol = "sobol"


def probability_option(value: str | None) -> float | None:
    """A probability as a planner writes it: 0.8 or 80% (full-width ％ too)."""
    if value is None:
        return None
    text = value.strip().replace("％", "%")
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise typer.BadParameter(_("{value!r} is not a probability: write 0.8 or 80%").format(value=value)) from None
    if 1 < number < 100 and not text.endswith("%"):
        raise typer.BadParameter(
            _("{value} is not a probability: write {fraction}, or {percent} with the percent sign").format(
                value=value, fraction=f"{number / 100:g}", percent=f"{value}%"
            )
        )
    if not 0 < number < 1:
        raise typer.BadParameter(_("a probability lies strictly between 0 and 1 (0% and 100%), e.g. 0.8 or 80%"))
    return number


@overload
def converted(value: str) -> float: ...


@overload
def converted(value: str | None) -> float | None: ...


def converted(value: str | None) -> float | None:
    """The value of an option declared as text, as the command receives it. --prob, --precision and
    --material are declared ``str`` so that Typer hands "80%" or "1pp" to their callback (a float
    would refuse them), and the callback (probability_option, precision_option, material_option)
    returns a float: that float, or None where the option is optional and was not given. For the
    type checker only: nothing is converted here."""
    return cast("float | None", value)  # the callback's result, which Typer passes on in its place


def resolve_indicator_id(scenario, given: str) -> str:
    """An indicator given by its id or by its Chinese name (as in the tables)."""
    if given in scenario.ids:
        return given
    by_name = [i.id for i in scenario.indicators if i.name == given.strip()]
    return by_name[0] if len(by_name) == 1 else given


def bounded(low: int, high: int):
    """A whole-number option's check, said in words (click's range, [0<=x<=9223372036854775807] in
    the help, widened its column until the examples beside it broke mid-word at 80 columns)."""

    def check(value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            raise typer.BadParameter(
                _("{value} is out of range: give a whole number from {low} to {high}").format(
                    value=value, low=f"{low:,}", high=f"{high:,}"
                )
            )
        return value

    return check


SEEDS = bounded(0, 2**63 - 1)


def points_option(value: str) -> float:
    """An option given in percentage points ("0.5pp"), as a share; a bad one is a usage error."""

    try:
        return parse_quantity(value, Expect.POINTS)
    except QuantityError as error:
        raise typer.BadParameter(str(error)) from None


def precision_option(value: str | None) -> float | None:
    if value is None:
        return None
    half = points_option(value)
    if not 0 < half < 0.5:
        raise typer.BadParameter(_("give a half-width between 0 and 50 percentage points, e.g. 0.5pp"))
    return half


def material_option(value: str | None) -> float | None:
    if value is None:
        return None
    points = points_option(value)
    if not 0 <= points < 1:
        raise typer.BadParameter(_("give a difference between 0 and 100 percentage points, e.g. 1pp"))
    return points


MATERIAL_OPTION = typer.Option(
    None,
    "--material",
    metavar=_("POINTS"),
    callback=material_option,
    help=_(
        "The smallest difference of P(hit) that matters, e.g. 2pp (default 1pp): differences beyond the "
        "simulation's random error but smaller are shown as such."
    ),
)


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


SCENARIO_ARG = typer.Argument(
    None,
    metavar=_("SCENARIO"),
    help=_("Scenario TOML file (default: the bundled 洛龙区 2023 baseline)."),
    show_default=False,
)


SET_OPTION = typer.Option(
    None,
    "--set",
    metavar=_("KEY=VALUE"),
    help=_(
        "Change one value of the scenario for this run, written as in the file: "
        "--set fai.growth.mode=5%  --set 'gdp.target=\">= 7%\"'. Repeatable."
    ),
)


ACTUALS_OPTION = typer.Option(
    None,
    "--actuals",
    metavar=_("FILE"),
    help=_(
        "Year-to-date actuals (a CSV file or an Excel workbook, as the statistics bureau publishes them: "
        "指标, 时期, 累计值, 累计增长 …): each target's odds given the year so far, and what the rest of the "
        "year must deliver."
    ),
)


HISTORY_OPTION = typer.Option(
    None,
    "--history",
    metavar=_("FILE"),
    help=_("The run history (SQLite) of runs with --actuals (default: outputs/history.sqlite)."),
)
NO_HISTORY_OPTION = typer.Option(
    False, "--no-history", metavar="", help=_("Do not record this run with --actuals in the run history.")
)


PLOT_OPTION = typer.Option(
    None,
    "--plot",
    metavar=_("DIR"),
    help=_(
        "Folder to write charts into, each as PNG and SVG (may be the --out folder). "
        "Needs matplotlib: pip install 'growthsim\\[plot]'."
    ),
)
