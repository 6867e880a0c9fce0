"""The hand-written reference for issue #16: workload12.toml as a tight numpy script would run it.

    python benchmarks/handwritten.py -n 1000000            # P(hit) per target, P(all), quantiles
    python benchmarks/handwritten.py -n 1000000 --seed 7 --file other.toml

What it does, and nothing more (it is the floor growthsim is measured against, so it must be what a
competent analyst would write by hand for this one workload, not a strawman):

* reads the parameters from the TOML with tomllib, so that it and growthsim cannot drift apart;
* converts the rank correlations a planner writes into normal-score correlations (2 sin(pi rho / 6),
  as growthsim does: without it P(all) would differ) and takes their Cholesky factor L;
* in chunks of at most 2^17 draws: standard normals from numpy's default_rng (the ziggurat, faster
  than any inverse CDF), z -> L z, then each row through its distribution in place (normal:
  mean + sd z; shifted lognormal: shift + exp(mu + sigma z); triangular: its inverse CDF at
  scipy.special.ndtr(z));
* counts each target's hits and the draws hitting all twelve;
* quantiles p05/p50/p95 of what each target tests (the growth, or for a level target the 2023 level,
  which is baseline * (1 + growth): a monotone map, so the growth's quantiles give the level's).
  Up to one chunk (n <= 2^17, e.g. 1e5 draws) it keeps the 12 x n values and takes the exact
  inverted-CDF quantiles (np.quantile, method="inverted_cdf"): that is what a tight script does when
  the draws fit in memory. Beyond one chunk it keeps a fixed histogram per indicator instead, on a
  grid of 16,384 bins over the first chunk's range widened by half of it on each side (values
  outside go to an under- and an overflow slot), all twelve filled by one bincount per chunk, and
  interpolates inside the bin: memory is bounded (12 x 16,386 counts) and each quantile lies
  within one bin width (about 1/8000 of the first chunk's range, ~0.001 sd for a normal) of the
  exact one, far below its Monte Carlo error. That is the same grid and bound as growthsim's
  sketch, so both report quantiles to the same precision.

Nothing is stored per draw beyond one chunk's working arrays: two 12 x 2^17 float64 buffers (25 MB),
one of booleans, a few one-row scratch arrays and the bincount's integer copy of a chunk.

BLAS is held to one thread (OPENBLAS_NUM_THREADS, set before numpy is imported) so that the
reference runs on one core, as growthsim does with one worker (growthsim limits BLAS to one thread
too). Import this module before numpy for that to take effect.

Agreement with growthsim (`python benchmarks/handwritten.py -n 10000000 --check`, seed 1, run on
2026-12-01 against the working tree of that day): growthsim draws its own streams, so the two agree
only to within Monte Carlo error. At 1e7 draws the standard error of a P(hit) is at most 0.016pp
(0.022pp for the difference of two independent runs), of P(all) 0.004pp. The exact answers where
they are easy: gdp 1 - Phi(1/3) = 36.944%, hightech (symmetric triangle) 50%, services
1 - 4^2 / (7 x 4.5) = 49.206%.

    target          handwritten  growthsim  diff / se of the difference
    gdp                36.9422%   36.9470%  -0.23
    industry           42.0902%   42.0667%   1.06
    services           49.2158%   49.2258%  -0.45
    fai                33.3674%   33.3449%   1.07
    hightech           49.9993%   49.9961%   0.14
    retail             15.8735%   15.8552%   1.12
    tourism            33.3488%   33.3172%   1.50
    revenue            60.0192%   60.0349%  -0.71
    trade              40.5721%   40.5936%  -0.98
    fdi                43.5552%   43.5325%   1.02
    tech_contracts     58.1956%   58.2049%  -0.42
    digital            52.6626%   52.6592%   0.15
    all (P(all))        1.8818%    1.8778%   0.65

Every difference is within 1.5 standard errors; the p05/p50/p95 agree within their Monte Carlo
error (fai -0.01614 / 0.07857 / 0.1490 against -0.01620 / 0.07857 / 0.1490). At 1e6 draws the
largest difference was 1.36 standard errors (tech_contracts 58.31% against 58.21%).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, like growthsim's one worker

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import special

try:
    import tomllib
except ImportError:  # Python 3.10, as growthsim itself reads TOML there
    import tomli as tomllib  # type: ignore[no-redef]

WORKLOAD = Path(__file__).resolve().with_name("workload12.toml")
CHUNK = 1 << 17  # draws per chunk: 12 x 2^17 float64 = 12.6 MB per working array
N_BINS = 16_384  # histogram bins per indicator (growthsim's sketch uses the same number)
QUANTILES = {"p05": 0.05, "p50": 0.50, "p95": 0.95}


# --- the workload, from the TOML ------------------------------------------------------------------


def _number(text: str | float, unit: str) -> tuple[float, str]:
    """A quantity as written in a scenario: ("6.5%" -> 0.065, "rate"), ("1.5pp" -> 0.015, "rate"),
    ("16亿元" -> 16, "level") with the indicator's unit. Only the forms workload12.toml uses."""
    if not isinstance(text, str):
        return float(text), "level"
    if text.endswith("pp"):
        return float(text[:-2]) / 100, "rate"
    if text.endswith("%"):
        return float(text[:-1]) / 100, "rate"
    if text.endswith(unit):
        return float(text[: -len(unit)]), "level"
    raise ValueError(f"{text!r}: not a form this script reads")


def read_workload(path: str | Path = WORKLOAD) -> dict:
    """Per indicator (in the correlation matrix's order): its distribution's parameters, the growth
    its target needs (a level target divided by the baseline) and whether the target is on the
    level; and the normal-score correlation matrix."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    assert raw["simulation"]["correlation_method"] == "gaussian_copula"
    order = raw["correlations"]["order"]
    assert sorted(order) == sorted(raw["indicators"]), "every indicator is in the copula"
    rows = []
    for key in order:
        ind = raw["indicators"][key]
        assert ind["kind"] == "flow" and "growth" in ind
        unit, growth, target = ind["unit"], ind["growth"], ind["target"]
        p = {k: _number(v, unit)[0] for k, v in growth.items() if k not in ("dist", "rationale")}
        threshold, form = _number(target["at_least"], unit)
        on_level = form == "level"
        if on_level:  # level >= T  <=>  baseline * (1 + growth) >= T
            threshold = threshold / ind["baseline"] - 1
        row = {"id": key, "dist": growth["dist"], "threshold": threshold, "baseline": ind["baseline"]}
        row["on_level"] = on_level
        if growth["dist"] == "normal":
            row["mean"], row["sd"] = p["mean"], p["sd"]
        elif growth["dist"] == "lognormal":  # mean and sd of the variable itself, above `shift`
            m = p["mean"] - p.get("shift", 0.0)
            sigma = math.sqrt(math.log1p((p["sd"] / m) ** 2))
            row["mu"], row["sigma"], row["shift"] = math.log(m) - sigma**2 / 2, sigma, p.get("shift", 0.0)
        elif growth["dist"] == "triangular":
            row["lo"], row["mode"], row["hi"] = p["min"], p["mode"], p["max"]
        else:
            raise ValueError(f"{key}: {growth['dist']} is not in this workload")
        rows.append(row)
    rank = np.array(raw["correlations"]["matrix"], dtype=float)
    score = 2.0 * np.sin(np.pi * rank / 6.0)
    np.fill_diagonal(score, 1.0)
    return {"rows": rows, "correlation": score}


# --- the simulation ----------------------------------------------------------------------------------


def _to_distribution(x: np.ndarray, row: dict, scratch: np.ndarray, mask: np.ndarray) -> None:
    """Correlated normal scores -> draws of the growth, in place."""
    if row["dist"] == "normal":
        x *= row["sd"]
        x += row["mean"]
    elif row["dist"] == "lognormal":
        x *= row["sigma"]
        x += row["mu"]
        np.exp(x, out=x)
        x += row["shift"]
    else:  # triangular: one sqrt per draw, on whichever side of the mode its uniform falls
        lo, c, hi = row["lo"], row["mode"], row["hi"]
        u = special.ndtr(x, out=x)
        np.less(u, (c - lo) / (hi - lo), out=mask)
        np.subtract(1.0, u, out=scratch)
        scratch *= (hi - lo) * (hi - c)  # right of the mode: (1 - u) w (hi - c)
        u *= (hi - lo) * (c - lo)  # left of it: u w (c - lo)
        np.copyto(scratch, u, where=mask)
        np.sqrt(scratch, out=scratch)
        np.subtract(hi, scratch, out=x)
        np.add(lo, scratch, out=x, where=mask)


def run(n_draws: int, seed: int, path: str | Path = WORKLOAD) -> dict:
    """P(hit) of each target, P(all) and the p05/p50/p95 of what each target tests."""
    workload = read_workload(path)
    rows, k = workload["rows"], len(workload["rows"])
    factor = np.linalg.cholesky(workload["correlation"])
    thresholds = np.array([r["threshold"] for r in rows])[:, None]
    rng = np.random.default_rng(seed)
    keep_all = n_draws <= CHUNK

    size = min(CHUNK, n_draws)
    z = np.empty((k, size))
    x = np.empty((k, size))
    scratch = np.empty(size)
    mask = np.empty(size, dtype=bool)
    hit = np.empty((k, size), dtype=bool)
    hits = np.zeros(k, dtype=np.int64)
    all_hit = 0
    counts = lo = inverse_width = shift = floor = ceiling = scale = None

    done = 0
    while done < n_draws:
        m = min(CHUNK, n_draws - done)
        if m < z.shape[1]:  # the last, shorter chunk (rng's out= needs a contiguous array)
            z, x, hit = np.empty((k, m)), np.empty((k, m)), np.empty((k, m), dtype=bool)
            scratch, mask = scratch[:m], mask[:m]
        rng.standard_normal(out=z)
        np.matmul(factor, z, out=x)
        for i, row in enumerate(rows):
            _to_distribution(x[i], row, scratch, mask)
        np.greater_equal(x, thresholds, out=hit)
        hits += np.count_nonzero(hit, axis=1)
        all_hit += int(np.count_nonzero(np.logical_and.reduce(hit, axis=0)))

        if not keep_all:
            if counts is None:  # the grid, from the first chunk's range widened by half of it each side
                low, high = x.min(axis=1), x.max(axis=1)
                span = high - low
                lo = low - span / 2
                inverse_width = N_BINS / (2 * span)
                counts = np.zeros(k * (N_BINS + 2), dtype=np.int64)
                # indicator i's slots are first[i] .. first[i] + N_BINS + 1: the first counts the
                # values below its grid, the last those above; bin b of the grid is slot first[i] + 1 + b
                first = np.arange(k) * (N_BINS + 2.0)
                shift = (first + 1.0 - lo * inverse_width)[:, None]
                floor, ceiling = first[:, None], (first + N_BINS + 1.0)[:, None]
                scale = inverse_width[:, None]
            # the slot of every value of the chunk, all twelve rows at once: one bincount
            x *= scale
            x += shift
            np.clip(x, floor, ceiling, out=x)
            counts += np.bincount(x.astype(np.intp).ravel(), minlength=counts.size)
        done += m

    probabilities = np.array(list(QUANTILES.values()))
    if keep_all:
        values = np.quantile(x, probabilities, axis=1, method="inverted_cdf").T  # (k, 3)
    else:
        values = np.empty((k, probabilities.size))
        for i in range(k):
            c = counts[i * (N_BINS + 2) : (i + 1) * (N_BINS + 2)]
            cumulative = np.cumsum(c)
            ranks = probabilities * n_draws
            slot = np.searchsorted(cumulative, ranks, side="left")
            assert ((slot > 0) & (slot <= N_BINS)).all(), "a quantile outside the grid"
            fraction = (ranks - cumulative[slot - 1]) / c[slot]
            values[i] = lo[i] + (slot - 1 + fraction) / inverse_width[i]

    result = {"n_draws": n_draws, "seed": seed, "p_hit": {}, "quantiles": {}}
    for i, row in enumerate(rows):
        result["p_hit"][row["id"]] = hits[i] / n_draws
        q = values[i] if not row["on_level"] else row["baseline"] * (1 + values[i])
        result["quantiles"][row["id"]] = dict(zip(QUANTILES, (float(v) for v in q), strict=True))
    result["p_all"] = all_hit / n_draws
    return result


# --- checking against growthsim -------------------------------------------------------------------


def check(n_draws: int, seed: int) -> None:
    """Both on the same workload: P(hit) and P(all) side by side with the difference in standard
    errors of the difference (two independent estimates), and the quantiles."""
    ours = run(n_draws, seed)
    from growthsim import load_scenario, simulate

    summary = simulate(load_scenario(WORKLOAD), n_draws=n_draws, seed=seed)
    theirs = {row.indicator.id: row for row in summary.indicators}
    print(f"{n_draws:,} draws, seed {seed}")
    print(f"{'target':<16}{'handwritten':>12}{'growthsim':>12}{'diff/se':>9}   p05 / p50 / p95 (hw | gs)")
    worst = 0.0

    def line(name: str, a: float, b: float, extra: str = "") -> None:
        nonlocal worst
        se = math.sqrt((a * (1 - a) + b * (1 - b)) / n_draws) or 1.0
        worst = max(worst, abs(a - b) / se)
        print(f"{name:<16}{a:>12.4%}{b:>12.4%}{(a - b) / se:>9.2f}   {extra}")

    for key, p in ours["p_hit"].items():
        row = theirs[key]
        hq = ours["quantiles"][key]
        gq = row.quantiles
        qs = " / ".join(f"{hq[q]:.4g}" for q in QUANTILES) + " | " + " / ".join(f"{gq[q]:.4g}" for q in QUANTILES)
        line(key, p, row.hit.p, qs)
    line("all", ours["p_all"], summary.joint.all_hit.p)
    print(f"largest |difference| / se: {worst:.2f} (13 estimates: above ~3 would be suspect)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--draws", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", default=str(WORKLOAD), help="a scenario in workload12.toml's form")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--check", action="store_true", help="compare with growthsim on the same workload")
    args = parser.parse_args()
    if args.check:
        check(args.draws, args.seed)
        return
    started = time.perf_counter()
    result = run(args.draws, args.seed, args.file)
    seconds = time.perf_counter() - started
    if args.json:
        json.dump(result, sys.stdout, indent=1)
        print()
        return
    print(f"{args.draws:,} draws, seed {args.seed}, {seconds:.3f} s")
    for key, p in result["p_hit"].items():
        q = result["quantiles"][key]
        print(f"{key:<16}P(hit) {p:8.4%}   " + "  ".join(f"{name} {v:.5g}" for name, v in q.items()))
    print(f"{'all':<16}P(all) {result['p_all']:8.4%}")


if __name__ == "__main__":
    main()
