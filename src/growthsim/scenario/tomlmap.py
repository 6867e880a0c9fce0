"""Where each key of a TOML document stands: tomllib parses values but forgets positions.

``KeyMap.scan(text)`` walks a document that tomllib has already accepted and records, for every key
path, the line and column of the key and of its value. Array elements are recorded under their
index. ``locate(path)`` answers with the closest recorded ancestor when a path was not written in
the file (a missing key is reported at its table).
"""

from __future__ import annotations

import contextlib
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field

# a version check rather than try/except ImportError: mypy follows it (it checks as Python 3.10)
if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["KeyMap", "Position", "bare_non_ascii_keys"]

Path = tuple  # tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    key_col: int  # 1-based column of the key
    value_col: int  # 1-based column of the value (== key_col for table headers)


@dataclass
class KeyMap:
    text: str
    positions: dict[Path, Position] = field(default_factory=dict)
    # the text split once, on the first echo: a file of 20,000 problems must not be re-split 20,000 times
    _lines: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def scan(cls, text: str) -> KeyMap:
        keymap = cls(text)
        with contextlib.suppress(IndexError, ValueError, tomllib.TOMLDecodeError):
            _Scanner(text, keymap.positions).document()  # best effort: positions found so far still help
        return keymap

    def locate(self, path: Path, at: str = "value") -> tuple[int | None, int | None]:
        """(line, column) of the key or value at ``path``, or of its nearest written ancestor."""
        for end in range(len(path), 0, -1):
            pos = self.positions.get(tuple(path[:end]))
            if pos is not None:
                if end == len(path):
                    return pos.line, pos.value_col if at == "value" else pos.key_col
                return pos.line, pos.key_col
        return None, None

    def line_text(self, line: int | None) -> str | None:
        if line is None:
            return None
        if self._lines is None:
            self._lines = self.text.split("\n")  # TOML counts lines by \n only; splitlines() also breaks at U+2028
        lines = self._lines
        return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else None


_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")


class _Scanner:
    """A minimal TOML walker: only positions are kept; values are skipped, not decoded."""

    def __init__(self, text: str, positions: dict):
        self.text = text
        self.i = 0
        self.positions = positions
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.array_table_counts: dict[Path, int] = {}

    # -- positions
    def here(self, offset: int | None = None) -> tuple[int, int]:
        offset = self.i if offset is None else offset
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def record(self, path: Path, key_offset: int, value_offset: int) -> None:
        line, key_col = self.here(key_offset)
        _, value_col = self.here(value_offset)
        self.positions.setdefault(path, Position(line, key_col, value_col))

    # -- lexical helpers
    def peek(self, n: int = 1) -> str:
        return self.text[self.i : self.i + n]

    def skip_blank(self, newlines: bool) -> None:
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self.i += 1
            elif ch == "#":
                end = self.text.find("\n", self.i)
                self.i = len(self.text) if end < 0 else end
            else:
                break

    def string(self) -> str:
        """Skip one string literal starting at self.i; return its decoded text."""
        start = self.i
        for quote in ('"""', "'''"):
            if self.peek(3) == quote:
                end = self.text.find(quote, self.i + 3)
                while quote == '"""' and end > 0 and _escaped(self.text, end):
                    end = self.text.find(quote, end + 1)
                end += 3
                while self.text[end : end + 1] == quote[0]:  # up to two extra quotes belong inside
                    end += 1
                self.i = end
                return tomllib.loads("x = " + self.text[start:end])["x"]
        quote = self.text[self.i]
        j = self.i + 1
        while self.text[j] != quote:
            j += 2 if (quote == '"' and self.text[j] == "\\") else 1
        self.i = j + 1
        return tomllib.loads("x = " + self.text[start : self.i])["x"]

    def key(self) -> list[tuple[str, int]]:
        """A dotted key: list of (part, offset)."""
        parts = []
        while True:
            self.skip_blank(newlines=False)
            start = self.i
            if self.peek() in ('"', "'"):
                parts.append((self.string(), start))
            else:
                match = _BARE_KEY.match(self.text, self.i)
                if not match:
                    raise ValueError("bad key")
                self.i = match.end()
                parts.append((match.group(), start))
            self.skip_blank(newlines=False)
            if self.peek() == ".":
                self.i += 1
                continue
            return parts

    # -- grammar
    def document(self) -> None:
        table: Path = ()
        while True:
            self.skip_blank(newlines=True)
            if self.i >= len(self.text):
                return
            if self.peek(2) == "[[":
                self.i += 2
                parts = self.key()
                self.i += 2  # ]]
                base = tuple(p for p, _ in parts)
                index = self.array_table_counts.get(base, 0)
                self.array_table_counts[base] = index + 1
                self.record(base, parts[0][1], parts[0][1])
                table = (*base, index)
                self.record(table, parts[-1][1], parts[-1][1])
            elif self.peek() == "[":
                self.i += 1
                parts = self.key()
                self.i += 1  # ]
                path: Path = ()
                for name, offset in parts:
                    path = (*path, name)
                    if path in self.array_table_counts:  # [runs.sub] after [[runs]]: the last element's
                        path = (*path, self.array_table_counts[path] - 1)
                    self.record(path, offset, offset)
                table = path
            else:
                self.keyval(table)

    def keyval(self, table: Path) -> None:
        parts = self.key()
        if self.peek() != "=":
            raise ValueError("expected =")
        self.i += 1
        self.skip_blank(newlines=False)
        value_offset = self.i
        for end in range(1, len(parts)):
            path = table + tuple(p for p, _ in parts[:end])
            self.record(path, parts[end - 1][1], parts[end - 1][1])
        path = table + tuple(p for p, _ in parts)
        self.record(path, parts[-1][1], value_offset)
        self.value(path)

    def value(self, path: Path) -> None:
        ch = self.peek()
        if ch == "{":
            self.i += 1
            while True:
                self.skip_blank(newlines=False)
                if self.i >= len(self.text):
                    raise ValueError("unclosed inline table")
                if self.peek() == "}":
                    self.i += 1
                    return
                self.keyval(path)
                self.skip_blank(newlines=False)
                if self.peek() == ",":
                    self.i += 1
        elif ch == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.i >= len(self.text):
                    raise ValueError("unclosed array")
                if self.peek() == "]":
                    self.i += 1
                    return
                element = (*path, index)
                offset = self.i
                self.record(element, offset, offset)
                self.value(element)
                index += 1
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.i += 1
        elif ch in ('"', "'"):
            self.string()
        else:
            match = re.compile(r"[^,\]\}\s#]+(?: \d\d:\d\d[^,\]\}\s#]*)?").match(self.text, self.i)
            self.i = match.end() if match else self.i + 1


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - 1 - backslashes >= 0 and text[index - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


_TABLE_HEADER = re.compile(r"^\s*\[\[?([^\]]*)\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*([^\s=\"'#\[][^=\"']*?)\s*=")


def bare_non_ascii_keys(text: str) -> list[tuple[int, int, str, bool]]:
    """Lines where a key is written with non-ASCII characters and no quotes, which TOML rejects.

    Returns (line, column, key, in_table_header) for each, so that all of them can be reported at once with a hint,
    rather than only the first one tomllib stops at. Lines inside multi-line strings are skipped.
    """
    found = []
    in_multiline: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        for quote in ('"""', "'''"):
            if line.count(quote) % 2 == 1:
                in_multiline = quote
        header = _TABLE_HEADER.match(line)
        candidates: list[tuple[str, int]] = []
        in_header = bool(header)
        if header:
            offset = header.start(1)
            for part in re.split(r"\.", header.group(1)):
                stripped = part.strip()
                if stripped and stripped[0] not in "\"'":
                    candidates.append((stripped, offset + part.find(stripped)))
                offset += len(part) + 1
        else:
            key_line = _KEY_LINE.match(line)
            if key_line:
                offset = key_line.start(1)
                for part in key_line.group(1).split("."):
                    stripped = part.strip()
                    if stripped:
                        candidates.append((stripped, offset + part.find(stripped)))
                    offset += len(part) + 1
        for key, col in candidates:
            if not key.isascii() and not _BARE_KEY.fullmatch(key):
                found.append((number, col + 1, key, in_header))
    return found
