"""Outcomes of one chunk of draws: each indicator's reported metric and each target's hits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from growthsim.engine.model import Model, TargetRef
from growthsim.engine.sampling import Draws
from growthsim.stats.arrays import Bools, Floats

__all__ = ["Outcomes", "evaluate", "hits_of"]


@dataclass(frozen=True)
class Outcomes:
    """Outcomes of draws [start, start + n).

    drawn         (n_indicators, n)  what was drawn for each indicator (growth, level, change, count)
    hits, gaps    (n_targets, n)     target hit flags, and the shortfall of the draws that miss (0 on hits)
    levels        {row: (n,)}        the tested 2023 level of flows whose target is a level (16亿元)
    stretch_hits  {target: (n,)}     stretch (力争) hit flags, for targets that have a stretch
    differences   {target: (n,)}     own minus the other indicator's metric, for relative targets
    events        (n_events, n)      which shock events occurred on each draw
    """

    start: int
    drawn: Floats
    hits: Bools
    gaps: Floats
    levels: dict[int, Floats] = field(default_factory=dict)
    stretch_hits: dict[int, Bools] = field(default_factory=dict)
    differences: dict[int, Floats] = field(default_factory=dict)
    events: Bools | None = None

    @property
    def n(self) -> int:
        return int(self.drawn.shape[1])

    @staticmethod
    def joined(parts: Sequence[Outcomes]) -> Outcomes:
        """The outcomes of consecutive chunks as one."""

        def join(arrays: Sequence[np.ndarray]) -> np.ndarray:
            return np.concatenate(arrays, axis=-1)

        first = parts[0]
        events = None if first.events is None else join([part.events for part in parts if part.events is not None])
        return Outcomes(
            first.start,
            join([part.drawn for part in parts]),
            join([part.hits for part in parts]),
            join([part.gaps for part in parts]),
            {row: join([part.levels[row] for part in parts]) for row in first.levels},
            {index: join([part.stretch_hits[index] for part in parts]) for index in first.stretch_hits},
            {index: join([part.differences[index] for part in parts]) for index in first.differences},
            events,
        )

    def metric(self, row: int) -> Floats:
        """The values indicator ``row`` is reported in: its target's metric, else what was drawn; (n,)."""
        level = self.levels.get(row)
        return self.drawn[row] if level is None else level


def evaluate(model: Model, draws: Draws) -> Outcomes:
    drawn = draws.values
    n = draws.n
    hits = np.empty((len(model.targets), n), dtype=bool)
    gaps = np.empty((len(model.targets), n))
    levels: dict[int, Floats] = {}
    stretch_hits: dict[int, Bools] = {}
    differences: dict[int, Floats] = {}
    for index, ref in enumerate(model.targets):
        tested = _tested(ref, drawn)
        if ref.reference_row is not None:
            differences[index] = tested
        elif ref.tests_level_of_flow:
            levels[ref.row] = tested
        hits[index], gaps[index] = ref.target.evaluate(tested)
        stretch = ref.target.evaluate_stretch(tested)
        if stretch is not None:
            stretch_hits[index] = stretch
    return Outcomes(draws.start, drawn, hits, gaps, levels, stretch_hits, differences, draws.events)


def hits_of(model: Model, draws: Draws, targets: Sequence[int]) -> Bools:
    """Only the hit flags of ``targets`` (indices into model.targets), (len(targets), n): what a
    trial of a goal seek or a tornado needs (engine.replay), as ``evaluate`` finds them."""
    hits = np.empty((len(targets), draws.n), dtype=bool)
    for k, index in enumerate(targets):
        ref = model.targets[index]
        hits[k] = ref.target.evaluate(_tested(ref, draws.values))[0]
    return hits


def _tested(ref: TargetRef, drawn: Floats) -> Floats:
    """What a target tests on each draw: the difference from the other indicator (relative), the
    2023 level of a flow whose target is a level (16亿元), or the row's own quantity."""
    own: Floats = drawn[ref.row]
    if ref.reference_row is not None:
        difference: Floats = own - drawn[ref.reference_row]
        return difference
    if ref.tests_level_of_flow:
        assert ref.baseline is not None  # a level target on a flow has its baseline (tests_level_of_flow)
        level: Floats = ref.baseline * (1.0 + own)
        return level
    return own
