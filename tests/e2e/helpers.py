"""Small helpers for end-to-end tests."""

import time
from typing import Any

import httpx


def wait_for_status(client: httpx.Client, order_id: str, statuses: set[str], timeout: float = 10.0) -> dict[str, Any]:
    """Poll an order until its status is one of ``statuses``; fail with its last state otherwise."""
    deadline = time.monotonic() + timeout
    order: dict[str, Any] = {}
    while time.monotonic() < deadline:
        order = client.get(f"/api/v1/orders/{order_id}").json()
        if order["status"] in statuses:
            return order
        time.sleep(0.05)
    raise AssertionError(f"order {order_id} never reached {statuses}: {order}")


def submit(client: httpx.Client, **fields: Any) -> httpx.Response:
    """Submit an order with defaults for the fields not given."""
    body = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "10", **fields}
    return client.post("/api/v1/orders/", json=body)
