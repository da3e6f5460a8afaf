"""A standby's forwarder: the leader's answer byte for byte, or a 503 naming why no leader answered."""

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.types import Message, Scope

from ordergate.entrypoints.api.forward import FORWARDED, LeaderForwarder
from tests.e2e.server import free_port


class Directory:
    """Where the leader is, as a test says."""

    instance = "standby-1"
    address = "http://127.0.0.1:1"

    def __init__(self, leader: str | None) -> None:
        self.leader = leader
        self.refreshed = 0

    def leader_address(self) -> str | None:
        return self.leader

    async def refresh_leader(self) -> str | None:
        self.refreshed += 1
        return self.leader


def _scope(extra_headers: list[tuple[bytes, bytes]] | None = None) -> Scope:
    return {"type": "http", "method": "POST", "path": "/api/v1/orders/", "raw_path": b"/api/v1/orders/",
            "query_string": b"", "headers": [(b"authorization", b"Bearer k"), *(extra_headers or [])]}


async def _forward(directory: Directory, scope: Scope) -> tuple[int, dict[str, Any]]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    forwarder = LeaderForwarder(directory, timeout=2)
    try:
        await forwarder.forward(scope, b"{}", send)
    finally:
        await forwarder.close()
    return sent[0]["status"], orjson.loads(sent[1]["body"])


def test_forward_when_the_leader_cannot_be_reached_then_503_no_leader_after_one_fresh_look() -> None:
    directory = Directory(f"http://127.0.0.1:{free_port()}")

    status, body = asyncio.run(_forward(directory, _scope()))

    assert (status, body["code"]) == (503, "no_leader")
    assert "is down" in body["detail"]
    assert directory.refreshed == 1


def test_forward_when_no_leader_is_elected_then_503_saying_so() -> None:
    status, body = asyncio.run(_forward(Directory(None), _scope()))

    assert (status, body["code"]) == (503, "no_leader")
    assert "none is elected now" in body["detail"]


@pytest.mark.parametrize("leader", ["http://127.0.0.1:9", None])
def test_forward_when_the_request_was_forwarded_already_then_503_and_not_sent_again(leader: str | None) -> None:
    directory = Directory(leader)

    status, body = asyncio.run(_forward(directory, _scope([(FORWARDED, b"standby-2")])))

    assert (status, body["code"]) == (503, "no_leader")
    assert directory.refreshed == 0


def test_forward_when_another_leader_is_elected_while_the_old_one_is_silent_then_503_at_once() -> None:
    async def scenario() -> tuple[int, dict[str, Any]]:
        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(30)  # takes the request, never answers (a leader cut off mid-request)

        server = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        directory = Directory(f"http://127.0.0.1:{port}")
        asyncio.get_running_loop().call_later(0.3, setattr, directory, "leader", "http://127.0.0.1:9")
        try:
            return await _forward(directory, _scope())
        finally:
            server.close()

    status, body = asyncio.run(scenario())

    assert (status, body["code"]) == (503, "no_leader")
    assert "was replaced before it answered" in body["detail"]  # not "did not answer": no forward timeout


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """Make a self-signed certificate for 127.0.0.1 with the openssl command (as an operator would)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize(("trusted", "expected"), [(True, 201), (False, 503)])
def test_forward_when_the_leader_serves_tls_with_the_shared_certificate_then_trusted_only_with_it(
    tmp_path: Path, trusted: bool, expected: int,
) -> None:
    cert, key = _self_signed(tmp_path)

    async def scenario() -> int:
        async def leader(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
            await writer.drain()
            writer.close()

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        server = await asyncio.start_server(leader, "127.0.0.1", 0, ssl=context)
        port = server.sockets[0].getsockname()[1]
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        forwarder = LeaderForwarder(Directory(f"https://127.0.0.1:{port}"), 5, cert if trusted else None)
        try:
            await forwarder.forward(_scope(), b"{}", send)
        finally:
            await forwarder.close()
            server.close()
        return int(sent[0]["status"])

    assert asyncio.run(scenario()) == expected
