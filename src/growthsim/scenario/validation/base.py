"""The ground floor of validation: where each problem is reported (located in the file, or the --set,
that wrote the value) and the checks of one value that every other check builds on.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from growthsim.i18n import _
from growthsim.scenario.diagnostics import (
    Diagnostic,
    did_you_mean,
    format_key_path,
    kind_of,
    one_of,
)
from growthsim.scenario.quantities import (
    Expect,
    QuantityError,
    parse_quantity,
)

__all__ = ["CheckerBase"]


_MISSING = object()


class CheckerBase:
    """Reporting, and the checks of one value (a mixin base of validation.Checker)."""

    def __init__(self, resolved):
        self.resolved = resolved
        self.diagnostics: list[Diagnostic] = []
        self.raw_drivers: dict[str, Any] = {}  # indicator id -> its drivers table, checked once all are read

    def report(self, path: Sequence, message: str, at: str = "value", severity: str = "error") -> None:
        """Record a problem at ``path``, located in the file (or --set) that wrote that value."""
        source = self.resolved.source_of(path)
        line, col, line_text = source.locate(tuple(path), at=at)
        changer = self.resolved.touched.get(tuple(path))
        if changer is not None and changer is not source:  # a table a later file (or --set) changed
            where = changer.label
            if changer.is_file:
                where += f":{changer.locate(tuple(path), at='key')[0]}"
            message += _(" (this table was changed by {where})").format(where=where)
        self.diagnostics.append(
            Diagnostic(source.label, line, col, format_key_path(path), message, severity, line_text)
        )

    def missing_indicator(self, indicator_id: str, ids: Sequence[str]) -> str:
        """'no indicator X' with a did-you-mean, or who removed it."""
        remover = self.resolved.removed.get(indicator_id)
        if remover is not None:
            return _("indicator {indicator_id!r} was removed by remove_indicators in {label}").format(
                indicator_id=indicator_id, label=remover.label
            )
        return _("no indicator {indicator_id!r}{did_you_mean}").format(
            indicator_id=indicator_id, did_you_mean=did_you_mean(indicator_id, ids)
        )

    def warn(self, path: Sequence, message: str) -> None:
        if not self.resolved.source_of(path).is_file:
            return  # a --set for one run is not expected to cite its sources
        self.report(path, message, at="key", severity="warning")

    def table(
        self,
        raw: Any,
        path: Sequence,
        allowed: Iterable[str],
        required: Iterable[str] | Mapping[str, str] = (),
        what: str = "table",
    ) -> dict | None:
        """Check that raw is a table with only allowed keys; ``required`` may map each key to a hint."""
        if not isinstance(raw, dict):
            self.report(
                path,
                _("expected a {what} (a [section] or {{ ... }}), got {kind_of}").format(
                    what=what, kind_of=kind_of(raw)
                ),
            )
            return None
        allowed = list(allowed)
        for key in raw:
            if key not in allowed:
                self.report(
                    (*path, key),
                    _("unknown key {key!r}{did_you_mean}; allowed here: {one_of}").format(
                        key=key, did_you_mean=did_you_mean(key, allowed), one_of=one_of(allowed)
                    ),
                    at="key",
                )
        hints = required if isinstance(required, Mapping) else dict.fromkeys(required, "")
        for key, hint in hints.items():
            if key not in raw:
                self.report(
                    path,
                    _("missing required key {key!r}{value}").format(key=key, value=": " + hint if hint else ""),
                    at="key",
                )
        return raw

    def text(self, table: dict, key: str, path: Sequence, required: bool = False) -> str | None:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.report((*path, key), _("expected text in quotes, got {kind_of}").format(kind_of=kind_of(value)))
            return None
        if required and not value.strip():
            self.report((*path, key), _("must not be empty"))
            return None
        if hidden := _hidden_control(value):
            # printed as it is, an escape sequence clears or retitles the terminal; U+202E turns text around
            self.report(
                (*path, key),
                _("contains a control character ({code}) that would be printed as it is: remove it").format(
                    code=hidden
                ),
            )
            return None
        return value

    def integer(self, table: dict, key: str, path: Sequence, lo: int, hi: int) -> int | None:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                hint = _(" (write {int} without a decimal point)").format(int=int(value))
            else:
                hint = ""
            self.report(
                (*path, key),
                _("expected a whole number, got {kind_of}{value}{hint}").format(
                    kind_of=kind_of(value),
                    value="" if isinstance(value, (datetime.date, datetime.time)) else f" {value!r}",
                    hint=hint,
                ),
            )
            return None
        if not lo <= value <= hi:
            self.report(
                (*path, key), _("must be between {lo:,} and {hi:,} (got {value:,})").format(lo=lo, hi=hi, value=value)
            )
            return None
        return value

    def quantity(self, raw: Any, path: Sequence, expect: Expect, unit: str | None) -> float | None:
        try:
            return parse_quantity(raw, expect, unit)
        except QuantityError as exc:
            self.report(path, str(exc))
            return None

    def choice(self, table: dict, key: str, path: Sequence, choices: Sequence[str], meanings=None) -> str | None:
        value = self.text(table, key, path)
        if value is None:
            return None
        if value not in choices:
            allowed = one_of(f"{c} ({_(meanings[c])})" for c in choices) if meanings else one_of(choices)
            self.report(
                (*path, key),
                _("{value!r} is not allowed{did_you_mean}; use one of: {allowed}").format(
                    value=value, did_you_mean=did_you_mean(value, choices), allowed=allowed
                ),
            )
            return None
        return value


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _hidden_control(text: str) -> str | None:
    """'U+001B' for the first control character of ``text`` (line breaks and tabs are text)."""
    for char in text:
        if (unicodedata.category(char) == "Cc" and char not in "\n\r\t") or char in _BIDI_CONTROLS:
            return f"U+{ord(char):04X}"
    return None
