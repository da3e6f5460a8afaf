"""Risk usage and trading states survive a restart of the real server: rebuilt from the journal, not reset."""

from pathlib import Path

import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e

DAILY_ORDERS = 3


def _rules(response_json: dict[str, object]) -> dict[str, tuple[str, str]]:
    reasons = response_json["reasons"]
    assert isinstance(reasons, list)
    return {r["rule"]: (r["limit"], r["actual"]) for r in reasons}


def test_restart_when_daily_orders_used_up_and_account_halted_then_both_still_deny(tmp_path: Path) -> None:
    server = Server(tmp_path).start()
    try:
        with server.client() as c:
            c.put("/api/v1/risk/limits/PAPER", json={"max_daily_orders": str(DAILY_ORDERS)})
            for _ in range(DAILY_ORDERS):
                wait_for_status(c, submit(c, qty="1").json()["id"], {"filled"})
            before = submit(c, qty="1")
            halted = c.post("/api/v1/risk/trading-state",
                            json={"account": "PAPER", "state": "halted", "reason": "before restart"})
    finally:
        server.stop()
    assert _rules(before.json()) == {"max_daily_orders": ("3", "3")}
    assert halted.status_code == 200, halted.text

    again = Server(tmp_path, port=server.port).start()
    try:
        with again.client() as c:
            metrics = c.get("/api/v1/orders/risk/metrics").json()["accounts"]["PAPER"]
            after = submit(c, qty="1")
            c.post("/api/v1/risk/trading-state", json={"account": "PAPER", "state": "active", "reason": "back"})
            active = submit(c, qty="1")
    finally:
        again.stop()

    assert metrics["trading_state"] == "halted"
    assert metrics["usage"]["max_daily_orders"] == {"used": DAILY_ORDERS, "limit": DAILY_ORDERS}
    assert after.status_code == 422
    assert _rules(after.json()) == {"max_daily_orders": ("3", "3"), "trading_state": ("halted", "new order")}
    assert active.status_code == 422
    assert _rules(active.json()) == {"max_daily_orders": ("3", "3")}
