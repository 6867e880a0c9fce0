"""Shock events: discrete happenings with a probability, each moving several indicators on one draw.

An event such as 疫情反复 (p = 15%: retail growth -4pp, GDP growth -1.5pp, FAI growth -3pp) either
occurs on a draw or does not; when it does, all its effects apply to that same draw, so the joint
structure it creates (retail and GDP weak together) is kept. Events are independent of each other
unless they share a ``group``: the events of a group are mutually exclusive (regimes), decided by
one uniform per draw.

Effects, applied in this order when several events touch one indicator on a draw:
  replace  the indicator draws from another distribution, through the *same* uniform, so the draw
           stays paired with the scenario without the event;
  scale    the level is multiplied (for a flow: 1 + growth is multiplied);
  add      percentage points (or units, for a count) are added to what was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from growthsim.stats.distributions import Distribution

__all__ = ["EFFECT_KINDS", "Effect", "Event"]

EFFECT_KINDS = ("replace", "scale", "add")  # also the order of application


@dataclass(frozen=True)
class Effect:
    indicator: str
    kind: str  # one of EFFECT_KINDS
    value: float | None = None  # add: in the drawn quantity's code units; scale: the factor
    distribution: Distribution | None = None  # replace
    written: str = ""  # as written in the file, for show


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    probability: float
    effects: tuple[Effect, ...]
    group: str | None = None
    source: str | None = None
    rationale: str | None = None
