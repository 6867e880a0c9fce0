"""What every command does around the library: load a scenario or print each of its problems and
exit 1; write output folders and files all-or-nothing; turn an input error met while running into
a message, not a traceback; a progress bar on a terminal for long runs; charts into a folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from growthsim.cli.app import EXIT_INPUT
from growthsim.i18n import _, ngettext
from growthsim.scenario.bundled import default_scenario_path
from growthsim.scenario.diagnostics import ScenarioError

__all__ = [
    "ChartFolder",
    "fail",
    "input_errors",
    "invoked_command_line",
    "load",
    "make_console",
    "print_diagnostics",
    "progress_bar",
    "scenario_path",
    "with_actuals",
    "write_utf8",
    "writing",
]


def make_console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None
    if not os.environ.get("COLUMNS") and not stream.isatty():
        width = 160  # a file or a pipe: do not squeeze the table to 80 columns
    return Console(stderr=stderr, width=width, highlight=False)


def fail(message: str) -> typer.Exit:
    from rich.markup import (
        escape,  # a message may hold brackets: growthsim[plot], a path like a[1]
    )

    prefix = _("error:")  # outside the f-string: Babel does not look inside one
    make_console(stderr=True).print(f"[bold red]{escape(prefix)}[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(EXIT_INPUT)


# A file with thousands of problems (a table pasted twice, a file that is not a scenario) is told the
# first ones and how many more: nobody reads the 20,000th, and printing them all takes many seconds.
MAX_DIAGNOSTICS_SHOWN = 100


def print_diagnostics(diagnostics) -> None:
    console = make_console(stderr=True)
    diagnostics = list(diagnostics)
    for diagnostic in diagnostics[:MAX_DIAGNOSTICS_SHOWN]:
        style = "yellow" if diagnostic.severity == "warning" else "red"
        console.print(diagnostic.render(), style=style, soft_wrap=True, markup=False)
    hidden = len(diagnostics) - MAX_DIAGNOSTICS_SHOWN
    if hidden > 0:
        console.print(
            ngettext(
                "… and {n} more problem, not shown (the first {shown} are above): correct these and run again.",
                "… and {n} more problems, not shown (the first {shown} are above): correct these and run again.",
                hidden,
            ).format(n=f"{hidden:,}", shown=MAX_DIAGNOSTICS_SHOWN),
            style="red",
            soft_wrap=True,
            markup=False,
        )


def load(path: Path, overrides: list[str] | None = None, what_if: list[str] | None = None):
    """Load a scenario (with its --set overrides, or as a --what-if), or print every problem and exit 1."""
    from growthsim.scenario.loading import load_scenario
    from growthsim.scenario.loading import what_if as changed_by

    try:
        if what_if:
            scenario = changed_by(path, what_if, overrides or ())
        else:
            scenario = load_scenario(path, overrides or ())
    except ScenarioError as error:
        raise refused(path, error) from None
    for reading in scenario.readings:  # say how a bare value was read, before any number is shown
        make_console(stderr=True).print(_("note: {note}").format(note=reading), style="yellow", markup=False)
    return scenario


def refused(path: Path, error: ScenarioError) -> typer.Exit:
    """Every problem of a file that cannot be used, then how many, and exit 1: nothing was run."""
    print_diagnostics(error.diagnostics)
    errors = sum(d.severity == "error" for d in error.diagnostics)
    make_console(stderr=True).print(
        ngettext("{path}: {n} problem; nothing was run.", "{path}: {n} problems; nothing was run.", errors).format(
            path=path, n=errors
        ),
        style="bold red",
        markup=False,
    )
    return typer.Exit(EXIT_INPUT)


def with_actuals(scenario, actuals: Path | None):
    """The scenario conditioned on the year-to-date actuals in ``actuals`` (replacing any [actuals]
    table of the scenario's own; None: as it is), or print every problem in the file and exit 1."""
    if actuals is None:
        return scenario
    import dataclasses

    from growthsim.scenario.actuals import read_actuals

    try:
        read = read_actuals(actuals, scenario)
    except ScenarioError as error:
        raise refused(actuals, error) from None
    return dataclasses.replace(scenario, actuals=read)


def scenario_path(scenario: Path | None) -> Path:

    return scenario if scenario is not None else default_scenario_path()


class ChartFolder:
    """--plot DIR: charts written all together or not at all, into their own folder or, when DIR is
    the --out folder, into that folder before its manifest (so the manifest lists them).

    Checked before anything is simulated: matplotlib installed, the folder usable."""

    def __init__(self, plot: Path | None, out: Path | None, kind: str):
        self.plot = plot
        self.staged = None
        self.written: list[str] = []
        self.drawn = False
        self.shares_out = plot is not None and out is not None and plot.resolve() == out.resolve()
        if plot is None:
            return
        if out is not None and not self.shares_out and _nested(plot.resolve(), out.resolve()):
            # each folder is replaced whole: one inside the other would be refused, or deleted with it
            raise fail(
                _(
                    "--plot {plot} and --out {out} are one inside the other: give both the same folder (the "
                    "charts are then written among the results and listed in its manifest), or two separate "
                    "folders"
                ).format(plot=plot, out=out)
            )
        from growthsim.output.figures import ChartsUnavailable, require_matplotlib
        from growthsim.output.staging import StagedOutput

        try:
            require_matplotlib()
        except ChartsUnavailable as error:
            raise fail(str(error)) from None
        if not self.shares_out:
            from growthsim.output.staging import COMPARE_CHARTS, RUN_CHARTS, SENSITIVITY_CHARTS

            charts = {"run": RUN_CHARTS, "compare": COMPARE_CHARTS, "sensitivity": SENSITIVITY_CHARTS}[kind]
            with writing(plot):
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
        assert self.staged is not None  # --plot into a folder of its own: staged in __init__
        return lambda folder, result: self._save(make_charts(result), self.staged.staging)

    def finish(self, make_charts, result) -> None:
        """Draw the charts if no --out writer did, and move their own folder (if any) into place."""
        if self.staged is None:
            return
        assert self.plot is not None  # staged only for --plot
        with writing(self.plot):
            if not self.drawn:
                self._save(make_charts(result), self.staged.staging)
            self.staged.commit()

    def _save(self, charts, folder) -> None:
        from growthsim.output.figures import chart_fonts, save_charts

        fonts = chart_fonts()
        if fonts.hint:
            make_console(stderr=True).print(
                _("note: {note}").format(note=fonts.hint), style="yellow", markup=False, soft_wrap=True
            )
        self.written = save_charts(charts, folder, fonts)
        self.drawn = True

    def note(self) -> None:
        if self.plot is not None:
            make_console(stderr=True).print(
                _("wrote {folder}: {n} chart files (PNG and SVG)").format(
                    folder=f"{self.plot}{os.sep}", n=len(self.written)
                ),
                style="dim",
                markup=False,
            )


def _nested(a: Path, b: Path) -> bool:
    return a.is_relative_to(b) or b.is_relative_to(a)


class writing:
    """An --out folder that cannot be used or written: a message and exit 1 (nothing is left behind)."""

    def __init__(self, out: Path):
        self.out = out

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from growthsim.output.staging import OutputError, os_reason

        if exc_type is not None and issubclass(exc_type, OutputError):
            raise fail(str(exc)) from None
        if exc_type is not None and issubclass(exc_type, OSError):
            raise fail(
                _("cannot write to {folder}: {reason}; nothing was written").format(
                    folder=self.out, reason=os_reason(exc)
                )
            ) from None
        return False


class input_errors:
    """Problems in the user's scenario that only show while simulating (a formula with no finite
    value): print them like load errors and exit 1, never as an internal error."""

    def __init__(self, error_type):
        self.error_type = error_type

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, self.error_type):
            print_diagnostics(exc.diagnostics)
            make_console(stderr=True).print(_("nothing was written."), style="bold red", markup=False)
            raise typer.Exit(EXIT_INPUT)
        return False


class progress_bar:
    """A progress bar on an interactive terminal for runs long enough to need one; silent otherwise."""

    def __init__(self, total: int):
        self.bar = None
        if sys.stderr.isatty() and total >= 2_000_000:
            from rich.progress import Progress

            self.bar = Progress(console=make_console(stderr=True), transient=True)

    def __enter__(self):
        if self.bar is None:
            return None
        self.bar.start()
        task = self.bar.add_task(_("simulating"), total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def write_utf8(text: str, bom: bool = False) -> None:
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


def invoked_command_line() -> list[str]:
    """The command line, as the manifest records it (a file name that is not UTF-8 shown escaped)."""
    from growthsim.scenario.diagnostics import shown_path

    argv = ["growthsim", *sys.argv[1:]] if sys.argv and Path(sys.argv[0]).name.startswith("growthsim") else sys.argv
    return [shown_path(arg) for arg in argv]
