"""growthsim: how likely is each development target to be hit? A Monte Carlo scenario projector.

The library API mirrors the command line::

    from growthsim import load_scenario, simulate
    scenario = load_scenario("scenarios/luolong-2023-baseline.toml")
    summary = simulate(scenario, n_draws=100_000, seed=1)
    for row in summary.indicators:
        print(row.indicator.name, row.hit.p if row.hit else None)
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# The public names are imported on first use (PEP 562), so that `growthsim --help` and
# `growthsim --version` start without loading numpy and scipy.
_EXPORTS = {
    "Diagnostic": "diagnostics",
    "ScenarioError": "diagnostics",
    "simulate": "engine",
    "Model": "model",
    "compile_model": "model",
    "Indicator": "scenario",
    "Scenario": "scenario",
    "load_scenario": "scenario",
    "parse_scenario": "scenario",
    "IndicatorSummary": "summary",
    "Probability": "intervals",
    "Summary": "summary",
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


if TYPE_CHECKING:  # for type checkers and IDEs; the names are re-exported through __getattr__
    from .diagnostics import Diagnostic, ScenarioError  # noqa: F401
    from .engine import simulate  # noqa: F401
    from .intervals import Probability  # noqa: F401
    from .model import Model, compile_model  # noqa: F401
    from .scenario import Indicator, Scenario, load_scenario, parse_scenario  # noqa: F401
    from .summary import IndicatorSummary, Summary  # noqa: F401
