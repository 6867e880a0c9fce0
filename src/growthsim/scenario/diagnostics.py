"""Messages about a scenario file that a planner can act on: file:line:col: key.path: message."""

from __future__ import annotations

import datetime
import difflib
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from growthsim.i18n import _, ngettext

__all__ = [
    "Diagnostic",
    "ScenarioError",
    "as_written",
    "diagnostic_order",
    "did_you_mean",
    "format_key_path",
    "kind_of",
    "one_of",
]


@dataclass(frozen=True)
class Diagnostic:
    """One problem (or warning) in one file, located as precisely as the file allows."""

    file: str
    line: int | None
    col: int | None
    key: str  # dotted key path, e.g. "indicators.fai.growth.mean"; "" for the whole file
    message: str
    severity: str = "error"  # "error" or "warning"
    source_line: str | None = None
    cell: str | None = None  # in a workbook: "sheet:C5", shown as file!sheet:C5 (line is the row, to sort)

    @property
    def location(self) -> str:
        if self.cell is not None:
            return f"{self.file}!{self.cell}"
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def headline(self) -> str:
        prefix = _("warning: ") if self.severity == "warning" else ""
        key = f"{self.key}: " if self.key else ""
        return f"{self.location}: {prefix}{key}{self.message}"

    def render(self) -> str:
        """The headline, then the offending source line with a caret under the column."""
        text = self.headline()
        if self.source_line is not None and self.line is not None:
            gutter = f"{self.line:>4} | "
            line = self.source_line.rstrip()
            at = min(self.col - 1, len(line)) if self.col is not None else 0
            # a line of a megabyte (a formula, a number) is shown around its column, not whole
            start = max(0, at - ECHO_WIDTH // 2) if len(line) > ECHO_WIDTH else 0
            end = min(len(line), start + ECHO_WIDTH)
            before = ("…" if start else "") + _visible(line[start:at])
            text += f"\n{gutter}{before}{_visible(line[at:end])}{'…' if end < len(line) else ''}"
            if self.col is not None:
                text += "\n" + " " * (len(gutter) - 2) + "| " + _caret_padding(before) + "^"
        return text


ECHO_WIDTH = 160  # characters of a source line shown around the column


def _visible(text: str) -> str:
    """Control characters shown as escapes: an echoed line must not clear or retitle the terminal."""
    return "".join(
        ch if ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cf") else ch.encode("unicode_escape").decode()
        for ch in text
    )


def _caret_padding(text: str) -> str:
    """Blank space as wide on a terminal as ``text``: CJK characters take two columns, and tabs are
    kept as tabs so that they expand exactly as they do in the source line above."""

    return "".join(
        "\t" if ch == "\t" else "  " if unicodedata.east_asian_width(ch) in ("W", "F") else " " for ch in text
    )


class ScenarioError(Exception):
    """A scenario file (or several) could not be used; carries every problem found, in file order."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        count = len(errors)
        summary = ngettext("{count} problem found", "{count} problems found", count).format(count=count)
        super().__init__(summary + ":\n" + "\n".join(d.headline() for d in errors))

    def __reduce__(self):
        # Raised in a worker process, the error travels back pickled: rebuild it from its diagnostics
        # (the default would pass the message string, which is not a list of diagnostics).
        return ScenarioError, (self.diagnostics,)

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'normal'?)' or '' when nothing is close."""
    choices = list(choices)
    by_lower = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(str(word).lower(), list(by_lower), n=1, cutoff=0.6)
    return _(" (did you mean {by_lower!r}?)").format(by_lower=by_lower[close[0]]) if close else ""


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(choices)


def format_key_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            needs_quotes = (
                not part.replace("_", "").replace("-", "").isascii()
                or not part
                or any(not (c.isalnum() or c in "_-") for c in part)
            )
            text = f'"{part}"' if needs_quotes else part
            out += ("." if out else "") + text
    return out


def diagnostic_order(d: Diagnostic) -> tuple:
    """Sort key: by file, then position, then key."""
    return (d.file, d.line or 0, d.col or 0, d.key)


def kind_of(value: Any) -> str:
    """What a value is, in words for a message: "a table", "text", "a whole number" ..."""
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, dict):
        return _("a table")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, int):
        return _("a whole number")
    if isinstance(value, float):
        return _("a number")
    # TOML reads 2023-01-05 unquoted as a date: say so, and show it as written
    if isinstance(value, datetime.datetime):  # before date: a datetime is a date too
        return _("a date and time ({value})").format(value=as_written(value))
    if isinstance(value, datetime.date):
        return _("a date ({value})").format(value=as_written(value))
    if isinstance(value, datetime.time):
        return _("a time ({value})").format(value=as_written(value))
    return type(value).__name__


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as text every output can hold: a file name that is not valid UTF-8 (bytes from another
    system's encoding) has those bytes shown as \\xff escapes rather than failing the JSON, the
    manifest or the console that would print it."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def as_written(value: Any) -> str:
    """A value as the user wrote it: text as is, a date as TOML writes it (2023-01-05, not
    datetime.date(2023, 1, 5)), true/false in TOML's words, anything else as Python shows it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return repr(value)
