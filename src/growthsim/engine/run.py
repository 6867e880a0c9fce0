"""The pipeline behind `growthsim run`: compile, then sample -> evaluate -> accumulate chunk by chunk."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeAlias, TypeVar, cast

import numpy as np

from growthsim.engine.accumulate import Accumulator
from growthsim.engine.evaluation import Outcomes, evaluate
from growthsim.engine.model import Model, compile_model
from growthsim.engine.sampling import (
    batch_size,
    chunk_draws,
    one_blas_thread,
    planned_draws,
    require_two_batches,
    sample,
    sampled_model,
)
from growthsim.engine.streams import BLOCK_SIZE, Cursor
from growthsim.engine.summary import Summary
from growthsim.i18n import _
from growthsim.scenario.types import Scenario

if TYPE_CHECKING:  # multiprocessing is imported only when worker processes start
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "WorkerLost",
    "auto_workers",
    "chunks",
    "half_widths",
    "map_on_cores",
    "model_chunks",
    "resolve_seed",
    "simulate",
    "simulate_to_precision",
    "tasks",
    "usable_cores",
]

# One block per chunk: measured fastest (the working arrays, ~10 MB for 20 indicators, stay out of
# the allocator's mmap path and closer to cache) and the smallest memory footprint.
DEFAULT_CHUNK_SIZE = BLOCK_SIZE


def resolve_seed(seed: int | None, scenario: Scenario) -> int:
    """The seed to use: the caller's, else the scenario's, else fresh entropy (recorded in outputs)."""
    if seed is not None:
        return int(seed)
    if scenario.seed is not None:
        return int(scenario.seed)
    # 63 bits of fresh entropy: enough for any number of runs, and small enough to be written back
    # into a scenario's [simulation] seed (a TOML integer) to reproduce the run.
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))


def pilot_check(scenario: Scenario, n_draws: int = 4096) -> None:
    """Draw a small pilot sample to catch problems that only show on draws (a formula with no
    finite value); raises ScenarioError. Cheap: a few milliseconds."""
    if any(indicator.formula is not None for indicator in scenario.indicators):
        model = compile_model(scenario)
        sample(model, resolve_seed(None, scenario), 0, min(n_draws, BLOCK_SIZE))


# Below this many draws a run takes well under a second on one core and worker processes would
# cost more to start (on Windows and macOS each re-imports numpy and scipy) than they save.
PARALLEL_FROM = 1_000_000


def usable_cores() -> int:
    """The cores this process may use (containers and taskset may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_workers(n_draws: int) -> int:
    """How many worker processes suit a run: the usable cores for a big run, else one."""
    if n_draws < PARALLEL_FROM:
        return 1
    return max(1, min(usable_cores(), -(-n_draws // BLOCK_SIZE) // 2))


def chunks(n_draws: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[tuple[int, int]]:
    """(start, stop) of each chunk: whole blocks (chunk_size is rounded up to them), the last one short."""
    if n_draws < 1:
        raise ValueError("n_draws must be at least 1")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    chunk_size = -(-chunk_size // BLOCK_SIZE) * BLOCK_SIZE
    for start in range(0, n_draws, chunk_size):
        yield start, min(start + chunk_size, n_draws)


def simulate(
    scenario: Scenario | Model,
    n_draws: int | None = None,
    seed: int | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
    on_chunk: Callable[[Outcomes], None] | None = None,
    workers: int = 1,
    method: str = "mc",
    precision: float | None = None,
) -> Summary:
    """Project the scenario ``n_draws`` times and summarise; memory stays bounded by ``chunk_size``.

    ``n_draws`` and ``seed`` default to the scenario's [simulation] settings. ``chunk_size`` is
    rounded up to a whole number of blocks and never changes the results. ``progress(done, total)``
    is called after each chunk; ``on_chunk`` receives each chunk's Outcomes (e.g. to export draws).
    ``workers`` > 1 shares the blocks among that many processes; the results are identical, since
    each block's random streams are keyed by seed, indicator and block, not by who draws them
    (with ``on_chunk``, which needs every chunk here, the draws are made in this process).
    ``method`` is mc (independent draws), lhs (Latin hypercube) or sobol (scrambled Sobol' points);
    the last two round ``n_draws`` up to whole replicates (``sampling.planned_draws``).
    With ``precision`` (a 95% half-width: 0.005 for 0.5pp), ``n_draws`` is the most to draw:
    see simulate_to_precision; ``summary.precision`` says whether it was reached.
    """
    if precision is not None:
        if on_chunk is not None:
            raise ValueError("on_chunk needs a fixed number of draws: give n_draws, not precision")
        return simulate_to_precision(
            scenario,
            precision,
            n_draws if n_draws is not None else PRECISION_MAX_DRAWS,
            seed,
            method=method,
            workers=workers,
            chunk_size=chunk_size,
            progress=progress,
        )[0]
    with one_blas_thread():
        return _simulate(scenario, n_draws, seed, chunk_size, progress, on_chunk, workers, method)


def _simulate(
    scenario: Scenario | Model,
    n_draws: int | None,
    seed: int | None,
    chunk_size: int,
    progress: Callable[[int, int], None] | None,
    on_chunk: Callable[[Outcomes], None] | None,
    workers: int,
    method: str,
) -> Summary:
    model, n_draws, entropy, batch = prepared(scenario, n_draws, seed, method)
    accumulator = Accumulator(model, n_draws, entropy, method=method, batch=batch)
    cursor = Cursor()  # a wide model draws a block in several chunks, in order

    def draw(start: int, stop: int) -> Outcomes:
        return evaluate(model, sample(model, entropy, start, stop, method, batch, cursor=cursor))

    pending = model_chunks(model, n_draws, chunk_size, batch)
    if workers > 1 and on_chunk is None and len(pending) > 1:
        # The first block is drawn here: its first chunk is the pilot that fixes the quantile grids
        # every worker must share, and a worker starts its streams on a block's first draw.
        while pending and pending[0][0] < BLOCK_SIZE:
            start, stop = pending.pop(0)
            accumulator.add(draw(start, stop))
        if progress is not None:
            progress(accumulator.seen, n_draws)
        if not pending:
            return accumulator.summary()
        for partial in _in_workers(model, entropy, accumulator, pending, workers, method, batch):
            accumulator.merge(partial)
            if progress is not None:
                progress(partial.start + partial.seen, n_draws)
        return accumulator.summary()
    for start, stop in pending:
        outcomes = draw(start, stop)
        accumulator.add(outcomes)
        if on_chunk is not None:
            on_chunk(outcomes)
        if progress is not None:
            progress(stop, n_draws)
    return accumulator.summary()


def prepared(
    scenario: Scenario | Model, n_draws: int | None, seed: int | None, method: str
) -> tuple[Model, int, int, int | None]:
    """What a run rests on: the model as ``method`` samples it, the draws it makes, its seed and its
    batch size (``sampling.batch_size``)."""
    model = sampled_model(scenario if isinstance(scenario, Model) else compile_model(scenario), method)
    n_draws = planned_draws(int(n_draws if n_draws is not None else model.scenario.draws), method)
    entropy = resolve_seed(seed, model.scenario)
    batch = batch_size(model, n_draws, method)
    # lhs and sobol replicates are sized to give at least MIN_REPLICATES, except for the fewest draws
    # (one replicate of 2): an error bar needs two batches, whatever the method
    require_two_batches(model, n_draws, batch, method)
    return model, n_draws, entropy, batch


def model_chunks(
    model: Model, n_draws: int, chunk_size: int = DEFAULT_CHUNK_SIZE, batch: int | None = None
) -> list[tuple[int, int]]:
    """The chunks a run of ``model`` is drawn in: ``chunks(n_draws, chunk_size)``, or for a model too
    wide for a block (``sampling.chunk_draws``), chunks of the draws it allows, a block's in order."""
    unit = chunk_draws(model, batch)
    if unit < BLOCK_SIZE:
        return [(start, min(start + unit, n_draws)) for start in range(0, n_draws, unit)]
    return list(chunks(n_draws, chunk_size))


def half_widths(summary: Summary) -> dict[str, float]:
    """The 95% half-width of every target's P(hit): half its interval."""
    return {row.indicator.id: row.hit.margin for row in summary.indicators if row.hit}


PRECISION_PILOT = 8_192  # the first run of simulate_to_precision: enough to estimate the draws needed
PRECISION_MAX_DRAWS = 10_000_000  # the most a run to a precision draws unless told otherwise


def simulate_to_precision(
    scenario: Scenario | Model,
    half_width: float,
    max_draws: int,
    seed: int | None = None,
    *,
    method: str = "mc",
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Summary, bool]:
    """Draw until every target's P(hit) has a 95% half-width of at most ``half_width`` (a
    fraction: 0.005 for 0.5pp), or ``max_draws``; returns the summary and whether the goal was met.

    Each step is a whole run of n draws on the same seed, so the result is exactly the run of the
    draws it reports (``simulate(..., n_draws=summary.n_draws)`` repeats it). n starts at
    PRECISION_PILOT and then jumps to what the widest interval says is needed (a half-width falls
    as 1/sqrt(n) for mc, faster for lhs and sobol, so the jump never undershoots by much), plus
    10%; total work is about one to two runs of the final size.
    """
    if not 0 < half_width < 0.5:
        raise ValueError("the precision must be a half-width between 0 and 50 percentage points")
    model = scenario if isinstance(scenario, Model) else compile_model(scenario)
    if not model.targets:
        raise ValueError("the scenario has no targets whose precision could be reached")
    seed = resolve_seed(seed, model.scenario)
    n = min(PRECISION_PILOT, max_draws)
    while True:
        summary = simulate(
            model, n, seed, method=method, workers=workers if n >= PARALLEL_FROM else 1, chunk_size=chunk_size
        )
        widest = max(half_widths(summary).values())
        if progress is not None:
            progress(summary.n_draws, max_draws)
        if widest <= half_width or summary.n_draws >= max_draws:
            reached = widest <= half_width
            return dataclasses.replace(summary, precision=(half_width, reached)), reached
        needed = summary.n_draws * (widest / half_width) ** 2 * 1.1
        n = int(min(max_draws, max(needed, summary.n_draws * 1.25)))
        if n > BLOCK_SIZE:  # whole blocks: the same chunks as any other run of that size
            n = min(-(-n // BLOCK_SIZE) * BLOCK_SIZE, max_draws)


# --- worker processes ---------------------------------------------------------------------------------

START_METHOD: str | None = None  # None: fork on Linux, spawn elsewhere (tests set "spawn" to check it)


_Shared = TypeVar("_Shared")
_Job = TypeVar("_Job")
_Result = TypeVar("_Result")


class WorkerLost(RuntimeError):
    """A worker process ended without finishing its share (killed, or out of memory): the run is
    abandoned whole rather than waiting for ever for the share that will never come."""


class _Workers:
    """Worker processes running jobs in order; ``imap`` as multiprocessing.Pool's, except that a
    worker that dies fails the run (Pool replaces it and waits for its lost job for ever)."""

    def __init__(self, executor: ProcessPoolExecutor):
        self.executor = executor

    def imap(self, function: Callable[[_Job], _Result], jobs: Iterable[_Job]) -> Iterator[_Result]:
        from concurrent.futures.process import BrokenProcessPool

        futures = [self.executor.submit(function, job) for job in jobs]
        for future in futures:
            try:
                yield future.result()
            except BrokenProcessPool:
                raise WorkerLost(
                    _(
                        "a worker process stopped before finishing its share of the draws (it was killed, "
                        "perhaps for lack of memory): nothing was written. Run again, or with --workers 1"
                    )
                ) from None


@contextlib.contextmanager
def _pool(workers: int, initializer: Callable[..., None], initargs: tuple[object, ...]) -> Iterator[_Workers]:
    """Worker processes that ignore Ctrl-C (the main process handles it) and are terminated at once
    when the block ends by an exception, Ctrl-C included (rather than first finishing every queued
    job, which looked like a hang); a worker killed mid-run fails the run with WorkerLost.

    fork starts a worker in milliseconds with everything already in memory; where there is none
    (Windows, macOS), spawn sends the initargs over (a Formula pickles as its text)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start_method = START_METHOD or (
        "fork" if "fork" in multiprocessing.get_all_start_methods() and sys.platform == "linux" else "spawn"
    )
    executor = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(start_method),
        initializer=_start_in_worker,
        initargs=(initializer, initargs),
    )
    finished = False
    try:
        yield _Workers(executor)
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            # the executor has no public way to stop running jobs (Python 3.14 adds terminate_workers)
            processes = list(getattr(executor, "_processes", {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join()


def _start_in_worker(initializer: Callable[..., None], initargs: tuple[object, ...]) -> None:

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's (it stops the workers)
    initializer(*initargs)


def map_on_cores(
    function: Callable[[_Shared, _Job], _Result],
    shared: _Shared,
    jobs: list[_Job],
    done: Callable[[int], None] | None = None,
) -> list[_Result]:
    """[function(shared, job) for job in jobs], in order, on every usable core: for independent
    pieces of work of about a second (goal seeks). ``shared`` (a scenario or a model) reaches each
    worker once; ``function`` must be a module-level function. With one core, or one job: here.
    ``done(k)`` is told when k jobs are finished (for a progress line)."""
    done = done or (lambda k: None)
    workers = min(usable_cores(), len(jobs))
    results: list[_Result] = []
    if workers < 2:
        for job in jobs:
            results.append(function(shared, job))
            done(len(results))
        return results
    with _pool(workers, _set_shared, (shared,)) as pool:
        for result in pool.imap(_call_with_shared, [(function, job) for job in jobs]):
            results.append(result)
            done(len(results))
    return results


_worker_state: object = None  # in a worker: map_on_cores' shared value, or simulate's run (_Run)
_Run: TypeAlias = tuple[Model, int, Accumulator, str, int | None]  # what _start_worker keeps: _work's arguments


def _set_shared(shared: object) -> None:
    global _worker_state
    _worker_state = shared


def _call_with_shared(item: tuple[Callable[[_Shared, _Job], _Result], _Job]) -> _Result:
    function, job = item
    # cast: a worker's global, set by _set_shared to map_on_cores' shared value (what function takes)
    return function(cast(_Shared, _worker_state), job)


def _start_worker(model: Model, entropy: int, pilot: Accumulator, method: str, batch: int | None) -> None:
    global _worker_state
    _worker_state = (model, entropy, pilot, method, batch)


def _work(task: list[tuple[int, int]]) -> Accumulator:
    """In a worker: accumulate a run of consecutive chunks on the pilot's grids."""
    model, entropy, pilot, method, batch = cast(_Run, _worker_state)  # a worker's global, set by _start_worker
    return accumulate_task(model, entropy, pilot, method, batch, task)


def accumulate_task(
    model: Model, entropy: int, pilot: Accumulator, method: str, batch: int | None, task: list[tuple[int, int]]
) -> Accumulator:
    """The partial accumulator of one task (consecutive chunks of whole blocks, ``tasks``) on the
    pilot's grids: what a worker process, or a cluster's worker (engine.cluster), computes."""
    # One BLAS thread in this process for good: a matrix product split across threads may sum in
    # another order (the last bits of correlated draws would depend on the cores), and BLAS's own
    # threads in every worker would oversubscribe the cores (measured: two workers with default
    # BLAS threads ran no faster than one).
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    pilot.model = model  # a pilot sent to another process travels without its model (see Accumulator)
    partial = pilot.partial(task[0][0])
    cursor = Cursor()  # a task is whole blocks: its streams start on a block's first draw
    for start, stop in task:
        partial.add(evaluate(model, sample(model, entropy, start, stop, method, batch, cursor=cursor)))
    return partial


def tasks(pending: list[tuple[int, int]], workers: int) -> list[list[tuple[int, int]]]:
    """``pending`` chunks as runs of whole blocks for ``workers``: a multiple of ``workers`` runs of
    equal length (so that no worker is left with an extra one), at least two each, and at most 32
    blocks (about a second of work) a run, so that a progress bar moves on long runs."""
    by_block: dict[int, list[tuple[int, int]]] = {}
    for start, stop in pending:
        by_block.setdefault(start // BLOCK_SIZE, []).append((start, stop))
    blocks = list(by_block.values())
    n_tasks = workers * max(2, -(-len(blocks) // (workers * 32)))
    per_task = -(-len(blocks) // n_tasks)
    return [[chunk for block in blocks[i : i + per_task] for chunk in block] for i in range(0, len(blocks), per_task)]


def _in_workers(
    model: Model,
    entropy: int,
    pilot: Accumulator,
    pending: list[tuple[int, int]],
    workers: int,
    method: str,
    batch: int | None,
) -> Iterator[Accumulator]:
    """Partial accumulators of consecutive runs of ``pending`` chunks (``tasks``), in order, from
    ``workers`` processes. Each partial (mostly its quantile grids, a few MB) is sent back once per run."""
    runs = tasks(pending, workers)
    with _pool(min(workers, len(runs)), _start_worker, (model, entropy, pilot, method, batch)) as pool:
        yield from pool.imap(_work, runs)
