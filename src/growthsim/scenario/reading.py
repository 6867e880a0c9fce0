"""Reading: a scenario file's bytes into text, and its text into a TOML document.

Both steps fail the way a planner can act on: a file saved as GBK by a Windows editor is named as
such, and tomllib's messages are explained where the mistake is recognisable (Chinese quotation
marks or commas, unquoted percentages, a key set twice, a section copied without a new id, a
Chinese key), each with its file:line:col.
"""

from __future__ import annotations

import errno
import re
import stat
from pathlib import Path

from growthsim.i18n import N_, _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, diagnostic_order, shown_path
from growthsim.scenario.tomlhints import explain_toml_error, odd_character
from growthsim.scenario.tomlmap import bare_non_ascii_keys, tomllib

__all__ = ["parse_toml", "read_scenario_text"]


# The largest scenario file read: the shipped ones are about 20 kB. A file over this is not a
# scenario (a workbook, a log, a device): refused before it is read whole.
MAX_SCENARIO_BYTES = 2_000_000


def read_scenario_text(path: str | Path) -> tuple[str, bytes]:
    """A scenario file's text and raw bytes, or a ScenarioError saying why it cannot be read. Only a
    regular file is read (a device such as /dev/zero, or a pipe, would never end), and at most
    MAX_SCENARIO_BYTES of it."""
    path = Path(path)
    label = shown_path(path)

    def cannot(message: str) -> ScenarioError:
        return ScenarioError([Diagnostic(label, None, None, "", message)])

    try:
        info = path.stat()  # follows links; never opens the file, which for a pipe would block
        if stat.S_ISDIR(info.st_mode):
            raise cannot(_("is a directory, not a scenario file"))
        if not stat.S_ISREG(info.st_mode):
            raise cannot(_("is not a regular file (a device, a pipe or a socket): give a scenario's .toml file"))
        if info.st_size > MAX_SCENARIO_BYTES:
            raise cannot(
                _("is {size} MB: a scenario file is at most {limit} MB (the shipped ones are about 20 kB)").format(
                    size=f"{info.st_size / 1e6:.1f}", limit=f"{MAX_SCENARIO_BYTES / 1e6:g}"
                )
            )
        with path.open("rb") as file:
            data = file.read(MAX_SCENARIO_BYTES + 1)
    except FileNotFoundError:
        raise cannot(_("file not found")) from None
    except IsADirectoryError:
        raise cannot(_("is a directory, not a scenario file")) from None
    except RuntimeError:  # Python 3.10's pathlib reports a loop of symbolic links so
        raise cannot(_("is a loop of symbolic links that never reaches a file")) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise cannot(_("is a loop of symbolic links that never reaches a file")) from None
        raise cannot(_("cannot read the file: {strerror}").format(strerror=exc.strerror)) from None
    if len(data) > MAX_SCENARIO_BYTES:  # it grew while being read
        raise cannot(_("is over {limit} MB: not a scenario file").format(limit=f"{MAX_SCENARIO_BYTES / 1e6:g}"))
    if (other := _other_kind_of_file(data)) is not None:
        raise cannot(other)
    try:
        return data.decode("utf-8-sig"), data  # Notepad on Windows may add a byte-order mark
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = _(" It looks like GBK/GB18030, as some Windows editors save Chinese text.")
        except UnicodeDecodeError:
            pass
        raise ScenarioError(
            [
                Diagnostic(
                    label,
                    line,
                    None,
                    "",
                    _("the file is not UTF-8 text.{hint} Save it as UTF-8 and try again.").format(hint=hint),
                )
            ]
        ) from None


def _other_kind_of_file(data: bytes) -> str | None:
    """What a file opened by mistake is, said by its first bytes: a workbook, UTF-16 text, a binary
    file. None for anything that may be a scenario."""
    if data.startswith(b"PK\x03\x04"):
        return _(
            "is an Excel or WPS workbook (.xlsx), or another zip archive, not a scenario: a scenario is a "
            "text file of key = value lines, like the shipped scenarios/*.toml"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _(
            "is an old-style Excel or WPS workbook (.xls, .et), not a scenario: a scenario is a text file of "
            "key = value lines, like the shipped scenarios/*.toml"
        )
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and head.count(0) * 3 >= len(head)):
        return _(
            "is saved as UTF-16 (what Notepad calls 'Unicode'): save it as UTF-8 (in Notepad: Save As, "
            "Encoding: UTF-8) and try again"
        )
    if head.count(0) >= 8:  # a stray NUL or two is left to the TOML reader, which says where
        return _("is a binary file, not text: a scenario is a text file of key = value lines")
    return None


# Said both of a bare Chinese key in a [header] (a TOML error) and of a quoted one (an id error).
ASCII_ID_HINT = N_(
    "{key!r} cannot be an id: ids are ASCII (lower-case letters, digits and _, such as gdp). Write the "
    'id in the header and the Chinese in name, e.g. [indicators.gdp] and on the next line name = "{key}"'
)
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def parse_toml(text: str, file: str) -> dict:
    """The TOML document, or a ScenarioError with every problem tomllib (and we) can locate."""
    try:
        document = tomllib.loads(text)
    except RecursionError:  # tomllib parses nested arrays and tables by recursion
        raise ScenarioError(
            [
                Diagnostic(
                    file,
                    None,
                    None,
                    "",
                    _("arrays or tables nested hundreds deep: no scenario nests more than a few levels"),
                )
            ]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        lines = text.split("\n")  # as TOML counts lines: not splitlines(), which also breaks at U+2028
        if _looks_like_a_table(lines):
            raise ScenarioError(
                [
                    Diagnostic(
                        file,
                        1,
                        1,
                        "",
                        _(
                            "this looks like a table of values separated by commas or tabs (a CSV file), not a "
                            "scenario: a scenario is a text file of key = value lines, like the shipped "
                            "scenarios/*.toml"
                        ),
                        source_line=lines[0],
                    )
                ]
            ) from None
        diagnostics = []
        bare_key_lines = set()
        line: int | None  # a bare key's line, then the line tomllib names (None when it names none)
        col: int | None
        for line, col, key, in_header in bare_non_ascii_keys(text):
            bare_key_lines.add(line)
            if odd := odd_character(key):  # baseline<U+200B>: the key is English but for what cannot be seen
                message, col = odd[0], col + odd[1] - 1
            elif in_header:
                # one hint that works: quoting the key only moves the refusal to the id rule
                message = _(ASCII_ID_HINT).format(key=key)
            else:
                message = _(
                    "key {key!r} must be an ASCII word: TOML allows only ASCII letters, digits, '_' and '-' in bare keys, and growthsim's keys are English (name, unit, kind ...); Chinese text goes in the values, e.g. name = \"...\""
                ).format(key=key)
            diagnostics.append(Diagnostic(file, line, col, "", message, source_line=lines[line - 1]))
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = col = None
        if match:
            message = message[: match.start()]
            if match.group(1):
                line, col = int(match.group(1)), int(match.group(2))
        if line not in bare_key_lines or line is None:
            message, line, col = explain_toml_error(message, text, lines, line, col)
            source_line = lines[line - 1] if line and line <= len(lines) else None
            diagnostics.append(
                Diagnostic(
                    file, line, col, "", _("not valid TOML: {message}").format(message=message), source_line=source_line
                )
            )
        raise ScenarioError(sorted(diagnostics, key=diagnostic_order)) from None
    except ValueError:  # not a TOMLDecodeError: Python's limit on the digits of an integer (4,300)
        long_number = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else None
        col = long_number.start() - text.rfind("\n", 0, long_number.start()) if long_number else None
        raise ScenarioError(
            [
                Diagnostic(
                    file,
                    line,
                    col,
                    "",
                    _("a number of thousands of digits: no figure needs more than a few"),
                    source_line=text.split("\n")[line - 1] if line else None,
                )
            ]
        ) from None
    too_deep = _deeper_than(document, MAX_NESTING)
    if too_deep is not None:
        shown = ".".join(str(k) for k in too_deep[:6])
        raise ScenarioError(
            [
                Diagnostic(
                    file,
                    None,
                    None,
                    shown + ("…" if len(too_deep) > 6 else ""),
                    _("keys nested more than {limit} deep: no scenario nests more than a few levels").format(
                        limit=MAX_NESTING
                    ),
                )
            ]
        )
    return document


def _looks_like_a_table(lines: list[str]) -> bool:
    """Its first lines hold the same number (two or more) of commas or of tabs, and no '='."""
    first = [line for line in lines[:5] if line.strip()][:3]
    if len(first) < 2 or any("=" in line for line in first):
        return False
    return any(len({line.count(sep) for line in first}) == 1 and first[0].count(sep) >= 2 for sep in (",", "\t"))


_LONG_NUMBER = re.compile(r"\d{1000,}")
MAX_NESTING = 16  # tables and arrays inside each other: a scenario uses 4 (indicators.gdp.growth.values)


def _deeper_than(document: dict, limit: int) -> list[object] | None:
    """The key path of a value nested more than ``limit`` deep, or None; without recursion, so that
    a dotted key two thousand parts long is measured rather than overflowing the stack."""
    stack: list[tuple[object, list[object]]] = [(document, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > limit:
            return path
        if isinstance(value, dict):
            stack.extend((item, [*path, key]) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, [*path, index]) for index, item in enumerate(value))
    return None
