"""tomllib's messages made into ones a planner can act on: in their language, and where the mistake
is recognisable, naming it with what to type instead — Chinese quotation marks and commas, unquoted
percentages and units, a key set twice, a section copied without a new id, characters that look
right but are not ASCII (a full-width space, full-width digits, a zero-width space, 【】：；、), a
Windows path in double quotes, and a multi-line string never closed (tomllib can only say "end of
document": we find where it opened).
"""

from __future__ import annotations

import re

from growthsim.i18n import N_, _

__all__ = ["TOML_MESSAGES", "explain_toml_error", "odd_character", "unterminated_string"]


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
_UNQUOTED_PERCENT = re.compile(r"=\s*[+\-]?\d[\d.]*\s*(%|％|pp|个百分点)")
# A value that starts like a word but is not one of TOML's own (true, false, inf, nan).
_UNQUOTED_TEXT = re.compile(r"=\s*(?!(?:true|false|inf|nan)\b)([^\s\"'\[{0-9+\-.#])")
_FULLWIDTH_QUOTED = re.compile(r"^\s*([^=\s]+)\s*=\s*[“”‘’「」]([^“”‘’「」]*)[“”‘’「」]")
_KEY_OF_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_HEADER_OF_LINE = re.compile(r"^\s*\[([^\[\]]+)\]\s*(?:#.*)?$")
_DUPLICATE_TABLE = re.compile(r"^Cannot declare (\(.*\)) twice$")


def _explain_known_mistake(message: str, lines: list[str], line: int | None, col: int | None) -> tuple[str, int | None]:
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


# Characters an input method or a word processor slips in, which look like what TOML wants (or like
# nothing at all) but are not: each with its name and what to type instead.
_INVISIBLE = {
    "\u200b": "U+200B",  # zero-width space: pasted from web pages and WeChat
    "\u200c": "U+200C",
    "\u200d": "U+200D",
    "\u2060": "U+2060",
    "\ufeff": "U+FEFF",  # a byte-order mark in mid-file, from pasting two files together
}
_SPACES = {
    "\u3000": N_("a full-width space (U+3000, 全角空格)"),
    "\u00a0": N_("a no-break space (U+00A0)"),
    "\u2002": N_("an en space (U+2002)"),
    "\u2003": N_("an em space (U+2003)"),
    "\u202f": N_("a narrow no-break space (U+202F)"),
}
_PUNCTUATION = {
    "：": (N_("a Chinese colon"), "="),
    "；": (N_("a Chinese semicolon"), N_("a new line (or ',' between the items of a list)")),
    "【": (N_("a Chinese bracket"), "["),
    "】": (N_("a Chinese bracket"), "]"),
    "、": (N_("a Chinese enumeration comma"), ","),
    "。": (N_("a Chinese full stop"), "."),
    "《": (N_("a Chinese title mark"), '"'),
    "》": (N_("a Chinese title mark"), '"'),
}
# The full-width forms of ASCII ！ to ～ (２０２２, ＝, ［, ．); not '，' and '％', which have hints of their
# own below (a Chinese comma in a list; a percentage to quote).
_FULL_WIDTH = re.compile("[\uff01-\uff04\uff06-\uff0b\uff0d-\uff5e]+")


def odd_character(line: str, col: int | None = None) -> tuple[str, int] | None:
    """(what to say, 1-based column) of a character on ``line`` that TOML cannot read but a planner
    cannot tell from the right one; the character at ``col`` first, then the first outside quotes
    and comments. None when there is none."""
    outside = _outside_strings(line)
    order = ([col - 1] if col is not None and 0 < col <= len(line) else []) + outside
    for index in order:
        if index not in outside and index != (col or 0) - 1:
            continue
        said = _name_character(line, index)
        if said is not None:
            return said, index + 1
    return None


def _name_character(line: str, index: int) -> str | None:
    char = line[index]
    if char in _INVISIBLE:
        return _("an invisible character ({code}, a zero-width space or joiner) is here: delete it").format(
            code=_INVISIBLE[char]
        )
    if char in _SPACES:
        return _("{name} is here: type an ordinary space (or none)").format(name=_(_SPACES[char]))
    if char in _PUNCTUATION:
        name, instead = _PUNCTUATION[char]
        return _("'{char}' is {name}: type {instead} instead (English input mode)").format(
            char=char, name=_(name), instead=f"'{instead}'" if len(instead) == 1 else _(instead)
        )
    if run := _FULL_WIDTH.match(line, index):
        written = run.group(0)
        ascii_form = "".join(chr(ord(c) - 0xFEE0) for c in written)
        return _("'{written}' is typed in full-width characters: type '{ascii}' (English input mode)").format(
            written=written, ascii=ascii_form
        )
    return None


def _outside_strings(line: str) -> list[int]:
    """Indexes of the characters of ``line`` outside quoted strings and before a comment (roughly:
    inside a string any character is allowed, so only these can be the culprit)."""
    indexes = []
    quote = None
    i = 0
    while i < len(line):
        char = line[i]
        if quote is None:
            if char == "#":
                break
            if char in "\"'":
                quote = char
            else:
                indexes.append(i)
        elif char == "\\" and quote == '"':
            i += 1  # an escape: the next character cannot close the string
        elif char == quote:
            quote = None
        i += 1
    return indexes


def unterminated_string(text: str) -> tuple[int, int, str] | None:
    """(line, column, quotes) where a string opens that is never closed, or None. tomllib reports a
    multi-line string left open only at the end of the document; this finds where it began."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if char in "\"'":
            quotes = text[i : i + 3] if text.startswith(char * 3, i) else char
            close = _closing(text, i + len(quotes), quotes)
            if close is None:
                line = text.count("\n", 0, i) + 1
                return line, i - text.rfind("\n", 0, i), quotes
            i = close
            continue
        i += 1
    return None


def _closing(text: str, start: int, quotes: str) -> int | None:
    """Just past the quotes closing a string whose content starts at ``start``, or None."""
    j = start
    while j < len(text):
        char = text[j]
        if char == "\\" and quotes[0] == '"':
            j += 2
            continue
        if char == "\n" and len(quotes) == 1:
            return None  # a one-line string ends with its line
        if text.startswith(quotes, j):
            end = j + len(quotes)
            while len(quotes) == 3 and text.startswith(quotes[0], end) and end - j < 5:
                end += 1  # """a"""" is a string ending in a quote
            return end
        j += 1
    return None


_WINDOWS_PATH = re.compile(r'^\s*([A-Za-z0-9_\-.]+)\s*=\s*"([^"]*\\[^"]*)"')
_ESCAPE_MESSAGES = (
    "Invalid hex value",
    "Unescaped '\\' in a string",
    "Escaped character is not a Unicode scalar value",
)


def explain_toml_error(
    message: str, text: str, lines: list[str], line: int | None, col: int | None
) -> tuple[str, int | None, int | None]:
    """tomllib's ``message`` at (``line``, ``col``) as (words for a planner, line, column)."""
    # "end of document" (no line): most often a string left open, whatever tomllib's words for it
    if line is None and (opened := unterminated_string(text)):
        line, col, quotes = opened
        return (
            _("this string, opened with {quotes}, is never closed: add the closing {quotes}").format(quotes=quotes),
            line,
            col,
        )
    if line is not None and line <= len(lines):
        if odd := odd_character(lines[line - 1], col):
            return odd[0], line, odd[1]
        if message in _ESCAPE_MESSAGES and (path := _WINDOWS_PATH.match(lines[line - 1])):
            return (
                _(
                    "a backslash in double quotes starts an escape such as \\n: write a Windows path in single "
                    "quotes, {key} = '{path}', or double each backslash"
                ).format(key=path.group(1), path=path.group(2)),
                line,
                col,
            )
    said, col = _explain_known_mistake(message, lines, line, col)
    return said, line, col
