"""What a scenario is: its indicators (with their assumptions, drivers and targets), events and
run settings, as plain frozen data. ``loading`` reads one from a file; the engine compiles it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from growthsim.i18n import N_
from growthsim.scenario.diagnostics import Diagnostic, did_you_mean
from growthsim.scenario.events import Event
from growthsim.scenario.formulas import Formula
from growthsim.scenario.periods import Period
from growthsim.scenario.quantities import Expect, format_value
from growthsim.scenario.targets import Target
from growthsim.stats.distributions import Distribution

__all__ = [
    "DEFAULT_PERSISTENCE",
    "KINDS",
    "MEASURES",
    "Actual",
    "Actuals",
    "Assumption",
    "Driver",
    "Indicator",
    "Scenario",
    "Seasonal",
]

# kind -> (the simulated quantity's key in the file, its metric name, how it is written)
KINDS: dict[str, tuple[str, str, Expect]] = {
    "flow": ("growth", "growth", Expect.PERCENT),
    "rate": ("level", "level", Expect.PERCENT),
    "change": ("change", "change", Expect.POINTS),
    "count": ("level", "level", Expect.AMOUNT),
}
KIND_MEANINGS = {
    "flow": N_("an amount per year (GDP, investment ...): the assumption is its growth rate"),
    "rate": N_("a rate or share (unemployment, CPI ...): the assumption is its 2023 level"),
    "change": N_("a change of a rate in percentage points (urbanisation +0.8pp): the assumption is the change"),
    "count": N_("a whole number (new firms, new jobs ...): the assumption is the 2023 count"),
    "derived": N_("a formula of other indicators on the same draw (per-capita GDP ...): no assumption of its own"),
}
DERIVED_METRICS = ("growth", "level", "change")


def natural_metric(kind: str) -> tuple[str, Expect]:
    """(metric, how it is written) of a kind, or of a derived indicator's 'derived/<metric>' pseudo-kind."""
    if kind in KINDS:
        return KINDS[kind][1], KINDS[kind][2]
    metric = kind.split("/")[1]
    if metric == "growth":
        return "growth", Expect.PERCENT
    if metric == "change":
        return "change", Expect.POINTS
    return "level", Expect.PERCENT if kind.endswith("%") else Expect.AMOUNT


BASES = ("real", "nominal")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
DEFAULT_DRAWS = 100_000
SHORT_NAME_CELLS = 16  # [scenario] short_name: at most 8 Chinese characters, to head a column
MAX_DRAWS = 1_000_000_000


@dataclass(frozen=True)
class Assumption:
    """The uncertain input of one indicator: a distribution on its growth, level or change."""

    on: str  # "growth", "level" or "change"
    dist: str
    distribution: Distribution
    written: Mapping[str, Any]  # parameters exactly as written in the file, for `show`
    source: str | None = None
    rationale: str | None = None
    # A fixed value that replaced a distribution (a what-if, a child scenario) *holds* the input at
    # that value within the law it replaced: its correlated partners are drawn from their law given
    # the value's quantile in ``law``, as sensitivity's tornado does. None: nothing was replaced.
    law: Distribution | None = None
    law_origin: str | None = None  # the file (or --set) that stated the law


@dataclass(frozen=True)
class Driver:
    """A link: the driver's outcome on the same draw moves the dependent indicator's outcome by
    ``elasticity`` x (driver's outcome - ``at``). The dependent's own assumption is stated for the
    driver at ``at``: it is what the drivers leave unexplained.

    Both quantities are in code units (rates as fractions, amounts in their unit), so
    ``elasticity`` is in code units too; ``unit`` says how a planner writes it ("pp/pp": points
    of growth per point of the driver's growth; "人/pp"; "pp/户"; "户/户")."""

    indicator: str  # the driver's id
    elasticity: float
    at: float
    unit: str
    written_elasticity: str  # as written in the file, for show and diff
    written_at: str
    factor: float = 1.0  # code units per unit as written: elasticity = written number x factor
    source: str | None = None
    rationale: str | None = None


# How a rate's target is read through the year: the year's average of the monthly readings (CPI,
# the surveyed unemployment rate as the national statistics report it), or its reading at the year's
# end (a registered unemployment rate): the README's "Through the year" says what each does.
MEASURES = ("average", "year_end")


@dataclass(frozen=True)
class Seasonal:
    """The seasonal pattern of a flow or a count: the share of the year's total reached by the end
    of each month given (one quarter, the first half ...), and how uncertain that share is.

    Between the months given the share is interpolated linearly, from 0 before January to 1 at the
    year's end; its standard deviation likewise, from 0 at both ends (the share of no month and of
    the whole year is certain)."""

    points: tuple[tuple[int, float], ...]  # (last month, share of the year), months increasing
    sd: float  # the standard deviation of a given point's share, as a fraction
    source: str | None = None
    rationale: str | None = None

    def share(self, month: int) -> tuple[float, float]:
        """(share, its standard deviation) of the year reached by the end of ``month``."""
        months = (0, *(m for m, _s in self.points), 12)
        shares = (0.0, *(s for _m, s in self.points), 1.0)
        sds = (0.0, *(self.sd for _p in self.points), 0.0)
        for left in range(len(months) - 1):
            lo, hi = months[left], months[left + 1]
            if lo <= month <= hi:
                t = (month - lo) / (hi - lo)
                return (
                    shares[left] + t * (shares[left + 1] - shares[left]),
                    sds[left] + t * (sds[left + 1] - sds[left]),
                )
        raise ValueError(f"month {month} is not in 0-12")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    kind: str
    assumption: Assumption | None  # None for a derived indicator
    basis: str | None = None
    baseline: float | None = None
    growth_2022: float | None = None
    source: str | None = None
    note: str | None = None
    target: Target | None = None
    rationale: str | None = None  # why an assumed baseline (one the report does not give) is what it is
    formula: Formula | None = None  # derived indicators
    derived_metric: str | None = None  # what a derived indicator's formula gives: growth, level or change
    drivers: tuple[Driver, ...] = ()  # links from other indicators (see Driver)
    seasonal: Seasonal | None = None  # a flow's or count's share of the year by month (year-to-date actuals)
    measured: str = "average"  # a rate: one of MEASURES

    @property
    def natural_kind(self) -> str:
        """The kind, or for a derived indicator 'derived/<metric>' (with '%' for a level in percent)."""
        if self.kind != "derived":
            return self.kind
        return f"derived/{self.derived_metric}{'%' if self.derived_metric == 'level' and self.unit == '%' else ''}"

    @property
    def metric(self) -> str:
        """What is drawn (or computed): growth (flow), level (rate, count) or change."""
        return natural_metric(self.natural_kind)[0]

    @property
    def expect(self) -> Expect:
        return natural_metric(self.natural_kind)[1]

    @property
    def fields(self) -> tuple[str, ...]:
        """The quantities a formula may take from this indicator (.growth, .level, .change)."""
        if self.metric == "growth" or self.metric == "change":
            return (self.metric, "level") if self.baseline is not None else (self.metric,)
        return ("level",)

    def field_values(self, field: str, values):
        """This indicator's ``field`` from its drawn (or computed) values."""
        if field == self.metric:
            return values
        if self.metric == "growth":
            return self.baseline * (1.0 + values)
        return self.baseline + values  # the level of a rate after a change

    @property
    def baseline_expect(self) -> Expect:
        if self.kind == "derived":
            return (
                self.expect
                if self.metric == "level"
                else (Expect.AMOUNT if self.metric == "growth" else Expect.PERCENT)
            )
        return Expect.AMOUNT if self.kind in ("flow", "count") else Expect.PERCENT

    @property
    def baseline_assumed(self) -> bool:
        """The base-year figure is ours, not the report's (it has no source: a rationale says why it
        is what it is). Every output marks it 假设, so that it is not read as a published fact."""
        return self.baseline is not None and not self.source

    def fmt(self, value: float, signed: bool = False) -> str:
        return format_value(value, self.expect, self.unit, signed=signed)

    def fmt_baseline(self) -> str:
        if self.baseline is None:
            return "—"
        return format_value(self.baseline, self.baseline_expect, self.unit)


# Half of what the year so far has shown beyond (or short of) the January view carries into the rest of
# the year: the README's "Through the year" gives the reasoning and benchmarks/ytd_backtest.py the check.
DEFAULT_PERSISTENCE = 0.5


@dataclass(frozen=True)
class Actual:
    """One published year-to-date figure of one indicator, in code units (rates as fractions)."""

    indicator: str  # the indicator's id
    period: Period
    value: float | None = None  # the cumulative level (flows, counts) or the rate (rates)
    growth: float | None = None  # the cumulative growth on the base year's same period
    base_value: float | None = None  # the base year's figure for the same period (上年同期)
    source: str | None = None
    where: str = ""  # the row, as messages name it: actuals.csv:4, actuals.xlsx!1—6月:4


@dataclass(frozen=True)
class Actuals:
    """The actuals of one file (or a scenario's [actuals] table): the latest of each indicator, and
    every row as given."""

    label: str
    rows: tuple[Actual, ...]
    sha256: str | None = None
    # the part of the gap between the year so far and the January view that carries into the rest of
    # the year (README, "Through the year"): the same for every indicator unless the file says
    persistence: float = DEFAULT_PERSISTENCE
    latest: dict[str, Actual] = field(default_factory=dict, compare=False)

    @property
    def as_of(self) -> Period | None:
        """The latest period of any indicator: what the file is "as of"."""
        periods = [a.period for a in self.latest.values()]
        return max(periods, key=lambda p: p.last) if periods else None


@dataclass(frozen=True)
class Scenario:
    name: str
    indicators: tuple[Indicator, ...]
    short_name: str | None = None  # heads a column of compare's table (the name is in its legend)
    description: str = ""
    base_year: int = 2022
    target_year: int = 2023
    source: str | None = None
    draws: int = DEFAULT_DRAWS
    seed: int | None = None
    path: str | None = None  # as shown in messages and outputs (scenario.diagnostics.shown_path)
    opened: str | None = field(default=None, compare=False, repr=False)  # as given: to read the file again
    sha256: str | None = None
    events: tuple[Event, ...] = ()
    correlations: tuple[tuple[str, str, float], ...] = ()  # as written: (a, b, rho)
    # the matrix the engine uses, over the correlated indicators: (ids, rows); repaired if need be
    correlation_matrix: tuple | None = field(default=None, compare=False)
    correlation_method: str = "iman_conover"
    files: tuple[tuple[str, str], ...] = ()  # (path, sha256) of the file and every file it extends
    overrides: tuple[str, ...] = ()  # --set KEY=VALUE, in order
    readings: tuple[str, ...] = field(default=(), compare=False)  # how a --set value was read (fixed at …)
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False)
    origins: Mapping[tuple, str] = field(default_factory=dict, compare=False, repr=False)  # key path -> layer
    actuals: Actuals | None = None  # year-to-date figures the projection is conditioned on (--actuals)
    # key path -> (line, column, the line's text) of what only a draw can find fault with (an
    # indicator's assumption, formula and drivers): the engine's messages point into the file
    locations: Mapping[tuple, tuple[int | None, int | None, str | None]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def origin(self, *path: str) -> str | None:
        """Which file (or --set) wrote the value at this key path."""
        for end in range(len(path), 0, -1):
            label = self.origins.get(tuple(path[:end]))
            if label is not None:
                return label
        return None

    def diagnostic(self, path: tuple[str, ...], message: str) -> Diagnostic:
        """A problem found while drawing, at the file, line and column that wrote ``path``."""
        label = self.origin(*path) or self.path or "<scenario>"
        line, col, line_text = self.locations.get(path, (None, None, None))
        return Diagnostic(label, line, col, ".".join(path), message, source_line=line_text)

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"no indicator {indicator_id!r}{did_you_mean(indicator_id, self.ids)}")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def targeted(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.target is not None)
