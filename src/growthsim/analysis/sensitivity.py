"""What drives each target: a tornado of P(hit), rank correlations, and why the misses miss.

For every input (an indicator with an assumption of its own, or a shock event):

* tornado: P(hit) with the input held at its own 10th and at its 90th percentile (for an event:
  never and always occurring, and always means that no other event of its exclusive group
  occurs), everything else random on the same draws (common random numbers),
  so the swing between the two comes from that input alone. Inputs correlated with the held one
  are drawn *given* its value (they move with it as the correlations say), so a target drawn on
  its own is still moved by the inputs it is correlated with. Holding needs the Gaussian copula
  (Iman-Conover cannot rank a constant), so a scenario using Iman-Conover is analysed with the
  copula: the same rank correlations, the same marginals. The swing is the input's *total*
  effect; for an input with correlations it is split into what reaches the target through the
  links alone (the input held, its partners drawn from their own law) and the rest, through the
  correlations. A driven indicator's input is its own part: what its drivers leave unexplained;
  a held fixed value in a what-if moves its partners exactly as the tornado does, so
  ``compare --what-if`` with an input fixed at its p10 gives the tornado's P(hit) at p10;
* Spearman: the rank correlation between the input and the target's tested quantity over the draws;
* attribution: the input's mean over the draws that hit and over those that miss ("why we miss");
* tails: P(hit) over the draws where the input is in its lowest and in its highest tenth. A target
  decided in its input's tail (CPI hits whether CPI is at its p10 or p90, and misses only above
  its p93) shows no swing but a low P(hit) in the top tenth.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from growthsim.engine.evaluation import evaluate
from growthsim.engine.links import own_part
from growthsim.engine.model import compile_model
from growthsim.engine.replay import Replay
from growthsim.engine.run import resolve_seed
from growthsim.engine.sampling import chunk_draws, sample
from growthsim.i18n import _
from growthsim.scenario.types import Scenario
from growthsim.stats.dependence import average_ranks
from growthsim.stats.distributions import Fixed

__all__ = ["RELEVANT_SPEARMAN", "InputEffect", "TargetSensitivity", "sensitivity"]

RELEVANT_SPEARMAN = 0.05  # below this rank correlation (and without swing) an input is taken as unrelated


@dataclass(frozen=True)
class InputEffect:
    input: str  # indicator id, or "event:<id>"
    name: str
    p_low: float  # P(hit) with the input at its p10 (an event: never occurring)
    p_high: float  # at its p90 (an event: always occurring)
    spearman: float | None  # rank correlation with the target's tested quantity
    mean_hit: float | None  # the input's mean on the draws that hit
    mean_miss: float | None  # and on those that miss
    # P(hit) on the draws where the input is in its lowest / highest tenth (an event: did not / did
    # occur): the tails, where a target near the edge of its input's range is decided
    p_bottom: float | None = None
    p_top: float | None = None
    # P(hit) at p10 and p90 through the links alone (its correlated partners drawn from their own
    # law); None where the input has no correlations, and everything it does goes through links
    p_low_links: float | None = None
    p_high_links: float | None = None

    @property
    def swing(self) -> float:
        """The total effect: through links and correlations."""
        return abs(self.p_high - self.p_low)

    @property
    def swing_links(self) -> float:
        """The part of the effect that comes through the links (and the input itself)."""
        if self.p_low_links is None or self.p_high_links is None:
            return self.swing
        return abs(self.p_high_links - self.p_low_links)

    @property
    def swing_correlations(self) -> float:
        """The rest: through the partners the correlations move with the input (signed: it may
        work against the links)."""
        if self.p_low_links is None or self.p_high_links is None:
            return 0.0
        total, links = self.p_high - self.p_low, self.p_high_links - self.p_low_links
        return total - links if total >= 0 else links - total

    @property
    def relevant(self) -> bool:
        """Does the input matter to the target at all? It moves P(hit) between its p10 and p90, or
        it goes with the target's quantity (a target's own input may hit at both its p10 and its
        p90, and matter only in its tail: its swing is 0 but its rank correlation is not)."""
        return self.swing > 0 or (self.spearman is not None and abs(self.spearman) >= RELEVANT_SPEARMAN)


@dataclass(frozen=True)
class TargetSensitivity:
    indicator: str
    name: str
    p_hit: float
    inputs: tuple[InputEffect, ...]  # by swing, largest first; ties by |rank correlation|
    draws: int = 0  # draws per trial
    seed: int | None = None  # the seed of every trial

    @property
    def drivers(self) -> tuple[InputEffect, ...]:
        """The inputs that matter to the target, in order."""
        return tuple(e for e in self.inputs if e.relevant)


def sensitivity(
    scenario: Scenario, indicator_id: str | None = None, n_draws: int = 20_000, seed: int | None = None
) -> list[TargetSensitivity]:
    """Rank the inputs of every target (or of one indicator's) by how much they move its P(hit)."""
    seed = resolve_seed(seed, scenario)  # the rule of every command: given, the scenario's, or fresh
    targeted = [i for i in scenario.targeted if indicator_id is None or i.id == indicator_id]
    if not targeted:
        raise ValueError(f"no target on {indicator_id!r}" if indicator_id else "the scenario has no targets")
    if scenario.correlation_matrix and scenario.correlation_method != "gaussian_copula":
        scenario = dataclasses.replace(scenario, correlation_method="gaussian_copula")
    model = compile_model(scenario)
    # every trial on one run's draws, recomputing only what holding the input reaches (engine.replay)
    replay = Replay(model, n_draws, seed)

    def p_hits(trial) -> dict[str, float]:
        return {
            model.indicators[model.targets[index].row].id: hit.p for index, hit in replay.probabilities(trial).items()
        }

    base = p_hits(model)
    inputs = [i for i in scenario.indicators if i.assumption is not None]

    # (tuples of two, built from generators: mypy types them of any length)
    held: dict[str, tuple[dict[str, float], ...]] = {}  # input -> (P(hit) per target at p10, at p90)
    links_only: dict[str, tuple[dict[str, float], ...]] = {}  # the same with the input's partners left alone
    for indicator in inputs:
        assert indicator.assumption is not None  # inputs are the indicators with an assumption
        row = model.rows[indicator.id]
        if isinstance(indicator.assumption.distribution, Fixed):  # a constant: its p10 and p90 are itself
            held[indicator.id] = (base, base)
            continue
        held[indicator.id] = tuple(p_hits(dataclasses.replace(model, held=(*model.held, (row, q)))) for q in (0.1, 0.9))
        if _has_partners(model, row):
            links_only[indicator.id] = tuple(
                p_hits(dataclasses.replace(model, held=(*model.held, (row, q)), held_alone=frozenset({row})))
                for q in (0.1, 0.9)
            )
    for event in scenario.events:  # occurrences held, never and always (its group's others then never)
        held[f"event:{event.id}"] = tuple(
            p_hits(dataclasses.replace(model, held_events=((event.id, occurs),))) for occurs in (False, True)
        )

    # Spearman and attribution over one block of draws of the scenario itself
    draws = sample(model, seed, 0, min(n_draws, chunk_draws(model)))
    assert draws.events is not None  # sample always says which events occurred (none: zero rows)
    outcomes = evaluate(model, draws)
    names = (
        {i.id: i.name + (_("·own") if i.drivers else "") for i in scenario.indicators}  # its own part
        | {f"event:{e.id}": e.name for e in scenario.events}
    )
    # each input's values on the block, its ranks and its tenths: the same for every target
    event_ids = [e.id for e in scenario.events]
    per_input = {}
    for key in held:
        is_event = key.startswith("event:")
        values = (
            draws.events[event_ids.index(key[6:])].astype(float)
            if is_event
            else own_part(model, draws.values, model.rows[key])
        )
        per_input[key] = (values, _ranks(values), _tenths(values, is_event))
    out = []
    for indicator in targeted:
        index = next(k for k, ref in enumerate(model.targets) if model.indicators[ref.row].id == indicator.id)
        ref = model.targets[index]
        tested = outcomes.differences.get(index, outcomes.metric(ref.row))
        tested_ranks = _ranks(tested)
        hits = outcomes.hits[index]
        effects = []
        for key, (low, high) in held.items():
            values, ranks, (lowest, highest) = per_input[key]
            low_links, high_links = links_only.get(key, ({}, {}))
            rho = _spearman(ranks, tested_ranks)
            bottom = float(hits[lowest].mean()) if lowest.any() else None
            top = float(hits[highest].mean()) if highest.any() else None
            effects.append(
                InputEffect(
                    key,
                    names[key],
                    low[indicator.id],
                    high[indicator.id],
                    rho,
                    float(values[hits].mean()) if hits.any() else None,
                    float(values[~hits].mean()) if (~hits).any() else None,
                    bottom,
                    top,
                    low_links.get(indicator.id),
                    high_links.get(indicator.id),
                )
            )
        effects.sort(key=lambda e: (-e.swing, -abs(e.spearman or 0.0)))
        out.append(TargetSensitivity(indicator.id, indicator.name, base[indicator.id], tuple(effects), n_draws, seed))
    return out


def _tenths(values: np.ndarray, is_event: bool) -> tuple[np.ndarray, np.ndarray]:
    """The draws where the input is in its lowest and its highest tenth (events: not occurring,
    occurring), as masks."""
    if is_event:
        return values == 0, values == 1
    order = np.argsort(values, kind="stable")  # by rank, so that ties (counts) split evenly
    tenth = max(values.size // 10, 1)
    low = np.zeros(values.size, dtype=bool)
    high = np.zeros(values.size, dtype=bool)
    low[order[:tenth]] = True
    high[order[-tenth:]] = True
    return low, high


def _has_partners(model, row: int) -> bool:
    """Is the row correlated with any other (so that holding it moves partners)?"""
    if row not in model.correlated_rows:
        return False
    k = model.correlated_rows.index(row)
    return bool(np.any(np.abs(np.delete(model.correlation[k], k)) > 0))


def _ranks(values: np.ndarray) -> np.ndarray | None:
    """Average ranks (ties share theirs), or None for a constant (no rank correlation)."""
    if np.all(values == values[0]):
        return None
    return average_ranks(values)


def _spearman(x: np.ndarray | None, y: np.ndarray | None) -> float | None:
    """Spearman's rank correlation from the two variables' ranks: Pearson's on them."""
    if x is None or y is None:
        return None
    return float(np.corrcoef(x, y)[0, 1])
