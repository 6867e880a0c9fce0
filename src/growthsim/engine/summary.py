"""A run's Summary, per indicator (its quantiles, its quantile profile for charts,
P(hit) with its error bar, the mean gap when missed), jointly (every target at once) and per event.
Plain frozen data: the ``accumulate`` stage builds it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from growthsim.scenario.events import Event
from growthsim.scenario.targets import Target
from growthsim.scenario.types import Indicator, Scenario
from growthsim.stats.intervals import Estimate, Probability

__all__ = ["PROFILE_PROBABILITIES", "QUANTILES", "EventSummary", "IndicatorSummary", "JointSummary", "Summary"]


# The tested quantity's quantiles at these probabilities: enough to draw its distribution (charts)
# without keeping the draws. The outer 0.1% on each side is left out of pictures anyway.
PROFILE_PROBABILITIES = tuple(float(p) for p in np.linspace(0.001, 0.999, 500))


QUANTILES = {"p05": 0.05, "p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p90": 0.90, "p95": 0.95}


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: Indicator
    metric: str  # what `mean` and `quantiles` describe: growth, level or change
    mean: float
    quantiles: dict[str, float]
    level_quantiles: dict[str, float] | None
    quantile_error: float  # bound on the sketch's error, in the metric's units
    hit: Probability | None = None
    stretch: Probability | None = None
    # the mean gap to the target over the draws that miss (None if none miss): not the expected
    # shortfall (CVaR) of finance, which averages a tail of fixed probability
    mean_gap_when_missed: float | None = None
    difference_quantiles: dict[str, float] | None = None  # relative targets: own minus the other's metric
    difference_quantile_error: float | None = None  # bound on the difference sketch's error
    # quantiles at PROFILE_PROBABILITIES of what the target tests (for a relative target, the
    # difference; without a target, the metric): the outcome distribution, for charts
    profile: tuple[float, ...] = ()

    @property
    def expected_shortfall(self) -> float | None:
        """Deprecated (goes in growthsim 0.3): the name of mean_gap_when_missed in 0.1."""
        warnings.warn(
            "IndicatorSummary.expected_shortfall is now mean_gap_when_missed", DeprecationWarning, stacklevel=2
        )
        return self.mean_gap_when_missed

    @property
    def target(self) -> Target | None:
        return self.indicator.target


@dataclass(frozen=True)
class JointSummary:
    n_targets: int
    all_hit: Probability | None
    expected_hits: float
    hits_distribution: tuple[float, ...]  # P(exactly k targets hit), k = 0 .. n_targets
    all_hit_independent: float | None = None  # the product of the P(hit)s: P(all) if targets were independent
    expected_hits_estimate: Estimate | None = None  # expected_hits with its SE and interval
    hits_probabilities: tuple[Probability, ...] = ()  # hits_distribution with SEs and intervals


@dataclass(frozen=True)
class EventSummary:
    """How often a shock event occurred, and each target's P(hit) on the draws with and without it."""

    event: Event
    frequency: Probability
    hit_with: dict[str, Probability | None]  # indicator id -> P(hit | event); None if it never occurred
    hit_without: dict[str, Probability | None]

    def effect_on(self, indicator_id: str) -> float | None:
        with_, without = self.hit_with.get(indicator_id), self.hit_without.get(indicator_id)
        return None if with_ is None or without is None else with_.p - without.p


@dataclass(frozen=True)
class Summary:
    scenario: Scenario
    n_draws: int
    seed: int
    indicators: tuple[IndicatorSummary, ...]
    joint: JointSummary
    events: tuple[EventSummary, ...] = ()
    method: str = "mc"  # how the uniforms were drawn: mc, lhs or sobol
    replicates: int | None = None  # lhs, sobol: independent replicates behind the error bars
    correlation_method: str | None = None  # how correlations were imposed (lhs, sobol: always the copula)
    precision: tuple[float, bool] | None = None  # --precision: (the half-width asked, whether it was reached)
    # independent batches behind the error bars (lhs/sobol replicates, Iman-Conover groups), and
    # draws per batch; None when every draw is independent (binomial error bars)
    batches: int | None = None
    batch_size: int | None = None
