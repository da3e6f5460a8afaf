"""The stream's order events: the order's state at each event, and resuming after a reconnect.

One server for the module; the tests that follow orders trade in an account of their own and stream it."""

from collections.abc import Callable

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.helpers import OwnAccount, wait_for_status
from tests.e2e.server import Server
from tests.e2e.stream_client import Message, of, open_stream, read_until

pytestmark = pytest.mark.e2e
EXPECTED_STATUS = {"OrderSubmitted": "pending_new", "OrderAccepted": "new", "OrderCanceled": "canceled"}


def _filled(order_id: str) -> Callable[[list[Message]], bool]:
    return lambda seen: any(m["type"] == "order" and m["order"]["id"] == order_id
                            and m["order"]["status"] == "filled" for m in seen)


def test_order_messages_when_ack_and_fills_commit_together_then_each_shows_the_state_at_its_event(
        shared_server: Server, own_account: OwnAccount) -> None:
    with open_stream(shared_server, f"?account={own_account.id}") as ws, shared_server.client() as c:
        qtys = {own_account.submit(c, qty=str(qty)).json()["id"]: qty for qty in (5, 700, 3)}  # 700: many levels
        ids = list(qtys)
        seen = read_until(ws, lambda s: all(
            sum(int(m["fill"]["qty"]) for m in of(s, "fill") if m["fill"]["order_id"] == i) == qtys[i] for i in ids))

    for order_id in ids:
        events = [m for m in of(seen, "order") if m["order"]["id"] == order_id]
        filled_so_far = 0
        for message in events:
            order = message["order"]
            if message["event"] == "OrderFilled":
                filled_so_far += int(next(f["fill"]["qty"] for f in of(seen, "fill") if f["seq"] == message["seq"]))
                assert int(order["filled_qty"]) == filled_so_far
                assert order["status"] == ("filled" if filled_so_far == int(order["qty"]) else "partially_filled")
            else:
                assert order["status"] == EXPECTED_STATUS[message["event"]], message
                assert order["filled_qty"] == "0", message
        assert [m["event"] for m in events][:2] == ["OrderSubmitted", "OrderAccepted"]


def test_reconnect_with_since_when_events_were_missed_then_they_come_first_in_order_and_none_twice(
        shared_server: Server, own_account: OwnAccount) -> None:
    stream = f"?account={own_account.id}"
    with shared_server.client() as c:
        with open_stream(shared_server, stream) as ws:
            first = own_account.submit(c, qty="2").json()["id"]
            seen = read_until(ws, _filled(first))
        last_seq = max(m["seq"] for m in seen if "seq" in m)
        missed = own_account.submit(c, qty="4").json()["id"]  # while no stream is open
        wait_for_status(c, missed, {"filled"})

        with open_stream(shared_server, f"{stream}&since={last_seq}") as ws:
            resumed = read_until(ws, lambda s: bool(of(s, "hello")))

    events = [m for m in resumed if "seq" in m]
    assert [m["order"]["status"] for m in of(events, "order")][-1] == "filled"
    assert {m["order"]["id"] for m in of(events, "order")} == {missed}
    assert all(m["seq"] > last_seq for m in events)
    assert [m["seq"] for m in events] == sorted(m["seq"] for m in events)
    assert len({(m["type"], m["seq"]) for m in events}) == len(events)  # nothing twice
    # the hello's last_seq is the server's: the module's other tests leave no event behind after they end
    assert resumed[-1]["type"] == "hello" and resumed[-1]["last_seq"] == events[-1]["seq"]


def test_reconnect_with_since_when_the_events_are_not_kept_then_told_to_resync(shared_server: Server) -> None:
    with open_stream(shared_server, "?since=999999999") as ws:
        messages = read_until(ws, lambda s: bool(of(s, "hello")))

    assert messages[0]["type"] == "resync" and "reload" in messages[0]["reason"]


def test_since_when_not_a_sequence_number_then_closed_or_refused_without_crashing(shared_server: Server) -> None:
    for query in ("?since=-1", "?since=abc"):
        with pytest.raises((InvalidStatus, ConnectionClosed)), open_stream(shared_server, query) as ws:
            ws.recv(timeout=5)  # refused at the handshake, or closed with a policy violation
    with shared_server.client() as c:
        assert c.get("/ready").status_code == 200
