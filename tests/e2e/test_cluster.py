"""Several instances on one PostgreSQL: a standby follows the journal, serves reads, forwards commands.

Real server processes on localhost against the real PostgreSQL (a fresh database). Takeover under load is
tests/e2e/test_cluster_failover.py.
"""

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.e2e.cluster import Cluster
from tests.e2e.helpers import submit

pytestmark = [pytest.mark.e2e, pytest.mark.picks_database]  # PostgreSQL only: once per make test


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A leader and one standby on a fresh PostgreSQL database (shared by this module: no test kills one)."""
    nodes = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        nodes.add()
        nodes.add()
        yield nodes
    finally:
        nodes.stop()


def test_standby_when_the_leader_commits_then_serves_the_order_from_its_own_ledger(cluster: Cluster) -> None:
    leader, standby = cluster.instances
    with leader.client() as c:
        order = submit(c, qty="2", type="limit", limit_price="1.00", client_order_id="seen-1").json()

    deadline = time.monotonic() + 5
    with standby.client() as c:
        while (answer := c.get(f"/api/v1/orders/{order['id']}")).status_code == 404 and time.monotonic() < deadline:
            time.sleep(0.05)
        ready = c.get("/ready").json()
        time.sleep(1.5)  # a heartbeat or so: each instance records how far it has applied the journal
        view = c.get("/api/v1/cluster").json()
        metrics = c.get("/metrics").text
    shown = subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", "cluster", "status", "--json"],
                           env=standby.env(), capture_output=True, text=True, timeout=60)
    assert answer.status_code == 200 and answer.json()["client_order_id"] == "seen-1"
    assert ready["role"] == "standby" and ready["applied_seq"] >= 2
    assert cluster.leader() is leader
    assert (view["role"], view["epoch"], view["leader"]["address"]) == ("standby", 1, leader.url)
    assert sorted((i["role"], i["epoch"], i["lag"], i["alive"]) for i in view["instances"]) == [
        ("leader", 1, 0, True), ("standby", 1, 0, True)]
    assert "ordergate_cluster_leader 0.0" in metrics and "ordergate_cluster_epoch 1.0" in metrics
    assert "ordergate_cluster_lag_events 0.0" in metrics
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["leader"]["epoch"] == 1


def test_commands_when_sent_to_the_standby_then_the_leader_handles_them_and_its_answer_comes_back(
    cluster: Cluster,
) -> None:
    leader, standby = cluster.instances
    body = {"qty": "3", "type": "limit", "limit_price": "1.00", "client_order_id": "fwd-1"}
    with standby.client() as s, leader.client() as c:
        created = submit(s, **body)
        direct = submit(c, **body)  # the same request again, at the leader itself
        forwarded = submit(s, **body)
        canceled = s.delete(f"/api/v1/orders/{created.json()['id']}")
        at_leader = c.get(f"/api/v1/orders/{created.json()['id']}").json()

    assert created.status_code == 201
    assert (forwarded.status_code, forwarded.content) == (direct.status_code, direct.content)
    assert canceled.status_code == 200
    assert at_leader["status"] in {"pending_cancel", "canceled"}
