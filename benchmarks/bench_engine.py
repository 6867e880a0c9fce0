"""growthsim's benchmark suite: prints figures, never passes or fails.

    python benchmarks/bench_engine.py                 # everything (about 10 minutes on 2 cores)
    python benchmarks/bench_engine.py --quick         # 1e5 and 1e6 draws only, fewer seeds
    python benchmarks/bench_engine.py --only throughput startup accuracy

Sections:

throughput  draws per second and peak memory of `simulate` on the bundled scenario (1e5 .. 1e8
            draws) and on a 200-indicator stress scenario (correlated in a chain, 20 formulas,
            5 events; 1e5 .. 1e7), with one worker and with every core, side by side with a bare
            numpy floor measured in the same run: generating as many standard normals as the run
            draws values (draws x drawn indicators) with numpy.random.default_rng.
startup     wall time of `growthsim --help` and of a cold `growthsim run -n 100000` (fresh
            processes, median of 5).
accuracy    on a scenario whose P(hit) is known exactly, the root-mean-square error of P(hit)
            over seeds, per sampling method, at equal draws and at equal time, and the plain Monte
            Carlo draws each method's accuracy is worth.

Every throughput measurement runs in a fresh process, so its peak memory (max RSS, which includes
Python, numpy and scipy themselves, about 100 MB) belongs to that run alone; with workers, the
largest worker's RSS is reported beside the main process's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


# --- measurements (run in child processes) ---------------------------------------------------------


def _scenario(workload: str):
    from growthsim import load_scenario, parse_scenario
    from growthsim.scenario.bundled import default_scenario_path

    if workload == "default":
        return load_scenario(default_scenario_path())
    import workloads

    return parse_scenario(workloads.stress_text())


def measure_engine(workload: str, n_draws: int, workers: int) -> dict:
    from growthsim import simulate

    scenario = _scenario(workload)
    drawn = sum(1 for i in scenario.indicators if i.assumption is not None)
    started = time.perf_counter()
    simulate(scenario, n_draws, seed=1, workers=workers)
    return {"seconds": time.perf_counter() - started, "drawn": drawn}


def measure_floor(n_values: int, chunk: int = 1 << 20) -> dict:
    """Standard normals in chunks of about the engine's working set."""
    import numpy as np

    rng = np.random.default_rng(1)
    started = time.perf_counter()
    done = 0
    while done < n_values:
        k = min(chunk, n_values - done)
        rng.standard_normal(k)
        done += k
    return {"seconds": time.perf_counter() - started}


def measure_inverse_cdf_floor(n_values: int, chunk: int = 1 << 20) -> dict:
    """Uniforms through the normal quantile function (scipy.special.ndtri): what sampling by inverse
    CDF costs at the least, for the same number of values."""
    import numpy as np
    from scipy import special

    rng = np.random.default_rng(1)
    started = time.perf_counter()
    done = 0
    while done < n_values:
        k = min(chunk, n_values - done)
        special.ndtri(rng.random(k))
        done += k
    return {"seconds": time.perf_counter() - started}


def child(call: str) -> dict:
    """Run ``call`` (a measure_* call) in a fresh interpreter; add its peak RSS in MB."""
    code = (
        f"import json, resource, sys; sys.path.insert(0, {str(HERE)!r}); import bench_engine as b; r = b.{call}; "
        "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "r['children_peak_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- sections ----------------------------------------------------------------------------------------


def throughput(sizes: dict[str, list[int]], repeat: int) -> None:
    from growthsim.engine.run import auto_workers

    cores = auto_workers(10**9)
    print(f"\n## Throughput (best of {repeat}; floor = the same number of numpy standard normals)\n")
    print(
        "| workload | draws | workers | seconds | draws/s | floor s | ratio to floor | inverse-CDF floor s | "
        "ratio to it | peak MB (main / worker) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workload, ns in sizes.items():
        for n in ns:
            floor = None
            for workers in sorted({1, cores}):
                runs = [child(f"measure_engine({workload!r}, {n}, {workers})") for _ in range(repeat)]
                best = min(runs, key=lambda r: r["seconds"])
                if floor is None:
                    floor = min(
                        (child(f"measure_floor({n * best['drawn']})") for _ in range(repeat)),
                        key=lambda r: r["seconds"],
                    )
                    inverse = min(
                        (child(f"measure_inverse_cdf_floor({n * best['drawn']})") for _ in range(repeat)),
                        key=lambda r: r["seconds"],
                    )
                peak = max(r["peak_mb"] for r in runs)
                worker_peak = max(r["children_peak_mb"] for r in runs) if workers > 1 else None
                peaks = f"{peak:.0f}" + (f" / {worker_peak:.0f}" if worker_peak else "")
                print(
                    f"| {workload} | {n:,} | {workers} | {best['seconds']:.3f} | {n / best['seconds']:,.0f} | "
                    f"{floor['seconds']:.3f} | {best['seconds'] / floor['seconds']:.2f} | "
                    f"{inverse['seconds']:.3f} | {best['seconds'] / inverse['seconds']:.2f} | {peaks} |",
                    flush=True,
                )


def startup(repeat: int = 5) -> None:
    growthsim = Path(sys.executable).with_name("growthsim")
    command = [str(growthsim)] if growthsim.exists() else [sys.executable, "-m", "growthsim"]
    print(f"\n## Start-up (fresh processes, median of {repeat})\n")
    print("| command | seconds |")
    print("|---|---:|")
    for args in (["--help"], ["run", "-n", "100000"]):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(command + args, capture_output=True, check=True, env={**os.environ, "COLUMNS": "100"})
            times.append(time.perf_counter() - started)
        print(f"| `growthsim {' '.join(args)}` | {statistics.median(times):.3f} |", flush=True)


def accuracy(n_draws: int, seeds: int) -> None:
    """RMSE of P(hit) against the exact answers, per method, at equal draws and at equal time."""
    import numpy as np
    import workloads

    from growthsim import parse_scenario, simulate
    from growthsim.engine.model import compile_model

    model = compile_model(parse_scenario(workloads.CLOSED_FORM))
    exact = workloads.CLOSED_FORM_EXACT

    def run(method: str, n: int) -> tuple[dict[str, float], float, int]:
        """RMSE per target over the seeds, mean seconds per run, draws per run."""
        errors = {k: [] for k in exact}
        started = time.perf_counter()
        for seed in range(seeds):
            summary = simulate(model, n, seed=1000 + seed, method=method)
            for row in summary.indicators:
                if row.hit is not None:
                    errors[row.indicator.id].append(row.hit.p - exact[row.indicator.id])
        seconds = (time.perf_counter() - started) / seeds
        return {k: math.sqrt(float(np.mean(np.square(v)))) for k, v in errors.items()}, seconds, summary.n_draws

    print(f"\n## Accuracy: RMSE of P(hit) over {seeds} seeds against the exact answer, in percentage points\n")
    print(
        "Targets: a (one input), b (relative to a: two inputs), total (a formula of three inputs), "
        "d (one input shifted by a 25% event: two inputs).\n"
    )
    print(
        "| method | draws | seconds/run | RMSE a | RMSE b | RMSE total | RMSE d | mean RMSE | "
        "worth plain-MC draws | factor |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = {}
    mc_rmse, mc_seconds, _ = run("mc", n_draws)
    for method in ("mc", "lhs", "sobol"):
        rmse, seconds, n = (mc_rmse, mc_seconds, n_draws) if method == "mc" else run(method, n_draws)
        results[method] = (rmse, seconds, n)
        mean = float(np.mean(list(rmse.values())))
        # plain MC's RMSE falls as 1/sqrt(n): the draws MC would need for this method's mean RMSE
        mc_mean = float(np.mean(list(mc_rmse.values())))
        worth = n_draws * (mc_mean / mean) ** 2
        print(
            f"| {method} (equal draws) | {n:,} | {seconds:.4f} | "
            + " | ".join(f"{rmse[k] * 100:.4f}" for k in exact)
            + f" | {mean * 100:.4f} | {worth:,.0f} | {worth / n:.1f}x |",
            flush=True,
        )
    for method in ("lhs", "sobol"):
        _, seconds, _ = results[method]
        n = max(1024, int(n_draws * mc_seconds / seconds))  # what this method draws in MC's time
        rmse, seconds_equal, used = run(method, n)
        mean = float(np.mean(list(rmse.values())))
        mc_mean = float(np.mean(list(mc_rmse.values())))
        worth = n_draws * (mc_mean / mean) ** 2
        print(
            f"| {method} (equal time) | {used:,} | {seconds_equal:.4f} | "
            + " | ".join(f"{rmse[k] * 100:.4f}" for k in exact)
            + f" | {mean * 100:.4f} | {worth:,.0f} | {worth / used:.1f}x |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1e5 and 1e6 draws, 10 seeds: about a minute")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["throughput", "startup", "accuracy"],
        default=["throughput", "startup", "accuracy"],
    )
    parser.add_argument("--repeat", type=int, default=None, help="best of N runs for the times")
    args = parser.parse_args()

    import numpy as np
    import scipy

    import growthsim

    print(
        f"growthsim {growthsim.__version__}, Python {sys.version.split()[0]}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, {os.cpu_count()} cores"
    )
    repeat = args.repeat or (1 if args.quick else 2)
    if "throughput" in args.only:
        if args.quick:
            sizes = {"default": [100_000, 1_000_000], "stress": [100_000]}
        else:
            sizes = {
                "default": [100_000, 1_000_000, 10_000_000, 100_000_000],
                "stress": [100_000, 1_000_000, 10_000_000],
            }
        throughput(sizes, repeat)
    if "startup" in args.only:
        startup()
    if "accuracy" in args.only:
        accuracy(16_384, 10 if args.quick else 40)


if __name__ == "__main__":
    main()
