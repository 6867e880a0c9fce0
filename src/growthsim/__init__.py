"""growthsim: how likely is each development target to be hit? A Monte Carlo scenario projector.

The library API mirrors the command line::

    from growthsim import load_scenario, simulate
    scenario = load_scenario("scenarios/luolong-2023-baseline.toml")
    summary = simulate(scenario, n_draws=100_000, seed=1)
    for row in summary.indicators:
        print(row.indicator.name, row.hit.p if row.hit else None)
"""

from .diagnostics import Diagnostic, ScenarioError
from .engine import simulate
from .model import Model, compile_model
from .scenario import Indicator, Scenario, load_scenario, parse_scenario
from .summary import IndicatorSummary, Probability, Summary

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Diagnostic",
    "Indicator",
    "IndicatorSummary",
    "Model",
    "Probability",
    "Scenario",
    "ScenarioError",
    "Summary",
    "compile_model",
    "load_scenario",
    "parse_scenario",
    "simulate",
]
