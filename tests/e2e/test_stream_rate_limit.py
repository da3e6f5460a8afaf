"""A key's message rate on the real server's WebSocket streams: answered past it, closed only for a flood."""

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.e2e.server import ADMIN_KEY, Server
from tests.e2e.stream_client import Message, of, read_for, read_until, send

pytestmark = pytest.mark.e2e
RATE = "0.1"  # one message at once, then one per 10 s: every later message in a test is past the limit


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose keys may send one message per 10 seconds on their streams."""
    server = Server(tmp_path_factory.mktemp("ws-rate"),
                    env_extra={"ORDERGATE_API__WS_MESSAGES_PER_KEY": RATE}).start()
    yield server
    server.stop()


def _new_key(server: Server, name: str) -> str:
    """Make a viewer key of its own for one test (its bucket full)."""
    made = httpx.post(f"{server.url}/api/v1/keys/", headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                      json={"name": name, "role": "viewer", "accounts": None}, timeout=10)
    assert made.status_code == 201, made.text
    secret: str = made.json()["secret"]
    return secret


@contextmanager
def _open(server: Server, key: str) -> Iterator[ClientConnection]:
    """Connect with ``key`` and read the hello."""
    url = server.url.replace("http://", "ws://") + "/api/v1/stream"
    with connect(url, additional_headers={"Authorization": f"Bearer {key}"}, open_timeout=10) as ws:
        assert of(read_until(ws, lambda seen: bool(of(seen, "hello"))), "hello")
        yield ws


def _pings(ws: ClientConnection, count: int) -> list[Message]:
    for _ in range(count):
        send(ws, {"op": "ping"})
    return read_until(ws, lambda seen: len(seen) >= count)


def test_stream_when_key_sends_past_its_rate_then_answered_rate_limited_naming_limit_and_retry_after(
    limited: Server,
) -> None:
    with _open(limited, _new_key(limited, "pinger")) as ws:
        answers = _pings(ws, 4)
        send(ws, {"op": "subscribe", "channel": "quotes", "symbol": "AAPL"})  # refused too: nothing subscribed
        later = read_until(ws, lambda seen: len(seen) >= 1)
        quiet = read_for(ws, 0.5)  # still open: no close while reading

    assert [m["type"] for m in answers] == ["pong", "error", "error", "error"]
    for error in answers[1:] + later:
        assert error["code"] == "rate_limited" and error["field"] == "message"
        assert "0.1 messages per second" in error["message"] and error["limit"] == 0.1
        assert 0 < error["retry_after"] <= 10
    assert not of(quiet, "subscribed")


def test_stream_when_two_streams_of_one_key_then_they_share_its_rate(limited: Server) -> None:
    key = _new_key(limited, "two-screens")
    with _open(limited, key) as first, _open(limited, key) as second:
        on_first = _pings(first, 1)
        on_second = _pings(second, 1)

    assert on_first[0]["type"] == "pong"
    assert on_second[0]["type"] == "error" and on_second[0]["code"] == "rate_limited"


def test_stream_when_key_keeps_flooding_past_the_cap_then_closed_with_policy_violation_saying_why(
    limited: Server,
) -> None:
    with _open(limited, _new_key(limited, "flooder")) as ws, pytest.raises(ConnectionClosed) as closed:
        for _ in range(200):
            send(ws, {"op": "ping"})
        read_for(ws, 10)  # the answers, then the close
        ws.recv(timeout=1)

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert "flooding" in closed.value.rcvd.reason and "0.1 per second" in closed.value.rcvd.reason
