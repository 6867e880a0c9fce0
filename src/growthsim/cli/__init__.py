"""The `growthsim` command: a thin layer that parses options, calls the library, renders the result.

Exit codes: 0 success; 1 a problem in the user's input (scenario file, output folder); 2 a usage
error (unknown option, bad option value); 3 an internal error (a bug: please report it); 130 when
interrupted. Nothing a user can cause prints a traceback.
"""

from __future__ import annotations

import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import List, Optional

from growthsim._version import __version__
from growthsim.i18n import LANGUAGES, N_, _, language, ngettext

language()  # before Typer is imported: its own strings ("Options" …) are translated when it loads

import typer  # noqa: E402 - after the language is chosen
from typer.core import TyperCommand, TyperGroup  # noqa: E402

EXIT_INPUT = 1
EXIT_INTERNAL = 3

def _fold_long_words() -> None:
    """Chinese has no spaces to wrap at, so a help sentence is one long "word" that Typer's tables
    would cut off with "…" in a narrow terminal: let every help text fold instead. (Typer makes
    them in rich_utils._make_rich_text; if a later Typer renames it, help is only cut, not broken.)"""
    from typer import rich_utils

    make = getattr(rich_utils, "_make_rich_text", None)
    if make is None or getattr(make, "folds", False):
        return

    def folding(*args, **kwargs):
        text = make(*args, **kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    folding.folds = True  # type: ignore[attr-defined]
    rich_utils._make_rich_text = folding


_fold_long_words()


def _no_python_type_names() -> None:
    """Typer writes a parameter's Python type beside it where it has no metavar (<list[Path]>,
    <bool>): words of code in a planner's help. The metavar (情景文件) and the help text say what to
    give. (If a later Typer renames the method, the type names come back; nothing breaks.)"""
    from typer.core import TyperArgument, TyperOption

    for kind in (TyperArgument, TyperOption):
        shown = getattr(kind, "display_type_rich", None)
        if shown is None or getattr(shown, "plain", False):
            continue

        def plain(self, ctx, _shown=shown):
            words = _shown(self, ctx)
            return None if words is None or str(words).startswith("<") else words

        plain.plain = True  # type: ignore[attr-defined]
        kind.display_type_rich = plain


_no_python_type_names()


# Typer's usage errors ("Invalid value for '--draws' / '-n': Input should be ...") are English
# sentences built inside it; growthsim says them in its own language, pattern by pattern (the
# part growthsim wrote itself, a BadParameter's message, is already translated).
_USAGE_ERRORS = (
    (r"Invalid value for (?P<param>.+?): (?P<reason>.*)", N_("invalid value for {param}: {reason}")),
    (r"No such option: (?P<name>\S+)(?P<rest>.*)", N_("no such option: {name}{rest}")),
    (r"Got unexpected extra arguments? ?(?:\(s\))? \((?P<args>.*)\)", N_("unexpected extra arguments: {args}")),
    (r"Missing option (?P<name>.+?)\.?", N_("missing option {name}")),
    (r"Missing argument (?P<name>.+?)\.?", N_("missing argument {name}")),
)
_USAGE_REASONS = (
    (r"Input should be greater than or equal to (?P<n>\S+)", N_("it must be at least {n}")),
    (r"Input should be less than or equal to (?P<n>\S+)", N_("it must be at most {n}")),
    (r"Input should be greater than (?P<n>\S+)", N_("it must be greater than {n}")),
    (r"Input should be less than (?P<n>\S+)", N_("it must be less than {n}")),
    (r"Input should be a valid integer.*", N_("it must be a whole number")),
    (r"Input should be a valid number.*", N_("it must be a number")),
    (r"Value error, (?P<value>.*) is not one of (?P<choices>.*?)\.?", N_("{value} is not one of {choices}")),
)


def _translated_usage_error(text: str) -> str:
    import re

    def first(patterns, text: str):
        for pattern, message in patterns:
            match = re.fullmatch(pattern, text.strip(), flags=re.S)
            if match:
                return _(message).format(**match.groupdict())
        return text

    match = re.fullmatch(_USAGE_ERRORS[0][0], text.strip(), flags=re.S)
    if match:
        return _(_USAGE_ERRORS[0][1]).format(param=match["param"], reason=first(_USAGE_REASONS, match["reason"]))
    return first(_USAGE_ERRORS[1:], text)


def _translate_usage_errors() -> None:
    """Wrap Typer's printer of usage errors so that the message is growthsim's language."""
    from typer import main as typer_main, rich_utils

    show = getattr(rich_utils, "rich_format_error", None)
    if show is None or getattr(show, "translates", False):
        return

    def translating(error) -> None:
        message = _translated_usage_error(error.format_message())
        error.format_message = lambda: message
        show(error)

    translating.translates = True  # type: ignore[attr-defined]
    rich_utils.rich_format_error = translating
    if getattr(typer_main, "rich_format_error", None) is show:  # a module that imported the function itself
        typer_main.rich_format_error = translating


_translate_usage_errors()


class _Translated:
    """Typer's help in growthsim's language: the strings it does not pass through gettext."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=_("Usage: "))


class _Command(_Translated, TyperCommand):
    pass


class _Group(_Translated, TyperGroup):
    pass


app = typer.Typer(
    cls=_Group,
    name="growthsim",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Method(str, Enum):
    mc = "mc"
    lhs = "lhs"
    sobol = "sobol"


def _probability_option(value: Optional[str]) -> Optional[float]:
    """A probability as a planner writes it: 0.8 or 80% (full-width ％ too)."""
    if value is None:
        return None
    text = value.strip().replace("％", "%")
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise typer.BadParameter(_("{value!r} is not a probability: write 0.8 or 80%").format(value=value)) from None
    if 1 < number < 100 and not text.endswith("%"):
        raise typer.BadParameter(_("{value} is not a probability: write {fraction}, or {percent} with the percent "
                                   "sign").format(value=value, fraction=f"{number / 100:g}", percent=f"{value}%"))
    if not 0 < number < 1:
        raise typer.BadParameter(_("a probability lies strictly between 0 and 1 (0% and 100%), e.g. 0.8 or 80%"))
    return number


def _indicator_id(scenario, given: str) -> str:
    """An indicator given by its id or by its Chinese name (as in the tables)."""
    if given in scenario.ids:
        return given
    by_name = [i.id for i in scenario.indicators if i.name == given.strip()]
    return by_name[0] if len(by_name) == 1 else given


def _bounded(low: int, high: int):
    """A whole-number option's check, said in words (click's range, [0<=x<=9223372036854775807] in
    the help, widened its column until the examples beside it broke mid-word at 80 columns)."""

    def check(value: Optional[int]) -> Optional[int]:
        if value is not None and not low <= value <= high:
            raise typer.BadParameter(_("{value} is out of range: give a whole number from {low} to {high}").format(
                value=value, low=f"{low:,}", high=f"{high:,}"))
        return value

    return check


SEEDS = _bounded(0, 2**63 - 1)


def _points(value: str) -> float:
    """An option given in percentage points ("0.5pp"), as a share; a bad one is a usage error."""
    from growthsim.scenario.quantities import Expect, QuantityError, parse_quantity

    try:
        return parse_quantity(value, Expect.POINTS)
    except QuantityError as error:
        raise typer.BadParameter(str(error)) from None


def _precision(value: Optional[str]) -> Optional[float]:
    if value is None:
        return None
    half = _points(value)
    if not 0 < half < 0.5:
        raise typer.BadParameter(_("give a half-width between 0 and 50 percentage points, e.g. 0.5pp"))
    return half


def _material(value: Optional[str]) -> Optional[float]:
    if value is None:
        return None
    points = _points(value)
    if not 0 <= points < 1:
        raise typer.BadParameter(_("give a difference between 0 and 100 percentage points, e.g. 1pp"))
    return points


MATERIAL_OPTION = typer.Option(
    None, "--material", metavar=_("POINTS"), callback=_material,
    help=_("The smallest difference of P(hit) that matters, e.g. 2pp (default 1pp): differences beyond the "
           "simulation's random error but smaller are shown as such."))


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def _console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not os.environ.get("COLUMNS") and not stream.isatty():
        width = 160  # a file or a pipe: do not squeeze the table to 80 columns
    return Console(stderr=stderr, width=width, highlight=False)


def _fail(message: str) -> typer.Exit:
    from rich.markup import escape  # a message may hold brackets: growthsim[plot], a path like a[1]

    prefix = _("error:")  # outside the f-string: Babel does not look inside one
    _console(stderr=True).print(f"[bold red]{escape(prefix)}[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(EXIT_INPUT)


def _print_diagnostics(diagnostics) -> None:
    console = _console(stderr=True)
    for diagnostic in diagnostics:
        style = "yellow" if diagnostic.severity == "warning" else "red"
        console.print(diagnostic.render(), style=style, soft_wrap=True, markup=False)


def _load(path: Path, overrides: Optional[List[str]] = None, what_if: Optional[List[str]] = None):
    """Load a scenario (with its --set overrides, or as a --what-if), or print every problem and exit 1."""
    from growthsim.analysis.compare import what_if as changed_by
    from growthsim.scenario.diagnostics import ScenarioError
    from growthsim.scenario.loading import load_scenario

    try:
        if what_if:
            scenario = changed_by(path, what_if, overrides or ())
        else:
            scenario = load_scenario(path, overrides or ())
    except ScenarioError as error:
        _print_diagnostics(error.diagnostics)
        errors = sum(d.severity == "error" for d in error.diagnostics)
        _console(stderr=True).print(ngettext("{path}: {n} problem; nothing was run.",
                                             "{path}: {n} problems; nothing was run.", errors).format(path=path, n=errors),
                                    style="bold red", markup=False)
        raise typer.Exit(EXIT_INPUT) from None
    for reading in scenario.readings:  # say how a bare value was read, before any number is shown
        _console(stderr=True).print(_("note: {note}").format(note=reading), style="yellow", markup=False)
    return scenario


def _scenario_path(scenario: Optional[Path]) -> Path:
    from growthsim.scenario.bundled import default_scenario_path

    return scenario if scenario is not None else default_scenario_path()


def _lang_callback(value: Optional[str]) -> Optional[str]:
    """--lang given to the app (as tests and `python -m` do; main() takes it from anywhere first)."""
    if value is None:
        return None
    from growthsim.i18n import use

    if value not in LANGUAGES:
        raise typer.BadParameter(_("{value!r} is not a language growthsim speaks: use zh or en").format(value=value))
    use(value)
    return value


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"growthsim {__version__}")
        raise typer.Exit()


@app.callback(help=_("Monte Carlo projection of a district's development targets: how likely is each one to be hit?\n\nStart with `growthsim run` (the bundled 洛龙区 2023 baseline scenario). Then copy a scenario file, edit its assumptions and run it: `growthsim run my-scenario.toml`."))
def _root(
    version: bool = typer.Option(False, "--version", metavar="", help=_("Print the version and exit."),
                                 callback=_version_callback, is_eager=True),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="zh|en", callback=_lang_callback, is_eager=True,
                                       help=_("Language of everything growthsim prints: zh (Chinese, the default) "
                                              "or en (English); also from an English LANG or LC_ALL. May stand "
                                              "anywhere on the command line.")),
) -> None:
    """Monte Carlo projection of a district's development targets: how likely is each one to be hit?

    Start with `growthsim run` (the bundled 洛龙区 2023 baseline scenario). Then copy a scenario file, \
edit its assumptions and run it: `growthsim run my-scenario.toml`.
    """


SCENARIO_ARG = typer.Argument(None, metavar=_("SCENARIO"), help=_("Scenario TOML file (default: the bundled 洛龙区 2023 baseline)."),
                              show_default=False)
SET_OPTION = typer.Option(None, "--set", metavar=_("KEY=VALUE"),
                          help=_("Change one value of the scenario for this run, written as in the file: "
                               "--set fai.growth.mode=5%  --set 'gdp.target=\">= 7%\"'. Repeatable."))


PLOT_OPTION = typer.Option(None, "--plot", metavar=_("DIR"),
                           help=_("Folder to write charts into, each as PNG and SVG (may be the --out folder). "
                                "Needs matplotlib: pip install 'growthsim\\[plot]'."))


class _ChartFolder:
    """--plot DIR: charts written all together or not at all, into their own folder or, when DIR is
    the --out folder, into that folder before its manifest (so the manifest lists them).

    Checked before anything is simulated: matplotlib installed, the folder usable."""

    def __init__(self, plot: Optional[Path], out: Optional[Path], kind: str):
        self.plot = plot
        self.staged = None
        self.written: list[str] = []
        self.drawn = False
        self.shares_out = plot is not None and out is not None and plot.resolve() == out.resolve()
        if plot is None:
            return
        from growthsim.output.charts import ChartsUnavailable, require_matplotlib
        from growthsim.output.export import StagedOutput

        try:
            require_matplotlib()
        except ChartsUnavailable as error:
            raise _fail(str(error)) from None
        if not self.shares_out:
            from growthsim.output.export import COMPARE_CHARTS, RUN_CHARTS, SENSITIVITY_CHARTS

            charts = {"run": RUN_CHARTS, "compare": COMPARE_CHARTS, "sensitivity": SENSITIVITY_CHARTS}[kind]
            with _writing(plot):
                self.staged = StagedOutput(plot, charts, "--plot")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        if self.staged is not None and not self.staged.committed:
            self.staged.discard()

    def into_out(self, make_charts):
        """The ``extra`` hook of the --out writers: the charts are drawn before the --out folder is
        committed (into it, or into their own staged folder), so that a failure while drawing
        leaves neither folder behind."""
        if self.plot is None:
            return None
        if self.shares_out:
            return lambda folder, result: self._save(make_charts(result), folder)
        return lambda folder, result: self._save(make_charts(result), self.staged.staging)

    def finish(self, make_charts, result) -> None:
        """Draw the charts if no --out writer did, and move their own folder (if any) into place."""
        if self.staged is None:
            return
        with _writing(self.plot):
            if not self.drawn:
                self._save(make_charts(result), self.staged.staging)
            self.staged.commit()

    def _save(self, charts, folder) -> None:
        from growthsim.output.charts import chart_fonts, save_charts

        fonts = chart_fonts()
        if fonts.hint:
            _console(stderr=True).print(_("note: {note}").format(note=fonts.hint), style="yellow", markup=False,
                                        soft_wrap=True)
        self.written = save_charts(charts, folder, fonts)
        self.drawn = True

    def note(self) -> None:
        if self.plot is not None:
            _console(stderr=True).print(_("wrote {folder}: {n} chart files (PNG and SVG)").format(
                folder=f"{self.plot}{os.sep}", n=len(self.written)), style="dim", markup=False)


@app.command(cls=_Command, help=_('Project the scenario and report the probability of hitting each target.'))
def run(
    scenario: Optional[Path] = SCENARIO_ARG,
    overrides: Optional[List[str]] = SET_OPTION,
    draws: Optional[int] = typer.Option(None, "--draws", "-n", metavar=_("N"), callback=_bounded(1, 1_000_000_000),
                                        help=_("Number of Monte Carlo draws (default: the scenario's, else 100000).")),
    seed: Optional[int] = typer.Option(None, "--seed", metavar=_("SEED"), callback=SEEDS,
                                       help=_("Random seed (default: the scenario's; same seed, same numbers).")),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", metavar=_("FORMAT"),
                                               help=_("table for people; json or csv on standard output for programs.")),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar=_("DIR"),
                                       help=_("Folder to write summary.xlsx (a workbook for Excel and WPS), summary.csv (UTF-8 "
                                            "with BOM), summary.json and manifest.json; all or nothing.")),
    export_draws: bool = typer.Option(False, "--export-draws", metavar="",
                                      help=_("Also write every draw to draws.csv in the --out folder.")),
    plot: Optional[Path] = PLOT_OPTION,
    verbose: bool = typer.Option(False, "--verbose", "-v", metavar="",
                                 help=_("Also show each correlation as asked, as used and as achieved in the draws.")),
    strict: bool = typer.Option(False, "--strict", metavar="", help=_("Stop on warnings (e.g. a correlation matrix that had to "
                                                        "be repaired) instead of running.")),
    method: Method = typer.Option(Method.mc, "--method", metavar=_("METHOD"),
                                  help=_("How the draws are spread: mc (independent), lhs (Latin hypercube) or sobol "
                                       "(scrambled Sobol' points); lhs and sobol reach the same precision with "
                                       "fewer draws, their error bars come from independent replicates.")),
    precision: Optional[str] = typer.Option(None, "--precision", metavar=_("HALF-WIDTH"), callback=_precision,
                                            help=_("Draw until every P(hit)'s 95% margin is at most this, e.g. 0.2pp "
                                                 "(--draws is then the most to draw; default 10,000,000).")),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", metavar=_("PROCESSES"), callback=_bounded(1, 256),
                                          help=_("Processes to share the draws (default: every core from 1,000,000 "
                                               "draws, else 1). The numbers do not change.")),
    chunk_size: Optional[int] = typer.Option(None, "--chunk-size", metavar=_("N"), min=1, hidden=True,
                                             help=_("Draws per chunk (memory only; results do not change).")),
) -> None:
    """Project the scenario and report the probability of hitting each target."""
    from growthsim.engine.run import (
        DEFAULT_CHUNK_SIZE,
        PRECISION_MAX_DRAWS,
        auto_workers,
        half_widths,
        simulate,
    )
    from growthsim.output.export import EXCEL_MAX_ROWS, simulate_to_folder
    from growthsim.engine.model import compile_model
    from growthsim.output.render import (
        dumps,
        events_table,
        rows_to_csv,
        csv_rows,
        summary_table,
        summary_to_dict,
    )

    if export_draws and out is None:
        raise typer.BadParameter(_("--export-draws writes draws.csv into the --out folder: give --out DIR too"),
                                 param_hint="--export-draws")
    if export_draws and precision is not None:
        raise typer.BadParameter(_("--export-draws needs a fixed number of draws: give --draws instead of "
                                   "--precision"), param_hint="--export-draws")
    loaded = _load(_scenario_path(scenario), overrides)
    if loaded.warnings:
        _print_diagnostics(loaded.warnings)
        if strict:
            raise _fail(ngettext("{n} warning and --strict: nothing was run", "{n} warnings and --strict: nothing "
                                 "was run", len(loaded.warnings)).format(n=len(loaded.warnings)))
    model = compile_model(loaded)
    if plot is not None and not loaded.targeted:
        raise _fail(_("{path}: the scenario has no targets, so there is nothing to chart (--plot)").format(
            path=loaded.path))
    if precision is not None and not loaded.targeted:
        raise _fail(_("{path}: the scenario has no targets, so there is no P(hit) whose precision --precision "
                      "could reach; give --draws instead").format(path=loaded.path))
    n_draws = draws if draws is not None else (PRECISION_MAX_DRAWS if precision is not None else loaded.draws)
    chunk_size = chunk_size or DEFAULT_CHUNK_SIZE
    workers = workers or auto_workers(n_draws)
    method = method.value
    from growthsim.output.charts import run_charts
    from growthsim.scenario.diagnostics import ScenarioError

    with _ChartFolder(plot, out, "run") as charts, _progress(n_draws) as progress, _input_errors(ScenarioError):
        if out is not None:
            with _writing(out):
                summary = simulate_to_folder(model, out, n_draws, seed, export_draws=export_draws,
                                             chunk_size=chunk_size, progress=progress, workers=workers,
                                             method=method, precision=precision,
                                             command_line=_command_line(), extra=charts.into_out(run_charts))
        else:
            summary = simulate(model, n_draws, seed, chunk_size=chunk_size, progress=progress, workers=workers,
                               method=method, precision=precision)
        charts.finish(run_charts, summary)

    if output_format is OutputFormat.json:
        _write_utf8(dumps(summary_to_dict(summary)))
    elif output_format is OutputFormat.csv:
        _write_utf8(rows_to_csv(csv_rows(summary)), bom=True)
    else:
        _console().print(summary_table(summary))
        if summary.events:
            _console().print(events_table(summary))
        if verbose and (model.correlated_rows or model.links):
            from growthsim.engine.achieved import achieved_correlations
            from growthsim.output.render import correlations_table

            names = {i.id: i.name for i in model.indicators}
            achieved = achieved_correlations(model, summary.seed, summary.n_draws)
            _console().print(correlations_table(achieved, model.correlation_method, names))
    if summary.n_draws < 1_000 and precision is None:
        _console(stderr=True).print(
            _("note: only {n} draws: every probability is rough (see its ±); use 10,000 or more for numbers to "
              "report").format(n=f"{summary.n_draws:,}"), style="yellow", markup=False)
    if summary.precision is not None:
        widths = half_widths(summary)
        widest = max(widths, key=widths.get)
        if summary.precision[1]:
            note = _("precision reached: every P(hit) within ±{reached}pp (asked ±{asked}pp) with {n} draws").format(
                reached=f"{widths[widest] * 100:.2f}", asked=f"{precision * 100:g}", n=f"{summary.n_draws:,}")
            _console(stderr=True).print(note, style="dim", markup=False)
        else:
            _console(stderr=True).print(
                _("precision not reached within {n} draws: {indicator} has ±{reached}pp (asked ±{asked}pp); allow "
                  "more with --draws").format(n=f"{summary.n_draws:,}", indicator=widest,
                                              reached=f"{widths[widest] * 100:.2f}", asked=f"{precision * 100:g}"),
                style="yellow", markup=False)
    if out is not None:
        files = "summary.xlsx, summary.csv, summary.json, manifest.json" + (", draws.csv" if export_draws else "")
        note = _("wrote {folder}: {files}").format(folder=f"{out}{os.sep}", files=files)
        if export_draws and n_draws >= EXCEL_MAX_ROWS:
            note += _(" (draws.csv has more rows than Excel opens: {rows})").format(rows=f"{EXCEL_MAX_ROWS:,}")
        _console(stderr=True).print(note, style="dim", markup=False)
    charts.note()


class _writing:
    """An --out folder that cannot be used or written: a message and exit 1 (nothing is left behind)."""

    def __init__(self, out: Path):
        self.out = out

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from growthsim.output.export import OutputError

        if exc_type is not None and issubclass(exc_type, OutputError):
            raise _fail(str(exc)) from None
        if exc_type is not None and issubclass(exc_type, OSError):
            raise _fail(_("cannot write to {folder}: {reason}; nothing was written").format(
                folder=self.out, reason=exc.strerror or exc)) from None
        return False


class _input_errors:
    """Problems in the user's scenario that only show while simulating (a formula with no finite
    value): print them like load errors and exit 1, never as an internal error."""

    def __init__(self, error_type):
        self.error_type = error_type

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, self.error_type):
            _print_diagnostics(exc.diagnostics)
            _console(stderr=True).print(_("nothing was written."), style="bold red", markup=False)
            raise typer.Exit(EXIT_INPUT)
        return False


class _progress:
    """A progress bar on an interactive terminal for runs long enough to need one; silent otherwise."""

    def __init__(self, total: int):
        self.bar = None
        if sys.stderr.isatty() and total >= 2_000_000:
            from rich.progress import Progress

            self.bar = Progress(console=_console(stderr=True), transient=True)

    def __enter__(self):
        if self.bar is None:
            return None
        self.bar.start()
        task = self.bar.add_task(_("simulating"), total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def _write_utf8(text: str, bom: bool = False) -> None:
    """Machine formats go out as UTF-8 whatever the console's code page (GBK on Chinese Windows), and
    CSV with a byte-order mark, so that `growthsim run -f csv > result.csv` opens correctly in Excel."""
    data = (("\ufeff" if bom else "") + text).encode("utf-8")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def _command_line() -> list[str]:
    return ["growthsim", *sys.argv[1:]] if sys.argv and Path(sys.argv[0]).name.startswith("growthsim") \
        else list(sys.argv)


@app.command(cls=_Command, help=_('Compare scenarios on the same random draws: P(hit) per target and whether each difference is real.'))
def compare(
    scenarios: Optional[List[Path]] = typer.Argument(
        None, metavar=_("SCENARIOS"), help=_("Scenario files; the first is the reference (default with --what-if: the bundled baseline)."),
        show_default=False),
    what_if: Optional[List[str]] = typer.Option(
        None, "--what-if", metavar=_("KEY=VALUE"),
        help=_("Add the first scenario changed by these values as one more scenario: "
             "growthsim compare --what-if fai.growth.mode=5%. Repeatable (all go into one what-if).")),
    overrides: Optional[List[str]] = SET_OPTION,
    draws: Optional[int] = typer.Option(None, "--draws", "-n", metavar=_("N"), callback=_bounded(1, 1_000_000_000),
                                        help=_("Number of draws (default: the first scenario's).")),
    seed: Optional[int] = typer.Option(None, "--seed", metavar=_("SEED"), callback=SEEDS,
                                       help=_("Random seed for all scenarios (default: the first scenario's).")),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", metavar=_("FORMAT"),
                                               help=_("table for people; json or csv (long form) on standard output.")),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar=_("DIR"),
                                       help=_("Folder to write compare.xlsx (a workbook), compare.csv (long form, UTF-8 with "
                                            "BOM), compare.json and manifest.json; all or nothing.")),
    plot: Optional[Path] = PLOT_OPTION,
    material: Optional[str] = MATERIAL_OPTION,  # a share after _material
) -> None:
    """Compare scenarios on the same random draws: P(hit) per target and whether each difference is real."""
    from growthsim.analysis.compare import compare as compare_scenarios
    from growthsim.engine.run import DEFAULT_CHUNK_SIZE
    from growthsim.output.export import compare_to_folder
    from growthsim.output.render import dumps, rows_to_csv
    from growthsim.output.render_compare import comparison_rows, comparison_table, comparison_to_dict

    scenarios = list(scenarios or [])
    if what_if and not scenarios:
        scenarios = [_scenario_path(None)]
    if len(scenarios) + bool(what_if) < 2:
        raise typer.BadParameter(_("give at least two scenario files, or one and --what-if KEY=VALUE"),
                                 param_hint="SCENARIOS")
    loaded = [_load(path, overrides) for path in scenarios]
    if what_if:
        loaded.append(_load(scenarios[0], overrides, what_if))
    for scenario in loaded:
        if scenario.warnings:
            _print_diagnostics(scenario.warnings)
    n_draws = draws if draws is not None else loaded[0].draws
    from growthsim.output.charts import comparison_charts
    from growthsim.scenario.diagnostics import ScenarioError

    with _ChartFolder(plot, out, "compare") as charts, _progress(n_draws * len(loaded)) as progress, \
            _input_errors(ScenarioError):
        if out is None:
            comparison = compare_scenarios(loaded, n_draws, seed, progress=progress, material=material)
        else:
            with _writing(out):
                comparison = compare_to_folder(loaded, out, n_draws, seed, chunk_size=DEFAULT_CHUNK_SIZE,
                                               progress=progress, command_line=_command_line(), material=material,
                                               extra=charts.into_out(comparison_charts))
        charts.finish(comparison_charts, comparison)
    for note in comparison.notes:
        _console(stderr=True).print(_("note: {note}").format(note=note), style="yellow", markup=False)
    if output_format is OutputFormat.json:
        _write_utf8(dumps(comparison_to_dict(comparison)))
    elif output_format is OutputFormat.csv:
        from growthsim.output.export import COMPARISON_COLUMNS

        _write_utf8(rows_to_csv(comparison_rows(comparison), COMPARISON_COLUMNS), bom=True)
    else:
        _console().print(comparison_table(comparison))
    if out is not None:
        _console(stderr=True).print(_("wrote {folder}: {files}").format(
            folder=f"{out}{os.sep}", files="compare.xlsx, compare.csv, compare.json, manifest.json"), style="dim", markup=False)
    charts.note()


@app.command(cls=_Command, help=_("List what differs between two scenarios' assumptions, targets and events (after extends), without simulating."))
def diff(
    a: Path = typer.Argument(..., metavar=_("A"), help=_("The first scenario file."), show_default=False),
    b: Path = typer.Argument(..., metavar=_("B"), help=_("The second scenario file."), show_default=False),
    overrides: Optional[List[str]] = SET_OPTION,
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", metavar=_("FORMAT"),
                                               help=_("table for people; json on standard output (csv: not offered).")),
) -> None:
    """List what differs between two scenarios' assumptions, targets and events (after extends), without simulating."""
    from growthsim.analysis.compare import diff as diff_scenarios
    from growthsim.output.render import dumps
    from growthsim.output.render_compare import diff_table, diff_to_dict

    if output_format is OutputFormat.csv:
        raise typer.BadParameter(_("diff prints a table or JSON"), param_hint="--format")
    first, second = _load(a, overrides), _load(b, overrides)
    changes = diff_scenarios(first, second)
    if output_format is OutputFormat.json:
        _write_utf8(dumps(diff_to_dict(changes, first, second)))
        return
    if not changes:
        _console().print(_("{a} and {b} describe the same scenario.").format(a=a, b=b), markup=False)
        return
    _console().print(diff_table(changes, first, second))


@app.command(cls=_Command, help=_("Goal seek: the value of one assumption (or target) at which a target's P(hit) reaches --prob."))
def solve(
    scenario: Optional[Path] = SCENARIO_ARG,
    indicator: str = typer.Option(..., "--indicator", "-i", metavar=_("ID"),
                                  help=_("The indicator whose target to reach: its id (fai) or its name (固定资产投资).")),
    probability: str = typer.Option(..., "--prob", "-p", metavar=_("P"), callback=_probability_option,
                                    help=_("The P(hit) to reach: 0.8 or 80%.")),
    parameter: Optional[str] = typer.Option(None, "--param", metavar=_("KEY"),
                                            help=_("What to change (default: the central value of the indicator's "
                                                 "own assumption, e.g. fai.growth.mode); gdp.target.at_least "
                                                 "gives the highest target reachable with that probability.")),
    overrides: Optional[List[str]] = SET_OPTION,
    draws: Optional[int] = typer.Option(None, "--draws", "-n", metavar=_("N"), callback=_bounded(1000, 10_000_000),
                                        help=_("Draws per trial (default: the scenario's).")),
    seed: Optional[int] = typer.Option(None, "--seed", metavar=_("SEED"), callback=SEEDS, help=_("Random seed for every trial.")),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", metavar=_("FORMAT"),
                                               help=_("table, or json (to standard output; csv is not offered).")),
) -> None:
    """Goal seek: the value of one assumption (or target) at which a target's P(hit) reaches --prob."""
    from growthsim.scenario.diagnostics import ScenarioError
    from growthsim.output.render import dumps, solve_to_dict
    from growthsim.analysis.solve import solve as goal_seek

    path = _scenario_path(scenario)
    indicator = _indicator_id(_load(path, overrides), indicator)  # every problem in the file, reported as for run
    try:
        result = goal_seek(path, indicator, probability, parameter, overrides=overrides or (), n_draws=draws,
                           seed=seed)
    except ScenarioError as error:
        _print_diagnostics(error.diagnostics)
        raise typer.Exit(EXIT_INPUT) from None
    if output_format is OutputFormat.csv:
        raise typer.BadParameter(_("solve gives one answer: use --format table or json"), param_hint="--format")
    if output_format is OutputFormat.json:
        _write_utf8(dumps(solve_to_dict(result, draws)))
        if not result.reachable:
            raise typer.Exit(EXIT_INPUT)
        return
    if not result.reachable:
        raise _fail(result.message)
    _console().print(_("{answer} ({n} draws per trial, seed {seed})").format(
        answer=result.message, n=f"{result.probability.n:,}", seed=result.seed), markup=False)


@app.command(cls=_Command, help=_("Which assumptions and events move each target's P(hit): a tornado, rank correlations, why misses miss."))
def sensitivity(
    scenario: Optional[Path] = SCENARIO_ARG,
    indicator: Optional[str] = typer.Option(None, "--indicator", "-i", metavar=_("ID"),
                                            help=_("Only this indicator's target: its id or its name.")),
    overrides: Optional[List[str]] = SET_OPTION,
    draws: Optional[int] = typer.Option(20_000, "--draws", "-n", metavar=_("N"), callback=_bounded(1000, 10_000_000),
                                        help=_("Draws per trial (two trials per input).")),
    seed: Optional[int] = typer.Option(None, "--seed", metavar=_("SEED"), callback=SEEDS, help=_("Random seed for every trial.")),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", metavar=_("FORMAT"),
                                               help=_("table for people; json or csv on standard output.")),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar=_("DIR"), help=_("Folder to write sensitivity.xlsx (for Excel "
                                                                 "and WPS), sensitivity.csv (UTF-8 with BOM), sensitivity.json and manifest.json.")),
    plot: Optional[Path] = PLOT_OPTION,
) -> None:
    """Which assumptions and events move each target's P(hit): a tornado, rank correlations, why misses miss."""
    from growthsim._version import __version__
    from growthsim.engine.run import DEFAULT_CHUNK_SIZE
    from growthsim.output.export import SENSITIVITY_OUTPUT, StagedOutput, finish_folder
    from growthsim.output.render import (
        SENSITIVITY_COLUMNS,
        _scenario_fields,
        dumps,
        rows_to_csv,
        sensitivity_rows,
        sensitivity_tables,
    )
    from growthsim.analysis.sensitivity import sensitivity as analyse

    loaded = _load(_scenario_path(scenario), overrides)
    if not loaded.targeted:
        raise _fail(_("{path}: the scenario has no targets, so nothing to analyse").format(path=loaded.path))
    if indicator is not None:
        indicator = _indicator_id(loaded, indicator)
    if indicator is not None and indicator not in [i.id for i in loaded.targeted]:
        from growthsim.scenario.diagnostics import did_you_mean

        raise _fail(_("no target on {indicator!r}{hint}").format(
            indicator=indicator, hint=did_you_mean(indicator, [i.id for i in loaded.targeted])))
    from growthsim.output.charts import sensitivity_charts
    from growthsim.scenario.diagnostics import ScenarioError

    columns = SENSITIVITY_COLUMNS
    with _ChartFolder(plot, out, "sensitivity") as charts:
        with _input_errors(ScenarioError):
            started = time.perf_counter()
            results = analyse(loaded, indicator, draws, seed)
            elapsed = time.perf_counter() - started
        rows = sensitivity_rows(results)
        document = {"schema": "growthsim.sensitivity/1", "growthsim_version": __version__,
                    "scenario": _scenario_fields(loaded), "draws": draws, "seed": results[0].seed, "targets": rows}
        from growthsim.output.frames import sensitivity_records

        flat = sensitivity_records(results)
        if out is not None:
            extra = charts.into_out(sensitivity_charts)
            with _writing(out), StagedOutput(out, SENSITIVITY_OUTPUT) as staged:
                from growthsim.output.workbook import write_sensitivity_workbook

                finish_folder(staged, "sensitivity", document, rows_to_csv(flat, columns), _command_line(),
                              DEFAULT_CHUNK_SIZE, elapsed, extra=None if extra is None else lambda f: extra(f, results),
                              workbook=lambda path, record: write_sensitivity_workbook(path, results, loaded, record))
        charts.finish(sensitivity_charts, results)
    if output_format is OutputFormat.json:
        _write_utf8(dumps(document))
    elif output_format is OutputFormat.csv:
        _write_utf8(rows_to_csv(flat, columns), bom=True)
    else:
        for table in sensitivity_tables(results):
            _console().print(table)
    charts.note()


@app.command(cls=_Command, help=_("Write an HTML report: every target's probability, chart, drivers and what it would take, the\nassumptions with their sources, the comparison of several scenarios, and the run's manifest."))
def report(
    scenarios: Optional[List[Path]] = typer.Argument(
        None, metavar=_("SCENARIOS"), help=_("Scenario files; with several, they are also compared (the first is the reference). "
                   "Default: the bundled baseline."), show_default=False),
    html_file: Path = typer.Option(..., "--html", metavar=_("FILE"),
                                   help=_("The HTML file to write: one self-contained file that opens offline.")),
    overrides: Optional[List[str]] = SET_OPTION,
    draws: Optional[int] = typer.Option(None, "--draws", "-n", metavar=_("N"), callback=_bounded(1, 1_000_000_000),
                                        help=_("Number of draws (default: the first scenario's).")),
    seed: Optional[int] = typer.Option(None, "--seed", metavar=_("SEED"), callback=SEEDS,
                                       help=_("Random seed (default: the first scenario's).")),
    goal: float = typer.Option(0.8, "--goal", metavar=_("P"),
                               help=_("The P(hit) for \"what it would take\", as a fraction: 0.8 for 80%.")),
    analysis_draws: int = typer.Option(10_000, "--analysis-draws", metavar=_("N"), callback=_bounded(1000, 1_000_000),
                                       help=_("Draws per trial of the sensitivity analysis and the goal seek.")),
    material: Optional[str] = MATERIAL_OPTION,  # a share after _material
) -> None:
    """Write an HTML report: every target's probability, chart, drivers and what it would take, the
    assumptions with their sources, the comparison of several scenarios, and the run's manifest."""
    from growthsim.output.charts import ChartsUnavailable, require_matplotlib
    from growthsim.scenario.diagnostics import ScenarioError
    from growthsim.output.export import OutputError, check_single_file, write_single_file
    from growthsim.output.report import GENERATOR, build_report, report_html

    if not 0 < goal < 1:
        raise typer.BadParameter(_("give a probability strictly between 0 and 1, e.g. 0.8"), param_hint="--goal")
    if not html_file.suffix and not html_file.is_dir():  # '--html 报告' should still open with a double click
        html_file = html_file.with_name(html_file.name + ".html")
    try:
        require_matplotlib()
        check_single_file(html_file, GENERATOR)
    except (ChartsUnavailable, OutputError) as error:
        raise _fail(str(error)) from None
    loaded = [_load(path, overrides) for path in (scenarios or [_scenario_path(None)])]
    for scenario in loaded:
        if scenario.warnings:
            _print_diagnostics(scenario.warnings)
    if not loaded[0].targeted:
        raise _fail(_("{path}: the scenario has no targets: a report says how likely each target is, so give "
                      "targets (see growthsim show) or use growthsim run").format(path=loaded[0].path))
    console = _console(stderr=True)
    started = time.monotonic()

    def step(words: str) -> None:  # the report takes half a minute: say what it is doing, and since when
        console.print(_("… {words} ({seconds} s)").format(words=words, seconds=f"{time.monotonic() - started:.0f}"),
                      style="dim", markup=False)

    with _input_errors(ScenarioError):
        built = build_report(loaded, draws, seed, goal=goal, analysis_draws=analysis_draws,
                             command_line=_command_line(), step=step, material=material)
    with _writing(html_file):
        write_single_file(html_file, report_html(built), GENERATOR)
    console.print(_("wrote {file} ({size} MB): open it in a browser, print it, or mail it; it needs no network")
                  .format(file=html_file, size=f"{html_file.stat().st_size / 1e6:.1f}"), style="dim", markup=False)


@app.command(cls=_Command, help=_('Check scenario files and list every problem in them, without running anything.'))
def validate(
    files: List[Path] = typer.Argument(..., metavar=_("FILES"), help=_("Scenario files to check."), show_default=False),
    strict: bool = typer.Option(False, "--strict", metavar="", help=_("Count warnings (numbers without a source) as problems.")),
) -> None:
    """Check scenario files and list every problem in them, without running anything."""
    from growthsim.scenario.diagnostics import ScenarioError
    from growthsim.engine.run import pilot_check
    from growthsim.scenario.loading import load_scenario

    failed = 0
    console = _console()
    for path in files:
        try:
            scenario = load_scenario(path)
            pilot_check(scenario)  # formulas that give no finite value show only on draws
        except ScenarioError as error:
            failed += 1
            _print_diagnostics(error.diagnostics)
            errors = sum(d.severity == "error" for d in error.diagnostics)
            console.print(ngettext("✗ {path}: {n} problem", "✗ {path}: {n} problems", errors).format(
                path=path, n=errors), style="bold red", markup=False)
            continue
        _print_diagnostics(scenario.warnings)
        if strict and scenario.warnings:
            failed += 1
            console.print(ngettext("✗ {path}: {n} warning (--strict)", "✗ {path}: {n} warnings (--strict)",
                                   len(scenario.warnings)).format(path=path, n=len(scenario.warnings)),
                          style="bold red", markup=False)
            continue
        console.print(_("✓ {path}: {indicators} indicators, {targets} targets").format(
            path=path, indicators=len(scenario.indicators), targets=len(scenario.targeted)),
                      style="green", markup=False)
    if failed:
        raise typer.Exit(EXIT_INPUT)


@app.command(cls=_Command, help=_('Show the scenario as growthsim reads it: baselines, assumptions with their sources, and targets.'))
def show(scenario: Optional[Path] = SCENARIO_ARG, overrides: Optional[List[str]] = SET_OPTION) -> None:
    """Show the scenario as growthsim reads it: baselines, assumptions with their sources, and targets."""
    from growthsim.output.render import scenario_tables

    loaded = _load(_scenario_path(scenario), overrides)
    if loaded.warnings:
        _print_diagnostics(loaded.warnings)
    console = _console()
    for renderable in scenario_tables(loaded):
        console.print(renderable)
    if loaded.correlation_matrix or any(i.drivers for i in loaded.indicators):
        from growthsim.engine.achieved import achieved_correlations, link_shares
        from growthsim.scenario.diagnostics import ScenarioError
        from growthsim.engine.run import resolve_seed
        from growthsim.engine.model import compile_model
        from growthsim.output.render import correlations_table, links_table

        model = compile_model(loaded)
        seed = resolve_seed(None, loaded)
        with _input_errors(ScenarioError):
            achieved = achieved_correlations(model, seed)
            shares = link_shares(model, seed)
        if shares:
            console.print(links_table(loaded, shares))
        console.print(correlations_table(achieved, model.correlation_method, {i.id: i.name for i in model.indicators}))


@app.command(cls=_Command, help=_('List the distributions an assumption may use, with their parameters and an example.'))
def distributions() -> None:
    """List the distributions an assumption may use, with their parameters and an example."""
    from growthsim.output.render import distributions_table

    console = _console()
    console.print(distributions_table())
    console.print(
        _("Rates and growths are written as quoted percentages (\"6.5%\"), changes and spreads in percentage "
          "points (\"0.3pp\"), counts and amounts as bare numbers. poisson and negative_binomial are for count "
          "indicators; other distributions on a count are rounded to whole numbers (never below 0)."),
        markup=False,
    )


def main() -> None:
    """Console entry point: run the app, turning the unexpected into a short message."""
    for stream in (sys.stdout, sys.stderr):
        # A console that cannot show a character (GBK has no ✓) gets a '?' rather than a crash.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    sys.argv[1:] = _without_lang(sys.argv[1:])
    try:
        app()  # Typer turns Ctrl-C into exit code 130; an --out folder being written is discarded
    except Exception as error:  # a bug, not a user's mistake
        if os.environ.get("GROWTHSIM_DEBUG"):
            raise
        sys.stderr.write(_(
            "internal error in growthsim {version}: {kind}: {error}\n"
            "This is a bug, not a problem with your files. Run again with GROWTHSIM_DEBUG=1 to see the "
            "traceback, and report it with the command line you used.\n").format(
                version=__version__, kind=type(error).__name__, error=error))
        sys.exit(EXIT_INTERNAL)


def _without_lang(argv: list[str]) -> list[str]:
    """The command line without --lang (the language was chosen from it at start-up), so that it
    may stand anywhere: `growthsim run --lang en` as well as `growthsim --lang en run`. An
    unknown language is a usage error (exit 2)."""
    out, skip = [], False
    for index, argument in enumerate(argv):
        if skip:
            skip = False
            continue
        value = None
        if argument == "--lang":
            value, skip = (argv[index + 1] if index + 1 < len(argv) else ""), True
        elif argument.startswith("--lang="):
            value = argument.split("=", 1)[1]
        if value is None:
            out.append(argument)
        elif value not in LANGUAGES:
            sys.stderr.write(_("error: --lang {value!r}: use zh (Chinese) or en (English)\n").format(value=value))
            sys.exit(2)
    return out
