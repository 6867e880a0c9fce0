"""The scenarios shipped with growthsim, found both in an installed package and in a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_SCENARIO", "default_scenario_path", "scenarios_dir"]

DEFAULT_SCENARIO = "luolong-2023-baseline.toml"


def scenarios_dir() -> Path:
    """The folder of shipped scenarios.

    A wheel carries them inside the package, as growthsim/scenarios (pyproject's force-include); an
    editable install or a source checkout has them at the repository root, above src/.
    """
    package = Path(__file__).resolve().parents[1]  # growthsim/, this module being growthsim/scenario/bundled.py
    inside = package / "scenarios"
    if inside.is_dir():
        return inside
    return package.parents[1] / "scenarios"


def default_scenario_path() -> Path:
    return scenarios_dir() / DEFAULT_SCENARIO
