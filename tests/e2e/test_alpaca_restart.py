"""A crash while Alpaca keeps filling: after a SIGKILL and a restart, orders and positions equal the fake's."""

import json
import signal
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server
from tests.e2e.test_alpaca_serve import FakeProcess
from tests.fakes.alpaca.server import KEY_ID, SECRET_KEY

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeProcess]:
    """The fake Alpaca, AAPL quoted 100.00 / 100.10."""
    process = FakeProcess(tmp_path / "fake.log")
    process.post("quote", {"symbol": "AAPL", "bid": "100.00", "ask": "100.10"})
    yield process
    process.stop()


def alpaca_env(fake: FakeProcess) -> dict[str, str]:
    return {
        "ORDERGATE_ROUTES": json.dumps({"AAPL": "alpaca"}),
        "ORDERGATE_VENUES__ALPACA__KEY_ID": KEY_ID, "ORDERGATE_VENUES__ALPACA__SECRET_KEY": SECRET_KEY,
        "ORDERGATE_VENUES__ALPACA__BASE_URL": fake.url, "ORDERGATE_VENUES__ALPACA__DATA_URL": fake.url,
        "ORDERGATE_VENUES__ALPACA__DATA_STREAM_URL": f"ws://127.0.0.1:{fake.port}/v2/iex",
        "ORDERGATE_VENUES__ALPACA__TIMEOUT": "2", "ORDERGATE_VENUES__ALPACA__BACKOFF_INITIAL": "0.05",
        "ORDERGATE_VENUES__ALPACA__BACKOFF_MAX": "0.5", "ORDERGATE_ENGINE__STUCK_AFTER": "1",
        "ORDERGATE_ENGINE__MONITOR_INTERVAL": "0.5",
    }


def test_fills_at_alpaca_while_ordergate_was_killed_then_applied_after_restart(
        fake: FakeProcess, tmp_path: Path) -> None:
    server = Server(tmp_path, env_extra=alpaca_env(fake)).start()
    try:
        with server.client() as c:
            order = wait_for_status(c, submit(c, qty="6", type="limit", limit_price="95.00",
                                              time_in_force="gtc").json()["id"], {"new"})
        server.stop(signal.SIGKILL)
        fake.post("execute", {"client_order_id": order["client_order_id"], "qty": "4", "price": "95"})
        fake.post("execute", {"client_order_id": order["client_order_id"], "qty": "2", "price": "94.5"})
        server.start()
        with server.client() as c:
            done = wait_for_status(c, order["id"], {"filled"}, timeout=20)
            position = next(p for p in c.get("/api/v1/orders/positions/current").json() if p["symbol"] == "AAPL")
    finally:
        server.stop()
    assert done["filled_qty"] == "6" and Decimal(position["qty"]) == Decimal(fake.state()["positions"]["AAPL"])
