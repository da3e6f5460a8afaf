"""The WebSocket stream over the real server: order, fill and position events, authentication."""

import orjson
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.e2e.helpers import submit
from tests.e2e.server import ADMIN_KEY, Server

pytestmark = pytest.mark.e2e


def _ws_url(server: Server, query: str) -> str:
    return server.url.replace("http://", "ws://") + "/api/v1/stream" + query


def test_stream_when_market_order_fills_then_order_fill_and_position_events_arrive(shared_server: Server) -> None:
    with connect(_ws_url(shared_server, "?account=PAPER"), additional_headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                 open_timeout=10) as ws, shared_server.client() as c:
        order_id = submit(c, qty="5").json()["id"]
        seen: dict[str, list[dict[str, object]]] = {}
        while "position" not in seen or not any(
                m["order"]["status"] == "filled" for m in seen.get("order", [])):  # type: ignore[index]
            message = orjson.loads(ws.recv(timeout=10))
            seen.setdefault(message["type"], []).append(message)

    statuses = [m["order"]["status"] for m in seen["order"]]  # type: ignore[index]
    assert statuses[0] == "pending_new" and statuses[-1] == "filled"
    assert all(m["order"]["id"] == order_id for m in seen["order"])  # type: ignore[index]
    assert sum(int(m["fill"]["qty"]) for m in seen["fill"]) == 5  # type: ignore[index]
    assert seen["position"][-1]["position"]["symbol"] == "AAPL"  # type: ignore[index]
    seqs = [m["seq"] for kind in ("order", "fill", "position") for m in seen[kind]]
    assert len(set(seqs)) <= len(seqs) and all(isinstance(s, int) for s in seqs)


def test_stream_when_key_missing_or_wrong_then_closed_with_policy_violation(shared_server: Server) -> None:
    for query, first in (("", '{"hello": 1}'), ("", '{"auth": "wrong-key-0123456789"}'), ("", "not json"),
                         ("?key=wrong-key-0123456789", None), (f"?key={ADMIN_KEY}", None)):
        with connect(_ws_url(shared_server, query), open_timeout=10) as ws, pytest.raises(ConnectionClosed) as closed:
            if first is not None:
                ws.send(first)
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_stream_when_key_sent_as_first_message_then_events_flow(shared_server: Server) -> None:
    with connect(_ws_url(shared_server, ""), open_timeout=10) as ws:
        ws.send(orjson.dumps({"auth": ADMIN_KEY}).decode())
        hello = orjson.loads(ws.recv(timeout=10))

    assert hello["type"] == "hello" and isinstance(hello["last_seq"], int)


def test_stream_when_key_in_url_then_refused_even_if_valid_saying_why(shared_server: Server) -> None:
    with connect(_ws_url(shared_server, f"?key={ADMIN_KEY}"), open_timeout=10) as ws, \
            pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008 and "URL" in closed.value.rcvd.reason


def test_stream_when_account_unknown_then_closed_naming_it(shared_server: Server) -> None:
    with connect(_ws_url(shared_server, "?account=NOPE"), additional_headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                 open_timeout=10) as ws, pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    assert closed.value.rcvd is not None and "NOPE" in closed.value.rcvd.reason
