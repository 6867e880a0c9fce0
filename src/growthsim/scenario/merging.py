"""How one layer merges into the document below it, keeping every value's origin: key by key, the
later layer winning, except that an assumption naming its ``dist`` or a target naming its form
replaces the parent's whole (with the reasoning of the parent's: a rationale about other numbers
must not stay); new indicators complete; ``remove_indicators`` dropping an inherited indicator with
its correlations and the links to it. ``Resolved`` is the merged document with its origins.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from growthsim.i18n import _
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, did_you_mean
from growthsim.scenario.tomlmap import KeyMap

__all__ = ["ASSUMPTION_KEYS", "Resolved", "Source", "merge_layer"]


ASSUMPTION_KEYS = ("growth", "level", "change")


_TARGET_FORMS = ("at_least", "at_most", "about", "between", "relative_to")


@dataclass(frozen=True)
class Source:
    """Where values came from: a file (its text, for the key positions) or a --set on the command line."""

    label: str
    text: str | None = None  # None: a --set

    @property
    def is_file(self) -> bool:
        return self.text is not None

    @cached_property
    def keymap(self) -> KeyMap | None:
        """The positions of the file's keys, found on first use: only a message needs them, and
        finding them took longer than reading and checking the file (the baseline: 30 of 45 ms)."""
        return None if self.text is None else KeyMap.scan(self.text)

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


def merge_layer(resolved: Resolved, layer: dict, source: Source) -> None:
    layer = copy.deepcopy(layer)
    layer.pop("extends", None)
    removals = layer.pop("remove_indicators", None)
    if removals is not None:
        _remove_indicators(resolved, removals, source)
    if "indicators" in resolved.raw and isinstance(layer.get("indicators"), dict):
        _check_new_indicators(resolved, layer["indicators"], source)
        if source.is_file:  # a one-off --set keeps the file's reasoning on record
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
        for key in ASSUMPTION_KEYS:
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
        raise ScenarioError(
            [
                Diagnostic(
                    source.label,
                    line,
                    col,
                    f"indicators.{indicator_id}",
                    _(
                        "no inherited indicator {indicator_id!r}{did_you_mean}; a new indicator needs its own name, unit and kind"
                    ).format(indicator_id=indicator_id, did_you_mean=did_you_mean(indicator_id, inherited)),
                    source_line=line_text,
                )
            ]
        )


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
            if (
                key == "drivers"
                or not isinstance(value, dict)
                or not isinstance(merged_into, dict)
                or _replaces_whole(path, value)
            ):
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
    problems: list[tuple[str | tuple[str | int, ...], str]] = []  # (key path, or its one key; message)
    if not isinstance(removals, list) or not all(isinstance(r, str) for r in removals):
        problems.append(
            ("remove_indicators", _('expected a list of indicator ids, e.g. remove_indicators = ["trade"]'))
        )
        removals = []
    for index, indicator_id in enumerate(removals):
        if indicator_id not in inherited:
            problems.append(
                (
                    ("remove_indicators", index),
                    _("no inherited indicator {indicator_id!r} to remove{did_you_mean}").format(
                        indicator_id=indicator_id, did_you_mean=did_you_mean(indicator_id, inherited)
                    ),
                )
            )
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
            diagnostics.append(Diagnostic(source.label, line, col, "remove_indicators", message, source_line=line_text))
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
        if path[2] in ASSUMPTION_KEYS:
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
