"""`ordergate serve` with RELIANCE routed to Upstox, against the fake Upstox in its own process: orders sent
through our REST API reach the fake (tagged with our order id), and its fills come back into positions."""

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server
from tests.fakes.upstox.process import TOKEN, FakeProcess, serve_env

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeProcess]:
    """The fake Upstox, RELIANCE at 1300.00."""
    process = FakeProcess(tmp_path_factory.mktemp("fake-upstox") / "fake.log", TOKEN)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def server(fake: FakeProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """ordergate with RELIANCE routed to Upstox at the fake."""
    srv = Server(Path(tmp_path_factory.mktemp("upstox-serve")), env_extra=serve_env(fake)).start()
    yield srv
    srv.stop()


def test_ready_shows_the_upstox_venue_and_its_feed_leading_reliance(server: Server) -> None:
    with server.client() as c:
        deadline = time.monotonic() + 10
        ready = c.get("/ready").json()
        while not ready["checks"].get("feed:upstox") and time.monotonic() < deadline:
            time.sleep(0.1)
            ready = c.get("/ready").json()
    assert ready["checks"]["venue:upstox"] is True and ready["checks"]["feed:upstox"] is True
    assert ready["feeds"]["upstox"]["symbols"] == ["RELIANCE"]
    assert "venue:upstox" not in ready["reasons"]


def test_market_buy_reaches_upstox_tagged_with_our_id_and_fills_into_positions(
        server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        order = wait_for_status(c, submit(c, symbol="RELIANCE", qty="10").json()["id"], {"filled"})
        fills = c.get(f"/api/v1/orders/{order['id']}/fills").json()
        position = next(p for p in c.get("/api/v1/orders/positions/current").json() if p["symbol"] == "RELIANCE")
    [at_fake] = fake.orders(order["id"])
    assert (at_fake["status"], at_fake["filled_quantity"]) == ("complete", 10)
    assert [(Decimal(f["qty"]), Decimal(f["price"])) for f in fills] == [(Decimal(10), Decimal("1300"))]
    assert Decimal(position["qty"]) == Decimal(10)


def test_resting_limit_modified_in_place_then_canceled_at_the_fake_and_here(
        server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        order = wait_for_status(c, submit(c, symbol="RELIANCE", qty="5", type="limit", limit_price="1250.00",
                                          time_in_force="day").json()["id"], {"new"})
        modify = c.patch(f"/api/v1/orders/{order['id']}", json={"qty": "7", "limit_price": "1255.00"})
        assert modify.status_code == 200, modify.text
        deadline = time.monotonic() + 10
        modified = order
        while Decimal(modified["qty"]) != 7 and time.monotonic() < deadline:
            modified = c.get(f"/api/v1/orders/{order['id']}").json()
            time.sleep(0.05)
        assert (modified["qty"], modified["limit_price"]) == ("7", "1255.00")
        assert c.delete(f"/api/v1/orders/{order['id']}").status_code == 200
        wait_for_status(c, order["id"], {"canceled"})
    [at_fake] = fake.orders(order["id"])  # one Upstox order throughout: modify keeps the id
    assert (at_fake["status"], at_fake["quantity"], at_fake["price"], at_fake["order_request_id"]) == (
        "cancelled", 7, 1255.0, "2")


def test_partial_fill_at_the_fake_shows_here_then_the_rest_fills(server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        order = wait_for_status(c, submit(c, symbol="RELIANCE", qty="6", type="limit", limit_price="1200.00",
                                          time_in_force="day").json()["id"], {"new"})
        [at_fake] = fake.orders(order["id"])
        fake.post("fill", {"order_id": at_fake["order_id"], "quantity": 2, "price": 1199.5})
        partial = wait_for_status(c, order["id"], {"partially_filled"})
        assert Decimal(partial["filled_qty"]) == 2
        fake.post("fill", {"order_id": at_fake["order_id"], "quantity": 4})
        done = wait_for_status(c, order["id"], {"filled"})
        fills = c.get(f"/api/v1/orders/{order['id']}/fills").json()
    assert Decimal(done["filled_qty"]) == 6
    assert sorted((Decimal(f["qty"]), Decimal(f["price"])) for f in fills) == [
        (Decimal(2), Decimal("1199.5")), (Decimal(4), Decimal("1200"))]


def test_reconciliation_compares_upstox_funds_with_the_account_held_there(server: Server, fake: FakeProcess) -> None:
    funds = httpx.get(f"{fake.url}/v2/user/get-funds-and-margin", headers={"Authorization": f"Bearer {TOKEN}"},
                      timeout=5).json()["data"]["equity"]
    free = Decimal(str(funds["available_margin"]))
    with server.client() as c:
        opened = c.post("/api/v1/accounts/", json={"id": "UPSTOX-CASH", "balances": {"INR": str(free)},
                                                   "venues": ["upstox"]})
        assert opened.status_code == 201, opened.text
        runs = c.post("/api/v1/reconciliation").json()["runs"]
    [run] = [r for r in runs if r["venue"] == "upstox"]
    [inr] = run["cash"]
    assert (inr["currency"], Decimal(inr["ours"]), Decimal(inr["venue"]), inr["matches"]) == ("INR", free, free, True)
    assert "cash_mismatch" not in [d["class"] for d in run["discrepancies"]]


def test_gtc_stop_goes_as_a_gtt_fills_into_positions_when_the_price_crosses_and_metrics_count_it(
        server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        before = next((Decimal(p["qty"]) for p in c.get("/api/v1/orders/positions/current").json()
                       if p["symbol"] == "RELIANCE"), Decimal(0))
        order = wait_for_status(c, submit(c, symbol="RELIANCE", qty="2", type="stop", stop_price="1310.00",
                                          time_in_force="gtc").json()["id"], {"new"})
        assert order["venue_order_id"].startswith("GTT-") and fake.orders(order["id"]) == []  # no tag on a GTT
        fake.post("price", {"instrument_key": "NSE_EQ|INE002A01018", "price": 1311})
        try:
            filled = wait_for_status(c, order["id"], {"filled"})
        finally:
            fake.post("price", {"instrument_key": "NSE_EQ|INE002A01018", "price": 1300})
        position = next(p for p in c.get("/api/v1/orders/positions/current").json() if p["symbol"] == "RELIANCE")
        metrics = c.get("/metrics").text
    assert Decimal(filled["filled_qty"]) == 2 and Decimal(position["qty"]) == before + 2
    for counted in ('ordergate_venue_request_seconds_count{endpoint="/v3/order/gtt/place",venue="upstox"}',
                    'ordergate_venue_stream_connects_total{stream="portfolio",venue="upstox"}',
                    'ordergate_venue_stream_connects_total{stream="market",venue="upstox"}'):
        assert counted in metrics  # the venue's metrics: request latency, stream connects


def test_expired_token_refuses_orders_with_the_reason_and_ready_says_so(server: Server, fake: FakeProcess) -> None:
    fake.post("expire-tokens", {})
    reason = "venue_unavailable: upstox token expired; run ordergate venue login upstox"
    with server.client() as c:
        # the venue learns of the expiry at its next call to Upstox: the first order may still be sent and refused
        first = submit(c, symbol="RELIANCE", qty="1")
        if first.status_code == 201:
            assert wait_for_status(c, first.json()["id"], {"rejected", "filled"})["status"] == "rejected"
        ready = c.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["reasons"]["venue:upstox"] == reason
        second = submit(c, symbol="RELIANCE", qty="1")
    assert second.status_code == 422, second.text
    assert [(r["rule"], r["message"]) for r in second.json()["reasons"]] == [("venue_unavailable", reason)]
    assert fake.orders(second.json()["order"]["id"]) == []
