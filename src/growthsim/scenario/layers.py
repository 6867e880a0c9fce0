"""Stage 0: a scenario file, the files it extends and the command line's --set, as one raw document.

A scenario may start with ``extends = "other.toml"`` (a path relative to itself) and change only
what differs. Layers merge key by key, the later layer winning, with two rules a planner expects:

* an assumption table that names its ``dist`` replaces the parent's assumption whole (a new
  distribution does not inherit the old one's parameters); without ``dist`` it changes only the
  parameters it names (``mean = "12%"``);
* a target that names its form (``at_least``, ``about`` ...), or is written as a string, replaces
  the parent's target whole; otherwise it changes only the keys it names (``tolerance``).

``remove_indicators = ["trade"]`` drops inherited indicators. Every value keeps its origin (file
and position, or the --set that gave it), so messages point at the layer that wrote the value and
``growthsim show`` can say where each number came from.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from growthsim.i18n import _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, did_you_mean
from growthsim.scenario.reading import parse_toml, read_scenario_text
from growthsim.scenario.tomlmap import KeyMap, tomllib

__all__ = ["Source", "Resolved", "resolve_file", "resolve_text", "parse_override"]

_ASSUMPTION_KEYS = ("growth", "level", "change")
_TARGET_FORMS = ("at_least", "at_most", "about", "between", "relative_to")


@dataclass(frozen=True)
class Source:
    """Where values came from: a file (with its key positions) or a --set on the command line."""

    label: str
    keymap: KeyMap | None = None

    def locate(self, path: tuple, at: str = "value") -> tuple[int | None, int | None, str | None]:
        if self.keymap is None:
            return None, None, None
        line, col = self.keymap.locate(path, at=at)
        return line, col, self.keymap.line_text(line)


@dataclass
class Resolved:
    raw: dict
    origins: dict[tuple, Source]  # key path -> the layer that last wrote it (tables and leaves)
    main: Source
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256), the file itself first
    overrides: list[str] = field(default_factory=list)
    touched: dict[tuple, Source] = field(default_factory=dict)  # table path -> the last layer that changed it
    removed: dict[str, Source] = field(default_factory=dict)  # indicator id -> the layer that removed it
    # (indicator id, assumption key) -> (the assumption table a fixed value replaced, who wrote it):
    # the law the fixed value holds the input within (scenario.Assumption.law)
    laws: dict[tuple[str, str], tuple[dict, str]] = field(default_factory=dict)
    # (dependent, removed driver, the layer that removed it): links that went with a removed indicator
    dropped_links: list[tuple[str, str, Source]] = field(default_factory=list)
    readings: list[str] = field(default_factory=list)  # how a --set/--what-if value was read, to say so

    def source_of(self, path: Sequence) -> Source:
        path = tuple(path)
        for end in range(len(path), -1, -1):
            source = self.origins.get(path[:end])
            if source is not None:
                return source
        return self.main


def resolve_text(text: str, label: str) -> Resolved:
    """One document given as text, without extends (parse_scenario's input)."""

    raw = parse_toml(text, label)
    source = Source(label, KeyMap.scan(text))
    resolved = Resolved({}, {}, source)
    if "extends" in raw:
        line, col, line_text = source.locate(("extends",))
        raise ScenarioError([Diagnostic(label, line, col, "extends", _('extends needs a file: load the scenario from its file (load_scenario) so its parent can be found'),
                                        source_line=line_text)])
    _merge_layer(resolved, raw, source)
    return resolved


def resolve_file(path: str | Path, overrides: Sequence[str] = (), what_if: Sequence[str] = ()) -> Resolved:
    """Read ``path`` and every file it extends, merge them, then apply the --set overrides and the
    --what-if values (the same thing, named after the option that gave them in messages)."""
    path = Path(path)
    chain: list[tuple[Path, dict, Source, str]] = []  # child first
    seen: list[Path] = []
    current, via = path, None
    while True:
        resolved_path = current.resolve()
        if resolved_path in seen:
            names = " extends ".join(str(p) for p in [*(c[0] for c in chain), current])
            raise ScenarioError([_at(via, f"extends makes a cycle: {names}")])
        seen.append(resolved_path)
        text, digest = _read(current, via)
        raw = _parse(text, str(current))
        source = Source(str(current), KeyMap.scan(text))
        chain.append((current, raw, source, digest))
        parent = raw.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            line, col, line_text = source.locate(("extends",))
            raise ScenarioError([Diagnostic(str(current), line, col, "extends",
                                            _('expected the parent file\'s path in quotes, e.g. extends = "luolong-2023-baseline.toml"'), source_line=line_text)])
        via = (source, current)
        current = current.parent / parent

    main = chain[0][2]
    resolved = Resolved({}, {}, main, files=[(str(p), digest) for p, _, _, digest in chain])
    for _path, raw, source, _digest in reversed(chain):  # the root ancestor first
        _merge_layer(resolved, raw, source)
    for option, override in [*(("--set", o) for o in overrides), *(("--what-if", o) for o in what_if)]:
        key_path, value = parse_override(override)
        indicators = resolved.raw.get("indicators", {})
        if key_path[0] == "indicators" and len(key_path) > 2 and key_path[1] not in indicators:
            raise ScenarioError([Diagnostic(f"{option} {override}", None, None, ".".join(key_path[:2]),
                                            _("no indicator {key_path!r}{did_you_mean}; {option} changes values of the scenario's indicators").format(key_path=key_path[1], did_you_mean=did_you_mean(key_path[1], indicators), option=option))])
        if (len(key_path) == 3 and key_path[0] == "indicators" and key_path[2] in _ASSUMPTION_KEYS
                and not isinstance(value, dict)):
            # fai.growth=10%: a bare value for a whole assumption can only mean "fixed at this value"
            written = value if not isinstance(value, str) else f'"{value}"'
            inherited = indicators.get(key_path[1], {}).get(key_path[2], {}) if isinstance(
                indicators.get(key_path[1]), dict) else {}
            central = next((k for k in ("mode", "mean", "value") if isinstance(inherited, dict) and k in inherited),
                           "mean")
            resolved.readings.append(_(
                '{option} {override}: read as {key} = {{ dist = "fixed", value = {value} }}: the input is held at '
                'this value (to move its distribution\'s centre instead, write {key}.{central}={raw})'
            ).format(option=option, override=override, key=".".join(key_path[1:]), value=written, central=central,
                     raw=override.partition("=")[2].strip()))
            value = {"dist": "fixed", "value": value}
        layer: dict = {}
        node = layer
        for part in key_path[:-1]:
            node = node.setdefault(part, {})
        node[key_path[-1]] = value
        _merge_layer(resolved, layer, Source(f"{option} {override}"))
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
        raise ValueError(_('{text!r}: write KEY=VALUE, e.g. fai.growth.mean=12%').format(text=text))
    parts = tuple(p.strip() for p in key.split("."))
    if any(not p for p in parts):
        raise ValueError(_('{text!r}: empty part in the key {key!r}').format(text=text, key=key))
    if parts[0] not in ("scenario", "simulation", "indicators", "events", "correlations"):
        parts = ("indicators", *parts)
    value = value.strip()
    try:
        parsed: Any = tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value
    return parts, parsed


# --- merging ------------------------------------------------------------------------------------


def _merge_layer(resolved: Resolved, layer: dict, source: Source) -> None:
    layer = copy.deepcopy(layer)
    layer.pop("extends", None)
    removals = layer.pop("remove_indicators", None)
    if removals is not None:
        _remove_indicators(resolved, removals, source)
    if "indicators" in resolved.raw and isinstance(layer.get("indicators"), dict):
        _check_new_indicators(resolved, layer["indicators"], source)
        if source.keymap is not None:  # a one-off --set keeps the file's reasoning on record
            _drop_stale_provenance(resolved, layer["indicators"])
    _keep_replaced_laws(resolved, layer.get("indicators"))
    _merge(resolved.raw, layer, (), resolved.origins, source, resolved.touched)


def _keep_replaced_laws(resolved: Resolved, indicators: Any) -> None:
    """Before a layer replaces an inherited distribution by a fixed value, keep the distribution:
    the fixed value holds the input within it (its correlated partners are drawn given it). A
    later layer that gives a distribution again drops it; one that fixes another value keeps it."""
    inherited = resolved.raw.get("indicators", {})
    if not isinstance(indicators, dict) or not isinstance(inherited, dict):
        return
    for indicator_id, body in indicators.items():
        if not isinstance(body, dict) or not isinstance(inherited.get(indicator_id), dict):
            continue
        for key in _ASSUMPTION_KEYS:
            new, old = body.get(key), inherited[indicator_id].get(key)
            if not isinstance(new, dict) or "dist" not in new:
                continue
            if new.get("dist") != "fixed":
                resolved.laws.pop((indicator_id, key), None)
            elif isinstance(old, dict) and old.get("dist") not in (None, "fixed"):
                origin = resolved.origins.get(("indicators", indicator_id, key))
                resolved.laws[(indicator_id, key)] = (copy.deepcopy(old), origin.label if origin else "")


def _check_new_indicators(resolved: Resolved, indicators: dict, source: Source) -> None:
    """A child that names an indicator its parents do not have, without a name of its own, has
    almost certainly misspelt an inherited id ([indicators.retial.growth])."""
    inherited = resolved.raw.get("indicators", {})
    for indicator_id, body in indicators.items():
        if indicator_id in inherited or (isinstance(body, dict) and "name" in body):
            continue
        line, col, line_text = source.locate(("indicators", indicator_id), at="key")
        raise ScenarioError([Diagnostic(
            source.label, line, col, f"indicators.{indicator_id}",
            _('no inherited indicator {indicator_id!r}{did_you_mean}; a new indicator needs its own name, unit and kind').format(indicator_id=indicator_id, did_you_mean=did_you_mean(indicator_id, inherited)), source_line=line_text)])


def _drop_stale_provenance(resolved: Resolved, indicators: dict) -> None:
    """A layer that changes an inherited assumption's or target's numbers without giving its own
    rationale or source must not keep the parent's: that reasoning was about other numbers."""
    inherited = resolved.raw.get("indicators", {})
    for indicator_id, body in indicators.items():
        if not isinstance(body, dict) or not isinstance(inherited.get(indicator_id), dict):
            continue
        drivers, inherited_drivers = body.get("drivers"), inherited[indicator_id].get("drivers")
        if isinstance(drivers, dict) and isinstance(inherited_drivers, dict):
            _drop_stale_link_provenance(resolved, indicator_id, drivers, inherited_drivers)
        for key, value in body.items():
            path = ("indicators", indicator_id, key)
            merged_into = inherited[indicator_id].get(key)
            if key == "drivers" or not isinstance(value, dict) or not isinstance(merged_into, dict) or _replaces_whole(path, value):
                continue
            changes_numbers = any(k not in ("source", "rationale", "text") for k in value)
            if changes_numbers and not ({"source", "rationale"} & value.keys()):
                for stale in ("source", "rationale"):
                    merged_into.pop(stale, None)
                    _forget(resolved.origins, (*path, stale))


def _drop_stale_link_provenance(resolved: Resolved, indicator_id: str, drivers: dict, inherited: dict) -> None:
    """The same for links: a layer that changes an inherited link's elasticity without saying why
    drops the reasoning that argued for the old one (a changed reference keeps it: the rationale
    of an elasticity does not depend on where the own assumption is stated)."""
    for driver_id, entry in drivers.items():
        old = inherited.get(driver_id)
        if not isinstance(entry, dict) or not isinstance(old, dict):
            continue
        if "elasticity" in entry and not ({"source", "rationale"} & entry.keys()):
            for stale in ("source", "rationale"):
                old.pop(stale, None)
                _forget(resolved.origins, ("indicators", indicator_id, "drivers", driver_id, stale))


def _remove_indicators(resolved: Resolved, removals: Any, source: Source) -> None:
    inherited = resolved.raw.get("indicators", {})
    problems = []
    if not isinstance(removals, list) or not all(isinstance(r, str) for r in removals):
        problems.append(("remove_indicators", _('expected a list of indicator ids, e.g. remove_indicators = ["trade"]')))
        removals = []
    for index, indicator_id in enumerate(removals):
        if indicator_id not in inherited:
            problems.append((("remove_indicators", index),
                             _('no inherited indicator {indicator_id!r} to remove{did_you_mean}').format(indicator_id=indicator_id, did_you_mean=did_you_mean(indicator_id, inherited))))
            continue
        del inherited[indicator_id]
        _forget(resolved.origins, ("indicators", indicator_id))
        resolved.removed[indicator_id] = source
        _drop_correlations_of(resolved, indicator_id)
        _drop_links_to(resolved, indicator_id, source)
    if problems:
        diagnostics = []
        for path, message in problems:
            path = path if isinstance(path, tuple) else (path,)
            line, col, line_text = source.locate(path)
            diagnostics.append(Diagnostic(source.label, line, col, 'remove_indicators', message, source_line=line_text))
        raise ScenarioError(diagnostics)


def _drop_correlations_of(resolved: Resolved, indicator_id: str) -> None:
    """A removed indicator's correlations go with it: they describe nothing any more."""
    correlations = resolved.raw.get("correlations")
    if not isinstance(correlations, dict):
        return
    correlations.pop(indicator_id, None)
    _forget(resolved.origins, ("correlations", indicator_id))
    for first, partners in correlations.items():
        if isinstance(partners, dict) and indicator_id in partners:
            del partners[indicator_id]
            _forget(resolved.origins, ("correlations", first, indicator_id))


def _drop_links_to(resolved: Resolved, indicator_id: str, source: Source) -> None:
    """A removed indicator's links go with it, as its correlations do (validation says so)."""
    for dependent, body in resolved.raw.get("indicators", {}).items():
        drivers = body.get("drivers") if isinstance(body, dict) else None
        if isinstance(drivers, dict) and indicator_id in drivers:
            del drivers[indicator_id]
            _forget(resolved.origins, ("indicators", dependent, "drivers", indicator_id))
            resolved.dropped_links.append((dependent, indicator_id, source))
            if not drivers:
                del body["drivers"]


def _replaces_whole(path: tuple, value: Any) -> bool:
    """Does this layer's value replace the inherited one instead of merging into it?"""
    if len(path) == 3 and path[0] == "indicators":
        if path[2] == "drivers" and value == {}:
            return True  # drivers = {}: the links are switched off, not merged into
        if path[2] in _ASSUMPTION_KEYS:
            return not isinstance(value, dict) or "dist" in value
        if path[2] == "target":
            return not isinstance(value, dict) or any(form in value for form in _TARGET_FORMS)
    return not isinstance(value, dict)


def _merge(base: dict, layer: dict, path: tuple, origins: dict, source: Source, touched: dict) -> None:
    for key, value in layer.items():
        here = (*path, key)
        if key in base and isinstance(base[key], dict) and not _replaces_whole(here, value):
            origins.setdefault(here, source)
            touched[here] = source
            _merge(base[key], value, here, origins, source, touched)
            continue
        _forget(origins, here)
        base[key] = value
        _record(origins, here, value, source)


def _record(origins: dict, path: tuple, value: Any, source: Source) -> None:
    origins[path] = source
    if isinstance(value, dict):
        for key, inner in value.items():
            _record(origins, (*path, key), inner, source)


def _forget(origins: dict, path: tuple) -> None:
    for key in [k for k in origins if k[: len(path)] == path]:
        del origins[key]


# --- reading ------------------------------------------------------------------------------------


def _read(path: Path, via: tuple[Source, Path] | None) -> tuple[str, str]:
    """The file's text and sha256, or a ScenarioError located at the extends that named it."""

    if via is not None and not path.exists():
        folder = via[1].resolve().parent
        raise ScenarioError([_at(via, f"the parent file {path.resolve()} does not exist: extends is read relative "
                                      f"to the folder of {via[1]} ({folder}). Copy the parent there too, or give "
                                      "its full path")])
    text, data = read_scenario_text(path)
    return text, hashlib.sha256(data).hexdigest()


def _parse(text: str, label: str) -> dict:

    return parse_toml(text, label)


def _at(via: tuple[Source, Path] | None, message: str) -> Diagnostic:
    if via is None:
        return Diagnostic("", None, None, "extends", message)
    source, _child = via
    line, col, line_text = source.locate(("extends",))
    return Diagnostic(source.label, line, col, "extends", message, source_line=line_text)
