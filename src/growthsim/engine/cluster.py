"""Runs beyond one machine: a batch of scenarios whose blocks of draws are independent tasks on a
Dask cluster (``pip install 'growthsim[cluster]'``; see the README, "Beyond one machine").

A run's draws are made block by block from streams keyed by seed, indicator and block, never by
who draws them, so any worker can draw any block and the partial results, merged in order, are the
run's. ``simulate_batch`` draws each scenario's first block here (its pilot fixes the quantile
grids every part of the run shares), sends the rest as tasks of whole blocks
(``run.accumulate_task``, what a local worker process computes) to the cluster's workers, and
merges what comes back: each Summary is the one ``simulate`` gives on one machine, bit for bit
(tests/test_cluster.py checks it on a dask.distributed LocalCluster). Dask schedules; growthsim
only cuts the work and puts it back together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from growthsim.engine.accumulate import Accumulator
from growthsim.engine.evaluation import evaluate
from growthsim.engine.model import Model
from growthsim.engine.run import accumulate_task, model_chunks, prepared, tasks
from growthsim.engine.sampling import one_blas_thread, sample
from growthsim.engine.streams import BLOCK_SIZE, Cursor
from growthsim.engine.summary import Summary
from growthsim.scenario.types import Scenario

__all__ = ["simulate_batch"]


def simulate_batch(
    scenarios: Sequence[Scenario | Model],
    client: Any,
    n_draws: int | None = None,
    seed: int | None = None,
    *,
    method: str = "mc",
    workers: int | None = None,
) -> list[Summary]:
    """``[simulate(s, n_draws, seed, method=method) for s in scenarios]``, the draws of every
    scenario shared among the workers of ``client`` (a ``dask.distributed.Client``). ``n_draws``
    and ``seed`` default to each scenario's own, as for ``simulate``. The draws of a scenario after
    its first block are cut into tasks of whole blocks for ``workers`` (default: the cluster's):
    at least two tasks a worker, each of at most 32 blocks (``run.tasks``). Results do not depend
    on it, nor on the cluster."""
    workers = workers or max(1, len(client.scheduler_info().get("workers", {})))
    runs = []
    for scenario in scenarios:
        model, n, entropy, batch = prepared(scenario, n_draws, seed, method)
        pilot = Accumulator(model, n, entropy, method=method, batch=batch)
        pending = model_chunks(model, n, batch=batch)
        cursor = Cursor()
        with one_blas_thread():
            while pending and pending[0][0] < BLOCK_SIZE:  # the first block, here: the pilot
                start, stop = pending.pop(0)
                pilot.add(evaluate(model, sample(model, entropy, start, stop, method, batch, cursor=cursor)))
        parts = tasks(pending, workers) if pending else []
        futures = []
        if parts:  # the model and the pilot sent once to every worker, not once a task
            shared_model, shared_pilot = client.scatter([model, pilot], broadcast=True)
            futures = [
                client.submit(accumulate_task, shared_model, entropy, shared_pilot, method, batch, part, pure=False)
                for part in parts
            ]
        runs.append((pilot, futures))
    summaries = []
    for pilot, futures in runs:
        for partial in client.gather(futures):  # in order: each continues where the last ended
            pilot.merge(partial)
        summaries.append(pilot.summary())
    return summaries
