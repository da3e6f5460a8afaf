"""`ordergate serve` with front workers (`api.workers`): the same answers, byte for byte, as one process.

Two servers run side by side, one process and one with two front workers; each request below goes to both
and the answers must be equal but for what differs between any two servers (the date, generated ids). The
whole e2e suite also runs against front workers with ``ORDERGATE_TEST_API_WORKERS=2``.
"""

import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import ADMIN_KEY, Server
from tests.e2e.stream_client import open_stream, read_until

pytestmark = pytest.mark.e2e

ORDER = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "limit", "qty": "1", "limit_price": "1.00",
         "client_order_id": "same-on-both"}
AUTH = f"Bearer {ADMIN_KEY}"
START = 120.0  # seconds a server may take to get ready: these start several, on a machine other work shares


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """One server in one process, one with two front workers."""
    one = Server(Path(tmp_path_factory.mktemp("one")), env_extra={"ORDERGATE_API__WORKERS": "0"}).start(START)
    fronted = Server(Path(tmp_path_factory.mktemp("fronted")), env_extra={"ORDERGATE_API__WORKERS": "2"}).start(START)
    yield one, fronted
    fronted.stop()
    one.stop()


def _raw(server: Server, request: bytes) -> bytes:
    """Send ``request`` (Connection: close) as is on a new connection; return the whole answer."""
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(request)  # no half close: uvicorn would take it for a client gone and answer nothing
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _comparable(answer: bytes) -> bytes:
    """Drop the Date header: the one thing two servers answer differently for the same request."""
    return b"\r\n".join(line for line in answer.split(b"\r\n") if not line.lower().startswith(b"date:"))


def _request(method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    head += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method in ("POST", "PUT", "PATCH"):
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


JSON = {"Content-Type": "application/json", "Authorization": AUTH}
REQUESTS = {
    "malformed json": _request("POST", "/api/v1/orders/", b'{"account": ', JSON),
    "invalid field": _request("POST", "/api/v1/orders/", json.dumps({**ORDER, "qty": "-1"}).encode(), JSON),
    "unknown symbol": _request("POST", "/api/v1/orders/", json.dumps({**ORDER, "symbol": "NOPE"}).encode(), JSON),
    "no key": _request("POST", "/api/v1/orders/", json.dumps(ORDER).encode(), {"Content-Type": "application/json"}),
    "wrong key": _request("POST", "/api/v1/orders/", json.dumps(ORDER).encode(),
                          {"Content-Type": "application/json", "Authorization": "Bearer wrong"}),
    "form body": _request("POST", "/api/v1/orders/", b"a=1", {**JSON, "Content-Type": "text/plain"}),
    "too large": _request("POST", "/api/v1/orders/", b"x" * 70_000, JSON),
    "unknown order": _request("GET", "/api/v1/orders/999999", headers={"Authorization": AUTH}),
    "unknown route": _request("GET", "/nowhere", headers={"Authorization": AUTH}),
    "method not allowed": _request("PUT", "/api/v1/orders/", b"{}", JSON),
    "bad query": _request("GET", "/api/v1/orders/?limit=0", headers={"Authorization": AUTH}),
    "health": _request("GET", "/health"),
    "not http": b"GARBAGE\r\n\r\n",
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_answer_when_front_workers_then_byte_for_byte_as_one_process(servers: tuple[Server, Server],
                                                                     name: str) -> None:
    one, fronted = servers

    assert _comparable(_raw(fronted, REQUESTS[name])) == _comparable(_raw(one, REQUESTS[name]))


def test_submit_when_front_workers_then_durable_order_with_the_same_answer(servers: tuple[Server, Server]) -> None:
    one, fronted = servers
    answers = [httpx.post(s.url + "/api/v1/orders/", json=ORDER, headers={"Authorization": AUTH}, timeout=10)
               for s in (one, fronted)]

    assert [a.status_code for a in answers] == [201, 201]
    assert list(answers[0].json()) == list(answers[1].json())
    stable = ("account", "symbol", "side", "type", "qty", "limit_price", "status", "client_order_id", "venue")
    one_answer, fronted_answer = ([a.json()[k] for k in stable] for a in answers)
    assert one_answer == fronted_answer
    assert answers[0].headers.keys() == answers[1].headers.keys()
    with fronted.client() as c:
        assert c.get(f"/api/v1/orders/{answers[1].json()['id']}").json()["client_order_id"] == "same-on-both"


def test_stream_when_front_workers_then_events_arrive_over_the_relay(servers: tuple[Server, Server]) -> None:
    _, fronted = servers
    with open_stream(fronted) as ws:
        read_until(ws, lambda seen: any(m["type"] == "hello" for m in seen))
        r = httpx.post(fronted.url + "/api/v1/orders/", json={**ORDER, "client_order_id": "streamed"},
                       headers={"Authorization": AUTH}, timeout=10)
        assert r.status_code == 201
        read_until(ws, lambda seen: any(m["type"] == "order" and m["order"]["client_order_id"] == "streamed"
                                        for m in seen))


def test_serve_when_a_front_worker_dies_then_it_is_started_again(tmp_path: Path) -> None:
    server = Server(tmp_path, env_extra={"ORDERGATE_API__WORKERS": "1"}).start(START)
    try:
        worker = _workers(server)[0]
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _workers(server) in ([], [worker]):
            time.sleep(0.1)
        assert _workers(server) not in ([], [worker])
        with server.client() as c:
            assert c.post("/api/v1/orders/", json=ORDER).status_code == 201
    finally:
        server.stop()


def test_serve_when_the_engine_process_is_killed_then_its_workers_exit(tmp_path: Path) -> None:
    server = Server(tmp_path, env_extra={"ORDERGATE_API__WORKERS": "2"}).start(START)
    workers = _workers(server)
    server.stop(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)

    assert len(workers) == 2
    assert not any(_alive(pid) for pid in workers)
    server.start(START)  # the port is free again
    server.stop()


def _workers(server: Server) -> list[int]:
    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    return [int(pid) for pid in children.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "zombie" not in status
