"""Stale data on the real server: a replay that ended leaves AAPL stale; risk refuses what could trade on
it, the account's own fills never make it fresh again, and every stale denial names its limit."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e
STALE_ENV = {"ORDERGATE_MARKETDATA__REPLAY_FILE": "sample", "ORDERGATE_MARKETDATA__REPLAY_SPEED": "0",
             "ORDERGATE_MARKETDATA__STALE_AFTER": "1"}


@pytest.fixture
def stale_server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(tmp_path, env_extra=STALE_ENV).start()
    yield srv
    srv.stop()


def wait_stale(c: httpx.Client, symbol: str, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    stats: dict[str, Any] = {}
    while time.monotonic() < deadline:
        stats = c.get(f"/api/v1/marketdata/{symbol}/stats").json()
        if stats.get("stale"):
            return stats
        time.sleep(0.2)
    raise AssertionError(f"{symbol} never went stale: {stats}")


def reasons(response: httpx.Response) -> dict[str, tuple[str | None, str | None]]:
    assert response.status_code == 422, response.text
    return {r["rule"]: (r["limit"], r["actual"]) for r in response.json()["reasons"]}


def test_stale_book_when_market_or_marketable_orders_come_then_422_and_own_fills_keep_it_stale(
        stale_server: Server) -> None:
    with stale_server.client() as c:
        wait_stale(c, "AAPL")
        quote = c.get("/api/v1/marketdata/AAPL/quote").json()
        market = submit(c, qty="5")
        marketable = submit(c, type="limit", qty="5", limit_price=quote["ask"])
        c.put("/api/v1/risk/limits/PAPER", json={"stale_data_protection": False})
        forced = submit(c, type="limit", qty="5", limit_price=quote["ask"], time_in_force="ioc")
        assert forced.status_code == 201, forced.text
        done = wait_for_status(c, forced.json()["id"], {"filled", "canceled"})
        still = c.get("/api/v1/marketdata/AAPL/stats").json()
        c.put("/api/v1/risk/limits/PAPER", json={"stale_data_protection": True, "max_position_notional": "100000"})
        after_fill = submit(c, qty="5")
        valued = submit(c, type="limit", qty="5", limit_price="100.00")
    assert reasons(market)["stale_data_protection"] == ("fresh price", "stale price")
    assert {actual for _, actual in reasons(market).values()} == {"stale price"}  # every rule that needs a price
    assert reasons(marketable) == {"stale_data_protection": ("fresh price", "stale price")}
    assert done["filled_qty"] == "5"
    assert still["stale"] is True
    assert "stale_data_protection" in reasons(after_fill)
    assert reasons(valued) == {"max_position_notional": ("100000.00", "stale price")}
