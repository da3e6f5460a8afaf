"""GET /api/v1/orders/metrics/summary after a known set of orders on the real server, with an ack latency."""

from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

ACK_LATENCY = 0.05  # seconds the paper venue waits before it answers a request
FAR = {"type": "limit", "limit_price": "100.00", "time_in_force": "gtc"}  # rests: far below the market


def _known_orders(c: httpx.Client) -> None:
    """Two filled market orders, one resting limit, one canceled limit and one denied by risk."""
    filled = [submit(c, qty="1").json()["id"], submit(c, symbol="MSFT", qty="1").json()["id"]]
    resting = submit(c, **FAR).json()["id"]
    canceled = submit(c, **FAR).json()["id"]
    denied = submit(c, qty="2000000")  # above the default max_order_qty of 1,000,000
    assert denied.status_code == 422 and denied.json()["order"]["status"] == "rejected"
    wait_for_status(c, canceled, {"new"})
    c.delete(f"/api/v1/orders/{canceled}")
    for order_id in filled:
        wait_for_status(c, order_id, {"filled"})
    wait_for_status(c, resting, {"new"})
    wait_for_status(c, canceled, {"canceled"})


def test_summary_when_known_orders_done_then_counts_fill_rate_and_latencies_are_right(tmp_path: Path) -> None:
    server = Server(tmp_path, env_extra={"ORDERGATE_PAPER__ACK_LATENCY": str(ACK_LATENCY)}).start()
    try:
        with server.client() as c:
            empty = c.get("/api/v1/orders/metrics/summary").json()
            _known_orders(c)
            summary = c.get("/api/v1/orders/metrics/summary").json()
    finally:
        server.stop()

    assert (empty["total_orders"], empty["fill_rate"], empty["avg_ack_latency_ms"]) == (0, None, None)
    assert summary["by_status"] == {"canceled": 1, "filled": 2, "new": 1, "rejected": 1}
    assert (summary["total_orders"], summary["submitted"], summary["denied"]) == (5, 4, 1)
    assert summary["fills"] == 2  # one fill each: a one-share order cannot split
    assert summary["fill_rate"] == 0.5  # 2 of the 4 orders sent to the venue got a fill
    # Lower bounds only: every ack comes at least ACK_LATENCY after its order was recorded, every first fill too
    # (the venue may answer up to a millisecond early: its timer's resolution).
    floor_ms = 1000 * ACK_LATENCY * 0.9
    assert summary["avg_ack_latency_ms"] >= floor_ms
    assert summary["avg_fill_latency_ms"] >= floor_ms
