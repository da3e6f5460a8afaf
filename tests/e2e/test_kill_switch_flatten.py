"""Kill-switch flatten on the real server with a thin paper book: sent again until flat, and the answer says
what is left."""

import signal
import time
from pathlib import Path

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


THIN_BOOK = {"ORDERGATE_PAPER__DEPTH_LEVELS": "1", "ORDERGATE_PAPER__LEVEL_SIZE_LOTS": "20",
             "ORDERGATE_PAPER__TRADE_PROBABILITY": "0"}


def flattening_orders(c: object) -> int:
    orders = c.get("/api/v1/orders/", params={"limit": 200}).json()["items"]  # type: ignore[attr-defined]
    return sum("kill_switch_flatten" in o["flags"] for o in orders)


def test_kill_switch_flatten_when_the_server_crashes_mid_flatten_then_the_next_start_finishes_it(
        tmp_path: Path) -> None:
    first = Server(tmp_path).start()
    try:
        with first.client() as c:
            for _ in range(2):
                wait_for_status(c, submit(c, qty="1200").json()["id"], {"filled", "canceled"})
                time.sleep(0.5)
            held = position(c, "AAPL")
    finally:
        first.stop()
    thin = Server(tmp_path, env_extra=THIN_BOOK, port=first.port).start()  # ~20 shares a side
    try:
        with thin.client() as c:
            answer = c.post("/api/v1/risk/kill-switch", json={"account": "PAPER", "reason": "e2e", "flatten": True})
            sent_before = flattening_orders(c)
    finally:
        thin.stop(signal.SIGKILL)  # a crash mid-flatten
    again = Server(tmp_path, port=first.port).start()  # a normal book: what is left fills
    try:
        with again.client() as c:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and position(c, "AAPL") != "0":
                time.sleep(0.2)
            after = position(c, "AAPL")
            metrics = c.get("/api/v1/orders/risk/metrics").json()
            sent_after = flattening_orders(c)
            state = metrics["accounts"]["PAPER"]["trading_state"]
    finally:
        again.stop()
    assert float(held) > 2000
    remaining = answer.json()["flatten_remaining"]["PAPER"]["AAPL"]
    assert remaining["working"] is True and 0 < float(remaining["remaining"]) < float(held), answer.json()
    assert float(after) == 0
    assert metrics["flatten_remaining"] == {}
    assert sent_after > sent_before  # the new server sent what was left
    assert state == "halted"  # the switch's halt holds across the restart
