"""Restart the real server: every order, fill, position and balance is as it was."""

from pathlib import Path

import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def _state(server: Server) -> dict[str, object]:
    with server.client() as c:
        orders = c.get("/api/v1/orders/", params={"limit": 1000}).json()["items"]
        return {
            "orders": [{k: o[k] for k in ("id", "status", "filled_qty", "avg_fill_price", "qty", "limit_price")}
                       for o in orders],
            "fills": c.get("/api/v1/fills/", params={"limit": 1000}).json()["items"],
            "positions": [{k: p[k] for k in ("symbol", "qty", "avg_cost", "realized_pnl", "commission")}
                          for p in c.get("/api/v1/positions/").json()],
            "account": {cur: {k: b[k] for k in ("cash", "reserved", "commission")}
                        for cur, b in c.get("/api/v1/accounts/PAPER").json()["balances"].items()},
        }


def test_restart_when_orders_filled_and_resting_then_state_is_identical(tmp_path: Path) -> None:
    server = Server(tmp_path).start()
    with server.client() as c:
        filled = submit(c, qty="7").json()["id"]
        sold = submit(c, side="sell", qty="3").json()["id"]
        resting = submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()["id"]
        india = submit(c, symbol="INFY", qty="5").json()["id"]
        for order_id in (filled, sold, india):
            wait_for_status(c, order_id, {"filled"})
        wait_for_status(c, resting, {"new"})
    before = _state(server)
    server.stop()

    again = Server(tmp_path, port=server.port).start()
    after = _state(again)
    with again.client() as c:
        cancel = c.delete(f"/api/v1/orders/{resting}")
        wait_for_status(c, resting, {"canceled"})
    again.stop()

    assert after == before
    assert cancel.status_code == 200
