"""Validation: walk the parsed TOML, build the Scenario, and collect every problem on the
way (never stopping at the first), each located by its key path and explained: what is allowed,
and a did-you-mean where a name looks misspelt.

One Checker, in layers that each build on the one below: ``base`` (reporting, and checks of one
value: a table's keys, a text, an integer, a quantity, a choice), ``values`` (an indicator's
assumption and target), then the checks that tie indicators together: ``dependence``
(correlations, held inputs), ``events`` (shock events and their effects), ``links`` (drivers) and
``formulas`` (derived indicators, relative targets). ``checker`` walks the document with them.
"""

from growthsim.scenario.validation.checker import Checker

__all__ = ["Checker"]
