"""Kill-switch flatten on the real server with a thin paper book: sent again until flat, and the answer says
what is left."""

import time

import pytest

from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


def position(c: object, symbol: str) -> str:
    for p in c.get("/api/v1/positions/").json():  # type: ignore[attr-defined]
        if p["symbol"] == symbol:
            return str(p["qty"])
    return "0"


def test_kill_switch_flatten_when_the_book_is_thinner_than_the_position_then_it_goes_on_until_flat(
        server: Server) -> None:
    with server.client() as c:
        for _ in range(3):  # 3 x 1,200 AAPL through a book about 2,000 deep a side
            done = wait_for_status(c, submit(c, qty="1200").json()["id"], {"filled", "canceled"})
            time.sleep(0.5)
        held = position(c, "AAPL")
        answer = c.post("/api/v1/risk/kill-switch", json={"account": "PAPER", "reason": "e2e", "flatten": True})
        metrics = c.get("/api/v1/orders/risk/metrics").json()
        after = position(c, "AAPL")
        orders = c.get("/api/v1/orders/", params={"limit": 100}).json()["items"]
    flattening = [o for o in orders if "kill_switch_flatten" in o["flags"]]
    assert done is not None and float(held) > 2000
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert len(body["flatten_orders"]) == 1
    assert body["flatten_remaining"] == {}, body
    assert float(after) == 0
    assert len(flattening) >= 2  # the first could not fill it all: the rest went out again
    assert metrics["flatten_remaining"] == {}
