"""The benchmark workloads: the bundled scenario, a 200-indicator stress scenario, and a scenario
whose exact probabilities are known (for the accuracy of each sampling method).

The scenarios are generated as TOML text, the way a planner's file would be written, so that the
benchmark measures the whole path a user's run takes (parsing and validation included).
"""

from __future__ import annotations

import math

from scipy.stats import norm

HEADER = """\
[scenario]
name = "{name}"
base_year = 2022
target_year = 2023

[simulation]
draws = 100000
seed = 1
correlation_method = "{method}"
"""


def stress_text(
    n_indicators: int = 200, n_derived: int = 20, n_events: int = 5, method: str = "gaussian_copula"
) -> str:
    """``n_indicators`` drawn indicators in a chain of correlations (each with the next at 0.45: a
    valid correlation matrix), ``n_derived`` formulas over them, ``n_events`` shock events; every
    indicator has a target. Distributions cycle through the kinds a real scenario uses."""
    parts = [HEADER.format(name="stress", method=method)]
    kinds = [
        (
            'kind = "flow"\nbasis = "real"',
            'growth = {{ dist = "normal", mean = "{m}%", sd = "1.5pp", rationale = "b" }}',
            'target = {{ at_least = "{t}%", source = "b" }}',
        ),
        (
            'kind = "flow"\nbasis = "nominal"',
            'growth = {{ dist = "split_normal", mode = "{m}%", sd_down = "2pp", sd_up = "1pp", rationale = "b" }}',
            'target = {{ at_least = "{t}%", source = "b" }}',
        ),
        (
            'kind = "flow"\nbasis = "real"',
            'growth = {{ dist = "triangular", min = "{lo}%", mode = "{m}%", max = "{hi}%", rationale = "b" }}',
            'target = {{ at_least = "{t}%", source = "b" }}',
        ),
        (
            'kind = "rate"\nbaseline = "5.3%"',
            'level = {{ dist = "normal", mean = "5.2%", sd = "0.3pp", rationale = "b" }}',
            'target = {{ at_most = "5.5%", source = "b" }}',
        ),
        (
            'kind = "count"',
            'level = {{ dist = "negative_binomial", mean = 1200, sd = 300, rationale = "b" }}',
            'target = {{ at_least = 1000, source = "b" }}',
        ),
    ]
    for i in range(n_indicators):
        head, assumption, target = kinds[i % len(kinds)]
        m = 4 + i % 7
        baseline = "" if "baseline" in head else "\nbaseline = 100"
        parts.append(
            f'[indicators.x{i}]\nname = "指标{i}"\nunit = "亿元"\n{head}{baseline}\nsource = "b"\n'
            + assumption.format(m=m, lo=m - 4, hi=m + 3)
            + "\n"
            + target.format(t=m + 1)
            + "\n"
        )
    flows = [i for i in range(n_indicators) if i % len(kinds) in (0, 1, 2)]
    for k in range(n_derived):
        a, b = flows[k % len(flows)], flows[(k * 7 + 3) % len(flows)]
        parts.append(
            f'[indicators.d{k}]\nname = "派生{k}"\nunit = "%"\nkind = "derived"\nmetric = "growth"\n'
            f'formula = "(1 + x{a}.growth) * (1 + x{b}.growth) / 2 - 0.5"\n'
            f'target = {{ at_least = "5%", source = "b" }}\n'
        )
    for e in range(n_events):
        hit = ", ".join(
            f'{{ indicator = "x{flows[(e * 13 + j * 5) % len(flows)]}", add = "-1.5pp" }}' for j in range(4)
        )
        parts.append(f'[events.e{e}]\nname = "事件{e}"\nprobability = "10%"\nrationale = "b"\neffects = [{hit}]\n')
    parts.append("[correlations]")
    for i in range(n_indicators - 1):
        parts.append(f"x{i} = {{ x{i + 1} = 0.45 }}")
    return "\n".join(parts) + "\n"


CLOSED_FORM = (
    HEADER.format(name="closed form", method="iman_conover")
    + """
[indicators.a]
name = "甲"
unit = "亿元"
kind = "flow"
basis = "real"
target = { at_least = "8%", source = "b" }
growth = { dist = "normal", mean = "7%", sd = "1pp", rationale = "b" }

[indicators.b]
name = "乙"
unit = "亿元"
kind = "flow"
basis = "real"
target = { relative_to = "a", tolerance = "1pp", side = "at_least", source = "b" }
growth = { dist = "normal", mean = "6.5%", sd = "1.5pp", rationale = "b" }

[indicators.c]
name = "丙"
unit = "亿元"
kind = "flow"
basis = "real"
growth = { dist = "normal", mean = "5%", sd = "2pp", rationale = "b" }

[indicators.total]
name = "合计"
unit = "%"
kind = "derived"
metric = "level"
formula = "a.growth + b.growth + c.growth"
target = { at_least = "20%", source = "b" }

[indicators.d]
name = "丁"
unit = "亿元"
kind = "flow"
basis = "real"
target = { at_least = "5%", source = "b" }
growth = { dist = "normal", mean = "6%", sd = "1pp", rationale = "b" }

[events.shock]
name = "冲击"
probability = "25%"
rationale = "b"
effects = [{ indicator = "d", add = "-2pp" }]
"""
)

# The exact P(hit) of each target of CLOSED_FORM: normal sums and a two-normal mixture.
CLOSED_FORM_EXACT = {
    "a": 1 - norm.cdf(0.08, 0.07, 0.01),
    "b": 1 - norm.cdf(-0.01, 0.065 - 0.07, math.hypot(0.01, 0.015)),
    "total": 1 - norm.cdf(0.20, 0.185, math.sqrt(0.01**2 + 0.015**2 + 0.02**2)),
    "d": 0.75 * (1 - norm.cdf(0.05, 0.06, 0.01)) + 0.25 * (1 - norm.cdf(0.05, 0.04, 0.01)),
}
