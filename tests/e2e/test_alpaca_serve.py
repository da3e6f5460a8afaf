"""`ordergate serve` with AAPL routed to Alpaca, against the fake Alpaca in its own process: orders sent
through our REST API reach the fake, and its fills come back into orders and positions."""

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
from tests.fakes.alpaca.server import KEY_ID, SECRET_KEY

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


class FakeProcess:
    """``python -m tests.fakes.alpaca`` on a free port, driven over its /_fake routes."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(log, "ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.fakes.alpaca", "--port", str(self.port)],
                                            cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.url}/_fake/state", timeout=1)
                return
            except httpx.HTTPError:
                assert time.monotonic() < deadline and self.process.poll() is None, "fake Alpaca did not start"
                time.sleep(0.1)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return httpx.post(f"{self.url}/_fake/{path}", json=body, timeout=5).json()

    def state(self) -> Any:
        return httpx.get(f"{self.url}/_fake/state", timeout=5).json()

    def order(self, client_order_id: str) -> dict[str, Any]:
        [found] = [o for o in self.state()["orders"] if o["client_order_id"] == client_order_id]
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeProcess]:
    """The fake Alpaca, AAPL quoted 100.00 / 100.10."""
    process = FakeProcess(tmp_path_factory.mktemp("fake-alpaca") / "fake.log")
    process.post("quote", {"symbol": "AAPL", "bid": "100.00", "ask": "100.10", "bid_size": 500, "ask_size": 500})
    yield process
    process.stop()


@pytest.fixture(scope="module")
def server(fake: FakeProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """ordergate with AAPL routed to Alpaca at the fake."""
    env = {
        "ORDERGATE_ROUTES": json.dumps({"AAPL": "alpaca"}),
        "ORDERGATE_VENUES__ALPACA__KEY_ID": KEY_ID, "ORDERGATE_VENUES__ALPACA__SECRET_KEY": SECRET_KEY,
        "ORDERGATE_VENUES__ALPACA__BASE_URL": fake.url, "ORDERGATE_VENUES__ALPACA__DATA_URL": fake.url,
        "ORDERGATE_VENUES__ALPACA__DATA_STREAM_URL": f"ws://127.0.0.1:{fake.port}/v2/iex",
        "ORDERGATE_VENUES__ALPACA__TIMEOUT": "2", "ORDERGATE_VENUES__ALPACA__BACKOFF_INITIAL": "0.05",
        "ORDERGATE_VENUES__ALPACA__BACKOFF_MAX": "0.5",
    }
    srv = Server(Path(tmp_path_factory.mktemp("alpaca-serve")), env_extra=env).start()
    yield srv
    srv.stop()


def test_ready_shows_the_alpaca_venue_and_its_feed(server: Server) -> None:
    with server.client() as c:
        ready = c.get("/ready").json()
    assert ready["checks"]["venue:alpaca"] is True and ready["checks"]["feed:alpaca"] is True
    assert ready["feeds"]["alpaca"]["symbols"] == ["AAPL"]
    assert ready["venues"]["alpaca"] == {"ready": True, "stream": "connected", "stream_connects": 1,
                                         "account": "paper", "unknown_order_updates": 0}


def test_market_buy_then_filled_at_alpacas_price_and_positions_match_the_fake(
        server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        before = Decimal(fake.state()["positions"].get("AAPL", "0"))
        order = wait_for_status(c, submit(c, qty="10").json()["id"], {"filled"})
        fills = c.get(f"/api/v1/orders/{order['id']}/fills").json()
        position = next(p for p in c.get("/api/v1/orders/positions/current").json() if p["symbol"] == "AAPL")
    at_fake = fake.order(order["client_order_id"])
    assert at_fake["status"] == "filled" and at_fake["filled_qty"] == "10"
    assert [(Decimal(f["qty"]), Decimal(f["price"])) for f in fills] == [(Decimal(10), Decimal("100.1"))]
    assert Decimal(fake.state()["positions"]["AAPL"]) == before + 10 == Decimal(position["qty"])


def test_resting_limit_modified_then_canceled_at_the_fake_and_here(server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        order = wait_for_status(c, submit(c, qty="5", type="limit", limit_price="90.00",
                                          time_in_force="gtc").json()["id"], {"new"})
        modify = c.patch(f"/api/v1/orders/{order['id']}", json={"qty": "7", "limit_price": "91.00"})
        assert modify.status_code == 200, modify.text
        modified = wait_for_status(c, order["id"], {"new"})
        deadline = time.monotonic() + 10
        while Decimal(modified["qty"]) != 7 and time.monotonic() < deadline:
            modified = c.get(f"/api/v1/orders/{order['id']}").json()
            time.sleep(0.05)
        original = fake.order(order["client_order_id"])
        assert original["status"] == "replaced" and (modified["qty"], modified["limit_price"]) == ("7", "91.00")
        assert c.delete(f"/api/v1/orders/{order['id']}").status_code == 200
        wait_for_status(c, order["id"], {"canceled"})
    [replacement] = [o for o in fake.state()["orders"] if o["id"] == original["replaced_by"]]
    assert (replacement["status"], replacement["qty"], replacement["limit_price"]) == ("canceled", "7", "91")


def test_cancel_all_then_every_resting_order_canceled_at_the_fake(server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        ids = [wait_for_status(c, submit(c, qty="1", type="limit", limit_price=price).json()["id"], {"new"})["id"]
               for price in ("80.00", "81.00")]
        assert c.post("/api/v1/orders/cancel-all", json={"account": "PAPER", "symbol": "AAPL"}).status_code == 200
        done = [wait_for_status(c, order_id, {"canceled"}) for order_id in ids]
    assert all(fake.order(o["client_order_id"])["status"] == "canceled" for o in done)


def test_extended_hours_limit_reaches_alpaca_with_the_flag_and_a_market_one_is_a_422_naming_it(
        server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        order = wait_for_status(c, submit(c, qty="1", type="limit", limit_price="80.00", time_in_force="gtc",
                                          extended_hours=True).json()["id"], {"new"})
        refused = submit(c, qty="1", extended_hours=True)
        assert c.delete(f"/api/v1/orders/{order['id']}").status_code == 200
    assert "extended_hours" in order["flags"]
    assert fake.order(order["client_order_id"])["extended_hours"] is True
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert (error["loc"][-1], error["type"]) == ("extended_hours", "limit_day_or_gtc")


def test_refused_by_alpaca_then_rejected_with_alpacas_message(server: Server) -> None:
    with server.client() as c:
        order = wait_for_status(c, submit(c, qty="5000", type="limit", limit_price="100.00").json()["id"],
                                {"rejected"})
    assert "insufficient buying power" in order["reason"]


def test_kill_switch_then_working_orders_canceled_at_the_fake(server: Server, fake: FakeProcess) -> None:
    with server.client() as c:
        working = wait_for_status(c, submit(c, qty="2", type="limit", limit_price="85.00",
                                            time_in_force="gtc").json()["id"], {"new"})
        killed = c.post("/api/v1/risk/kill-switch", json={"account": "PAPER", "reason": "alpaca drill"})
        assert killed.status_code == 200 and working["id"] in killed.json()["canceled"]
        wait_for_status(c, working["id"], {"canceled"})
        assert c.post("/api/v1/risk/resume", json={"account": "PAPER", "reason": "drill over"}).status_code == 200
    assert fake.order(working["client_order_id"])["status"] == "canceled"


def test_reconciliation_compares_alpacas_cash_with_the_account_held_there_and_reports_a_mismatch(
        server: Server, fake: FakeProcess) -> None:
    cash = Decimal(fake.state()["cash"])
    with server.client() as c:
        opened = c.post("/api/v1/accounts/", json={"id": "ALPACA-CASH", "balances": {"USD": str(cash + 25)},
                                                   "venues": ["alpaca"]})
        assert opened.status_code == 201, opened.text
        runs = c.post("/api/v1/reconciliation").json()["runs"]
        view = c.get("/api/v1/reconciliation").json()
        metrics = c.get("/metrics").text
    [run] = [r for r in runs if r["venue"] == "alpaca"]
    assert run["cash"] == [{"currency": "USD", "ours": str(cash + 25), "venue": str(cash), "difference": "25",
                            "accounts": ["ALPACA-CASH"], "matches": False}]
    assert [d["class"] for d in run["discrepancies"] if d["class"] == "cash_mismatch"] == ["cash_mismatch"]
    assert view["discrepancies_by_class"]["cash_mismatch"] >= 1
    assert 'ordergate_reconciliation_discrepancies_total{class="cash_mismatch"}' in metrics


def test_metrics_show_alpaca_requests_and_stream_connects(server: Server) -> None:
    with server.client() as c:
        text = c.get("/metrics").text
    assert 'ordergate_venue_request_seconds_count{endpoint="/v2/orders",venue="alpaca"}' in text
    assert 'ordergate_venue_stream_connects_total{stream="trade_updates",venue="alpaca"} 1.0' in text
    assert 'ordergate_venue_stream_connects_total{stream="market_data",venue="alpaca"} 1.0' in text
