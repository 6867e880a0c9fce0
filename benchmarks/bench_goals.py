"""Issue #16's goals, each figure printed beside its goal with "met" or "not met".

    python benchmarks/bench_goals.py                      # everything: 24 minutes on 2 cores (2026-12-01)
    python benchmarks/bench_goals.py --quick              # fewer sizes, median of 3, no 1e8: 9 minutes
    python benchmarks/bench_goals.py --part ratio,width   # some parts only
    python benchmarks/bench_goals.py --repeat 7           # median of 7 (default 5, --quick 3)

The times above are today's, with the width part's runs far over their goals; most of the full
run is the 1e8 runs (about 8 minutes). Parts:

ratio     growthsim against the hand-written numpy script (benchmarks/handwritten.py) on
          benchmarks/workload12.toml at 1e5, 1e6 and 1e7 draws, one worker and all cores (the
          reference always runs on one core). In-process: `simulate(load_scenario(path), ...)`
          against `handwritten.run(n, 1)`, each in a fresh interpreter, timed inside it after its
          imports. Whole process: `growthsim run FILE -n N --workers W --seed 1 > /dev/null` against
          `python benchmarks/handwritten.py -n N > /dev/null`, timed from outside.
          Goals: <= 1.0x at 1e6 and 1e7, in-process and whole process, one worker; <= 1.2x at 1e5,
          whole process.
scaling   growthsim with all cores against one worker, in-process, at 1e7 and 1e8 draws (1e8 not
          under --quick), on workload12 and on the bundled baseline. Goal: >= 1.8x faster.
meetings  wall time of whole commands on the bundled baseline at its default draws: run < 0.5 s,
          compare of the four luolong-2023 scenarios < 1 s, solve -i gdp -p 0.8 < 1 s,
          sensitivity < 1.5 s, report --html < 5 s.
width     a 1000-indicator correlated scenario (workloads.stress_text(1000)) at 1e5 draws: wall
          < 5 s and peak RSS < 500 MB for `growthsim run`; peak RSS at 1e5, 2e5 and 4e5 draws
          (flat in the draws); MB per indicator, (peak at 1000 - peak at 200) / 800, <= 0.3; and
          `load_scenario` (validation) alone < 1 s.
memory    the bundled baseline at 1e8 draws on one worker: peak RSS < 150 MB (not under --quick).

How it measures, and why:

* Every measurement is a fresh process, so that neither side inherits the other's warm caches or
  memory; before the timed runs each command runs once untimed, so that Python has written its
  bytecode (as on a user's machine) and the files are in the page cache.
* PYTHONDONTWRITEBYTECODE is removed from the children's environment: with it every process would
  recompile growthsim's sources, which no user pays.
* growthsim and the reference alternate, pair by pair (gs, ref, gs, ref, ...), so that a change of
  load on the machine (someone else's tests) hits both alike. A ratio is the median of the
  per-pair ratios; the medians of each side's times are printed beside it.
* Peak memory is the child's maximum RSS from os.wait4 (for `python -c` children too): it includes
  Python, numpy and scipy (about 100 MB before any draw) and, with workers, the largest worker.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# This module is imported by the measuring children too: no numpy or growthsim at the top, so that
# handwritten.py can hold BLAS to one thread before numpy is first imported.

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORKLOAD12 = HERE / "workload12.toml"
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "luolong-2023-baseline.toml"
PYTHON = sys.executable
GROWTHSIM = str(Path(sys.executable).with_name("growthsim"))


def child_env() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users' machines write bytecode
    env.pop("OPENBLAS_NUM_THREADS", None)  # each side decides its own BLAS threads
    return env


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# --- measurements inside a child process -------------------------------------------------------------


def measure_growthsim(path: str, n_draws: int, workers: int) -> dict:
    """The library path a notebook takes: load (parse + validate) and simulate, after the imports."""
    from growthsim import load_scenario, simulate

    started = time.perf_counter()
    simulate(load_scenario(path), n_draws=n_draws, seed=1, workers=workers)
    return {"seconds": time.perf_counter() - started}


def measure_handwritten(n_draws: int) -> dict:
    import handwritten  # first: it holds BLAS to one thread before numpy is imported

    started = time.perf_counter()
    handwritten.run(n_draws, 1)
    return {"seconds": time.perf_counter() - started}


def measure_load(path: str) -> dict:
    from growthsim import load_scenario

    started = time.perf_counter()
    load_scenario(path)
    return {"seconds": time.perf_counter() - started}


# --- running children ------------------------------------------------------------------------------


def run_process(command: list[str]) -> tuple[float, float, str]:
    """Run ``command`` with stdout to /dev/null: (wall seconds, peak RSS in MB, its stderr).
    os.wait4 gives the child's own rusage (its largest process, workers included), which
    subprocess.run would not."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=child_env(), cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {proc.returncode}:\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stderr


def in_child(call: str) -> dict:
    """``call`` (a measure_* call of this module) in a fresh interpreter: its dict and peak RSS."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import bench_goals as b; "
        f"r = b.{call}; sys.stderr.write('@@' + json.dumps(r))"
    )
    seconds_outside, peak, stderr = run_process([PYTHON, "-c", code])
    result = json.loads(stderr.rsplit("@@", 1)[1])
    result["peak_mb"] = peak
    result["wall"] = seconds_outside
    return result


def paired(first: Callable[[], float], second: Callable[[], float], repeat: int) -> tuple[float, float, float]:
    """Alternate the two (one untimed warm-up each first): median seconds of each, median ratio."""
    first(), second()
    a, b = [], []
    for _ in range(repeat):
        a.append(first())
        b.append(second())
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b, strict=True))


def repeated(measure: Callable[[], tuple], repeat: int, limit: float) -> list[tuple]:
    """``repeat`` runs of ``measure`` (which returns seconds first), or one if that one took more
    than three times ``limit``: far from the goal, a median of five only costs minutes."""
    runs = [measure()]
    if runs[0][0] <= 3 * limit:
        runs += [measure() for _ in range(repeat - 1)]
    return runs


def runs_note(runs: list, repeat: int) -> str:
    return "" if len(runs) == repeat else " (1 run: over 3x the goal, not repeated)"


# --- the report -----------------------------------------------------------------------------------------

GOALS: list[tuple[str, str, str, bool]] = []  # (figure, value, goal, met) for the closing summary


def verdict(figure: str, value: str, goal: str, met: bool) -> str:
    GOALS.append((figure, value, goal, met))
    return "met" if met else "**not met**"


def table(header: list[str], align: str) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")


def row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def draws(n: int) -> str:
    return f"1e{len(str(n)) - 1}" if str(n).strip("0") == "1" else f"{n:,}"


# --- parts ------------------------------------------------------------------------------------------------


def part_ratio(sizes: list[int], repeat: int, memo: dict) -> None:
    all_cores = cores()
    print(f"\n## Ratio growthsim / hand-written numpy (workload12, median of {repeat} pairs)\n")
    print(
        "In-process: `simulate(load_scenario(path), n, seed=1, workers=w)` against `handwritten.run(n, 1)`, "
        "each in a fresh interpreter, timed after its imports. Whole process: `growthsim run FILE -n N "
        "--workers W --seed 1 > /dev/null` against `python benchmarks/handwritten.py -n N > /dev/null`. "
        "The reference runs on one core throughout.\n"
    )
    table(["timing", "draws", "workers", "growthsim s", "hand-written s", "ratio", "goal", ""], "lrrrrrll")
    for n in sizes:
        for workers in sorted({1, all_cores}):
            runs: list[float] = []

            def gs_in(n=n, workers=workers, runs=runs) -> float:
                seconds = in_child(f"measure_growthsim({str(WORKLOAD12)!r}, {n}, {workers})")["seconds"]
                runs.append(seconds)
                return seconds

            gs, ref, ratio = paired(gs_in, lambda n=n: in_child(f"measure_handwritten({n})")["seconds"], repeat)
            memo[("workload12", n, workers)] = runs[1:]  # scaling reuses these (without the warm-up)
            goal = "<= 1.0x" if workers == 1 and n >= 1_000_000 else None
            met = (
                verdict(f"ratio in-process, {draws(n)}, 1 worker", f"{ratio:.2f}x", goal, ratio <= 1.0) if goal else ""
            )
            row("in-process", draws(n), workers, f"{gs:.3f}", f"{ref:.3f}", f"{ratio:.2f}x", goal or "—", met)

            gs_cmd = [GROWTHSIM, "run", str(WORKLOAD12), "-n", str(n), "--workers", str(workers), "--seed", "1"]
            ref_cmd = [PYTHON, str(HERE / "handwritten.py"), "-n", str(n)]
            gs, ref, ratio = paired(lambda c=gs_cmd: run_process(c)[0], lambda c=ref_cmd: run_process(c)[0], repeat)
            limit = 1.0 if n >= 1_000_000 else 1.2 if n >= 100_000 else None
            goal = f"<= {limit:.1f}x" if workers == 1 and limit else None
            met = (
                verdict(f"ratio whole process, {draws(n)}, 1 worker", f"{ratio:.2f}x", goal, ratio <= limit)
                if goal
                else ""
            )
            row("whole process", draws(n), workers, f"{gs:.3f}", f"{ref:.3f}", f"{ratio:.2f}x", goal or "—", met)


def part_scaling(sizes: list[int], repeat: int, long_repeat: int, memo: dict) -> None:
    all_cores = cores()
    print(f"\n## All cores ({all_cores}) against one worker (in-process, load included)\n")
    if all_cores == 1:
        print("One core only: nothing to measure.")
        return
    table(["workload", "draws", "runs", "1 worker s", f"{all_cores} workers s", "speed-up", "goal", ""], "lrrrrrll")
    for name, path in (("workload12", WORKLOAD12), ("baseline", BASELINE)):
        for n in sizes:
            k = repeat if n < 100_000_000 else long_repeat
            one, many = memo.get((name, n, 1)), memo.get((name, n, all_cores))
            if one and many and len(one) >= k and len(many) >= k:
                # measured by the ratio part already (each paired with the reference, not with each
                # other): the ratio of the medians
                one_s, many_s = statistics.median(one), statistics.median(many)
                speedup = one_s / many_s
            else:

                def timed(workers: int, n=n, path=path) -> float:
                    return in_child(f"measure_growthsim({str(path)!r}, {n}, {workers})")["seconds"]

                if n >= 100_000_000:  # a warm-up of a minute buys nothing: the smaller runs warmed the caches
                    one_l, many_l = [], []
                    for _ in range(k):
                        one_l.append(timed(1))
                        many_l.append(timed(all_cores))
                    one_s, many_s = statistics.median(one_l), statistics.median(many_l)
                    speedup = statistics.median(a / b for a, b in zip(one_l, many_l, strict=True))
                else:
                    one_s, many_s, speedup = paired(lambda: timed(1), lambda: timed(all_cores), k)
            met = verdict(f"all cores / one worker, {name}, {draws(n)}", f"{speedup:.2f}x", ">= 1.8x", speedup >= 1.8)
            row(name, draws(n), k, f"{one_s:.2f}", f"{many_s:.2f}", f"{speedup:.2f}x", ">= 1.8x", met)


def part_meetings(repeat: int) -> None:
    print(f"\n## Meetings: whole commands on the bundled baseline, default draws (median of {repeat})\n")
    table(["command", "seconds", "goal", ""], "lrrl")
    four = [str(SCENARIOS / f"luolong-2023-{name}.toml") for name in ("baseline", "downside", "upside", "tasks")]
    with tempfile.TemporaryDirectory() as tmp:
        html = str(Path(tmp) / "report.html")
        commands = [
            ("growthsim run", ["run"], 0.5),
            ("growthsim compare luolong-2023-{baseline,downside,upside,tasks}.toml", ["compare", *four], 1.0),
            ("growthsim solve -i gdp -p 0.8", ["solve", "-i", "gdp", "-p", "0.8"], 1.0),
            ("growthsim sensitivity", ["sensitivity"], 1.5),
            ("growthsim report --html OUT", ["report", "--html", html], 5.0),
        ]
        for shown, args, limit in commands:
            command = [GROWTHSIM, *args]
            run_process(command)  # warm-up: bytecode written, files cached
            runs = repeated(lambda command=command: run_process(command), repeat, limit)
            seconds = statistics.median(r[0] for r in runs)
            met = verdict(f"`{shown}`", f"{seconds:.2f} s", f"< {limit:g} s", seconds < limit)
            row(f"`{shown}`", f"{seconds:.3f}{runs_note(runs, repeat)}", f"< {limit:g} s", met)


def part_width(repeat: int, memory_sizes: list[int]) -> None:
    import workloads

    print("\n## Width: a 1000-indicator correlated scenario\n")
    print(
        "`workloads.stress_text(1000)`: 1000 drawn indicators (normal, split normal, triangular, rate, "
        "negative binomial in turn) correlated in a chain (each with the next at 0.45) through the "
        "Gaussian copula, 20 formulas, 5 events, a target on each. `growthsim run FILE -n N --workers 1 "
        "> /dev/null`, whole process; peak RSS of that process.\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n_indicators in (200, 1000):
            files[n_indicators] = Path(tmp) / f"stress{n_indicators}.toml"
            files[n_indicators].write_text(workloads.stress_text(n_indicators), encoding="utf-8")

        def cli(n_indicators: int, n: int) -> tuple[float, float]:
            seconds, peak, _ = run_process(
                [GROWTHSIM, "run", str(files[n_indicators]), "-n", str(n), "--workers", "1", "--seed", "1"]
            )
            return seconds, peak

        table(["figure", "value", "goal", ""], "lrrl")
        # validation alone first: the runs below include it
        in_child(f"measure_load({str(files[1000])!r})")  # warm-up
        load = statistics.median(in_child(f"measure_load({str(files[1000])!r})")["seconds"] for _ in range(repeat))
        met = verdict("`load_scenario`, 1000 indicators", f"{load:.2f} s", "< 1 s", load < 1.0)
        row("`load_scenario` (parse + validate), 1000 indicators", f"{load:.3f} s", "< 1 s", met)
        load200 = in_child(f"measure_load({str(files[200])!r})")["seconds"]
        row("`load_scenario`, 200 indicators (once)", f"{load200:.3f} s", "—", "")

        # the 200-indicator run first: it is needed anyway, and it warms the caches (bytecode, files)
        # for the 1000-indicator runs, which are too long to repeat just for a warm-up
        cli(200, 100_000)
        peak200 = cli(200, 100_000)[1]
        runs = repeated(lambda: cli(1000, 100_000), repeat, 5.0)
        wall = statistics.median(s for s, _ in runs)
        peaks = {100_000: max(p for _, p in runs)}
        met = verdict("1000 indicators, 1e5 draws, wall", f"{wall:.2f} s", "< 5 s", wall < 5.0)
        row(
            f"wall, 1000 indicators, 1e5 draws (median of {len(runs)})",
            f"{wall:.2f} s{runs_note(runs, repeat)}",
            "< 5 s",
            met,
        )
        met = verdict(
            "1000 indicators, 1e5 draws, peak RSS", f"{peaks[100_000]:.0f} MB", "< 500 MB", peaks[100_000] < 500
        )
        row("peak RSS, 1000 indicators, 1e5 draws", f"{peaks[100_000]:.0f} MB", "< 500 MB", met)
        for n in memory_sizes:
            if n not in peaks:
                peaks[n] = cli(1000, n)[1]
        spread = max(peaks[n] for n in memory_sizes) - min(peaks[n] for n in memory_sizes)
        sizes = " / ".join(draws(n) if n == 100_000 else f"{n:,}" for n in memory_sizes)
        # "flat" is the word; within 10% of the 1e5 peak is this script's reading of it
        met = verdict(
            f"peak RSS flat in the draws ({sizes})",
            f"spread {spread:.0f} MB",
            "within 10%",
            spread <= 0.1 * peaks[100_000],
        )
        row(
            f"peak RSS, 1000 indicators, {sizes} draws",
            " / ".join(f"{peaks[n]:.0f}" for n in memory_sizes) + f" MB (spread {spread / peaks[100_000]:.0%})",
            "flat (within 10%: our reading)",
            met,
        )
        per = (peaks[100_000] - peak200) / 800
        row("peak RSS, 200 indicators, 1e5 draws", f"{peak200:.0f} MB", "—", "")
        met = verdict("MB per indicator, (peak 1000 - peak 200) / 800", f"{per:.2f} MB", "<= 0.3 MB", per <= 0.3)
        row("MB per indicator: (peak at 1000 - peak at 200) / 800", f"{per:.2f} MB", "<= ~0.3 MB", met)


def part_memory() -> None:
    print("\n## Memory: the bundled baseline at 1e8 draws, one worker\n")
    table(["command", "seconds", "peak RSS", "goal", ""], "lrrrl")
    seconds, peak, _ = run_process([GROWTHSIM, "run", "-n", "100000000", "--workers", "1"])
    met = verdict("peak RSS, baseline, 1e8 draws, 1 worker", f"{peak:.0f} MB", "< 150 MB", peak < 150)
    row("`growthsim run -n 100000000 --workers 1`", f"{seconds:.1f}", f"{peak:.0f} MB", "< 150 MB", met)


PARTS = ("ratio", "scaling", "meetings", "width", "memory")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer sizes, median of 3, nothing at 1e8")
    parser.add_argument("--part", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--repeat", type=int, default=None, help="median of this many runs (default 5, --quick 3)")
    parser.add_argument("--long-repeat", type=int, default=3, help="runs at 1e8 draws (a minute each)")
    args = parser.parse_args()
    parts = [p.strip() for p in args.part.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))} (choose from {', '.join(PARTS)})")
    repeat = args.repeat or (3 if args.quick else 5)

    import platform

    import numpy as np
    import scipy

    import growthsim

    started = time.perf_counter()
    print(f"# growthsim against issue #16's goals{' (--quick)' if args.quick else ''}\n")
    print(
        f"growthsim {growthsim.__version__}, Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, {cores()} cores ({platform.machine()}, {platform.system()}), "
        f"load average {os.getloadavg()[0]:.2f} at the start"
    )
    memo: dict = {}
    if "ratio" in parts:
        part_ratio([100_000, 1_000_000] if args.quick else [100_000, 1_000_000, 10_000_000], repeat, memo)
    if "scaling" in parts:
        part_scaling([10_000_000] if args.quick else [10_000_000, 100_000_000], repeat, args.long_repeat, memo)
    if "meetings" in parts:
        part_meetings(repeat)
    if "width" in parts:
        part_width(repeat, [100_000, 200_000] if args.quick else [100_000, 200_000, 400_000])
    if "memory" in parts:
        if args.quick:
            print("\n## Memory at 1e8 draws: skipped under --quick (about a minute)")
        else:
            part_memory()

    print(f"\n## Summary: {sum(m for *_, m in GOALS)} of {len(GOALS)} goals met\n")
    table(["figure", "value", "goal", ""], "lrrl")
    for figure, value, goal, met in GOALS:
        row(figure, value, goal, "met" if met else "**not met**")
    print(
        f"\nTook {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.2f} at the end "
        "(another process's work makes every figure noisier)."
    )


if __name__ == "__main__":
    main()
