"""Beyond one machine (#16 §3): a batch of scenarios whose blocks run as tasks on a Dask cluster
gives, for the same seed, exactly the Summaries of local runs (streams are keyed by seed,
indicator and block, not by who draws them). Checked on a dask.distributed LocalCluster of two
worker processes (the pickled model, pilot and partials cross a process boundary, as on a cluster)."""

from __future__ import annotations

import pytest

from growthsim import load_scenario
from growthsim.engine import designs
from growthsim.engine.run import simulate
from growthsim.engine.streams import BLOCK_SIZE

from .conftest import BASELINE, REPO

distributed = pytest.importorskip("distributed")

DOWNSIDE = REPO / "scenarios" / "luolong-2023-downside.toml"
TASKS = REPO / "scenarios" / "luolong-2023-tasks.toml"
N = 5 * BLOCK_SIZE + 1_000


def _everything(summary) -> list[tuple]:
    return [
        (row.indicator.id, row.hit.p if row.hit else None, row.hit.ci if row.hit else None, row.mean, row.quantiles)
        for row in summary.indicators
    ] + [(summary.joint.all_hit.p if summary.joint.all_hit else None, summary.joint.hits_distribution)]


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def test_a_batch_on_a_cluster_is_the_local_runs(client):
    from growthsim.engine.cluster import simulate_batch

    scenarios = [load_scenario(path) for path in (BASELINE, DOWNSIDE, TASKS)]  # copula, event, Iman-Conover
    remote = simulate_batch(scenarios, client, N, seed=11)
    for scenario, summary in zip(scenarios, remote, strict=True):
        assert _everything(summary) == _everything(simulate(scenario, N, seed=11))


def test_a_wide_batch_on_a_cluster_is_the_local_run(client, monkeypatch):
    """Blocks drawn in chunks of part of a block (a wide model; here the baseline made "wide"): the
    tasks are the chunks of whole blocks, each worker drawing its blocks' chunks in order."""
    from growthsim.engine.cluster import simulate_batch

    monkeypatch.setattr(designs, "WORKING_BYTES", 22 * 8 * 4096)
    scenario = load_scenario(BASELINE)
    assert _everything(simulate_batch([scenario], client, N, seed=3)[0]) == _everything(simulate(scenario, N, seed=3))
