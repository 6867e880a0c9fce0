"""`growthsim calibrate`: assumptions learnt from a place's record of targets and outcomes; with
--out, a scenario file whose assumption blocks cite the record's rows and the method."""

from __future__ import annotations

import os
import re
from pathlib import Path

import typer

from growthsim.cli.app import Command, app
from growthsim.cli.common import fail, invoked_command_line, load, make_console, refused, write_utf8
from growthsim.cli.options import OutputFormat
from growthsim.i18n import _

__all__ = ["calibrate"]


@app.command(
    cls=Command,
    help=_(
        "Learn each indicator's spread from a record of past targets and outcomes (CSV or .xlsx): "
        "bias, downside and upside spreads, the share of years met and this year's odds; with --out, "
        "write them as scenario assumptions."
    ),
)
def calibrate(
    record: Path = typer.Argument(
        ...,
        metavar=_("HISTORY"),
        help=_("The record: one row per place, indicator and year, with target, outcome and unit."),
        show_default=False,
    ),
    indicators: list[str] | None = typer.Option(
        None,
        "--indicator",
        "-i",
        metavar=_("NAME[=ID]"),
        help=_(
            "Only this indicator of the record (repeatable); NAME=ID also names it ID in --out's file "
            "(--indicator GDP_real=gdp)."
        ),
    ),
    places: list[str] | None = typer.Option(
        None, "--place", metavar=_("PLACE"), help=_("Only this place of the record (repeatable).")
    ),
    exclude: list[str] | None = typer.Option(
        None,
        "--exclude",
        metavar=_("YEAR:REASON"),
        help=_("Leave a year out, with the reason (repeatable): --exclude 2020:疫情冲击."),
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        metavar=_("FILE.toml"),
        help=_("Write the fitted assumptions as a scenario file (checked by loading it before it is written)."),
    ),
    extends: Path | None = typer.Option(
        None,
        "--extends",
        metavar=_("SCENARIO"),
        help=_(
            "With --out: the scenario the file extends; each block is centred on that scenario's target "
            "and written for its indicator's kind."
        ),
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.table, "--format", "-f", metavar=_("FORMAT"), help=_("table for people; json for programs.")
    ),
) -> None:
    """Learn each indicator's spread from a record of past targets and outcomes."""
    from growthsim.analysis.calibrate import calibrate as fit
    from growthsim.output.calibration import calibration_notes, calibration_record, calibration_table
    from growthsim.output.records import dumps
    from growthsim.output.tables import Prose
    from growthsim.scenario.diagnostics import ScenarioError
    from growthsim.scenario.record import read_record

    if output_format is OutputFormat.csv:
        raise typer.BadParameter(_("use --format table or json"), param_hint="--format")
    if extends is not None and out is None:
        raise typer.BadParameter(_("--extends says what --out's file extends: give --out too"), param_hint="--extends")
    names = _names(indicators or [])
    excluded = _exclusions(exclude or [])
    base = load(extends) if extends is not None else None
    if out is not None:
        _check_out(out)
    try:
        history = read_record(record)
    except ScenarioError as error:
        raise refused(record, error) from None
    _known(history, names, places or [])
    calibration = fit(history, list(names) or None, places or None, excluded)
    if out is not None:
        _write(calibration, names, base, extends, out)
    if output_format is OutputFormat.json:
        write_utf8(dumps(calibration_record(calibration)))
        return
    console = make_console()
    console.print(calibration_table(calibration))
    for line in calibration_notes(calibration):
        console.print(Prose(line, style="dim"))
    if out is not None:
        make_console(stderr=True).print(_("wrote {file}").format(file=out), style="dim", markup=False)


def _names(indicators: list[str]) -> dict[str, str | None]:
    """--indicator NAME or NAME=ID: the record's name -> the id given for --out (None: made from the name)."""
    from growthsim.scenario.types import ID_PATTERN

    names: dict[str, str | None] = {}
    for given in indicators:
        name, _sep, key = given.partition("=")
        name, key = name.strip(), key.strip()
        if not name or (_sep and not ID_PATTERN.match(key)):
            raise typer.BadParameter(
                _("{value!r}: give NAME or NAME=ID, the id in lower-case letters, digits and _ (GDP_real=gdp)").format(
                    value=given
                ),
                param_hint="--indicator",
            )
        names[name] = key or None
    return names


def _exclusions(exclude: list[str]) -> dict[int, str]:
    years: dict[int, str] = {}
    for given in exclude:
        year, _sep, reason = given.partition(":")
        if not re.fullmatch(r"\s*\d{4}\s*", year) or not reason.strip():
            raise typer.BadParameter(
                _("{value!r}: give the year and the reason, e.g. --exclude 2020:疫情冲击").format(value=given),
                param_hint="--exclude",
            )
        years[int(year)] = reason.strip()
    return years


def _known(history, names: dict[str, str | None], places: list[str]) -> None:
    """Every --indicator and --place names something in the record."""
    from growthsim.scenario.diagnostics import did_you_mean

    in_record = {row.indicator for row in history.rows}
    for name in names:
        if name not in in_record:
            raise fail(
                _("--indicator {name!r} is not in {file}{hint}; it has {names}").format(
                    name=name,
                    file=history.label,
                    hint=did_you_mean(name, in_record),
                    names=", ".join(sorted(in_record)),
                )
            )
    at = {row.place for row in history.rows}
    for place in places:
        if place not in at:
            raise fail(
                _("--place {name!r} is not in {file}{hint}; it has {names}").format(
                    name=place, file=history.label, hint=did_you_mean(place, at), names=", ".join(sorted(at))
                )
            )


def _check_out(out: Path) -> None:
    from growthsim.output.calibration import CALIBRATION_MARKER
    from growthsim.output.staging import OutputError, check_single_file

    if out.suffix.lower() != ".toml":
        raise typer.BadParameter(
            _("{path}: the file is a scenario, name it .toml").format(path=out), param_hint="--out"
        )
    try:
        check_single_file(out, CALIBRATION_MARKER, "calibrated.toml")
    except OutputError as error:
        raise fail(str(error)) from None


def _slug(name: str) -> str | None:
    """A record's indicator name as a scenario id (GDP_real -> gdp_real), or None if it makes none."""
    from growthsim.scenario.types import ID_PATTERN

    text = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    return text if ID_PATTERN.match(text) else None


def _write(calibration, names: dict[str, str | None], base, extends: Path | None, out: Path) -> None:
    """The --out file: a block per fitted indicator, checked by loading it (with what it extends)
    from a temporary file beside ``out`` before it replaces anything."""
    from growthsim.output.calibration import CALIBRATION_MARKER, calibration_toml
    from growthsim.output.staging import OutputError, write_single_file_with
    from growthsim.scenario.diagnostics import ScenarioError, did_you_mean
    from growthsim.scenario.loading import load_scenario

    fitted = [c for c in calibration.results if c.against_target is not None]
    if not fitted:
        raise fail(_("nothing to write: no indicator of the record has enough years to fit"))
    blocks: dict[str, tuple] = {}
    for c in fitted:
        key = names.get(c.indicator) or _slug(c.indicator)
        if key is None:
            raise fail(
                _("{name!r} needs an id for --out: --indicator {name}=ID (lower-case letters, digits and _)").format(
                    name=c.indicator
                )
            )
        if key in blocks:
            raise fail(
                _("{key} is fitted for more than one place ({places}): choose one with --place").format(
                    key=key, places=", ".join(sorted({blocks[key][0].place, c.place}))
                )
            )
        blocks[key] = _block(c, key, base, did_you_mean)
    relative = None if extends is None else os.path.relpath(extends.resolve(), out.resolve().parent)
    text = calibration_toml(calibration, blocks, relative, " ".join(invoked_command_line()))

    def write(temporary: Path) -> None:
        temporary.write_text(text, encoding="utf-8")
        if base is not None:  # the file must load with what it extends, or nothing is written
            load_scenario(temporary)

    try:
        write_single_file_with(out, write, CALIBRATION_MARKER, "calibrated.toml")
    except ScenarioError as error:  # a bug of ours, but told as what it is: the file would not load
        raise refused(out, error) from None
    except OutputError as error:
        raise fail(str(error)) from None


def _block(c, key: str, base, did_you_mean):
    """(calibrated, assumption key, target, unit) of one block: from the extended scenario's
    indicator, or without one from the record's row of this year's target."""
    if base is None:
        if c.this_year is None:
            raise fail(
                _(
                    "{name}: the record has no row of this year's target (a target without an outcome): add one, "
                    "or give --extends SCENARIO to centre on its target"
                ).format(name=c.indicator)
            )
        growth = c.percent and re.search(r"yoy|growth|增长|增速", f"{c.unit} {c.indicator}", re.I)
        return c, "growth" if growth else "level", c.this_year.target, c.unit
    indicator = base.indicator(key) if key in base.ids else None
    if indicator is None:
        raise fail(
            _("{key} is not an indicator of {file}{hint}: name it with --indicator {name}=ID").format(
                key=key, file=base.path, hint=did_you_mean(key, base.ids), name=c.indicator
            )
        )
    target = indicator.target
    if indicator.assumption is None or target is None or target.value is None:
        raise fail(
            _("{key}: {file} gives it no assumption and single target to centre a calibrated law on").format(
                key=key, file=base.path
            )
        )
    percent = target.expect.value in ("percent", "points")
    if percent != c.percent:
        raise fail(
            _("{key}: the record's {name} is in {unit}, but the scenario's target is {written}").format(
                key=key, name=c.indicator, unit=c.unit, written=target.written or target.value
            )
        )
    if indicator.drivers:
        make_console(stderr=True).print(
            _(
                "note: {key} has drivers in {file}: the calibrated law is the whole outcome's spread, and its "
                "drivers will add theirs on top"
            ).format(key=key, file=base.path),
            style="yellow",
            markup=False,
        )
    return c, indicator.assumption.on, target.value, indicator.unit
