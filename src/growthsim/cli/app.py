"""The Typer application every command is added to, and what it does before any command runs: the
language chosen (before Typer loads, so that its own words are translated), help text that folds
instead of being cut at 80 columns and shows no Python type names, usage errors in the user's
language, and the root options --version and --lang.

Exit codes: 0 success; 1 a problem in the user's input (scenario file, output folder); 2 a usage
error (unknown option, bad option value); 3 an internal error (a bug: please report it); 130 when
interrupted. Nothing a user can cause prints a traceback.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import re
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

from growthsim._version import __version__
from growthsim.i18n import LANGUAGES, N_, _, language, use

language()  # before Typer is imported: its own strings ("Options" …) are translated when it loads

import typer  # noqa: E402 - after the language is chosen
from typer.core import TyperCommand, TyperGroup  # noqa: E402

__all__ = ["EXIT_INPUT", "EXIT_INTERNAL", "Command", "app", "main"]


EXIT_INPUT = 1


EXIT_INTERNAL = 3


def _fold_long_words(rich_utils: ModuleType) -> None:
    """Chinese has no spaces to wrap at, so a help sentence is one long "word" that Typer's tables
    would cut off with "…" in a narrow terminal: let every help text fold instead. (Typer makes
    them in rich_utils._make_rich_text; if a later Typer renames it, help is only cut, not broken.)"""
    make = getattr(rich_utils, "_make_rich_text", None)
    if make is None or getattr(make, "folds", False):
        return

    def folding(*args, **kwargs):
        text = make(*args, **kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    folding.folds = True  # type: ignore[attr-defined]
    setattr(rich_utils, "_make_rich_text", folding)  # noqa: B010 - a patch of a module found at run time


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
        kind.display_type_rich = plain  # type: ignore[method-assign]  # a deliberate patch of Typer's class


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


def _translate_usage_errors(rich_utils: ModuleType) -> None:
    """Wrap Typer's printer of usage errors so that the message is growthsim's language."""
    from typer import main as typer_main

    show = getattr(rich_utils, "rich_format_error", None)
    if show is None or getattr(show, "translates", False):
        return

    def translating(error) -> None:
        message = _translated_usage_error(error.format_message())
        error.format_message = lambda: message
        show(error)

    translating.translates = True  # type: ignore[attr-defined]
    setattr(rich_utils, "rich_format_error", translating)  # noqa: B010 - a patch of a module found at run time
    if getattr(typer_main, "rich_format_error", None) is show:  # a module that imported the function itself
        typer_main.rich_format_error = translating  # type: ignore[attr-defined]  # there only in some Typer versions


def _patch_rich_utils(rich_utils: ModuleType) -> None:
    _fold_long_words(rich_utils)
    _translate_usage_errors(rich_utils)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls ``then(module)`` once the module ``name`` is imported. Typer imports its rich_utils
    (rich's Markdown, pygments ...) only to show help or an error; patching it when growthsim
    started cost every command 0.1-0.3 s, a run of the baseline included."""

    def __init__(self, name: str, then: Callable[[ModuleType], None]):
        self.name, self.then = name, then

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # the real finders find it; this one only wraps its loader
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        loader, then = spec.loader, self.then

        class Patching(importlib.abc.Loader):
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                loader.exec_module(module)
                then(module)

        spec.loader = Patching()
        return spec


def _when_imported(name: str, then: Callable[[ModuleType], None]) -> None:
    if name in sys.modules:
        then(sys.modules[name])
    else:
        sys.meta_path.insert(0, _AfterImport(name, then))


_when_imported("typer.rich_utils", _patch_rich_utils)


# For mypy only, the class the mixin is mixed into: TyperCommand and TyperGroup are both (vendored)
# click Commands, which have the methods it overrides and calls.
if TYPE_CHECKING:
    from typer._click import Command as _MixedInto
else:
    _MixedInto = object


class _Translated(_MixedInto):
    """Typer's help in growthsim's language: the strings it does not pass through gettext."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix=_("Usage: "))


class Command(_Translated, TyperCommand):
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


def _lang_callback(value: str | None) -> str | None:
    """--lang given to the app (as tests and `python -m` do; main() takes it from anywhere first)."""
    if value is None:
        return None

    if value not in LANGUAGES:
        raise typer.BadParameter(_("{value!r} is not a language growthsim speaks: use zh or en").format(value=value))
    use(value)
    return value


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"growthsim {__version__}")
        raise typer.Exit()


@app.callback(
    help=_(
        "Monte Carlo projection of a district's development targets: how likely is each one to be hit?\n\nStart with `growthsim run` (the bundled 洛龙区 2023 baseline scenario). Then copy a scenario file, edit its assumptions and run it: `growthsim run my-scenario.toml`."
    )
)
def _root(
    version: bool = typer.Option(
        False, "--version", metavar="", help=_("Print the version and exit."), callback=_version_callback, is_eager=True
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        metavar="zh|en",
        callback=_lang_callback,
        is_eager=True,
        help=_(
            "Language of everything growthsim prints: zh (Chinese, the default) "
            "or en (English); also from an English LANG or LC_ALL. May stand "
            "anywhere on the command line."
        ),
    ),
) -> None:
    """Monte Carlo projection of a district's development targets: how likely is each one to be hit?

    Start with `growthsim run` (the bundled 洛龙区 2023 baseline scenario). Then copy a scenario file, \
edit its assumptions and run it: `growthsim run my-scenario.toml`.
    """


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
        from growthsim.engine.run import WorkerLost

        if isinstance(error, WorkerLost):  # not a bug: the machine took a worker away
            prefix = _("error:")
            sys.stderr.write(f"{prefix} {error}\n")
            sys.exit(EXIT_INPUT)
        sys.stderr.write(
            _(
                "internal error in growthsim {version}: {kind}: {error}\n"
                "This is a bug, not a problem with your files. Run again with GROWTHSIM_DEBUG=1 to see the "
                "traceback, and report it with the command line you used.\n"
            ).format(version=__version__, kind=type(error).__name__, error=error)
        )
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
