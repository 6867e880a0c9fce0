"""Stage 4: outcomes of one chunk of draws: each indicator's reported metric and each target's hits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Model
from .sampling import Draws

__all__ = ["Outcomes", "evaluate"]


@dataclass(frozen=True)
class Outcomes:
    """Outcomes of draws [start, start + n).

    drawn         (n_indicators, n)  what was drawn for each indicator (growth, level, change, count)
    metrics       (n_indicators, n)  the metric each indicator is reported in: its target's metric
                                     (growth, or level for a level target on a flow), else what is drawn
    hits, gaps    (n_targets, n)     target hit flags, and the shortfall of the draws that miss (0 on hits)
    stretch_hits  (n_targets, n)     stretch (力争) hits; all False for targets without a stretch
    """

    start: int
    drawn: np.ndarray
    metrics: np.ndarray
    hits: np.ndarray
    gaps: np.ndarray
    stretch_hits: np.ndarray

    @property
    def n(self) -> int:
        return self.metrics.shape[1]


def evaluate(model: Model, draws: Draws) -> Outcomes:
    sampled = draws.values
    metrics = sampled.copy()
    n = draws.n
    hits = np.zeros((len(model.targets), n), dtype=bool)
    gaps = np.zeros((len(model.targets), n))
    stretch_hits = np.zeros((len(model.targets), n), dtype=bool)
    for index, ref in enumerate(model.targets):
        own = sampled[ref.row]
        if ref.reference_row is not None:
            tested = own - sampled[ref.reference_row]
        elif ref.tests_level_of_flow:
            tested = ref.baseline * (1.0 + own)
            metrics[ref.row] = tested
        else:
            tested = own
        hits[index], gaps[index] = ref.target.evaluate(tested)
        stretch = ref.target.evaluate_stretch(tested)
        if stretch is not None:
            stretch_hits[index] = stretch
    return Outcomes(draws.start, sampled, metrics, hits, gaps, stretch_hits)
