"""Stage 1: read a scenario TOML file into a validated ``Scenario``.

``load_scenario(path)`` returns a Scenario or raises ScenarioError carrying *every* problem in the
file, each located as file:line:col with its key path, what is allowed, and a did-you-mean where a
name looks misspelt. Warnings (a number without a source or rationale) travel on the Scenario.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .dependence import METHODS, is_correlation_matrix, nearest_correlation, rank_to_score
from .diagnostics import (
    Diagnostic,
    ScenarioError,
    did_you_mean,
    format_key_path,
    one_of,
)
from .distributions import (
    DISTRIBUTIONS,
    ROLE_LOCATION,
    ROLE_NUMBER,
    ROLE_SPREAD,
    ROLE_VALUES,
    Distribution,
    ParamProblem,
    make_distribution,
)
from .events import EFFECT_KINDS, Effect, Event
from .formulas import Formula, FormulaError, parse_formula
from .quantities import Expect, QuantityError, format_value, parse_quantity
from .targets import SIDES, Target
from .tomlmap import bare_non_ascii_keys, tomllib

__all__ = [
    "Assumption",
    "Indicator",
    "Scenario",
    "KINDS",
    "load_scenario",
    "parse_scenario",
]

# kind -> (the simulated quantity's key in the file, its metric name, how it is written)
KINDS: dict[str, tuple[str, str, Expect]] = {
    "flow": ("growth", "growth", Expect.PERCENT),
    "rate": ("level", "level", Expect.PERCENT),
    "change": ("change", "change", Expect.POINTS),
    "count": ("level", "level", Expect.AMOUNT),
}
KIND_MEANINGS = {
    "flow": "an amount per year (GDP, investment ...): the assumption is its growth rate",
    "rate": "a rate or share (unemployment, CPI ...): the assumption is its 2023 level",
    "change": "a change of a rate in percentage points (urbanisation +0.8pp): the assumption is the change",
    "count": "a whole number (new firms, new jobs ...): the assumption is the 2023 count",
    "derived": "a formula of other indicators on the same draw (per-capita GDP ...): no assumption of its own",
}
DERIVED_METRICS = ("growth", "level", "change")


def _natural(kind: str) -> tuple[str, Expect]:
    """(metric, how it is written) of a kind, or of a derived indicator's 'derived/<metric>' pseudo-kind."""
    if kind in KINDS:
        return KINDS[kind][1], KINDS[kind][2]
    metric = kind.split("/")[1]
    if metric == "growth":
        return "growth", Expect.PERCENT
    if metric == "change":
        return "change", Expect.POINTS
    return "level", Expect.PERCENT if kind.endswith("%") else Expect.AMOUNT
BASES = ("real", "nominal")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
DEFAULT_DRAWS = 100_000
MAX_DRAWS = 1_000_000_000


@dataclass(frozen=True)
class Assumption:
    """The uncertain input of one indicator: a distribution on its growth, level or change."""

    on: str  # "growth", "level" or "change"
    dist: str
    distribution: Distribution
    written: Mapping[str, Any]  # parameters exactly as written in the file, for `show`
    source: str | None = None
    rationale: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    kind: str
    assumption: Assumption | None  # None for a derived indicator
    basis: str | None = None
    baseline: float | None = None
    growth_2022: float | None = None
    source: str | None = None
    note: str | None = None
    target: Target | None = None
    rationale: str | None = None  # why an assumed baseline (one the report does not give) is what it is
    formula: Formula | None = None  # derived indicators
    derived_metric: str | None = None  # what a derived indicator's formula gives: growth, level or change

    @property
    def natural_kind(self) -> str:
        """The kind, or for a derived indicator 'derived/<metric>' (with '%' for a level in percent)."""
        if self.kind != "derived":
            return self.kind
        return f"derived/{self.derived_metric}{'%' if self.derived_metric == 'level' and self.unit == '%' else ''}"

    @property
    def metric(self) -> str:
        """What is drawn (or computed): growth (flow), level (rate, count) or change."""
        return _natural(self.natural_kind)[0]

    @property
    def expect(self) -> Expect:
        return _natural(self.natural_kind)[1]

    @property
    def fields(self) -> tuple[str, ...]:
        """The quantities a formula may take from this indicator (.growth, .level, .change)."""
        if self.metric == "growth" or self.metric == "change":
            return (self.metric, "level") if self.baseline is not None else (self.metric,)
        return ("level",)

    def field_values(self, field: str, values):
        """This indicator's ``field`` from its drawn (or computed) values."""
        if field == self.metric:
            return values
        if self.metric == "growth":
            return self.baseline * (1.0 + values)
        return self.baseline + values  # the level of a rate after a change

    @property
    def baseline_expect(self) -> Expect:
        if self.kind == "derived":
            return self.expect if self.metric == "level" else (Expect.AMOUNT if self.metric == "growth"
                                                               else Expect.PERCENT)
        return Expect.AMOUNT if self.kind in ("flow", "count") else Expect.PERCENT

    def fmt(self, value: float, signed: bool = False) -> str:
        return format_value(value, self.expect, self.unit, signed=signed)

    def fmt_baseline(self) -> str:
        if self.baseline is None:
            return "—"
        return format_value(self.baseline, self.baseline_expect, self.unit)


@dataclass(frozen=True)
class Scenario:
    name: str
    indicators: tuple[Indicator, ...]
    description: str = ""
    base_year: int = 2022
    target_year: int = 2023
    source: str | None = None
    draws: int = DEFAULT_DRAWS
    seed: int | None = None
    path: str | None = None
    sha256: str | None = None
    events: tuple[Event, ...] = ()
    correlations: tuple[tuple[str, str, float], ...] = ()  # as written: (a, b, rho)
    # the matrix the engine uses, over the correlated indicators: (ids, rows); repaired if need be
    correlation_matrix: tuple | None = field(default=None, compare=False)
    correlation_method: str = "iman_conover"
    files: tuple[tuple[str, str], ...] = ()  # (path, sha256) of the file and every file it extends
    overrides: tuple[str, ...] = ()  # --set KEY=VALUE, in order
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)
    origins: Mapping[tuple, str] = field(default_factory=dict, compare=False, repr=False)  # key path -> layer

    def origin(self, *path: str) -> str | None:
        """Which file (or --set) wrote the value at this key path."""
        for end in range(len(path), 0, -1):
            label = self.origins.get(tuple(path[:end]))
            if label is not None:
                return label
        return None

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"no indicator {indicator_id!r}{did_you_mean(indicator_id, self.ids)}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def targeted(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.target is not None)


# --- loading ------------------------------------------------------------------------------------


def load_scenario(path: str | Path, overrides: Sequence[str] = (), what_if: Sequence[str] = ()) -> Scenario:
    """Read and validate a scenario file, with the files it extends and ``--set``-style overrides
    ("fai.growth.mean=12%"; ``what_if`` is the same, named --what-if in messages). Raises
    ScenarioError listing every problem found."""
    from .layers import resolve_file

    try:
        resolved = resolve_file(path, overrides, what_if)
    except ValueError as exc:  # a malformed override
        raise ScenarioError([Diagnostic("--set", None, None, "", str(exc))]) from None
    scenario = _validate(resolved)
    return _replace(scenario, path=str(path), sha256=resolved.files[0][1])


def read_scenario_text(path: str | Path) -> tuple[str, bytes]:
    """A scenario file's text and raw bytes, or a ScenarioError saying why it cannot be read."""
    path = Path(path)
    label = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Diagnostic(label, None, None, "", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError([Diagnostic(label, None, None, "", "is a directory, not a scenario file")]) from None
    except OSError as exc:
        raise ScenarioError([Diagnostic(label, None, None, "", f"cannot read the file: {exc.strerror}")]) from None
    try:
        return data.decode("utf-8-sig"), data  # Notepad on Windows may add a byte-order mark
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " It looks like GBK/GB18030, as some Windows editors save Chinese text."
        except UnicodeDecodeError:
            pass
        raise ScenarioError(
            [Diagnostic(label, line, None, "", f"the file is not UTF-8 text.{hint} Save it as UTF-8 and try again.")]
        ) from None


def _replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


def parse_scenario(text: str, file: str = "<scenario>") -> Scenario:
    """Validate a scenario given as TOML text (no extends). ``file`` is the name used in messages."""
    from .layers import resolve_text

    return _validate(resolve_text(text, file))


def _validate(resolved) -> Scenario:
    checker = _Checker(resolved)
    scenario = checker.scenario(resolved.raw)
    errors = [d for d in checker.diagnostics if d.severity == "error"]
    if errors:
        raise ScenarioError(sorted(checker.diagnostics, key=_diagnostic_order))
    warnings = tuple(sorted(checker.diagnostics, key=_diagnostic_order))
    return _replace(scenario, warnings=warnings, files=tuple(resolved.files), overrides=tuple(resolved.overrides),
                    origins={path: source.label for path, source in resolved.origins.items()})


def _diagnostic_order(d: Diagnostic) -> tuple:
    return (d.file, d.line or 0, d.col or 0, d.key)


_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")
_UNQUOTED_PERCENT = re.compile(r"=\s*[+\-]?\d[\d.]*\s*(%|％|pp|个百分点)")
# A value that starts like a word but is not one of TOML's own (true, false, inf, nan).
_UNQUOTED_TEXT = re.compile(r"=\s*(?!(?:true|false|inf|nan)\b)([^\s\"'\[{0-9+\-.#])")
_FULLWIDTH_QUOTED = re.compile(r"^\s*([^=\s]+)\s*=\s*[“”‘’「」]([^“”‘’「」]*)[“”‘’「」]")
_KEY_OF_LINE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")
_HEADER_OF_LINE = re.compile(r"^\s*\[([^\[\]]+)\]\s*(?:#.*)?$")
_DUPLICATE_TABLE = re.compile(r"^Cannot declare (\(.*\)) twice$")


def _parse_toml(text: str, file: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        lines = text.split("\n")  # as TOML counts lines: not splitlines(), which also breaks at U+2028
        diagnostics = []
        bare_key_lines = set()
        for line, col, key, in_header in bare_non_ascii_keys(text):
            bare_key_lines.add(line)
            if in_header:
                message = (f"key {key!r} must be quoted: TOML allows only ASCII letters, digits, '_' and '-' in "
                           f"bare keys. Write \"{key}\" in double quotes, or better, use an ASCII id (such as gdp) "
                           f"and put the Chinese name in name = \"{key}\"")
            else:
                message = (f"key {key!r} must be an ASCII word: TOML allows only ASCII letters, digits, '_' and "
                           "'-' in bare keys, and growthsim's keys are English (name, unit, kind ...); Chinese "
                           "text goes in the values, e.g. name = \"...\"")
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
            diagnostics.append(Diagnostic(file, line, col, "", f"not valid TOML: {message}", source_line=source_line))
        raise ScenarioError(sorted(diagnostics, key=_diagnostic_order)) from None


def _explain_toml_error(message: str, lines: list[str], line: int | None, col: int | None) -> tuple[str, int | None]:
    """tomllib's message, made into one a planner can act on where we recognise the mistake."""
    if line is None or line > len(lines):
        return message, col
    source = lines[line - 1]
    if message == "Cannot overwrite a value" and (key := _KEY_OF_LINE.match(source)):
        name = key.group(1)
        header_line, header = _enclosing_header(lines, line)
        first = next((n for n in range(header_line + 1, line)
                      if (m := _KEY_OF_LINE.match(lines[n - 1])) and m.group(1) == name), None)
        where = f" in [{header}]" if header else ""
        before = f" (first at line {first})" if first else ""
        return f"{name!r} is set twice{where}{before}: keep only one", key.start(1) + 1
    if _DUPLICATE_TABLE.match(message) and (header := _HEADER_OF_LINE.match(source)):
        parts = [p.strip().strip('"') for p in header.group(1).split(".")]
        first = next((n for n in range(1, line) if (m := _HEADER_OF_LINE.match(lines[n - 1]))
                      and [p.strip().strip('"') for p in m.group(1).split(".")] == parts), None)
        name = ".".join(parts)
        before = f" (first at line {first})" if first else ""
        last_col = header.end(1) - len(header.group(1).split(".")[-1].strip()) + 1
        return (f"[{name}] appears twice{before}: a copied block needs its own id, "
                f"e.g. [{'.'.join(parts[:-1] + [parts[-1] + '_2'])}]"), last_col
    hint = ""
    if quoted := _FULLWIDTH_QUOTED.match(source):
        hint = (f"; “ ” are Chinese quotation marks: use ASCII quotes, as in "
                f"{quoted.group(1)} = \"{quoted.group(2)}\"")
    elif "，" in source:
        hint = "; '，' is a Chinese comma: separate values with an ASCII comma ','"
    elif _UNQUOTED_PERCENT.search(source):
        hint = '; percentages must be quoted, e.g. mean = "8%"'
    elif _UNQUOTED_TEXT.search(source):
        hint = '; text values must be quoted, e.g. kind = "flow"'
    return message + hint, col


def _enclosing_header(lines: list[str], line: int) -> tuple[int, str]:
    """(line number, dotted name) of the [table] header above ``line``; (0, '') at the top level."""
    for number in range(line - 1, 0, -1):
        if header := _HEADER_OF_LINE.match(lines[number - 1]):
            return number, ".".join(p.strip().strip('"') for p in header.group(1).split("."))
    return 0, ""


# --- validation ---------------------------------------------------------------------------------

_MISSING = object()


class _Checker:
    """Walks the parsed TOML, building the Scenario and collecting every problem on the way."""

    def __init__(self, resolved):
        self.resolved = resolved
        self.diagnostics: list[Diagnostic] = []

    # -- reporting
    def report(self, path: Sequence, message: str, at: str = "value", severity: str = "error") -> None:
        """Record a problem at ``path``, located in the file (or --set) that wrote that value."""
        source = self.resolved.source_of(path)
        line, col, line_text = source.locate(tuple(path), at=at)
        changer = self.resolved.touched.get(tuple(path))
        if changer is not None and changer is not source:  # a table a later file (or --set) changed
            where = changer.label
            if changer.keymap is not None:
                where += f":{changer.keymap.locate(tuple(path), at='key')[0]}"
            message += f" (this table was changed by {where})"
        self.diagnostics.append(Diagnostic(source.label, line, col, format_key_path(path), message, severity,
                                           line_text))

    def missing_indicator(self, indicator_id: str, ids: Sequence[str]) -> str:
        """'no indicator X' with a did-you-mean, or who removed it."""
        remover = self.resolved.removed.get(indicator_id)
        if remover is not None:
            return f"indicator {indicator_id!r} was removed by remove_indicators in {remover.label}"
        return f"no indicator {indicator_id!r}{did_you_mean(indicator_id, ids)}"

    def warn(self, path: Sequence, message: str) -> None:
        if self.resolved.source_of(path).keymap is None:
            return  # a --set for one run is not expected to cite its sources
        self.report(path, message, at="key", severity="warning")

    # -- generic checks
    def table(self, raw: Any, path: Sequence, allowed: Iterable[str],
              required: Iterable[str] | Mapping[str, str] = (), what: str = "table") -> dict | None:
        """Check that raw is a table with only allowed keys; ``required`` may map each key to a hint."""
        if not isinstance(raw, dict):
            self.report(path, f"expected a {what} (a [section] or {{ ... }}), got {_kind_of(raw)}")
            return None
        allowed = list(allowed)
        for key in raw:
            if key not in allowed:
                self.report(
                    (*path, key),
                    f"unknown key {key!r}{did_you_mean(key, allowed)}; allowed here: {one_of(allowed)}",
                    at="key",
                )
        hints = required if isinstance(required, Mapping) else dict.fromkeys(required, "")
        for key, hint in hints.items():
            if key not in raw:
                self.report(path, f"missing required key {key!r}{': ' + hint if hint else ''}", at="key")
        return raw

    def text(self, table: dict, key: str, path: Sequence, required: bool = False) -> str | None:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.report((*path, key), f"expected text in quotes, got {_kind_of(value)}")
            return None
        if required and not value.strip():
            self.report((*path, key), "must not be empty")
            return None
        return value

    def integer(self, table: dict, key: str, path: Sequence, lo: int, hi: int) -> int | None:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                hint = f" (write {int(value)} without a decimal point)"
            else:
                hint = ""
            self.report((*path, key), f"expected a whole number, got {_kind_of(value)} {value!r}{hint}")
            return None
        if not lo <= value <= hi:
            self.report((*path, key), f"must be between {lo:,} and {hi:,} (got {value:,})")
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
            allowed = one_of(f"{c} ({meanings[c]})" for c in choices) if meanings else one_of(choices)
            self.report((*path, key), f"{value!r} is not allowed{did_you_mean(value, choices)}; use one of: {allowed}")
            return None
        return value

    # -- the document
    def scenario(self, raw: dict) -> Scenario:
        # extends and remove_indicators were consumed by layers.py; listed so that a misspelling is caught
        self.table(raw, (), ("extends", "remove_indicators", "scenario", "simulation", "indicators", "events",
                            "correlations"), required=("scenario", "indicators"))
        meta = {}
        if "scenario" in raw:  # a missing [scenario] is reported once, above
            meta = self.table(raw["scenario"], ("scenario",),
                              ("name", "description", "base_year", "target_year", "source"), required=("name",)) or {}
        name = self.text(meta, "name", ("scenario",), required=True) or ""
        description = self.text(meta, "description", ("scenario",)) or ""
        source = self.text(meta, "source", ("scenario",))
        base_year = self.integer(meta, "base_year", ("scenario",), 1900, 2200)
        target_year = self.integer(meta, "target_year", ("scenario",), 1900, 2200)
        base_ok = base_year is not None or "base_year" not in meta  # a bad base_year is reported once
        base_year = base_year if base_year is not None else 2022
        if target_year is None:
            target_year = base_year + 1
        elif base_ok and target_year != base_year + 1:
            self.report(("scenario", "target_year"),
                        f"growthsim projects one year ahead: target_year must be base_year + 1 = {base_year + 1}")

        sim = self.table(raw.get("simulation", {}), ("simulation",), ("draws", "seed", "correlation_method")) or {}
        method = self.choice(sim, "correlation_method", ("simulation",), METHODS) or METHODS[0]
        draws = self.integer(sim, "draws", ("simulation",), 1, MAX_DRAWS) or DEFAULT_DRAWS
        seed = self.integer(sim, "seed", ("simulation",), 0, 2**63 - 1)

        indicators_raw = raw.get("indicators", {})
        indicators: list[Indicator] = []
        if isinstance(indicators_raw, dict):
            if not indicators_raw and "indicators" in raw:
                self.report(("indicators",), "no indicators: add at least one [indicators.<id>] section", at="key")
            for indicator_id, body in indicators_raw.items():
                indicator = self.indicator(indicator_id, body)
                if indicator is not None:
                    indicators.append(indicator)
            indicators = self.check_formulas(indicators, list(indicators_raw))
            self.check_relative_targets(indicators, all_ids=list(indicators_raw))
        else:
            self.report(("indicators",), f"expected a table of indicators, got {_kind_of(indicators_raw)}")
        all_ids = list(indicators_raw) if isinstance(indicators_raw, dict) else []
        events = self.events(raw.get("events", {}), indicators, all_ids)
        pairs, matrix = self.correlations(raw.get("correlations", {}), indicators, all_ids)
        return Scenario(name=name, description=description, base_year=base_year, target_year=target_year,
                        source=source, draws=draws, seed=seed, indicators=tuple(indicators), events=tuple(events),
                        correlations=pairs, correlation_matrix=matrix, correlation_method=method)

    # -- correlations
    def correlations(self, raw: Any, indicators: list[Indicator], all_ids: list[str]):
        """Pairs as written, and the matrix the engine will use: (ids, rows), repaired if need be."""
        if not isinstance(raw, dict):
            self.report(("correlations",), "expected a [correlations] section such as gdp = { industry = 0.7 }")
            return (), None
        known = {i.id for i in indicators}
        by_kind = {i.id: i.kind for i in indicators}
        pairs: dict[frozenset, tuple[str, str, float]] = {}
        if "matrix" in raw or "order" in raw:
            pairs.update(self.correlation_matrix_form(raw, all_ids))
            raw = {k: v for k, v in raw.items() if k not in ("matrix", "order")}
        for first, partners in raw.items():
            path = ("correlations", first)
            if first not in all_ids:
                self.report(path, self.missing_indicator(first, all_ids), at="key")
                continue
            if not isinstance(partners, dict):
                self.report(path, f"expected a table of partners, e.g. {first} = {{ industry = 0.7 }}, "
                                  f"got {_kind_of(partners)}")
                continue
            for second, value in partners.items():
                here = (*path, second)
                if second not in all_ids:
                    self.report(here, self.missing_indicator(second, all_ids), at="key")
                    continue
                if second == first:
                    self.report(here, "an indicator's correlation with itself is always 1", at="key")
                    continue
                if any(by_kind.get(x) == "derived" for x in (first, second)):
                    self.report(here, "a derived indicator moves with the indicators of its formula: correlate "
                                      "those instead", at="key")
                    continue
                rho = self.quantity(value, here, Expect.NUMBER, None)
                if rho is None:
                    continue
                if not -1 <= rho <= 1:
                    self.report(here, f"a correlation lies between -1 and 1 (got {_as_written(value)})")
                    continue
                key = frozenset((first, second))
                if key in pairs:
                    a, b, _ = pairs[key]
                    self.report(here, f"the pair {first} ~ {second} is given twice (also as {a} ~ {b} = "
                                      f"{pairs[key][2]:g}): keep one", at="key")
                    continue
                pairs[key] = (first, second, rho)
        usable = [p for p in pairs.values() if p[0] in known and p[1] in known]
        if not usable:
            return tuple(pairs.values()), None
        ids = [i.id for i in indicators if any(i.id in p[:2] for p in usable)]
        index = {indicator_id: k for k, indicator_id in enumerate(ids)}
        asked = np.eye(len(ids))
        for a, b, rho in usable:
            asked[index[a], index[b]] = asked[index[b], index[a]] = rho
        matrix = asked
        if not is_correlation_matrix(asked):
            matrix = nearest_correlation(asked)
            moved = [f"{ids[i]} ~ {ids[j]}: {asked[i, j]:.3g} -> {matrix[i, j]:.3g}"
                     for i in range(len(ids)) for j in range(i + 1, len(ids)) if abs(matrix[i, j] - asked[i, j]) > 5e-4]
            if moved:  # otherwise the repair is below the precision anyone writes correlations with
                self.warn(("correlations",), "these correlations cannot hold together (the matrix is not "
                                             "positive semi-definite; pairs you did not write count as 0); "
                                             "growthsim uses the nearest valid matrix, which moves "
                                             f"{len(moved)} pair{'s' if len(moved) != 1 else ''}: "
                                             + "; ".join(moved) + ". Writing the missing pairs usually avoids it.")
        elif not is_correlation_matrix(rank_to_score(asked)):
            # valid as rank correlations, but the normal scores that would produce them are not quite
            achieved = 6 / np.pi * np.arcsin(nearest_correlation(rank_to_score(asked)) / 2)
            moved = [f"{ids[i]} ~ {ids[j]}: {asked[i, j]:.3g} -> {achieved[i, j]:.3g}"
                     for i in range(len(ids)) for j in range(i + 1, len(ids))
                     if abs(achieved[i, j] - asked[i, j]) > 5e-4]
            if moved:
                self.warn(("correlations",), "no joint distribution of normal scores has exactly these rank "
                                             "correlations; growthsim uses the nearest, which moves "
                                             f"{len(moved)} pair{'s' if len(moved) != 1 else ''}: " + "; ".join(moved))
        fixed = [i.id for i in indicators if i.id in ids and i.assumption is not None and i.assumption.dist == "fixed"]
        for indicator_id in fixed:
            self.warn(("correlations",), f"{indicator_id} has a fixed value: a correlation with it has no effect")
        return tuple(pairs.values()), (tuple(ids), tuple(tuple(float(v) for v in row) for row in matrix))

    # -- shock events
    def events(self, raw: Any, indicators: list[Indicator], all_ids: list[str]) -> list[Event]:
        if not isinstance(raw, dict):
            self.report(("events",), f"expected [events.<id>] sections, got {_kind_of(raw)}")
            return []
        by_id = {i.id: i for i in indicators}
        events, group_totals = [], {}
        for event_id, body in raw.items():
            path = ("events", event_id)
            if not _ID.match(event_id):
                self.report(path, f"event id {event_id!r} must be lower-case ASCII letters, digits and '_', "
                                  "starting with a letter (the Chinese name goes in name = \"...\")", at="key")
                continue
            body = self.table(body, path, ("name", "probability", "group", "effects", "source", "rationale"),
                              required={"name": "", "probability": "e.g. probability = \"15%\"",
                                        "effects": "e.g. effects = [{ indicator = \"retail\", add = \"-4pp\" }]"})
            if body is None:
                continue
            name = self.text(body, "name", path, required=True)
            group = self.text(body, "group", path)
            probability = None
            if "probability" in body:
                probability = self.quantity(body["probability"], (*path, "probability"), Expect.PERCENT, None)
                if probability is not None and not 0 < probability <= 1:
                    self.report((*path, "probability"), "must be more than 0% and at most 100%")
                    probability = None
            if not (self.text(body, "source", path) or self.text(body, "rationale", path)):
                self.warn(path, "event has neither a source nor a rationale for its probability and effects")
            effects = None
            if "effects" in body:
                effects = self.effects(body["effects"], (*path, "effects"), by_id, all_ids)
            if name is None or probability is None or effects is None:
                continue
            if group is not None:
                group_totals.setdefault(group, []).append((event_id, probability))
            events.append(Event(event_id, name, probability, tuple(effects), group,
                                self.text(body, "source", path), self.text(body, "rationale", path)))
        for group, members in group_totals.items():
            total = sum(p for _, p in members)
            if total > 1 + 1e-12:
                ids = ", ".join(event_id for event_id, _ in members)
                self.report(("events", members[-1][0], "group"),
                            f"the events of group {group!r} ({ids}) exclude each other, so their probabilities "
                            f"must add up to at most 100% (they add up to {format_value(total, Expect.PERCENT)})")
        return events

    def effects(self, raw: Any, path: tuple, by_id: dict, all_ids: list[str]) -> list[Effect] | None:
        if not isinstance(raw, list) or not raw:
            self.report(path, "expected a list of effects, e.g. "
                              "effects = [{ indicator = \"retail\", add = \"-4pp\" }]")
            return None
        effects, ok = [], True
        for index, item in enumerate(raw):
            here = (*path, index)
            item = self.table(item, here, ("indicator", *EFFECT_KINDS), required={"indicator": ""})
            if item is None:
                ok = False
                continue
            kinds = [k for k in EFFECT_KINDS if k in item]
            if len(kinds) != 1:
                self.report(here, "an effect takes exactly one of: add (points or units added), scale (a factor "
                                  f"on the level), replace (another distribution) (found {one_of(kinds) or 'none'})",
                            at="key")
                ok = False
                continue
            target_id = self.text(item, "indicator", here)
            indicator = by_id.get(target_id)
            if indicator is not None and indicator.kind == "derived":
                self.report((*here, "indicator"), f"{target_id} is derived by its formula: let the event act on the "
                                                  "indicators its formula uses")
                ok = False
                continue
            if indicator is None:
                if target_id is not None and target_id not in all_ids:
                    self.report((*here, "indicator"), self.missing_indicator(target_id, all_ids))
                ok = False
                continue
            kind, value = kinds[0], item[kinds[0]]
            if kind == "replace":
                assumption = self.assumption(value, (*here, "replace"), indicator.kind, indicator.unit)
                if assumption is None:
                    ok = False
                    continue
                params = ", ".join(f"{k} = {v}" for k, v in assumption.written.items() if k != "dist")
                effects.append(Effect(target_id, kind, distribution=assumption.distribution,
                                      written=f"{indicator.assumption.on} ~ {assumption.dist}({params})"))
                continue
            if kind == "scale":
                parsed = self.quantity(value, (*here, "scale"), Expect.NUMBER, None)
                if parsed is not None and not parsed > 0:
                    self.report((*here, "scale"), f"the factor must be greater than 0 (got {_as_written(value)})")
                    parsed = None
            else:
                # points, not "%": "-4%" on a growth could mean 4 percent of it
                expect = Expect.AMOUNT if indicator.expect is Expect.AMOUNT else Expect.POINTS
                parsed = self.quantity(value, (*here, "add"), expect, indicator.unit)
            if parsed is None:
                ok = False
                continue
            effects.append(Effect(target_id, kind, value=parsed, written=_as_written(value)))
        return effects if ok else None

    def indicator(self, indicator_id: str, body: Any) -> Indicator | None:
        path = ("indicators", indicator_id)
        ok = True
        if not _ID.match(indicator_id):
            ascii_hint = " (Chinese names go in name = \"...\")" if not indicator_id.isascii() else ""
            self.report(path, f"indicator id {indicator_id!r} must be lower-case ASCII letters, digits and '_', "
                              f"starting with a letter{ascii_hint}", at="key")
            ok = False
        allowed = ("name", "unit", "kind", "basis", "baseline", "growth_2022", "source", "rationale", "note",
                   "growth", "level", "change", "target")
        if isinstance(body, dict) and body.get("kind") == "derived":
            allowed = ("name", "unit", "kind", "basis", "baseline", "source", "rationale", "note", "formula", "metric",
                       "target")
        body = self.table(body, path, allowed,
                          required={"name": "", "unit": "", "kind": f"one of {one_of(KIND_MEANINGS)}"})
        if body is None:
            return None
        name = self.text(body, "name", path, required=True)
        unit = self.text(body, "unit", path)
        kind = self.choice(body, "kind", path, tuple(KIND_MEANINGS), KIND_MEANINGS)
        source = self.text(body, "source", path)
        note = self.text(body, "note", path)
        if kind is None or name is None or unit is None:
            return None
        if kind == "derived":
            return self.derived(indicator_id, body, path, name, unit, source, note, ok)
        assumption_key, _metric, expect = KINDS[kind]

        basis = None
        if kind == "flow":
            if "basis" not in body:
                self.report(path, "missing required key 'basis': 'real' (comparable prices, like GDP) or "
                                  "'nominal' (current prices, like retail sales)", at="key")
                ok = False
            else:
                basis = self.choice(body, "basis", path, BASES)
                ok &= basis is not None
        elif "basis" in body:
            self.report((*path, "basis"), f"'basis' applies to flow indicators only (this one is a {kind})",
                        at="key")
            ok = False

        baseline = None
        if "baseline" in body:
            baseline_expect = Expect.AMOUNT if kind in ("flow", "count") else Expect.PERCENT
            baseline = self.quantity(body["baseline"], (*path, "baseline"), baseline_expect, unit)
            ok &= baseline is not None
            if kind == "flow" and baseline is not None and baseline <= 0:
                self.report((*path, "baseline"), "a flow's baseline must be greater than 0")
                ok = False
        growth_2022 = None
        if "growth_2022" in body:
            if kind != "flow":
                self.report((*path, "growth_2022"), "growth_2022 applies to flow indicators only", at="key")
                ok = False
            else:
                growth_2022 = self.quantity(body["growth_2022"], (*path, "growth_2022"), Expect.PERCENT, unit)
                ok &= growth_2022 is not None
        if (baseline is not None or growth_2022 is not None) and not (source or self.text(body, "rationale", path)):
            self.warn(path, "baseline/growth_2022 given without a source: cite where in the report they come from "
                            "(or, for a number the report does not give, a rationale)")

        wrong_keys = [k for k in ("growth", "level", "change") if k in body and k != assumption_key]
        for key in wrong_keys:
            self.report((*path, key), f"a {kind} indicator's assumption is '{assumption_key}' "
                                      f"({KIND_MEANINGS[kind]}), not '{key}'", at="key")
            ok = False
        assumption = None
        if assumption_key in body:
            assumption = self.assumption(body[assumption_key], (*path, assumption_key), kind, unit)
        elif not wrong_keys:
            self.report(path, f"missing the assumption '{assumption_key}': e.g. "
                              f"{assumption_key} = {DISTRIBUTIONS['normal'].example}", at="key")
        ok &= assumption is not None

        target = None
        if "target" in body:
            target = self.target(body["target"], (*path, "target"), kind, unit, baseline)
            ok &= target is not None
        if not ok or assumption is None:
            return None
        return Indicator(id=indicator_id, name=name, unit=unit, kind=kind, basis=basis, baseline=baseline,
                         growth_2022=growth_2022, source=source, note=note, assumption=assumption, target=target,
                         rationale=self.text(body, "rationale", path))

    def correlation_matrix_form(self, raw: dict, all_ids: list[str]) -> dict[frozenset, tuple[str, str, float]]:
        """order = [ids] and matrix = [[...]] (symmetric, unit diagonal) as pairs, zeros included."""
        path = ("correlations",)
        order, matrix = raw.get("order"), raw.get("matrix")
        if order is None or matrix is None:
            self.report(path, "a correlation matrix needs both order = [\"gdp\", \"industry\", ...] and "
                              "matrix = [[1, 0.6, ...], ...]", at="key")
            return {}
        if not isinstance(order, list) or not all(isinstance(x, str) for x in order) or len(set(order)) != len(order):
            self.report((*path, "order"), "expected a list of different indicator ids")
            return {}
        ok = True
        for k, indicator_id in enumerate(order):
            if indicator_id not in all_ids:
                self.report((*path, "order", k), self.missing_indicator(indicator_id, all_ids))
                ok = False
        size = len(order)
        if not (isinstance(matrix, list) and len(matrix) == size
                and all(isinstance(row, list) and len(row) == size for row in matrix)):
            self.report((*path, "matrix"), f"expected {size} rows of {size} numbers, one per id in order")
            return {}
        values = np.full((size, size), np.nan)
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                number = self.quantity(value, (*path, "matrix", i), Expect.NUMBER, None)
                if number is None or not -1 <= number <= 1:
                    if number is not None:
                        self.report((*path, "matrix", i), f"row {i + 1}: a correlation lies between -1 and 1 "
                                                          f"(got {_as_written(value)})")
                    ok = False
                    continue
                values[i, j] = number
        if not ok:
            return {}
        for i in range(size):
            if values[i, i] != 1:
                self.report((*path, "matrix", i), f"row {i + 1}: the diagonal must be 1 ({order[i]} with itself)")
                return {}
            for j in range(i + 1, size):
                if values[i, j] != values[j, i]:
                    self.report((*path, "matrix", j), f"the matrix must be symmetric: {order[i]} ~ {order[j]} is "
                                                      f"{values[i, j]:g} in row {i + 1} but {values[j, i]:g} in "
                                                      f"row {j + 1}")
                    return {}
        return {frozenset((order[i], order[j])): (order[i], order[j], float(values[i, j]))
                for i in range(size) for j in range(i + 1, size)}

    def derived(self, indicator_id: str, body: dict, path: tuple, name: str, unit: str, source: str | None,
                note: str | None, ok: bool) -> Indicator | None:
        """An indicator computed from others by a formula; references are checked once all are read."""
        metric = None
        if "metric" not in body:
            self.report(path, "missing required key 'metric': what the formula gives, one of "
                              f"{one_of(DERIVED_METRICS)} (a growth such as per-capita GDP growth, a level "
                              "such as R&D intensity, or a change in points)", at="key")
        else:
            metric = self.choice(body, "metric", path, DERIVED_METRICS)
        formula = None
        if "formula" not in body:
            self.report(path, "missing required key 'formula', e.g. formula = \"(1 + gdp.growth) / "
                              "(1 + population.growth) - 1\"", at="key")
        else:
            text = self.text(body, "formula", path)
            if text is not None:
                try:
                    formula = parse_formula(text)
                except FormulaError as error:
                    self.report_in_formula((*path, "formula"), error.col, f"{error.message}")
        basis = self.choice(body, "basis", path, BASES) if "basis" in body else None
        baseline = None
        if metric is not None and "baseline" in body:
            expect = Expect.PERCENT if (metric == "change" or unit == "%") else Expect.AMOUNT
            baseline = self.quantity(body["baseline"], (*path, "baseline"), expect, unit)
        if metric is None or formula is None or not ok:
            return None
        natural = f"derived/{metric}{'%' if metric == 'level' and unit == '%' else ''}"
        target = None
        if "target" in body:
            target = self.target(body["target"], (*path, "target"), natural, unit, baseline)
            if target is None:
                return None
        return Indicator(id=indicator_id, name=name, unit=unit, kind="derived", assumption=None, basis=basis,
                         baseline=baseline, source=source, note=note, target=target, formula=formula,
                         derived_metric=metric)

    def report_in_formula(self, path: tuple, col: int | None, message: str) -> None:
        """A problem at column ``col`` of a formula string: point the caret into the formula."""
        source = self.resolved.source_of(path)
        line, value_col, line_text = source.locate(tuple(path), at="value")
        at = value_col + col if value_col is not None and col is not None else value_col
        where = f" (at column {col} of the formula)" if col is not None else ""
        self.diagnostics.append(Diagnostic(source.label, line, at, format_key_path(path), message + where,
                                           "error", line_text))

    def check_formulas(self, indicators: list[Indicator], all_ids: list[str]) -> list[Indicator]:
        """References of formulas exist and offer the field asked for; derived indicators form no cycle.

        Returns the indicators with the broken derived ones left out."""
        by_id = {i.id: i for i in indicators}
        broken = set()
        for indicator in indicators:
            if indicator.formula is None:
                continue
            path = ("indicators", indicator.id, "formula")
            for reference in indicator.formula.references:
                other = by_id.get(reference.indicator)
                if other is None:
                    if reference.indicator not in all_ids or reference.indicator in self.resolved.removed:
                        missing = self.missing_indicator(reference.indicator, all_ids)
                        self.report_in_formula(path, reference.col, missing)
                    broken.add(indicator.id)
                elif reference.field not in other.fields:
                    hint = " (a level needs the indicator's baseline)" if reference.field == "level" else ""
                    offered = " and ".join("." + f for f in other.fields)
                    self.report_in_formula(path, reference.col, f"{reference.indicator} has {offered}, "
                                                                f"not .{reference.field}{hint}")
                    broken.add(indicator.id)
        graph = {i.id: [r.indicator for r in i.formula.references if r.indicator in by_id]
                 for i in indicators if i.formula is not None}
        cycle = _find_cycle(graph)
        if cycle:
            self.report(("indicators", cycle[0], "formula"), "the formulas refer to each other in a circle: "
                        + " -> ".join(cycle) + ": one of them must be drawn, not derived")
            broken.update(cycle)
        return [i for i in indicators if i.id not in broken]

    def assumption(self, raw: Any, path: tuple, kind: str, unit: str) -> Assumption | None:
        if not isinstance(raw, dict):
            self.report(path, f"expected a distribution table such as {DISTRIBUTIONS['normal'].example}, "
                              f"got {_kind_of(raw)}")
            return None
        dist_name = raw.get("dist")
        if dist_name is None:
            self.report(path, f"missing 'dist': which distribution (one of: {one_of(DISTRIBUTIONS)})", at="key")
            return None
        if not isinstance(dist_name, str):
            self.report((*path, "dist"), f"expected text in quotes, got {_kind_of(dist_name)}")
            return None
        if dist_name not in DISTRIBUTIONS:
            self.report((*path, "dist"), f"unknown distribution {dist_name!r}{did_you_mean(dist_name, DISTRIBUTIONS)}"
                                         f" (expected one of: {one_of(DISTRIBUTIONS)})")
            return None
        spec = DISTRIBUTIONS[dist_name]
        if spec.counts_only and kind != "count":
            self.report((*path, "dist"), f"{dist_name} is for count indicators only (this one is a {kind}); "
                                         "use e.g. normal, split_normal or pert")
            return None
        param_names = [p.name for p in spec.params]
        allowed = ["dist", *param_names, "source", "rationale"]
        for key in raw:
            if key in ("mean", "median", "centre", "center") and key not in param_names and "mode" in param_names:
                self.report((*path, key), f"{dist_name} has no {key!r}: its centre is 'mode' (the most likely "
                                          f"value); allowed here: {one_of(allowed)}", at="key")
        raw = {k: v for k, v in raw.items() if not (k in ("mean", "median", "centre", "center")
                                                      and k not in param_names and "mode" in param_names)}
        self.table(raw, path, allowed)
        given = [k for k in raw if k in param_names]
        forms = [f for f in spec.forms if all(k in raw for k in f)]
        form_words = " or ".join("/".join(f) for f in spec.forms)
        if not forms:
            missing = min(([k for k in f if k not in raw] for f in spec.forms), key=len)
            self.report(path, f"{dist_name} needs {form_words}; missing {one_of(missing)}", at="key")
            return None
        form = forms[0]
        extra = [k for k in given if k not in form and k not in spec.optional]
        if extra or len(forms) > 1:
            self.report(path, f"{dist_name} takes {form_words}, one form only; remove {one_of(extra or forms[1])}",
                        at="key")
            return None

        expect = KINDS[kind][2]
        spread_expect = Expect.AMOUNT if expect is Expect.AMOUNT else Expect.SPREAD
        params: dict[str, Any] = {}
        ok = True
        for name in given:
            role = spec.param(name).role
            value_path = (*path, name)
            if role == ROLE_VALUES:
                values = raw[name]
                if not isinstance(values, list):
                    self.report(value_path, f"expected a list such as [\"5%\", \"6%\"], got {_kind_of(values)}")
                    ok = False
                    continue
                parsed = [self.quantity(v, (*value_path, i), expect, unit) for i, v in enumerate(values)]
                ok &= all(v is not None for v in parsed)
                params[name] = parsed
                continue
            this_expect = {ROLE_LOCATION: expect, ROLE_SPREAD: spread_expect, ROLE_NUMBER: Expect.NUMBER}[role]
            value = self.quantity(raw[name], value_path, this_expect, unit)
            ok &= value is not None
            params[name] = value
        if not ok:
            return None
        try:
            distribution = make_distribution(dist_name, params)
        except ParamProblem as problem:
            for name, message in problem.problems:
                if name in raw:  # show the value as the planner wrote it, not in code units
                    message = re.sub(r"\(got [^)]*\)$", f"(got {_as_written(raw[name])})", message)
                self.report((*path, name) if name else path, message)
            return None
        source = self.text(raw, "source", path)
        rationale = self.text(raw, "rationale", path)
        if not (source or rationale):
            self.warn(path, "assumption has neither a source nor a rationale: say where it comes from or why "
                            "a planner would accept it")
        written = {k: raw[k] for k in ["dist", *given]}
        return Assumption(on=KINDS[kind][0], dist=dist_name, distribution=distribution, written=written,
                          source=source, rationale=rationale)

    # -- targets
    _FORMS = ("at_least", "at_most", "about", "between", "relative_to")
    _SHORTHAND = re.compile(r"^\s*(>=|≥|<=|≤)\s*(.+?)\s*$")

    def target(self, raw: Any, path: tuple, kind: str, unit: str, baseline: float | None) -> Target | None:
        if isinstance(raw, str):
            match = self._SHORTHAND.match(raw)
            if not match:
                self.report(path, f"cannot read target {raw!r}: write \">= 8%\" or \"<= 5.5%\", or a table such as "
                                  "{ about = \"7%\", tolerance = \"0.5pp\", side = \"at_least\" }")
                return None
            op = ">=" if match.group(1) in (">=", "≥") else "<="
            raw = {"at_least" if op == ">=" else "at_most": match.group(2)}
            shorthand = True
        else:
            shorthand = False
        allowed = (*self._FORMS, "tolerance", "side", "stretch", "source", "text")
        table = self.table(raw, path, allowed)
        if table is None:
            return None
        forms = [f for f in self._FORMS if f in table]
        if len(forms) != 1:
            which = "none" if not forms else one_of(forms)
            self.report(path, f"a target takes exactly one of: {one_of(self._FORMS)} (found {which})", at="key")
            return None
        form = forms[0]
        common = dict(written=self.text(table, "text", path), source=self.text(table, "source", path))
        if not common["source"] and not shorthand:
            self.warn(path, "target has no source: cite where in the report it is set")
        elif shorthand:
            self.warn(path, "target has no source: write it as a table, e.g. "
                            "{ at_least = \"8%\", source = \"二: ...\" }")

        for key, forms_ok in (("tolerance", ("about", "relative_to")), ("side", ("about", "relative_to")),
                              ("stretch", ("at_least", "at_most"))):
            if key in table and form not in forms_ok:
                self.report((*path, key), f"'{key}' goes with {' or '.join(forms_ok)} targets only", at="key")
                return None

        if form == "relative_to":
            other = self.text(table, "relative_to", path)
            tolerance, side = self.tolerance_and_side(table, path, kind, unit)
            if other is None or tolerance is None or side is None:
                return None
            metric, expect = _natural(kind)
            return Target(op="relative", metric=metric, expect=expect, unit=unit, relative_to=other,
                          tolerance=tolerance, side=side, **common)

        if form == "between":
            pair = table["between"]
            if not isinstance(pair, list) or len(pair) != 2:
                self.report((*path, "between"), "expected two values, low and high, e.g. between = [\"2%\", \"4%\"]")
                return None
            low = self.target_value(pair[0], (*path, "between", 0), kind, unit, baseline)
            high = self.target_value(pair[1], (*path, "between", 1), kind, unit, baseline)
            if low is None or high is None:
                return None
            if low[1] != high[1]:
                self.report((*path, "between"), "both bounds must be of the same kind (both growths or both levels)")
                return None
            if not low[0] < high[0]:
                self.report((*path, "between", 1), "the high bound must be greater than the low bound")
                return None
            return Target(op="between", metric=low[1], expect=low[2], unit=unit, low=low[0], high=high[0], **common)

        parsed = self.target_value(table[form], (*path, form), kind, unit, baseline)
        if parsed is None:
            return None
        value, metric, expect = parsed
        if form == "about":
            tolerance, side = self.tolerance_and_side(table, path, kind, unit, expect)
            if tolerance is None or side is None:
                return None
            return Target(op="about", metric=metric, expect=expect, unit=unit, value=value, tolerance=tolerance,
                          side=side, **common)
        op = ">=" if form == "at_least" else "<="
        stretch = None
        if "stretch" in table:
            parsed_stretch = self.target_value(table["stretch"], (*path, "stretch"), kind, unit, baseline)
            if parsed_stretch is None:
                return None
            stretch, stretch_metric, _ = parsed_stretch
            if stretch_metric != metric:
                self.report((*path, "stretch"), f"the stretch must be a {metric} like the target itself")
                return None
            more_demanding = stretch >= value if op == ">=" else stretch <= value
            if not more_demanding:
                word = "at least" if op == ">=" else "at most"
                self.report((*path, "stretch"), f"a stretch (力争) target must be more demanding than the floor: "
                                                f"{word} {format_value(value, expect, unit)}")
                return None
        return Target(op=op, metric=metric, expect=expect, unit=unit, value=value, stretch=stretch, **common)

    def target_value(self, raw: Any, path: tuple, kind: str, unit: str,
                     baseline: float | None) -> tuple[float, str, Expect] | None:
        """A threshold, with the metric its writing implies: for a flow, "8%" is growth, "16亿元" a level."""
        if kind != "flow":
            metric, expect = _natural(kind)
            value = self.quantity(raw, path, expect, unit)
            return None if value is None else (value, metric, expect)
        if isinstance(raw, str) and raw.strip().endswith(("pp", "个百分点")):
            number = re.sub(r"(pp|个百分点)$", "", raw.strip())
            self.report(path, f"{raw!r} is in percentage points, but a target on a flow is a growth "
                              f"(\"{number}%\") or a level in {unit} (\"{number}{unit}\")")
            return None
        if isinstance(raw, str) and raw.strip().endswith(("%", "％")):
            value = self.quantity(raw, path, Expect.PERCENT, unit)
            return None if value is None else (value, "growth", Expect.PERCENT)
        if isinstance(raw, str) and raw.strip():
            if raw.strip()[-1].isdigit() or raw.strip()[-1] == ".":
                raw = float(raw) if _is_number(raw) else raw
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            self.report(path, f"{raw!r} is ambiguous for a flow: write \"{raw}%\" for a growth target or "
                              f"\"{raw}{unit}\" for a level target")
            return None
        value = self.quantity(raw, path, Expect.AMOUNT, unit)
        if value is None:
            return None
        if baseline is None:
            self.report(path, "a level target on a flow needs the indicator's baseline (the 2022 level)")
            return None
        return value, "level", Expect.AMOUNT

    def tolerance_and_side(self, table: dict, path: tuple, kind: str, unit: str,
                           expect: Expect | None = None) -> tuple[float | None, str | None]:
        expect = expect or _natural(kind)[1]
        tolerance = side = None
        if "tolerance" not in table:
            self.report(path, "missing 'tolerance': how far from the value still counts, e.g. tolerance = \"0.5pp\"",
                        at="key")
        else:
            spread = Expect.AMOUNT if expect is Expect.AMOUNT else Expect.SPREAD
            tolerance = self.quantity(table["tolerance"], (*path, "tolerance"), spread, unit)
            if tolerance is not None and tolerance < 0:
                self.report((*path, "tolerance"), "must not be negative")
                tolerance = None
        if "side" not in table:
            self.report(path, f"missing 'side': one of {one_of(SIDES)} (at_least: no more than the tolerance "
                              "below; at_most: no more than the tolerance above; both: within it either way)",
                        at="key")
        else:
            side = self.choice(table, "side", path, SIDES)
        return tolerance, side

    def check_relative_targets(self, indicators: list[Indicator], all_ids: list[str]) -> None:
        """Relative targets name another indicator; ``all_ids`` includes those that had errors."""
        by_id = {i.id: i for i in indicators}
        for indicator in indicators:
            target = indicator.target
            if target is None or target.op != "relative":
                continue
            path = ("indicators", indicator.id, "target", "relative_to")
            other = by_id.get(target.relative_to)
            if other is None and target.relative_to in all_ids:
                continue  # it exists but has errors of its own, reported there
            if other is None:
                self.report(path, f"{self.missing_indicator(target.relative_to, all_ids)}; "
                                  f"indicators in this scenario: {one_of(all_ids)}")
            elif other.id == indicator.id:
                self.report(path, "an indicator cannot be compared with itself")
            elif other.metric != indicator.metric:
                self.report(path, f"cannot compare {indicator.id}'s {indicator.metric} with "
                                  f"{other.id}'s {other.metric}")
            elif other.kind not in ("flow", "derived") and other.kind != indicator.kind:
                self.report(path, f"cannot compare a {indicator.kind} with a {other.kind} ({other.id})")
            elif indicator.basis and other.basis and other.basis != indicator.basis:
                self.report(path, f"{indicator.id} grows in {indicator.basis} terms but {other.id} in "
                                  f"{other.basis} terms: compare growths on the same price basis")
            elif indicator.expect is Expect.AMOUNT and other.unit != indicator.unit:
                self.report(path, f"units differ: {indicator.unit} vs {other.unit}")


def _as_written(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle in the derived-indicator graph as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt in graph and state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if state.get(node) is None:
            found = visit(node)
            if found:
                return found
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    return type(value).__name__
