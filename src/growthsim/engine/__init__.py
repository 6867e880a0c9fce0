"""A Scenario becomes a Summary: compiling it into arrays (``model``), keyed random streams
(``streams``), sampling designs with correlations, events and linked indicators (``sampling``,
``events``, ``links``), evaluating targets on each chunk of draws (``evaluation``), accumulating
chunks in bounded memory (``accumulate``) into the result types (``summary``), what the draws
achieve (``achieved``), and the run loop with its worker processes (``run``).

Front door: ``simulate``, ``simulate_to_precision``, ``compile_model``, ``Summary``.
"""

from growthsim._compat import package_exports

_FRONT_DOOR = {
    "simulate": "growthsim.engine.run",
    "simulate_to_precision": "growthsim.engine.run",
    "compile_model": "growthsim.engine.model",
    "Model": "growthsim.engine.model",
    "Summary": "growthsim.engine.summary",
    "IndicatorSummary": "growthsim.engine.summary",
}
__all__ = list(_FRONT_DOOR)
# growthsim 0.1 had a module growthsim.engine: its other names (resolve_seed, …) still resolve.
__getattr__ = package_exports(__name__, _FRONT_DOOR, old_module="growthsim.engine.run")
