"""Messages in the planner's language: Chinese by default, English on request.

Every user-facing string is written in English in the code, marked with ``_()`` where it is
written (``N_()`` where it must be translated later, ``ngettext()`` where English has plurals),
with named placeholders so that a translator can reorder a sentence:
``_("{n} draws, seed {seed}").format(n=..., seed=...)``. Babel extracts them into
``locale/growthsim.pot`` and compiles ``locale/zh_CN/LC_MESSAGES/growthsim.po`` into the ``.mo``
that stdlib ``gettext`` reads (see the README's "For developers"); English needs no catalog.

The language is chosen once, at start-up, before the command line is parsed (Typer builds its
help text when the commands are defined): ``--lang`` anywhere on the command line, then the
environment (GROWTHSIM_LANG, then LC_ALL, LC_MESSAGES, LANG: an English locale gives English),
then Chinese. ``use()`` switches it later (tests, notebooks). Keys, ids, units and file positions
are never translated. The stdlib's global gettext domain is pointed at this catalog too, so that
the strings Typer marks for translation ("Options", "[required]" …) come out in the same language.
"""

from __future__ import annotations

import gettext as _gettext
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TypedDict

__all__ = [
    "DOMAIN",
    "EXTRA_KEYWORDS",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "language",
    "language_from",
    "ngettext",
    "pgettext",
    "translated",
    "use",
]

LANGUAGES = ("zh", "en")
DOMAIN = "growthsim"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_CATALOG_LOCALE = {"zh": "zh_CN"}  # the catalog folder of each language that has one


class _State(TypedDict):
    language: str | None  # None until the language is chosen; then set by use(), with the translations
    translations: _gettext.NullTranslations | None


_current: _State = {"language": None, "translations": None}


def language_from(argv: Sequence[str], environ: Mapping[str, str]) -> str:
    """The language a command line and environment ask for (see the module's docstring)."""
    for index, argument in enumerate(argv):
        if argument == "--lang" and index + 1 < len(argv):
            return _known(argv[index + 1]) or "zh"
        if argument.startswith("--lang="):
            return _known(argument.split("=", 1)[1]) or "zh"
    for variable in ("GROWTHSIM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith(("C.", "POSIX.")):
            return _known(value) or "zh"
    return "zh"


def _known(value: str) -> str | None:
    """'en_US.UTF-8' -> 'en', 'zh_CN' -> 'zh', 'fr_FR' -> None."""
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in LANGUAGES else None


def use(lang: str) -> None:
    """Speak ``lang`` ('zh' or 'en') from now on, in growthsim's messages and Typer's."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    locale = _CATALOG_LOCALE.get(lang)
    if locale is None:
        translations: _gettext.NullTranslations = _gettext.NullTranslations()
    else:
        translations = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale])
    _current["language"], _current["translations"] = lang, translations
    # the stdlib's global domain: what Typer's own `from gettext import gettext as _` reads
    _gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = locale or "en"  # the global domain picks its catalog by this variable


def language() -> str:
    """The language in use, chosen from the command line and environment on first use."""
    if _current["language"] is None:
        use(language_from(sys.argv[1:], os.environ))
    chosen = _current["language"]
    assert chosen is not None  # use() has set it, just now or before
    return chosen


def _translations() -> _gettext.NullTranslations:
    """The catalog of the language in use, chosen on first use."""
    language()
    translations = _current["translations"]
    assert translations is not None  # language() has called use(), which sets it with the language
    return translations


def _(message: str) -> str:
    """``message`` (English, as written in the code) in the language in use."""
    return _translations().gettext(message)


def pgettext(context: str, message: str) -> str:
    """``message`` in the language in use, where the same English word means different things
    (context "kind": a change-kind indicator, 变动型; "metric": the change it measures, 变动)."""
    return _translations().pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def translated(message: str, lang: str) -> str:
    """``message`` in ``lang``, whatever the language in use (a chart falls back to English when
    no Chinese font is installed)."""
    locale = _CATALOG_LOCALE.get(lang)
    if locale is None:
        return message
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[locale]).gettext(message)


# Besides Babel's defaults (_, ngettext, pgettext …), the names whose string arguments are messages:
# N_ (marked, translated where used) and say (charts.ChartFonts.say, a chart's words, translated when
# drawn). tools/translate.py extracts with them, and tests/test_i18n.py checks the catalog with them.
EXTRA_KEYWORDS = ("N_", "say")


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (a constant translated where used)."""
    return message


# Typer's own strings, which it passes through the stdlib's gettext (the global domain points at
# this catalog, see use()): listed so that Babel extracts them into growthsim's catalog.
TYPER_MESSAGES = (
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("Error"),
    N_("Aborted."),
    N_("Aborted!"),
    N_("[required]"),
    N_("[default: {}]"),
    N_("[env var: {}]"),
    N_("(deprecated) "),
    N_("(dynamic)"),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
)
