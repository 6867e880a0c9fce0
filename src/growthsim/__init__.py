"""growthsim: how likely is each development target to be hit? A Monte Carlo scenario projector.

The library API mirrors the command line::

    from growthsim import load_scenario, simulate
    scenario = load_scenario("scenarios/luolong-2023-baseline.toml")
    summary = simulate(scenario, n_draws=100_000, seed=1)
    for row in summary.indicators:
        print(row.indicator.name, row.hit.p if row.hit else None)
"""

from typing import TYPE_CHECKING

from growthsim import _compat
from growthsim._version import __version__

# The public names are imported on first use (PEP 562), so that `growthsim --help` and
# `growthsim --version` start without loading numpy and scipy.
_EXPORTS = {
    "Diagnostic": "scenario.diagnostics",
    "ScenarioError": "scenario.diagnostics",
    "Indicator": "scenario.types",
    "Scenario": "scenario.types",
    "load_scenario": "scenario.loading",
    "parse_scenario": "scenario.loading",
    "simulate": "engine.run",
    "simulate_to_precision": "engine.run",
    "Model": "engine.model",
    "compile_model": "engine.model",
    "IndicatorSummary": "engine.summary",
    "Summary": "engine.summary",
    "Probability": "stats.intervals",
    "compare": "analysis.compare",
    "sensitivity": "analysis.sensitivity",
    "solve": "analysis.solve",
    "summary_frame": "output.frames",
    "comparison_frame": "output.frames",
    "sensitivity_frame": "output.frames",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'growthsim' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


_compat.install(__name__)  # growthsim 0.1's flat module names (growthsim.render, …) still import, with a warning

if TYPE_CHECKING:  # for type checkers and IDEs; the names are re-exported through __getattr__
    from growthsim.analysis.compare import compare
    from growthsim.analysis.sensitivity import sensitivity
    from growthsim.analysis.solve import solve
    from growthsim.engine.model import Model, compile_model
    from growthsim.engine.run import simulate, simulate_to_precision
    from growthsim.engine.summary import IndicatorSummary, Summary
    from growthsim.output.frames import (
        comparison_frame,
        sensitivity_frame,
        summary_frame,
    )
    from growthsim.scenario.diagnostics import Diagnostic, ScenarioError
    from growthsim.scenario.loading import load_scenario, parse_scenario
    from growthsim.scenario.types import Indicator, Scenario
    from growthsim.stats.intervals import Probability
