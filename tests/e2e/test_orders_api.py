"""The real server over HTTP: orders from submit to fill, cancel, replace, and bad input.

One server for the module: tests that judge an account's cash, positions or order list trade in an account
of their own (``own_account``)."""

from decimal import Decimal

import httpx
import pytest

from tests.e2e.helpers import OWN_ACCOUNT_PREFIX, OwnAccount, submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def test_market_order_when_submitted_then_fills_and_moves_position_and_cash(own_account: OwnAccount) -> None:
    with own_account.client() as c:
        account = f"/api/v1/accounts/{own_account.id}"
        cash_before = Decimal(c.get(account).json()["balances"]["USD"]["cash"])

        r = own_account.submit(c, qty="10")
        order = wait_for_status(c, r.json()["id"], {"filled"})

        assert r.status_code == 201
        assert order["filled_qty"] == "10" and order["leaves_qty"] == "0"
        fills = c.get(f"/api/v1/orders/{order['id']}/fills").json()
        assert sum(Decimal(f["qty"]) for f in fills) == 10
        paid = sum(Decimal(f["qty"]) * Decimal(f["price"]) + Decimal(f["commission"]) for f in fills)
        cash_after = Decimal(c.get(account).json()["balances"]["USD"]["cash"])
        assert cash_before - cash_after == paid
        positions = c.get("/api/v1/orders/positions/current").json()
        aapl = next(p for p in positions if p["symbol"] == "AAPL")
        assert aapl["qty"] == "10" and aapl["market_value"] is not None


def test_limit_order_when_far_from_market_then_rests_and_cancel_works(own_account: OwnAccount) -> None:
    with own_account.client() as c:
        account = f"/api/v1/accounts/{own_account.id}"
        r = own_account.submit(c, type="limit", limit_price="100.00", time_in_force="gtc")
        order = wait_for_status(c, r.json()["id"], {"new"})
        reserved = c.get(account).json()["balances"]["USD"]["reserved"]

        cancel = c.delete(f"/api/v1/orders/{order['id']}", params={"reason": "changed my mind"})
        done = wait_for_status(c, order["id"], {"canceled"})

        assert Decimal(reserved) == Decimal("1001")  # 10 x 100.00 and the paper venue's minimum commission
        assert cancel.status_code == 200 and cancel.json()["status"] in ("pending_cancel", "canceled")
        assert done["reason"] == "changed my mind"
        assert c.get(account).json()["balances"]["USD"]["reserved"] == "0.00"


def test_modify_when_limit_order_working_then_replaced_with_new_terms(shared_server: Server) -> None:
    with shared_server.client() as c:
        order = wait_for_status(c, submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()["id"],
                                {"new"})

        r = c.patch(f"/api/v1/orders/{order['id']}", json={"qty": "20", "limit_price": "101.50"})
        after = wait_for_status(c, order["id"], {"new"})

        assert r.status_code == 200 and r.json()["status"] in ("pending_replace", "new")
        assert after["qty"] == "20" and after["limit_price"] == "101.50"


def test_cancel_when_order_already_filled_then_409_too_late(shared_server: Server) -> None:
    with shared_server.client() as c:
        order = wait_for_status(c, submit(c, qty="1").json()["id"], {"filled"})

        r = c.delete(f"/api/v1/orders/{order['id']}")

        assert r.status_code == 409
        assert "too late" in r.json()["detail"]


def test_submit_when_client_order_id_repeats_then_same_order_or_409(shared_server: Server) -> None:
    with shared_server.client() as c:
        first = submit(c, type="limit", limit_price="100.00", client_order_id="abc-1")
        again = submit(c, type="limit", limit_price="100.00", client_order_id="abc-1")
        other = submit(c, type="limit", limit_price="100.05", client_order_id="abc-1")

        assert first.status_code == 201 and again.status_code == 200
        assert again.json()["id"] == first.json()["id"]
        assert other.status_code == 409


@pytest.mark.parametrize(("fields", "field"), [
    ({"qty": "-5"}, "qty"),
    ({"qty": "0"}, "qty"),
    ({"qty": "1e40"}, "qty"),
    ({"qty": "NaN"}, "qty"),
    ({"qty": "abc"}, "qty"),
    ({"qty": "1.5"}, "qty"),
    ({"type": "limit"}, "limit_price"),
    ({"type": "limit", "limit_price": "230.001"}, "limit_price"),
    ({"type": "market", "limit_price": "230.00"}, "limit_price"),
    ({"type": "stop"}, "stop_price"),
    ({"symbol": "NOPE"}, "symbol"),
    ({"side": "hold"}, "side"),
    ({"time_in_force": "gtd"}, "expire_at"),
    ({"time_in_force": "gtd", "expire_at": "2001-01-01T00:00:00Z"}, "expire_at"),
    ({"bogus": 1}, "bogus"),
    ({"client_order_id": "x" * 200}, "client_order_id"),
])
def test_submit_when_input_is_bad_then_422_names_the_field_and_nothing_changes(
    shared_server: Server, fields: dict[str, object], field: str,
) -> None:
    with shared_server.client() as c:
        before = c.get("/api/v1/orders/metrics/summary").json()["total_orders"]

        r = submit(c, **fields)

        assert r.status_code == 422, r.text
        assert field in r.text
        assert c.get("/api/v1/orders/metrics/summary").json()["total_orders"] == before


def test_submit_when_body_is_not_json_then_422_names_the_body_and_the_json_problem(shared_server: Server) -> None:
    with shared_server.client() as c:
        before = c.get("/api/v1/orders/metrics/summary").json()["total_orders"]

        r = c.post("/api/v1/orders/", content=b"{not json", headers={"Content-Type": "application/json"})

        assert r.status_code == 422
        [problem] = r.json()["detail"]
        assert problem["loc"][0] == "body" and problem["type"] == "json_invalid"
        assert "JSON decode error" in problem["msg"]
        assert c.get("/api/v1/orders/metrics/summary").json()["total_orders"] == before


def test_submit_when_account_unknown_then_422_names_account_and_rule_and_nothing_changes(shared_server: Server) -> None:
    with shared_server.client() as c:
        before = c.get("/api/v1/orders/metrics/summary").json()["total_orders"]

        r = submit(c, account="NOBODY")

        assert r.status_code == 422, r.text
        assert r.json() == {"detail": [{"loc": ["body", "account"], "msg": "account: unknown account 'NOBODY'",
                                         "type": "known_account"}]}
        assert c.get("/api/v1/orders/metrics/summary").json()["total_orders"] == before
        assert c.get("/api/v1/accounts/NOBODY").status_code == 404


def test_requests_when_key_missing_or_wrong_then_401(shared_server: Server) -> None:
    import httpx

    assert httpx.get(f"{shared_server.url}/api/v1/orders/").status_code == 401
    bad = httpx.get(f"{shared_server.url}/api/v1/orders/", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_get_when_order_unknown_then_404(shared_server: Server) -> None:
    with shared_server.client() as c:
        assert c.get("/api/v1/orders/does-not-exist").status_code == 404
        assert c.delete("/api/v1/orders/does-not-exist").status_code == 404


def test_cancel_all_when_orders_rest_then_all_canceled(own_account: OwnAccount) -> None:
    with own_account.client() as c:
        ids = [own_account.submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()["id"]
               for _ in range(3)]
        for order_id in ids:
            wait_for_status(c, order_id, {"new"})

        r = c.post("/api/v1/orders/cancel-all", json={"account": own_account.id, "symbol": "AAPL"})

        assert r.status_code == 200 and r.json()["count"] == 3
        for order_id in ids:
            wait_for_status(c, order_id, {"canceled"})


def test_list_orders_when_paged_then_every_order_once_newest_first(own_account: OwnAccount) -> None:
    with own_account.client() as c:  # its key sees its own account's orders alone
        ids = [own_account.submit(c, type="limit", limit_price="100.00", time_in_force="gtc").json()["id"]
               for _ in range(5)]

        seen, cursor = [], None
        while True:
            page = c.get("/api/v1/orders/", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
            seen += [o["id"] for o in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break

        assert seen == list(reversed(ids))


def test_service_endpoints_answer(shared_server: Server) -> None:
    with shared_server.client() as c:
        assert c.get("/health").json() == {"status": "ok"}
        assert c.get("/ready").json()["status"] == "ready"
        assert "/api/v1/orders/" in c.get("/openapi.json").json()["paths"]
        assert c.get("/docs").status_code == 200
        symbols = {i["symbol"] for i in c.get("/api/v1/instruments/").json()}
        assert {"AAPL", "MSFT", "SPY", "RELIANCE", "INFY"} <= symbols
        accounts = [a["id"] for a in c.get("/api/v1/accounts/").json()]
        assert [a for a in accounts if not a.startswith(OWN_ACCOUNT_PREFIX)] == ["PAPER"]  # and the tests' own
        assert "ordergate_orders_total" in c.get("/metrics").text
        summary = c.get("/api/v1/orders/metrics/summary").json()
        assert set(summary) >= {"by_status", "fill_rate", "avg_ack_latency_ms", "avg_fill_latency_ms"}
        assert c.post("/api/v1/ping").json() == {"pong": True, "principal": "admin", "key_id": "admin", "role": "admin"}
        assert httpx.post(f"{shared_server.url}/api/v1/ping").status_code == 401
