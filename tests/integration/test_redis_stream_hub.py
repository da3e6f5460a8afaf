"""WebSocket clients on two instances sharing one Redis: every event, in order, once; resumable on either."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from ordergate.adapters.shared.link import redis_link
from ordergate.domain.ids import Symbol
from ordergate.entrypoints.stream_hub import StreamHub
from tests.integration.inprocess import Served, served
from tests.redis_service import delete_keys, new_prefix, require_redis


class FakeSocket:
    """What StreamHub.serve needs of a WebSocket: it records what is sent and leaves when told."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self._gone = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        await self._gone.wait()
        return {"type": "websocket.disconnect"}

    async def send_text(self, text: str) -> None:
        self.sent.append(orjson.loads(text))

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self._gone.set()

    def leave(self) -> None:
        self._gone.set()

    def events(self) -> list[dict[str, Any]]:
        return [m for m in self.sent if "seq" in m]


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Served, StreamHub]]:
    """The leader (a whole instance, on Redis) and a second instance's stream hub on the same Redis."""
    url, prefix = require_redis(), new_prefix()
    async with served(tmp_path, redis_url=url, redis={"key_prefix": prefix}) as leader:
        link = redis_link(url, prefix, 100_000, 1.0)
        c = leader.container
        other = StreamHub(c.views, c.marketdata, lambda s: Symbol(s) in c.instruments, link)
        await other.start()
        yield leader, other
        await other.stop()
        await link.close()
    delete_keys(prefix)


async def _until(done: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _connect(hub: StreamHub, since: int | None = None) -> tuple[FakeSocket, asyncio.Task[None]]:
    socket = FakeSocket()
    return socket, asyncio.create_task(hub.serve(socket, None, since))  # type: ignore[arg-type]


async def _submit(leader: Served, count: int) -> None:
    async with leader.client() as c:
        for _ in range(count):
            body = {"account": "PAPER", "symbol": "AAPL", "side": "buy", "type": "market", "qty": "1",
                    "client_order_id": uuid.uuid4().hex}
            assert (await c.post("/api/v1/orders/", json=body)).status_code in (200, 201)


def _keys(messages: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(m["seq"], m["type"]) for m in messages]


async def test_stream_when_orders_commit_on_the_leader_then_clients_of_both_instances_see_the_same_in_order(
        two: tuple[Served, StreamHub]) -> None:
    leader, other = two
    here, here_task = _connect(leader.container.stream)
    there, there_task = _connect(other)
    await asyncio.sleep(0.1)
    start = leader.container.engine.ledger.last_seq
    await _submit(leader, 30)
    last = leader.container.engine.ledger.last_seq
    await _until(lambda: bool(there.events()) and there.events()[-1]["seq"] >= last
                 and bool(here.events()) and here.events()[-1]["seq"] >= last)
    here.leave(), there.leave()
    await asyncio.gather(here_task, there_task)

    theirs = [m for m in there.events() if m["seq"] > start]
    seqs = [m["seq"] for m in theirs]
    assert _keys(theirs) == _keys([m for m in here.events() if m["seq"] > start])
    assert seqs == sorted(seqs) and sorted(set(seqs)) == list(range(start + 1, seqs[-1] + 1))  # gap-free, in order
    assert len(set(_keys(theirs))) == len(theirs)  # none twice


async def test_stream_when_a_client_resumes_on_the_other_instance_then_it_gets_exactly_what_it_missed(
        two: tuple[Served, StreamHub]) -> None:
    leader, other = two
    first, task = _connect(leader.container.stream)
    await asyncio.sleep(0.1)
    await _submit(leader, 5)
    await _until(lambda: bool(first.events()) and first.events()[-1]["seq"] >= leader.container.engine.ledger.last_seq)
    first.leave()
    await task
    seen = first.events()[-1]["seq"]

    await _submit(leader, 5)  # while the client is away
    resumed, task = _connect(other, since=seen)
    submitting = asyncio.create_task(_submit(leader, 5))  # and while it resumes
    await submitting
    last = leader.container.engine.ledger.last_seq
    await _until(lambda: bool(resumed.events()) and resumed.events()[-1]["seq"] >= last)
    resumed.leave()
    await task

    seqs = [m["seq"] for m in resumed.events()]
    assert seqs[0] == seen + 1 and seqs == sorted(seqs) and sorted(set(seqs)) == list(range(seen + 1, seqs[-1] + 1))
    assert len(set(_keys(resumed.events()))) == len(resumed.events())
    assert any(m["type"] == "hello" and m["resumed_from"] == seen for m in resumed.sent)


async def test_stream_when_resuming_from_a_sequence_redis_no_longer_keeps_then_told_to_reload(
        two: tuple[Served, StreamHub]) -> None:
    _, other = two
    socket, task = _connect(other, since=10_000_000)
    await _until(lambda: any(m["type"] == "hello" for m in socket.sent))
    socket.leave()
    await task

    assert socket.sent[0]["type"] == "resync" and "reload" in socket.sent[0]["reason"]
