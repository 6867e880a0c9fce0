"""What a model's draws achieve, measured on a block of them: the correlations asked for and those
the links induce (``run --verbose``, ``show``), and how much of each driven indicator's spread its
drivers explain (``show``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from growthsim.engine.links import link_terms, own_part
from growthsim.engine.model import Model
from growthsim.engine.sampling import Draws, batch_size, chunk_draws, sample
from growthsim.stats.dependence import spearman

__all__ = ["CorrelationCheck", "LinkShare", "achieved_correlations", "link_shares"]


@dataclass(frozen=True)
class CorrelationCheck:
    """One pair of indicators: a correlation asked for, or a link."""

    a: str
    b: str
    asked: float | None  # as written (None: not written; a link's pair)
    used: float | None  # after any repair (None for a link's pair)
    achieved: float  # Spearman correlation of the draws the correlation acts on (own draws), NaN if constant
    outcomes: float  # Spearman correlation of the outcomes, links included
    link: bool  # b drives a (or a drives b)


@dataclass(frozen=True)
class LinkShare:
    """A driven indicator's spread, and the part of it its drivers explain."""

    indicator: str
    sd: float  # of the outcome, in code units
    sd_own: float  # of what the drivers leave unexplained (the own draw)
    share: float  # share of the outcome's variance the links explain: corr(outcome, sum of link terms)^2
    p05: float
    p95: float
    terms: tuple[tuple[str, float], ...]  # (driver id, sd of its term) per driver


def _pilot(model: Model, seed: int, n_draws: int | None) -> Draws:
    """The first block of draws of a run of ``n_draws`` (default: the scenario's): Iman-Conover's
    groups are sized by the run."""
    n_draws = n_draws or model.scenario.draws
    batch = batch_size(model, n_draws)
    return sample(model, seed, 0, min(chunk_draws(model, batch), n_draws), batch=batch)


def achieved_correlations(model: Model, seed: int, n_draws: int | None = None) -> list[CorrelationCheck]:
    """Each correlated pair (asked, used, achieved on the own draws, and on the outcomes), then each
    link's pair (the correlation it induces between the outcomes), measured on the first block of
    draws of a run of ``n_draws`` with this seed."""
    if not model.correlated_rows and not model.links:
        return []
    draws = _pilot(model, seed, n_draws)
    own = {
        row: own_part(model, draws.values, row) if row in model.links else draws.values[row]
        for row in range(len(model.indicators))
    }
    ids = [indicator.id for indicator in model.indicators]
    asked = {frozenset((a, b)): rho for a, b, rho in model.scenario.correlations}
    linked = {frozenset((ids[row], ids[driver])) for row, links in model.links.items() for driver, _, _ in links}
    out = []
    rows = list(model.correlated_rows)
    if rows:
        assert model.correlation is not None  # set with correlated_rows (compile_model)
        achieved = spearman(np.vstack([own[row] for row in rows]))
        outcomes = spearman(draws.values[rows])
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                a, b = ids[rows[i]], ids[rows[j]]
                requested = asked.get(frozenset((a, b)))
                used = float(model.correlation[i, j])
                if requested is None and abs(used) < 5e-4:
                    continue
                out.append(
                    CorrelationCheck(
                        a, b, requested, used, float(achieved[i, j]), float(outcomes[i, j]), frozenset((a, b)) in linked
                    )
                )
    written = {frozenset((c.a, c.b)) for c in out}
    for row, links in model.links.items():
        for driver, _, _ in links:
            if frozenset((ids[row], ids[driver])) in written:
                continue
            both = spearman(draws.values[[row, driver]])[0, 1]
            out.append(CorrelationCheck(ids[row], ids[driver], None, None, float("nan"), float(both), True))
    return out


def link_shares(model: Model, seed: int, n_draws: int | None = None) -> list[LinkShare]:
    """For each driven indicator, in the scenario's order: its spread and the part its drivers explain."""
    if not model.links:
        return []
    values = _pilot(model, seed, n_draws).values
    ids = [indicator.id for indicator in model.indicators]
    out = []
    for row in sorted(model.links):
        terms = link_terms(model, values, row)
        explained = np.sum([term for _, term in terms], axis=0)
        outcome = values[row]
        sd, sd_explained = float(outcome.std()), float(explained.std())
        share = float(np.corrcoef(outcome, explained)[0, 1] ** 2) if sd > 0 and sd_explained > 0 else 0.0
        p05, p95 = np.quantile(outcome, [0.05, 0.95], method="inverted_cdf")  # values drawn: a count stays whole
        out.append(
            LinkShare(
                ids[row],
                sd,
                float(own_part(model, values, row).std()),
                share,
                float(p05),
                float(p95),
                tuple((ids[driver], float(term.std())) for driver, term in terms),
            )
        )
    return out
