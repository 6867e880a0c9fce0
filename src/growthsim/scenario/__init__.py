"""The files a planner writes become checked data: reading TOML with positions (``tomlmap``,
``reading``), the files it extends and --set overrides (``layers``, ``merging``), numbers with units
(``quantities``), targets, formulas, events, the distributions a file may name (``families``), and
checking it all with located messages (the ``validation`` package, ``diagnostics``). ``loading`` is
the way in; ``types`` holds what a scenario is. Nothing here draws a random number.

Front door: ``load_scenario``, ``parse_scenario``, ``Scenario``, ``Indicator``, ``ScenarioError``.
"""

from growthsim._compat import package_exports

_FRONT_DOOR = {
    "load_scenario": "growthsim.scenario.loading",
    "parse_scenario": "growthsim.scenario.loading",
    "Scenario": "growthsim.scenario.types",
    "Indicator": "growthsim.scenario.types",
    "ScenarioError": "growthsim.scenario.diagnostics",
    "Diagnostic": "growthsim.scenario.diagnostics",
}
__all__ = list(_FRONT_DOOR)
# growthsim 0.1 had a module growthsim.scenario: its other names (KINDS, Driver, …) still resolve.
__getattr__ = package_exports(__name__, _FRONT_DOOR, old_module="growthsim.scenario.types")
