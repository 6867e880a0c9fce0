"""One parameter of one assumption changed on a checked Scenario, without reading the file again.

A goal seek tries twenty or thirty values of an assumption's parameter ("fai.growth.mode"). Each
trial was a ``--set`` through ``load_scenario``: the file read, parsed, merged and checked again,
about 45 ms, more than the trial's draws. ``with_parameter`` changes the one law instead: its
parameters as written, read in code units, with the one replaced, built by the same
``families.make_distribution`` that checks a law in a file, so a value no file could hold (a
negative sd, a mode outside its range) is refused here too, as a ScenarioError located at the
parameter. Everything else of the scenario is as checked.
"""

from __future__ import annotations

import dataclasses

from growthsim.scenario.diagnostics import Diagnostic, ScenarioError
from growthsim.scenario.families import (
    DISTRIBUTIONS,
    ROLE_LOCATION,
    ROLE_NUMBER,
    ROLE_VALUES,
    ParamProblem,
    make_distribution,
)
from growthsim.scenario.quantities import Expect, parse_quantity
from growthsim.scenario.types import Scenario

__all__ = ["with_parameter"]


def with_parameter(scenario: Scenario, indicator_id: str, name: str, value: float, written: str) -> Scenario:
    """``scenario`` with parameter ``name`` of the indicator's assumption at ``value`` (code units;
    ``written``: as a file would write it, for ``show``)."""
    indicator = scenario.indicator(indicator_id)
    assumption = indicator.assumption
    if assumption is None or name not in assumption.written or name == "dist":
        raise ValueError(f"{indicator_id} has no parameter {name!r}")  # solve checked --param first
    spec = DISTRIBUTIONS[assumption.dist]
    expect = indicator.expect
    spread = Expect.AMOUNT if expect is Expect.AMOUNT else Expect.SPREAD
    params: dict[str, float | list[float]] = {}
    for key, raw in assumption.written.items():
        param = spec.param(key)
        if param is None:  # dist, source, rationale
            continue
        role_expect = {ROLE_LOCATION: expect, ROLE_NUMBER: Expect.NUMBER}.get(param.role, spread)
        if param.role == ROLE_VALUES:
            params[key] = [parse_quantity(v, expect, indicator.unit) for v in raw]
        else:
            params[key] = parse_quantity(raw, role_expect, indicator.unit)
    params[name] = value
    try:
        distribution = make_distribution(assumption.dist, params)
    except ParamProblem as problem:
        where = ".".join(("indicators", indicator_id, assumption.on, name))
        raise ScenarioError([Diagnostic("--param", None, None, where, str(problem))]) from None
    changed = dataclasses.replace(assumption, distribution=distribution, written={**assumption.written, name: written})
    indicators = tuple(
        dataclasses.replace(i, assumption=changed) if i.id == indicator_id else i for i in scenario.indicators
    )
    return dataclasses.replace(scenario, indicators=indicators)
