"""Orders that ended left the server's memory at its start: still served, listed, counted and idempotent.

A late fill for one is tested in tests/integration/test_ended_orders.py: after a restart the Alpaca adapter
tracks only the orders still working, so the fake's fill of a canceled order never reaches the engine.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server
from tests.e2e.test_alpaca_restart import alpaca_env
from tests.e2e.test_alpaca_serve import FakeProcess

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeProcess]:
    """The fake Alpaca, AAPL quoted 100.00 / 100.10."""
    process = FakeProcess(tmp_path / "fake.log")
    process.post("quote", {"symbol": "AAPL", "bid": "100.00", "ask": "100.10"})
    yield process
    process.stop()


def resting(c: httpx.Client, client_order_id: str, qty: str) -> dict[str, Any]:
    """Submit a limit buy below the market and wait until the broker took it."""
    body = {"qty": qty, "type": "limit", "limit_price": "95.00", "time_in_force": "gtc",
            "client_order_id": client_order_id}
    return wait_for_status(c, submit(c, **body).json()["id"], {"new"})


def test_orders_when_they_ended_before_a_restart_then_served_listed_counted_and_idempotent(
        fake: FakeProcess, tmp_path: Path) -> None:
    # keep_ended_days 0: what ended leaves memory at the next start (as at the end of its trading day)
    server = Server(tmp_path, env_extra={**alpaca_env(fake), "ORDERGATE_ENGINE__KEEP_ENDED_DAYS": "0"})
    server.start(timeout=120)  # two starts on a shared machine
    try:
        with server.client() as c:
            ended = resting(c, "ended-1", "6")
            c.delete(f"/api/v1/orders/{ended['id']}")
            ended = wait_for_status(c, ended["id"], {"canceled"})
            working = resting(c, "working-1", "3")
            listed = c.get("/api/v1/orders/", params={"limit": 1}).json()
            summary = c.get("/api/v1/orders/metrics/summary").json()
        server.stop()
        server.start(timeout=120)
        with server.client() as c:
            assert c.get(f"/api/v1/orders/{ended['id']}").json() == ended
            assert c.get("/api/v1/orders/", params={"limit": 1}).json() == listed
            second = c.get("/api/v1/orders/", params={"limit": 1, "cursor": listed["next_cursor"]}).json()
            assert [o["id"] for o in second["items"]] == [ended["id"]] and second["next_cursor"] is None
            assert c.get("/api/v1/orders/", params={"status": "canceled"}).json()["items"] == [ended]
            assert c.get("/api/v1/orders/metrics/summary").json()["by_status"] == summary["by_status"]
            again = submit(c, qty="6", type="limit", limit_price="95.00", time_in_force="gtc",
                           client_order_id="ended-1")
            assert again.status_code == 200 and again.json() == ended
            other = submit(c, qty="7", type="limit", limit_price="95.00", time_in_force="gtc",
                           client_order_id="ended-1")
            assert other.status_code == 409
            assert c.get(f"/api/v1/orders/{working['id']}").json()["status"] == "new"
    finally:
        server.stop()
