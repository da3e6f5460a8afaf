"""A WebSocket client of the real server's stream, for end-to-end tests."""

import time
from collections.abc import Callable
from typing import Any

import orjson
from websockets.sync.client import ClientConnection, connect

from tests.e2e.server import ADMIN_KEY, Server

Message = dict[str, Any]


def open_stream(server: Server, query: str = "") -> ClientConnection:
    """Connect to the stream with the admin key in the Authorization header."""
    url = server.url.replace("http://", "ws://") + "/api/v1/stream" + query
    return connect(url, additional_headers={"Authorization": f"Bearer {ADMIN_KEY}"}, open_timeout=10)


def send(ws: ClientConnection, command: Message) -> None:
    """Send one command as JSON."""
    ws.send(orjson.dumps(command).decode())


def read_until(ws: ClientConnection, done: Callable[[list[Message]], bool], timeout: float = 15.0) -> list[Message]:
    """Read messages until ``done(messages so far)``; fail after ``timeout`` seconds with what came."""
    seen: list[Message] = []
    deadline = time.monotonic() + timeout
    while not done(seen):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"gave up after {timeout}s; got {[m.get('type') for m in seen]}")
        seen.append(orjson.loads(ws.recv(timeout=left)))
    return seen


def read_for(ws: ClientConnection, seconds: float) -> list[Message]:
    """Read every message that arrives within ``seconds``."""
    seen: list[Message] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            seen.append(orjson.loads(ws.recv(timeout=left)))
        except TimeoutError:
            break
    return seen


def of(messages: list[Message], kind: str) -> list[Message]:
    """Return the messages of one type."""
    return [m for m in messages if m.get("type") == kind]
