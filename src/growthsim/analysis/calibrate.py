"""Assumptions learnt from a place's record: how far its outcomes have strayed from its targets.

For each place and indicator of a record (``scenario.record``), the errors of the years used are
fitted as a split normal (``stats.calibration.fit_split_normal``: robust to an outlying year), in
two references:

* **against the target**: outcome minus target; in percentage points for rates and growths, as a
  share of the target for amounts (so that a target that grew from 900 to 1,200 万人 keeps its
  errors comparable);
* **against last year's outcome**: outcome minus the previous year's (the record's 上年实际
  column, or the row of the year before), where at least ``MIN_YEARS`` such pairs exist.

Where an indicator is recorded for ``stats.calibration.MIN_POOL`` places or more, each place's
bias and the logs of its two spreads are moved towards the places' pooled values by the
empirical-Bayes weight (``stats.calibration.shrink``): a short record borrows from the others.

This year's target, when the record has it (a row without an outcome), gives the odds of meeting
it: P(error >= 0) for a floor (增长8%, 1.2万人以上), P(error <= 0) for a ceiling (3%左右, 5.5%以内),
and the outcome's 90% interval. The years a planner excludes (``exclude``: year -> reason, or the
record's 剔除 column) are listed with their reasons and not fitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from growthsim.scenario.record import Record, RecordRow
from growthsim.stats.calibration import (
    MIN_POOL,
    SplitNormalFit,
    fit_split_normal,
    shrink,
    split_normal_cdf,
    split_normal_quantile,
)

__all__ = ["MIN_YEARS", "Calibrated", "Calibration", "Exclusion", "Reference", "calibrate"]

MIN_YEARS = 4  # years of errors needed to fit two spreads and a bias (with fewer: reported, not fitted)
_MET_SLACK = 1e-9  # an outcome on its target (5.5% against 5.5%) counts as meeting it


@dataclass(frozen=True)
class Exclusion:
    year: int
    reason: str
    where: str  # the row, or "--exclude"


@dataclass(frozen=True)
class Reference:
    """The errors against one reference (``name``: "target" or "previous") and their fit.

    ``fit`` is the place's own; ``law`` what is used (after pooling, if any); ``weights`` the
    pooling's weight of the pool in the bias and the two spreads (None: not pooled)."""

    name: str
    years: tuple[int, ...]
    errors: tuple[float, ...]
    fit: SplitNormalFit
    law: SplitNormalFit
    weights: tuple[float, float, float] | None = None
    pooled_over: tuple[str, ...] = ()
    p_hit: float | None = None  # of this year's target
    interval: tuple[float, float] | None = None  # this year's outcome, 90%


@dataclass(frozen=True)
class Calibrated:
    place: str
    indicator: str
    unit: str
    percent: bool  # errors in percentage points; else as a share of the target
    sense: str  # "at_least" or "at_most"
    form: str | None
    used: tuple[RecordRow, ...]  # the years fitted
    excluded: tuple[Exclusion, ...]
    met: int  # years of ``used`` whose target was met
    this_year: RecordRow | None  # the row of this year's target (no outcome), if the record has one
    last_outcome: float | None  # the year before this year's: the previous-outcome reference's base
    against_target: Reference | None  # None: fewer than MIN_YEARS years
    against_previous: Reference | None

    @property
    def share_met(self) -> float | None:
        return self.met / len(self.used) if self.used else None

    def outcome_of(self, error: float, target: float) -> float:
        """The outcome an error against ``target`` means: target + error (rates), target (1 + error) (amounts)."""
        return target + error if self.percent else target * (1 + error)


@dataclass(frozen=True)
class Calibration:
    label: str  # the record file
    sha256: str
    results: tuple[Calibrated, ...]
    skipped: tuple[tuple[str, str, int], ...]  # (place, indicator, years) with too few years to fit


def _met(row: RecordRow) -> bool:
    assert row.outcome is not None  # only years with outcomes are counted
    slack = _MET_SLACK * max(abs(row.target), 1e-3)
    if row.sense == "at_most":
        return row.outcome <= row.target + slack
    return row.outcome >= row.target - slack


def _error(row: RecordRow, reference: float) -> float:
    assert row.outcome is not None
    if row.percent:
        return row.outcome - reference
    return row.outcome / reference - 1 if reference else math.nan


def calibrate(
    record: Record,
    indicators: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    exclude: Mapping[int, str] | None = None,
) -> Calibration:
    """Every (place, indicator) of ``record`` (or those named), calibrated: see the module's docstring."""
    exclude = dict(exclude or {})
    groups: dict[tuple[str, str], list[RecordRow]] = {}
    for row in record.rows:
        if indicators and row.indicator not in indicators:
            continue
        if places and row.place not in places:
            continue
        groups.setdefault((row.place, row.indicator), []).append(row)
    results: list[Calibrated] = []
    skipped: list[tuple[str, str, int]] = []
    for (place, indicator), rows in groups.items():
        rows.sort(key=lambda r: r.year)
        done = _one(place, indicator, rows, exclude)
        if done.against_target is None:
            skipped.append((place, indicator, len(done.used)))
        results.append(done)
    return Calibration(record.label, record.sha256, tuple(_pooled(results)), tuple(skipped))


def _one(place: str, indicator: str, rows: list[RecordRow], exclude: Mapping[int, str]) -> Calibrated:
    head = rows[0]
    known = [r for r in rows if r.outcome is not None]
    open_rows = [r for r in rows if r.outcome is None]
    excluded = []
    used = []
    for row in known:
        reason = row.excluded or exclude.get(row.year)
        if reason:
            excluded.append(Exclusion(row.year, reason, row.where if row.excluded else "--exclude"))
        else:
            used.append(row)
    this_year = open_rows[0] if open_rows else None
    outcome_in = {r.year: r.outcome for r in known}
    last_outcome = None
    if this_year is not None:
        last_outcome = this_year.previous if this_year.previous is not None else outcome_in.get(this_year.year - 1)

    against_target = None
    if len(used) >= MIN_YEARS:
        errors = [_error(r, r.target) for r in used]
        against_target = _reference("target", [r.year for r in used], errors)
    pairs = []
    for row in used:
        before = row.previous if row.previous is not None else outcome_in.get(row.year - 1)
        if before is not None and (row.percent or before):
            pairs.append((row.year, _error(row, before)))
    against_previous = None
    if len(pairs) >= MIN_YEARS:
        against_previous = _reference("previous", [y for y, _e in pairs], [e for _y, e in pairs])
    calibrated = Calibrated(
        place,
        indicator,
        head.unit,
        head.percent,
        head.sense,
        next((r.form for r in reversed(rows) if r.form), None),
        tuple(used),
        tuple(excluded),
        sum(_met(r) for r in used),
        this_year,
        last_outcome,
        against_target,
        against_previous,
    )
    return _with_odds(calibrated)


def _reference(name: str, years: list[int], errors: list[float]) -> Reference:
    fit = fit_split_normal(np.array(errors))
    return Reference(name, tuple(years), tuple(errors), fit, fit)


def _with_odds(c: Calibrated) -> Calibrated:
    """P(hit) and the 90% interval of this year's outcome under each reference's law."""

    def odds(reference: Reference | None, base: float | None) -> Reference | None:
        if reference is None:
            return None
        law = reference.law
        if reference.name == "target":
            threshold = 0.0  # an error of 0 is the target itself
        elif c.this_year is None or base is None:
            return replace(reference, p_hit=None, interval=None)
        else:  # outcome = base + error (rates) or base (1 + error): the target as an error from base
            target = c.this_year.target
            threshold = target - base if c.percent else (target / base - 1 if base else math.nan)
        below = split_normal_cdf(threshold, law.mode, law.sd_down, law.sd_up)
        p_hit = below if c.sense == "at_most" else 1.0 - below
        interval = None
        if base is not None:
            lo, hi = (split_normal_quantile(p, law.mode, law.sd_down, law.sd_up) for p in (0.05, 0.95))
            interval = (c.outcome_of(lo, base), c.outcome_of(hi, base))
        return replace(reference, p_hit=p_hit, interval=interval)

    target = c.this_year.target if c.this_year is not None else None
    return replace(
        c, against_target=odds(c.against_target, target), against_previous=odds(c.against_previous, c.last_outcome)
    )


def _pooled(results: list[Calibrated]) -> list[Calibrated]:
    """Each indicator recorded at MIN_POOL places or more: the places' laws pooled (``shrink``)."""
    by_indicator: dict[tuple[str, str], list[int]] = {}
    for index, c in enumerate(results):
        by_indicator.setdefault((c.indicator, c.unit), []).append(index)
    out = list(results)
    for indices in by_indicator.values():
        for name in ("against_target", "against_previous"):
            members = [i for i in indices if getattr(results[i], name) is not None]
            if len(members) < MIN_POOL:
                continue
            fits = [getattr(results[i], name).fit for i in members]
            places = tuple(results[i].place for i in members)
            sides = [f.side_counts(getattr(results[i], name).errors) for i, f in zip(members, fits, strict=True)]
            mode = shrink([f.mode for f in fits], [max(f.mode_variance, 1e-18) for f in fits])
            down = shrink([math.log(max(f.sd_down, 1e-12)) for f in fits], [1 / (2 * max(s[0], 1)) for s in sides])
            up = shrink([math.log(max(f.sd_up, 1e-12)) for f in fits], [1 / (2 * max(s[1], 1)) for s in sides])
            for k, i in enumerate(members):
                own = getattr(out[i], name)
                law = replace(
                    own.fit,
                    mode=float(mode.values[k]),
                    sd_down=math.exp(float(down.values[k])),
                    sd_up=math.exp(float(up.values[k])),
                )
                weights = (float(mode.weights[k]), float(down.weights[k]), float(up.weights[k]))
                pooled = replace(own, law=law, weights=weights, pooled_over=places)
                out[i] = _with_odds(replace(out[i], **{name: pooled}))
    return out
