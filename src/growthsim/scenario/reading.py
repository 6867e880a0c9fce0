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
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, diagnostic_order
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
    label = str(path)

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


# Said both of a bare Chinese key in a [header] (a TOML error) and of a quoted one (an id error).
ASCII_ID_HINT = N_(
    "{key!r} cannot be an id: ids are ASCII (lower-case letters, digits and _, such as gdp). Write the "
    'id in the header and the Chinese in name, e.g. [indicators.gdp] and on the next line name = "{key}"'
)
# tomllib's messages (Python 3.11's, word for word), as planners read them
TOML_MESSAGES = (
    N_("Invalid value"),
    N_("Invalid statement"),
    N_("Expected '=' after a key in a key/value pair"),
    N_("Invalid initial character for a key part"),
    N_("Unclosed array"),
    N_("Unclosed inline table"),
    N_("Unterminated string"),
    N_("Expected newline or end of document after a statement"),
    N_("Cannot overwrite a value"),
    N_("Invalid date or datetime"),
    N_("Invalid hex value"),
    N_("Expected ']' at the end of a table declaration"),
    N_("Expected ']]' at the end of an array declaration"),
    N_("Escaped character is not a Unicode scalar value"),
    N_("Unescaped '\\' in a string"),
)
# ... and those with a value in them
TOML_PATTERNS = (
    (re.compile(r"^Illegal character (.+)$"), N_("Illegal character {0}")),
    (re.compile(r"^Found invalid character (.+)$"), N_("Found invalid character {0}")),
    (re.compile(r"^Duplicate inline table key (.+)$"), N_("Duplicate inline table key {0}")),
    (re.compile(r"^Expected (.+)$"), N_("Expected {0}")),
)


def _toml_words(message: str) -> str:
    """tomllib's message in the language in use."""
    for pattern, words in TOML_PATTERNS:
        if (match := pattern.match(message)) and message not in TOML_MESSAGES:
            return _(words).format(match.group(1))
    return _(message)


_UNQUOTED_UNIT = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*([+\-]?\d[\d.,]*)\s*([^\s\d\"'#,\]}.][^\s#,\]}]*)")
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")
_UNQUOTED_PERCENT = re.compile(r"=\s*[+\-]?\d[\d.]*\s*(%|％|pp|个百分点)")
# A value that starts like a word but is not one of TOML's own (true, false, inf, nan).
_UNQUOTED_TEXT = re.compile(r"=\s*(?!(?:true|false|inf|nan)\b)([^\s\"'\[{0-9+\-.#])")
_FULLWIDTH_QUOTED = re.compile(r"^\s*([^=\s]+)\s*=\s*[“”‘’「」]([^“”‘’「」]*)[“”‘’「」]")
_KEY_OF_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_HEADER_OF_LINE = re.compile(r"^\s*\[([^\[\]]+)\]\s*(?:#.*)?$")
_DUPLICATE_TABLE = re.compile(r"^Cannot declare (\(.*\)) twice$")


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
        diagnostics = []
        bare_key_lines = set()
        line: int | None  # a bare key's line, then the line tomllib names (None when it names none)
        col: int | None
        for line, col, key, in_header in bare_non_ascii_keys(text):
            bare_key_lines.add(line)
            if in_header:
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
            source_line = lines[line - 1] if line and line <= len(lines) else None
            message, col = _explain_toml_error(message, lines, line, col)
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


def _explain_toml_error(message: str, lines: list[str], line: int | None, col: int | None) -> tuple[str, int | None]:
    """tomllib's message, made into one a planner can act on where we recognise the mistake."""
    if line is None or line > len(lines):
        return message, col
    source = lines[line - 1]
    if message == "Cannot overwrite a value" and (key := _KEY_OF_LINE.match(source)):
        name = key.group(1)
        header_line, header = _enclosing_header(lines, line)
        first = next(
            (n for n in range(header_line + 1, line) if (m := _KEY_OF_LINE.match(lines[n - 1])) and m.group(1) == name),
            None,
        )
        where = _(" in [{header}]").format(header=header) if header else ""
        before = _(" (first at line {first})").format(first=first) if first else ""
        return _("{name!r} is set twice{where}{before}: keep only one").format(
            name=name, where=where, before=before
        ), key.start(1) + 1
    if _DUPLICATE_TABLE.match(message) and (header_match := _HEADER_OF_LINE.match(source)):
        parts = [p.strip().strip('"') for p in header_match.group(1).split(".")]
        first = next(
            (
                n
                for n in range(1, line)
                if (m := _HEADER_OF_LINE.match(lines[n - 1]))
                and [p.strip().strip('"') for p in m.group(1).split(".")] == parts
            ),
            None,
        )
        name = ".".join(parts)
        before = _(" (first at line {first})").format(first=first) if first else ""
        last_col = header_match.end(1) - len(header_match.group(1).split(".")[-1].strip()) + 1
        return _("[{name}] appears twice{before}: a copied block needs its own id, e.g. [{other}]").format(
            name=name, before=before, other=".".join([*parts[:-1], parts[-1] + "_2"])
        ), last_col
    hint = ""
    if quoted := _FULLWIDTH_QUOTED.match(source):
        hint = _('; “ ” are Chinese quotation marks: use ASCII quotes, as in {group} = "{group2}"').format(
            group=quoted.group(1), group2=quoted.group(2)
        )
    elif "，" in source:
        hint = _("; '，' is a Chinese comma: separate values with an ASCII comma ','")
    elif _UNQUOTED_PERCENT.search(source):
        hint = _('; percentages must be quoted, e.g. mean = "8%"')
    elif unit := _UNQUOTED_UNIT.match(source):  # tomllib's words would mislead here: say only this
        return _(
            'a number with a unit is text to TOML: write it in quotes, {key} = "{number}{unit}" (or the '
            "bare number, {key} = {number}, in the indicator's unit)"
        ).format(key=unit.group(1), number=unit.group(2), unit=unit.group(3)), col
    elif _UNQUOTED_TEXT.search(source):
        hint = _('; text values must be quoted, e.g. kind = "flow"')
    return _toml_words(message) + hint, col


def _enclosing_header(lines: list[str], line: int) -> tuple[int, str]:
    """(line number, dotted name) of the [table] header above ``line``; (0, '') at the top level."""
    for number in range(line - 1, 0, -1):
        if header := _HEADER_OF_LINE.match(lines[number - 1]):
            return number, ".".join(p.strip().strip('"') for p in header.group(1).split("."))
    return 0, ""
