"""Throughput and memory of the engine on the default scenario, against a bare numpy floor.

    python benchmarks/bench_engine.py            # 1e5, 1e6, 1e7 draws
    python benchmarks/bench_engine.py --sizes 100000 1000000 --repeat 3

Prints figures; it never passes or fails. Each measurement runs in a fresh process so that its peak
memory (max RSS, which includes Python, numpy and scipy themselves) belongs to that run alone.

The floor is what numpy needs just to generate as many standard normals as the run draws values
(draws x indicators) with ``numpy.random.default_rng``, in chunks of about the engine's working set.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def measure_engine(n_draws: int) -> dict:
    from growthsim import load_scenario, simulate
    from growthsim.bundled import default_scenario_path

    scenario = load_scenario(default_scenario_path())
    started = time.perf_counter()
    simulate(scenario, n_draws, seed=1)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "n_indicators": len(scenario.indicators)}


def measure_floor(n_values: int, chunk: int = 1 << 20) -> dict:
    """Standard normals in chunks of about the engine's working set (1,048,576 values)."""
    import numpy as np

    rng = np.random.default_rng(1)
    started = time.perf_counter()
    done = 0
    while done < n_values:
        k = min(chunk, n_values - done)
        rng.standard_normal(k)
        done += k
    return {"seconds": time.perf_counter() - started}


def child(kind: str, n: int) -> dict:
    """Run one measurement in a fresh interpreter; return its figures and its peak RSS in MB."""
    code = (
        "import json, resource, sys; sys.path.insert(0, 'benchmarks'); import bench_engine as b; "
        f"r = b.measure_{kind}({n}); "
        "r['peak_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; print(json.dumps(r))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs for the times")
    args = parser.parse_args()

    import numpy as np

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}; best of {args.repeat}")
    print(f"{'draws':>12} {'engine s':>9} {'draws/s':>12} {'floor s':>8} {'ratio':>6} {'peak MB':>8}")
    for n in args.sizes:
        engine = [child("engine", n) for _ in range(args.repeat)]
        best = min(engine, key=lambda r: r["seconds"])
        floor = min((child("floor", n * best["n_indicators"]) for _ in range(args.repeat)),
                    key=lambda r: r["seconds"])
        print(f"{n:>12,} {best['seconds']:>9.3f} {n / best['seconds']:>12,.0f} {floor['seconds']:>8.3f} "
              f"{best['seconds'] / floor['seconds']:>6.2f} {max(r['peak_mb'] for r in engine):>8.0f}")


if __name__ == "__main__":
    main()
