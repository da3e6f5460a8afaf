"""GET /api/v1/orders/risk/metrics on the real server reports each account's real usage of its limits.

One server for the module; each test trades in an account of its own."""

from decimal import Decimal

import pytest

from tests.e2e.helpers import OwnAccount, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def test_risk_metrics_when_orders_rest_fill_and_get_denied_then_usage_figures_are_exact(
        shared_server: Server, own_account: OwnAccount) -> None:
    submit = own_account.submit
    with shared_server.client() as c:
        firm_denied = c.get("/api/v1/orders/risk/metrics").json()["denials_by_rule"].get("max_order_qty", 0)
        c.put(f"/api/v1/risk/limits/{own_account.id}", json={"max_daily_orders": "10", "max_open_orders": "8",
                                                               "max_order_qty": "50"})
        resting = [submit(c, type="limit", limit_price=price, qty="10", time_in_force="gtc").json()["id"]
                   for price in ("100.00", "101.00", "102.00")]
        filled = submit(c, qty="5").json()["id"]
        for order_id in resting:
            wait_for_status(c, order_id, {"new"})
        wait_for_status(c, filled, {"filled"})
        assert submit(c, qty="51").status_code == 422
        fills = c.get(f"/api/v1/orders/{filled}/fills").json()
        metrics = c.get("/api/v1/orders/risk/metrics").json()

    paper = metrics["accounts"][own_account.id]
    usage = {name: (u["used"], u["limit"]) for name, u in paper["usage"].items()}
    assert usage["max_daily_orders"] == (4, 10)  # the denied order is not counted
    assert usage["max_open_orders"] == (3, 8)
    assert usage["max_daily_trades"] == (len(fills), None)
    assert Decimal(usage["max_daily_volume"][0]) == Decimal("35")  # traded 5 plus working 30, as the rule counts
    assert paper["open_orders_by_symbol"] == {"AAPL": 3}
    assert paper["positions"] == {"AAPL": "5"}
    usd = paper["currencies"]["USD"]
    assert Decimal(usd["working_notional"]) == Decimal("3030")  # 10 x (100 + 101 + 102)
    traded = sum(Decimal(f["qty"]) * Decimal(f["price"]) for f in fills)
    assert Decimal(usd["traded_notional_today"]) == traded
    assert paper["denials_by_rule"] == {"max_order_qty": 1}
    assert metrics["denials_by_rule"]["max_order_qty"] == firm_denied + 1  # the firm's count: one more
    assert paper["trading_state"] == "active"


def test_risk_metrics_when_resting_order_canceled_then_open_usage_goes_back_down(
        shared_server: Server, own_account: OwnAccount) -> None:
    with shared_server.client() as c:
        order_id = own_account.submit(c, type="limit", limit_price="100.00", qty="10",
                                      time_in_force="gtc").json()["id"]
        wait_for_status(c, order_id, {"new"})
        during = c.get("/api/v1/orders/risk/metrics").json()["accounts"][own_account.id]
        c.delete(f"/api/v1/orders/{order_id}")
        wait_for_status(c, order_id, {"canceled"})
        after = c.get("/api/v1/orders/risk/metrics").json()["accounts"][own_account.id]

    assert during["usage"]["max_open_orders"]["used"] == 1
    assert Decimal(during["currencies"]["USD"]["working_notional"]) == Decimal("1000")
    assert after["usage"]["max_open_orders"]["used"] == 0
    assert Decimal(after["currencies"]["USD"]["working_notional"]) == 0
    assert after["usage"]["max_daily_orders"]["used"] == 1
