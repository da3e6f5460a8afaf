"""`ordergate serve` with RELIANCE routed to Upstox, against the fake Upstox in its own process: orders sent
through our REST API reach the fake (tagged with our order id), and its fills come back into positions."""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server, free_port

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TOKEN = "e2e-upstox-token"
RELIANCE = "NSE_EQ|INE002A01018"


class FakeProcess:
    """``python -m tests.fakes.upstox`` on a free port, driven over its /_fake routes."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.fakes.upstox", "--port", str(self.port), "--token", TOKEN],
                cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.url}/_fake/orders", timeout=1)
                return
            except httpx.HTTPError:
                assert time.monotonic() < deadline and self.process.poll() is None, "fake Upstox did not start"
                time.sleep(0.1)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return httpx.post(f"{self.url}/_fake/{path}", json=body, timeout=5).json()

    def orders(self, tag: str) -> list[dict[str, Any]]:
        state = httpx.get(f"{self.url}/_fake/orders", timeout=5).json()["data"]
        return [o for o in state["orders"] if o["tag"] == tag]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeProcess]:
    """The fake Upstox, RELIANCE at 1300.00."""
    process = FakeProcess(tmp_path_factory.mktemp("fake-upstox") / "fake.log")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def server(fake: FakeProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """ordergate with RELIANCE routed to Upstox at the fake."""
    env = {
        "ORDERGATE_ROUTES": json.dumps({"RELIANCE": "upstox"}),
        "ORDERGATE_VENUES__UPSTOX__ACCESS_TOKEN": TOKEN, "ORDERGATE_VENUES__UPSTOX__API_URL": fake.url,
        "ORDERGATE_VENUES__UPSTOX__ORDER_URL": fake.url, "ORDERGATE_VENUES__UPSTOX__TIMEOUT": "2",
        "ORDERGATE_VENUES__UPSTOX__BACKOFF_INITIAL": "0.05", "ORDERGATE_VENUES__UPSTOX__BACKOFF_MAX": "0.5",
    }
    srv = Server(Path(tmp_path_factory.mktemp("upstox-serve")), env_extra=env).start()
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


def test_expired_token_refuses_orders_with_the_reason_and_ready_says_so(server: Server, fake: FakeProcess) -> None:
    fake.post("expire-tokens", {})
    with server.client() as c:
        first = wait_for_status(c, submit(c, symbol="RELIANCE", qty="1").json()["id"], {"rejected", "filled"})
        assert first["status"] == "rejected"
        ready = c.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["reasons"]["venue:upstox"] == (
            "venue_unavailable: upstox token expired; run ordergate venue login upstox")
        second = wait_for_status(c, submit(c, symbol="RELIANCE", qty="1").json()["id"], {"rejected"})
    assert second["reason"] == "venue_unavailable: upstox token expired; run ordergate venue login upstox"
    assert fake.orders(second["id"]) == []
