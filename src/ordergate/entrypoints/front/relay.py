"""The engine process's end of the relay: each request a front worker opens runs through the one app here.

The app gets the front's scope and pulls and sends ASGI messages as it would under uvicorn, so every answer
(the submit hot path, every other route, every error, the WebSocket stream) is the app's own, byte for byte;
the front worker only speaks HTTP. A send the app may wait on under a server (a WebSocket message, a part of a
streamed body) waits here until the front wrote it, so a slow client slows its stream as before.
"""

import asyncio
import logging
from collections import deque
from typing import Any, cast

from starlette.types import ASGIApp, Message

from ordergate.entrypoints.front.frames import ACK, END, OPEN, PULL, RECV, SCOPE_KEYS, SEND, FrameReader, FrameWriter

log = logging.getLogger("uvicorn.error")  # where uvicorn reports an app that raised, as in one process


class _Stream:
    """One request's receive and send, across the relay."""

    __slots__ = ("_acks", "_inbox", "_relay", "_sid", "_waiting")

    def __init__(self, relay: "EngineRelay", sid: int, first: Message) -> None:
        self._relay = relay
        self._sid = sid
        self._inbox: deque[Message] = deque((first,))
        self._waiting: deque[asyncio.Future[Message]] = deque()
        self._acks: deque[asyncio.Future[bool]] = deque()

    async def receive(self) -> Message:
        if self._inbox:
            return self._inbox.popleft()
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        self._relay.write(PULL, self._sid)
        return await future

    def deliver(self, message: Message) -> None:
        """Hand a pulled message to the oldest receive still waiting (one given up keeps it for the next)."""
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(message)
                return
        self._inbox.append(message)

    async def send(self, message: Message) -> None:
        kind = message["type"]
        waits = kind == "websocket.send" or (kind == "http.response.body" and message.get("more_body", False))
        self._relay.write(SEND, self._sid, message, waits)
        if waits:
            future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            self._acks.append(future)
            if not await future:
                raise OSError("the client's connection is gone")  # as the server's own send raises

    def acked(self, ok: bool) -> None:
        """Release the oldest send waiting for the front."""
        future = self._acks.popleft()
        if not future.done():
            future.set_result(ok)

    def drop(self) -> None:
        """Fail whatever waits: the front worker is gone."""
        futures: list[asyncio.Future[Any]] = [*self._waiting, *self._acks]
        for future in futures:
            if not future.done():
                future.set_exception(OSError("the front worker is gone"))


class EngineRelay(asyncio.Protocol):
    """Serve one front worker's requests with ``app`` (one relay per worker, on a socket pair)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._reader = FrameReader()
        self._streams: dict[int, _Stream] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._writer: FrameWriter | None = None
        self.closed = asyncio.get_event_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._writer = FrameWriter(cast(asyncio.WriteTransport, transport))  # uvloop's are not its subclasses

    def write(self, *items: Any) -> None:
        """Send one frame to the front worker."""
        assert self._writer is not None
        self._writer.write_frame(*items)

    def data_received(self, data: bytes) -> None:
        for item in self._reader.feed(data):
            kind, sid = item[0], item[1]
            if kind == OPEN:
                self._open(sid, item[2], item[3])
                continue
            stream = self._streams.get(sid)
            if stream is None:
                continue  # the app already returned
            if kind == RECV:
                stream.deliver(item[2])
            elif kind == ACK:
                stream.acked(item[2])

    def _open(self, sid: int, fields: list[Any], first: Message) -> None:
        scope: dict[str, Any] = dict(zip(SCOPE_KEYS, fields, strict=True))
        scope["state"] = {}
        stream = self._streams[sid] = _Stream(self, sid, first)
        task = asyncio.get_running_loop().create_task(self._run(sid, scope, stream))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, sid: int, scope: dict[str, Any], stream: _Stream) -> None:
        failed = False
        try:
            await self._app(scope, stream.receive, stream.send)
        except Exception:
            log.exception("Exception in ASGI application\n")
            failed = True
        finally:
            del self._streams[sid]
        self.write(END, sid, failed)

    def connection_lost(self, exc: Exception | None) -> None:
        for stream in self._streams.values():
            stream.drop()
        if not self.closed.done():
            self.closed.set_result(None)
