"""Back-test of the year-so-far rule (#15) on China's published year-to-date and full-year GDP.

For each year and each release (Q1, H1, Q1-3), the January view is the government's annual target
with the spread of the record (the standard deviation of first-published outcome minus target over
the years tested), and the release's cumulative growth conditions it through growthsim's own
engine (engine.conditioning, with the base year's share of the same period from the previous year's
published levels). The table gives, per release and persistence, the share of years whose
first-published annual growth fell inside the 90% interval, the intervals' mean width, and the
Brier score of P(growth >= target) against what happened (January's beside it).

    .venv/bin/python benchmarks/ytd_backtest.py            # 2010-2019 and 2023 (the targets' record ends there)
    .venv/bin/python benchmarks/ytd_backtest.py --all      # with 2020-2022 (COVID base effects)

Data: benchmarks/data/china_ytd_pairs.csv (first-published NBS figures as reproduced by news
agencies and government sites, each row with its source; see benchmarks/data/README.md) and
benchmarks/data/target_history_china.csv (the government work reports' targets, from shared/data).
Eleven years per release: a coverage figure carries a sampling error of about ±9 points, and the
January spread is measured on the same years (in sample).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import statistics
from pathlib import Path

from growthsim import parse_scenario, simulate
from growthsim.scenario.periods import Period
from growthsim.scenario.types import Actual, Actuals

DATA = Path(__file__).parent / "data"
RELEASES = {"Q1": 3, "H1": 6, "Q1-3": 9}
UNITS = {"亿元": 1.0, "billion yuan": 10.0, "trillion yuan": 10_000.0}
COVID = (2020, 2021, 2022)
SCENARIO = """
[scenario]
name = "China GDP {year}"
base_year = {base_year}
target_year = {year}

[indicators.gdp]
name = "GDP"
unit = "亿元"
kind = "flow"
basis = "real"
baseline = 100
source = "benchmark"

[indicators.gdp.growth]
dist = "normal"
mean = "{target}%"
sd = "{sd}pp"
rationale = "the annual target, with the spread of the record"

[indicators.gdp.target]
at_least = "{target}%"
source = "government work report"
"""


def _load(with_covid: bool):
    targets = {}
    with open(DATA / "target_history_china.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["place"] == "China" and row["indicator"] == "GDP_real":
                targets[int(row["year"])] = float(row["target"])
    growth, level, annual = {}, {}, {}
    with open(DATA / "china_ytd_pairs.csv", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["indicator"] != "gdp_real":
                continue
            year, period = int(row["year"]), row["period"]
            if row["cumulative_growth_pct"]:
                growth[year, period] = float(row["cumulative_growth_pct"]) / 100
            if row["cumulative_value"] and row["value_unit"] in UNITS:
                level[year, period] = float(row["cumulative_value"]) * UNITS[row["value_unit"]]
            if row["full_year_growth_pct"]:
                annual[year] = float(row["full_year_growth_pct"]) / 100
    years = sorted(y for y in annual if y in targets and (with_covid or y not in COVID))
    return years, targets, growth, level, annual


def _share(level, year: int, period: str) -> tuple[float | None, bool]:
    """The base year's share of the period (its published YTD level over its annual level)."""
    before, whole = level.get((year - 1, period)), level.get((year - 1, "FY"))
    if before and whole:
        return before / whole, True
    return None, False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="include 2020-2022")
    parser.add_argument("--draws", type=int, default=20_000)
    options = parser.parse_args()
    years, targets, growth, level, annual = _load(options.all)
    sd = statistics.pstdev([annual[y] - targets[y] / 100 for y in years])
    print(f"years {years[0]}-{years[-1]} ({len(years)}), January view: target ± {sd * 100:.2f}pp (the record's spread)")
    print(
        f"{'release':8} {'persistence':>11} {'n':>3} {'90% coverage':>13} {'mean width':>11} {'Brier':>7} {'January Brier':>14}"
    )
    for release, months in RELEASES.items():
        for persistence in (0.0, 0.25, 0.5, 0.75, 1.0):
            inside, widths, brier, brier_january, n = 0, [], [], [], 0
            for year in years:
                if (year, release) not in growth:
                    continue
                scenario = parse_scenario(
                    SCENARIO.format(year=year, base_year=year - 1, target=targets[year], sd=f"{sd * 100:.4f}")
                )
                share, given = _share(level, year, release)
                base_value = share * 100 if given and share else None  # the baseline is 100
                actual = Actual("gdp", Period(1, months), growth=growth[year, release], base_value=base_value)
                actuals = Actuals("release", (actual,), None, persistence, latest={"gdp": actual})
                conditioned = simulate(dataclasses.replace(scenario, actuals=actuals), n_draws=options.draws, seed=1)
                january = simulate(scenario, n_draws=options.draws, seed=1)
                row, outcome = conditioned.indicators[0], annual[year]
                low, high = row.quantiles["p05"], row.quantiles["p95"]
                inside += low <= outcome <= high
                widths.append(high - low)
                hit = outcome >= targets[year] / 100
                brier.append((row.hit.p - hit) ** 2)
                brier_january.append((january.indicators[0].hit.p - hit) ** 2)
                n += 1
            print(
                f"{release:8} {persistence:>11.2f} {n:>3} {inside / n:>12.0%} {statistics.mean(widths) * 100:>9.2f}pp "
                f"{statistics.mean(brier):>7.3f} {statistics.mean(brier_january):>14.3f}"
            )


if __name__ == "__main__":
    main()
