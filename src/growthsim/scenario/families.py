"""The distributions a scenario file may name: the registry ``DISTRIBUTIONS`` is the single
description of each one, its parameters and their roles (a location in the assumption's units, a
spread, a plain number, a list), the forms in which they may be given, a one-line meaning and an
example, and the builder that checks the values and makes the law (stats.distributions). Validation,
the ``growthsim distributions`` command, the README and the words of the output all read it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from scipy import special

from growthsim.i18n import N_, _
from growthsim.stats.distributions import (
    Distribution,
    Empirical,
    Fixed,
    LogNormal,
    NegativeBinomial,
    Normal,
    Pert,
    Poisson,
    SplitNormal,
    StudentT,
    Triangular,
    Uniform,
)

__all__ = [
    "DISTRIBUTIONS",
    "DISTRIBUTION_WORDS",
    "PARAMETER_WORDS",
    "DistributionSpec",
    "ParamProblem",
    "ParamSpec",
    "make_distribution",
]

# A distribution and its parameters in words, for a director: 偏态正态分布，最可能值6.5%，下行标准差1.5个百分点
DISTRIBUTION_WORDS = {
    "normal": N_("normal distribution"),
    "lognormal": N_("lognormal distribution"),
    "uniform": N_("uniform distribution"),
    "triangular": N_("triangular distribution"),
    "pert": N_("PERT distribution"),
    "split_normal": N_("skewed normal distribution"),
    "student_t": N_("Student's t distribution"),
    "fixed": N_("fixed value"),
    "empirical": N_("resampled from past values"),
    "poisson": N_("Poisson distribution"),
    "negative_binomial": N_("negative binomial distribution"),
}
PARAMETER_WORDS = {
    "mean": N_("mean"),
    "sd": N_("standard deviation"),
    "mode": N_("most likely value"),
    "sd_down": N_("spread below"),
    "sd_up": N_("spread above"),
    "min": N_("lowest"),
    "max": N_("highest"),
    "lambda": N_("weight of the most likely value"),
    "scale": N_("spread"),
    "df": N_("degrees of freedom"),
    "shift": N_("lower bound"),
    "value": N_("value"),
    "values": N_("values"),
    "p05": N_("5th percentile"),
    "p95": N_("95th percentile"),
    "p10": N_("10th percentile"),
    "p90": N_("90th percentile"),
    "p25": N_("25th percentile"),
    "p75": N_("75th percentile"),
}


class ParamProblem(ValueError):
    """One or more parameter problems: a list of (parameter name or '', message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{p}: {m}" if p else m for p, m in problems))
        self.problems = problems


# --- the registry -------------------------------------------------------------------------------

ROLE_LOCATION = "location"  # in the assumption's own units: "8%", "0.8pp" or an amount
ROLE_SPREAD = "spread"  # a spread of the same quantity: "1.5pp"
ROLE_NUMBER = "number"  # a plain number (df, lambda)
ROLE_VALUES = "values"  # a list of locations


@dataclass(frozen=True)
class ParamSpec:
    name: str
    role: str
    meaning: str
    default: float | None = None


@dataclass(frozen=True)
class DistributionSpec:
    name: str
    meaning: str
    params: tuple[ParamSpec, ...]
    forms: tuple[tuple[str, ...], ...]  # the alternative sets of required parameters
    example: str  # a TOML inline table, as a planner would write it for a growth
    build: Callable[[Mapping[str, float | list[float]]], Distribution] = field(repr=False)  # a list for "values"
    counts_only: bool = False

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params if p.default is not None)


def _positive(problems, params, *names):
    for name in names:
        if name in params and not params[name] > 0:
            problems.append((name, _("must be greater than 0 (got {params:g})").format(params=params[name])))


def _build_normal(p):
    problems: list[tuple[str, str]] = []
    if "mean" in p:
        _positive(problems, p, "sd")
        if problems:
            raise ParamProblem(problems)
        return Normal(p["mean"], p["sd"])
    for lo_name, hi_name, q in (("p05", "p95", 0.95), ("p10", "p90", 0.90), ("p25", "p75", 0.75)):
        if lo_name in p:
            lo, hi = p[lo_name], p[hi_name]
            if not lo < hi:
                raise ParamProblem([(hi_name, _("must be greater than {lo_name}").format(lo_name=lo_name))])
            z = float(special.ndtri(q))
            return Normal((lo + hi) / 2, (hi - lo) / (2 * z))
    raise AssertionError("form checked by the caller")


def _build_lognormal(p):
    problems: list[tuple[str, str]] = []
    shift = p.get("shift", 0.0)
    _positive(problems, p, "sd")
    if not p["mean"] > shift:
        problems.append(
            ("mean", _("must be greater than shift ({shift:g}): a lognormal lies above its shift").format(shift=shift))
        )
    if problems:
        raise ParamProblem(problems)
    return LogNormal(p["mean"], p["sd"], shift)


def _check_ordered(p, names):
    problems = []
    lo, hi = names[0], names[-1]
    if not p[lo] < p[hi]:
        problems.append((hi, _("must be greater than {lo}").format(lo=lo)))
    elif len(names) == 3 and not p[lo] <= p[names[1]] <= p[hi]:
        problems.append((names[1], _("must lie between {lo} and {hi}").format(lo=lo, hi=hi)))
    if problems:
        raise ParamProblem(problems)


def _build_uniform(p):
    _check_ordered(p, ("min", "max"))
    return Uniform(p["min"], p["max"])


def _build_triangular(p):
    _check_ordered(p, ("min", "mode", "max"))
    return Triangular(p["min"], p["mode"], p["max"])


def _build_pert(p):
    _check_ordered(p, ("min", "mode", "max"))
    lamb = p.get("lambda", 4.0)
    if not lamb > 0:
        raise ParamProblem([("lambda", _("must be greater than 0 (got {lamb:g})").format(lamb=lamb))])
    return Pert(p["min"], p["mode"], p["max"], lamb)


def _build_split_normal(p):
    problems: list[tuple[str, str]] = []
    _positive(problems, p, "sd_down", "sd_up")
    if problems:
        raise ParamProblem(problems)
    return SplitNormal(p["mode"], p["sd_down"], p["sd_up"])


def _build_student_t(p):
    problems: list[tuple[str, str]] = []
    _positive(problems, p, "scale")
    if not p["df"] > 1:
        problems.append(("df", _("must be greater than 1 so that the mean exists (got {p:g})").format(p=p["df"])))
    if problems:
        raise ParamProblem(problems)
    return StudentT(p["mean"], p["scale"], p["df"])


def _build_fixed(p):
    return Fixed(p["value"])


def _build_empirical(p):
    values = p["values"]
    if len(values) < 2:
        raise ParamProblem([("values", _("needs at least 2 values to resample from"))])
    return Empirical(values)


# The largest mean of a count law: a billion events. Beyond it the exact tables are too large and
# scipy's quantile functions lose their digits (a Poisson's ppf returns NaN from about 1e11 on).
LARGEST_COUNT_MEAN = 1e9


def _count_mean_problem(mean: float) -> tuple[str, str] | None:
    if mean > LARGEST_COUNT_MEAN:
        return (
            "mean",
            _(
                "a count law's mean is at most {largest:,.0f} (got {mean:g}): for larger amounts use a normal or "
                "lognormal distribution, rounded to whole numbers"
            ).format(largest=LARGEST_COUNT_MEAN, mean=mean),
        )
    return None


def _build_poisson(p):
    if not p["mean"] > 0:
        raise ParamProblem([("mean", _("must be greater than 0 (got {p:g})").format(p=p["mean"]))])
    if (problem := _count_mean_problem(p["mean"])) is not None:
        raise ParamProblem([problem])
    return Poisson(p["mean"])


def _build_negative_binomial(p):
    problems: list[tuple[str, str]] = []
    _positive(problems, p, "mean", "sd")
    if not problems and (problem := _count_mean_problem(p["mean"])) is not None:
        problems.append(problem)
    if not problems and not p["sd"] ** 2 > p["mean"]:
        problems.append(
            (
                "sd",
                _(
                    "must exceed sqrt(mean) = {sqrt:.4g}: a negative binomial is more dispersed than a Poisson (use poisson for sd = sqrt(mean))"
                ).format(sqrt=math.sqrt(p["mean"])),
            )
        )
    if problems:
        raise ParamProblem(problems)
    return NegativeBinomial(p["mean"], p["sd"])


_L, _S, _N, _V = ROLE_LOCATION, ROLE_SPREAD, ROLE_NUMBER, ROLE_VALUES

DISTRIBUTIONS: dict[str, DistributionSpec] = {
    spec.name: spec
    for spec in (
        DistributionSpec(
            "normal",
            N_("symmetric bell curve; give mean and sd, or a central interval (p05/p95, p10/p90 or p25/p75)"),
            (
                ParamSpec("mean", _L, "centre"),
                ParamSpec("sd", _S, "standard deviation"),
                ParamSpec("p05", _L, "5th percentile"),
                ParamSpec("p95", _L, "95th percentile"),
                ParamSpec("p10", _L, "10th percentile"),
                ParamSpec("p90", _L, "90th percentile"),
                ParamSpec("p25", _L, "25th percentile"),
                ParamSpec("p75", _L, "75th percentile"),
            ),
            (("mean", "sd"), ("p05", "p95"), ("p10", "p90"), ("p25", "p75")),
            '{ dist = "normal", mean = "6.5%", sd = "1.5pp" }',
            _build_normal,
        ),
        DistributionSpec(
            "lognormal",
            N_("right-skewed, bounded below by shift (default 0); mean and sd are of the variable itself"),
            (
                ParamSpec("mean", _L, "mean of the variable"),
                ParamSpec("sd", _S, "standard deviation of the variable"),
                ParamSpec("shift", _L, "lower bound", default=0.0),
            ),
            (("mean", "sd"),),
            '{ dist = "lognormal", mean = "12%", sd = "10pp", shift = "-20%" }',
            _build_lognormal,
        ),
        DistributionSpec(
            "uniform",
            N_("every value between min and max equally likely"),
            (ParamSpec("min", _L, "lowest value"), ParamSpec("max", _L, "highest value")),
            (("min", "max"),),
            '{ dist = "uniform", min = "4%", max = "9%" }',
            _build_uniform,
        ),
        DistributionSpec(
            "triangular",
            N_("lowest, most likely and highest value, straight-line density between them"),
            (
                ParamSpec("min", _L, "lowest value"),
                ParamSpec("mode", _L, "most likely value"),
                ParamSpec("max", _L, "highest value"),
            ),
            (("min", "mode", "max"),),
            '{ dist = "triangular", min = "3%", mode = "6.5%", max = "9%" }',
            _build_triangular,
        ),
        DistributionSpec(
            "pert",
            N_("like triangular but smoother, with less weight in the tails (Beta-PERT; lambda = 4 by default)"),
            (
                ParamSpec("min", _L, "lowest value"),
                ParamSpec("mode", _L, "most likely value"),
                ParamSpec("max", _L, "highest value"),
                ParamSpec("lambda", _N, "weight of the mode", default=4.0),
            ),
            (("min", "mode", "max"),),
            '{ dist = "pert", min = "3%", mode = "6.5%", max = "9%" }',
            _build_pert,
        ),
        DistributionSpec(
            "split_normal",
            N_(
                "two-piece normal with a most likely value and different downside and upside spreads "
                "(the Bank of England fan-chart form)"
            ),
            (
                ParamSpec("mode", _L, "most likely value"),
                ParamSpec("sd_down", _S, "spread below the mode"),
                ParamSpec("sd_up", _S, "spread above the mode"),
            ),
            (("mode", "sd_down", "sd_up"),),
            '{ dist = "split_normal", mode = "6.5%", sd_down = "2pp", sd_up = "1.5pp" }',
            _build_split_normal,
        ),
        DistributionSpec(
            "student_t",
            N_("bell curve with fat tails (small df = more extreme outcomes); df must exceed 1"),
            (
                ParamSpec("mean", _L, "centre"),
                ParamSpec("scale", _S, "spread"),
                ParamSpec("df", _N, "degrees of freedom"),
            ),
            (("mean", "scale", "df"),),
            '{ dist = "student_t", mean = "6.5%", scale = "1.5pp", df = 4 }',
            _build_student_t,
        ),
        DistributionSpec(
            "fixed",
            N_("no uncertainty: always this value"),
            (ParamSpec("value", _L, "the value"),),
            (("value",),),
            '{ dist = "fixed", value = "8%" }',
            _build_fixed,
        ),
        DistributionSpec(
            "empirical",
            N_("resample a list of values with equal weight (e.g. past years' outcomes)"),
            (ParamSpec("values", _V, "the values to resample"),),
            (("values",),),
            '{ dist = "empirical", values = ["5.2%", "7.1%", "8.3%", "3.0%"] }',
            _build_empirical,
        ),
        DistributionSpec(
            "poisson",
            N_("counts of independent events with a given mean (sd = sqrt(mean)); count indicators only"),
            (ParamSpec("mean", _L, "expected count"),),
            (("mean",),),
            '{ dist = "poisson", mean = 30 }',
            _build_poisson,
            counts_only=True,
        ),
        DistributionSpec(
            "negative_binomial",
            N_("counts more uncertain than Poisson, given by mean and sd (sd^2 > mean); count indicators only"),
            (ParamSpec("mean", _L, "expected count"), ParamSpec("sd", _S, "standard deviation")),
            (("mean", "sd"),),
            '{ dist = "negative_binomial", mean = 14000, sd = 2500 }',
            _build_negative_binomial,
            counts_only=True,
        ),
    )
}


def make_distribution(name: str, params: Mapping[str, float | list[float]]) -> Distribution:
    """Build a distribution from parameters already converted to code units.

    The caller has checked that ``name`` exists and that one of the spec's ``forms`` is complete;
    this checks the values themselves (sd > 0, min <= mode <= max ...) and raises ParamProblem.
    """
    return DISTRIBUTIONS[name].build(params)
