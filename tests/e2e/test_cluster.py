"""Several instances on one PostgreSQL: a leader and hot standbys that follow the journal and take over.

Real server processes on localhost against the real PostgreSQL (a fresh database per test); the leader is
killed with SIGKILL while clients keep submitting, and retry with the same client order id.
"""

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import Cluster
from tests.e2e.helpers import submit
from tests.e2e.server import ADMIN_KEY

pytestmark = pytest.mark.e2e
TAKEOVER_LIMIT = 5.0  # seconds from the leader's death to a new leader answering


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A leader and one standby on a fresh PostgreSQL database."""
    nodes = Cluster(tmp_path)
    try:
        nodes.add()
        nodes.add()
        yield nodes
    finally:
        nodes.stop()


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)


def _submit_until_acknowledged(urls: list[str], client_order_id: str, deadline: float) -> dict[str, object]:
    """Submit (and resubmit, same client order id) to any instance until one acknowledges the order."""
    while time.monotonic() < deadline:
        for url in urls:
            try:
                with _client(url) as c:
                    answer = submit(c, qty="1", type="limit", limit_price="1.00", client_order_id=client_order_id)
            except httpx.HTTPError:
                continue
            if answer.status_code in (200, 201):
                order: dict[str, object] = answer.json()
                return order
        time.sleep(0.05)
    raise AssertionError(f"{client_order_id} was never acknowledged")


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


def test_leader_when_killed_then_the_standby_takes_over_and_no_acknowledged_order_is_lost(cluster: Cluster) -> None:
    leader, standby = cluster.instances
    acknowledged = {f"before-{i}": _submit_until_acknowledged([leader.url], f"before-{i}", time.monotonic() + 5)
                    for i in range(5)}
    assert leader.process is not None
    killed_at = time.monotonic()
    leader.process.send_signal(signal.SIGKILL)
    leader.process.wait()

    first = _submit_until_acknowledged([standby.url], "after-0", killed_at + 15)
    took = time.monotonic() - killed_at
    acknowledged["after-0"] = first
    again = {cid: _submit_until_acknowledged([standby.url], cid, time.monotonic() + 5) for cid in acknowledged}

    assert took < TAKEOVER_LIMIT, f"takeover took {took:.2f}s"
    assert cluster.leader() is standby
    assert {cid: o["id"] for cid, o in again.items()} == {cid: o["id"] for cid, o in acknowledged.items()}
    with standby.client() as c:
        rows = c.get("/api/v1/orders/", params={"limit": 100}).json()["items"]
    assert sorted(o["client_order_id"] for o in rows) == sorted(acknowledged)
    check = cluster.ordergate("db", "check")
    assert (check.returncode, check.stdout.strip()) == (0, "all invariants hold"), check.stderr + check.stdout
