"""A scenario file, the files it extends and the command line's --set, as one raw document.

A scenario may start with ``extends = "other.toml"`` (a path relative to itself) and change only
what differs. Layers merge key by key, the later layer winning, with two rules a planner expects:

* an assumption table that names its ``dist`` replaces the parent's assumption whole (a new
  distribution does not inherit the old one's parameters); without ``dist`` it changes only the
  parameters it names (``mean = "12%"``);
* a target that names its form (``at_least``, ``about`` ...), or is written as a string, replaces
  the parent's target whole; otherwise it changes only the keys it names (``tolerance``).

``remove_indicators = ["trade"]`` drops inherited indicators. Every value keeps its origin (file
and position, or the --set that gave it), so messages point at the layer that wrote the value and
``growthsim show`` can say where each number came from."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from growthsim.i18n import _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, did_you_mean, shown_path
from growthsim.scenario.merging import ASSUMPTION_KEYS, Resolved, Source, merge_layer
from growthsim.scenario.reading import parse_toml, read_scenario_text
from growthsim.scenario.tomlmap import tomllib

__all__ = ["parse_override", "resolve_file", "resolve_text"]


def resolve_text(text: str, label: str) -> Resolved:
    """One document given as text, without extends (parse_scenario's input)."""

    raw = parse_toml(text, label)
    source = Source(label, text)
    resolved = Resolved({}, {}, source)
    if "extends" in raw:
        line, col, line_text = source.locate(("extends",))
        raise ScenarioError(
            [
                Diagnostic(
                    label,
                    line,
                    col,
                    "extends",
                    _(
                        "extends needs a file: load the scenario from its file (load_scenario) so its parent can be found"
                    ),
                    source_line=line_text,
                )
            ]
        )
    merge_layer(resolved, raw, source)
    return resolved


def resolve_file(path: str | Path, overrides: Sequence[str] = (), what_if: Sequence[str] = ()) -> Resolved:
    """Read ``path`` and every file it extends, merge them, then apply the --set overrides and the
    --what-if values (the same thing, named after the option that gave them in messages)."""
    path = Path(path)
    chain: list[tuple[Path, dict, Source, str]] = []  # child first
    seen: list[Path] = []
    current, via = path, None
    while True:
        try:
            resolved_path = current.resolve()
        except (RuntimeError, OSError):  # a loop of symbolic links: reading it says so, located
            read_scenario_text(current)
            raise
        if resolved_path in seen:
            names = " → ".join(shown_path(p) for p in [*(c[0] for c in chain), current])
            raise ScenarioError([_at(via, _("extends makes a cycle: {names}").format(names=names))])
        seen.append(resolved_path)
        text, digest = _read(current, via)
        raw = _parse(text, shown_path(current))
        source = Source(shown_path(current), text)
        chain.append((current, raw, source, digest))
        parent = raw.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            line, col, line_text = source.locate(("extends",))
            raise ScenarioError(
                [
                    Diagnostic(
                        shown_path(current),
                        line,
                        col,
                        "extends",
                        _('expected the parent file\'s path in quotes, e.g. extends = "luolong-2023-baseline.toml"'),
                        source_line=line_text,
                    )
                ]
            )
        via = (source, current)
        current = current.parent / parent

    main = chain[0][2]
    resolved = Resolved({}, {}, main, files=[(shown_path(p), digest) for p, _, _, digest in chain])
    for _path, raw, source, _digest in reversed(chain):  # the root ancestor first
        merge_layer(resolved, raw, source)
    for option, override in [*(("--set", o) for o in overrides), *(("--what-if", o) for o in what_if)]:
        key_path, value = parse_override(override)
        indicators = resolved.raw.get("indicators", {})
        if key_path[0] == "indicators" and len(key_path) > 2 and key_path[1] not in indicators:
            raise ScenarioError(
                [
                    Diagnostic(
                        f"{option} {override}",
                        None,
                        None,
                        ".".join(key_path[:2]),
                        _(
                            "no indicator {key_path!r}{did_you_mean}; {option} changes values of the scenario's indicators"
                        ).format(
                            key_path=key_path[1], did_you_mean=did_you_mean(key_path[1], indicators), option=option
                        ),
                    )
                ]
            )
        if (
            len(key_path) == 3
            and key_path[0] == "indicators"
            and key_path[2] in ASSUMPTION_KEYS
            and not isinstance(value, dict)
        ):
            # fai.growth=10%: a bare value for a whole assumption can only mean "fixed at this value"
            written = value if not isinstance(value, str) else f'"{value}"'
            inherited = (
                indicators.get(key_path[1], {}).get(key_path[2], {})
                if isinstance(indicators.get(key_path[1]), dict)
                else {}
            )
            central = next(
                (k for k in ("mode", "mean", "value") if isinstance(inherited, dict) and k in inherited), "mean"
            )
            resolved.readings.append(
                _(
                    '{option} {override}: read as {key} = {{ dist = "fixed", value = {value} }}: the input is held at '
                    "this value (to move its distribution's centre instead, write {key}.{central}={raw})"
                ).format(
                    option=option,
                    override=override,
                    key=".".join(key_path[1:]),
                    value=written,
                    central=central,
                    raw=override.partition("=")[2].strip(),
                )
            )
            value = {"dist": "fixed", "value": value}
        layer: dict = {}
        node = layer
        for part in key_path[:-1]:
            node = node.setdefault(part, {})
        node[key_path[-1]] = value
        merge_layer(resolved, layer, Source(f"{option} {override}"))
        resolved.overrides.append(override)
    return resolved


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """'fai.growth.mean=12%' -> (('indicators', 'fai', 'growth', 'mean'), '12%').

    The value is read as TOML where it is valid TOML (numbers, quoted strings, inline tables), and
    as text otherwise, so ``12%`` and ``">= 7%"`` both mean what they would in the file. A key that
    does not start with scenario, simulation or indicators is an indicator id.
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(_("{text!r}: write KEY=VALUE, e.g. fai.growth.mean=12%").format(text=text))
    parts = tuple(p.strip() for p in key.split("."))
    if any(not p for p in parts):
        raise ValueError(_("{text!r}: empty part in the key {key!r}").format(text=text, key=key))
    if parts[0] not in ("scenario", "simulation", "indicators", "events", "correlations"):
        parts = ("indicators", *parts)
    value = value.strip()
    try:
        parsed: Any = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value
    return parts, parsed


def _read(path: Path, via: tuple[Source, Path] | None) -> tuple[str, str]:
    """The file's text and sha256, or a ScenarioError located at the extends that named it."""

    if via is not None and not path.exists():
        folder = via[1].resolve().parent
        raise ScenarioError(
            [
                _at(
                    via,
                    _(
                        "the parent file {parent} does not exist: extends is read relative to the folder of "
                        "{child} ({folder}). Copy the parent there too, or give its full path"
                    ).format(parent=path.resolve(), child=via[1], folder=folder),
                )
            ]
        )
    try:
        text, data = read_scenario_text(path)
    except ScenarioError as error:
        if via is None:
            raise
        # a parent that cannot be read at all (a folder, a pipe, too large) is the extends line's fault
        raise ScenarioError(
            [
                _at(via, _("the parent file {parent} {problem}").format(parent=path, problem=d.message))
                if d.line is None
                else d
                for d in error.diagnostics
            ]
        ) from None
    return text, hashlib.sha256(data).hexdigest()


def _parse(text: str, label: str) -> dict:

    return parse_toml(text, label)


def _at(via: tuple[Source, Path] | None, message: str) -> Diagnostic:
    if via is None:
        return Diagnostic("", None, None, "extends", message)
    source, _child = via
    line, col, line_text = source.locate(("extends",))
    return Diagnostic(source.label, line, col, "extends", message, source_line=line_text)
