"""Reading a scenario from a TOML file (with the files it extends and --set overrides)
into a checked Scenario.

``load_scenario(path)`` returns a Scenario or raises ScenarioError carrying *every* problem in the
file, each located as file:line:col with its key path, what is allowed, and a did-you-mean where a
name looks misspelt. Warnings (a number without a source or rationale) travel on the Scenario.
The file is read by ``reading`` and ``layers`` (extends, --set) and checked by ``validation``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from growthsim.i18n import _
from growthsim.scenario.actuals import actuals_from_table
from growthsim.scenario.diagnostics import Diagnostic, ScenarioError, diagnostic_order, shown_path
from growthsim.scenario.layers import resolve_file, resolve_text
from growthsim.scenario.types import Scenario
from growthsim.scenario.validation import Checker

__all__ = ["load_scenario", "parse_scenario", "what_if"]


def load_scenario(path: str | Path, overrides: Sequence[str] = (), what_if: Sequence[str] = ()) -> Scenario:
    """Read and validate a scenario file, with the files it extends and ``--set``-style overrides
    ("fai.growth.mean=12%"; ``what_if`` is the same, named --what-if in messages). Raises
    ScenarioError listing every problem found."""
    try:
        resolved = resolve_file(path, overrides, what_if)
    except ValueError as exc:  # a malformed override
        raise ScenarioError([Diagnostic("--set", None, None, "", str(exc))]) from None
    scenario = _validate(resolved)
    return dataclasses.replace(scenario, path=shown_path(path), opened=os.fspath(path), sha256=resolved.files[0][1])


def parse_scenario(text: str, file: str = "<scenario>") -> Scenario:
    """Validate a scenario given as TOML text (no extends). ``file`` is the name used in messages."""
    return _validate(resolve_text(text, file))


def _validate(resolved) -> Scenario:
    checker = Checker(resolved)
    scenario = checker.scenario(resolved.raw)
    errors = [d for d in checker.diagnostics if d.severity == "error"]
    if errors:
        raise ScenarioError(sorted(checker.diagnostics, key=diagnostic_order))
    warnings = tuple(sorted(checker.diagnostics, key=diagnostic_order))
    actuals = None
    if "actuals" in resolved.raw:  # year-to-date figures written in the scenario itself (small cases)
        label = resolved.source_of(("actuals",)).label
        actuals = actuals_from_table(
            resolved.raw["actuals"], label, lambda path, at: resolved.source_of(path).locate(path, at=at), scenario
        )
    return dataclasses.replace(
        scenario,
        actuals=actuals,
        warnings=warnings,
        files=tuple(resolved.files),
        overrides=tuple(resolved.overrides),
        readings=tuple(resolved.readings),
        origins={path: source.label for path, source in resolved.origins.items()},
        locations=_drawn_locations(scenario, resolved),
    )


# What the engine may find fault with on draws, and where to point in the file when it does: the
# assumption's key, the formula's text, the drivers' table.
_DRAWN_KEYS = (("growth", "key"), ("level", "key"), ("change", "key"), ("formula", "value"), ("drivers", "key"))


def _drawn_locations(scenario: Scenario, resolved) -> Mapping[tuple, tuple[int | None, int | None, str | None]]:
    keys = {}
    for indicator in scenario.indicators:
        for key, at in _DRAWN_KEYS:
            path = ("indicators", indicator.id, key)
            if path in resolved.origins:
                keys[path] = at
    return _Locations(resolved, keys)


class _Locations(Mapping[tuple, tuple[int | None, int | None, str | None]]):
    """Where each of ``keys`` was written (line, column, the line's text), found when a message
    asks: finding the positions of a file's keys takes longer than reading and checking it."""

    def __init__(self, resolved, keys: dict[tuple, str]):
        self._resolved, self._keys = resolved, keys

    def __getitem__(self, path: tuple) -> tuple[int | None, int | None, str | None]:
        at = self._keys[path]
        return self._resolved.source_of(path).locate(path, at=at)

    def __iter__(self) -> Iterator[tuple]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def what_if(path: str | Path, values: Sequence[str], overrides: Sequence[str] = ()) -> Scenario:
    """The scenario at ``path`` changed by ``values`` (KEY=VALUE, as --set), named after them: the
    other side of a what-if comparison (`growthsim compare --what-if fai.growth.mode=5%`)."""
    changed = load_scenario(path, overrides, what_if=values)
    return dataclasses.replace(changed, name=f"{changed.name} + {'; '.join(values)}", short_name=_("what-if"))
