"""The cluster tests' fixtures: one cluster per test module (nginx in front of three `python -m bot`
workers on a scratch PostgreSQL database, fed by the fake Bot API), and the `cluster` marker,
registered here too so these tests collect under --strict-markers wherever the project's marker
list stands."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.cluster.harness import Cluster, missing_tools
from tests.cluster.scenario import Summary, prepare, register
from tests.conftest import REQUIRE_PG, Postgres

REQUIRE_CLUSTER = os.environ.get("REQUIRE_CLUSTER") == "1"


@pytest.fixture(scope="module")
def summary() -> Summary:
    return Summary()


@pytest.fixture(scope="module")
def cluster(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory, summary: Summary) -> Iterator[Cluster]:
    reason = missing_tools() or postgres.reason
    if reason:
        if REQUIRE_CLUSTER or (postgres.reason and REQUIRE_PG):
            pytest.fail(f"REQUIRE_CLUSTER=1 but {reason}")
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("cluster")
    db_url = postgres.new_database("liaison_cluster")
    with Cluster(db_url, workdir, workers=3, env=prepare(db_url, workdir)) as running:
        summary["logs"] = str(workdir)
        summary["start_seconds"] = round(running.start_seconds, 1)
        yield running
        summary.write(workdir)


@pytest.fixture(scope="module")
def office(cluster: Cluster) -> dict[str, int]:
    """Department → the chat of its liaison, registered through chat."""
    return register(cluster)
