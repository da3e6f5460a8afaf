"""A front worker: uvicorn on the server's listening socket, relaying every request to the engine process.

It parses HTTP and WebSocket (the work that would otherwise share the engine's core), hands each request's
scope and messages to the engine process over a socket pair, and plays the app's messages back to the
client. Its uvicorn runs with the settings of the one-process server, so what uvicorn itself adds to an
answer is the same. If the engine process goes away, the worker exits at once: nothing could answer.

Run by the engine process (see supervise.py), never by hand.
"""

import argparse
import asyncio
import json
import logging
import os
import socket
import sys
from collections import deque
from typing import Any, cast

from starlette.types import Message, Receive, Scope, Send

from ordergate.entrypoints.front.frames import ACK, END, OPEN, PULL, RECV, SCOPE_KEYS, SEND, FrameReader, FrameWriter

log = logging.getLogger("ordergate.front")


class AppRaised(Exception):
    """The engine's app raised while answering this request (it logged why)."""


class _Request:
    """One request's frames from the engine, played back in order."""

    __slots__ = ("frames", "puller", "pulls", "wake")

    def __init__(self) -> None:
        self.frames: deque[list[Any]] = deque()
        self.wake: asyncio.Future[None] | None = None
        self.pulls = 0
        self.puller: asyncio.Task[None] | None = None

    def push(self, item: list[Any]) -> None:
        self.frames.append(item)
        if self.wake is not None and not self.wake.done():
            self.wake.set_result(None)

    async def next(self) -> list[Any]:
        while not self.frames:
            self.wake = asyncio.get_running_loop().create_future()
            await self.wake
        return self.frames.popleft()


class EngineLink(asyncio.Protocol):
    """This worker's end of the socket pair to the engine process."""

    def __init__(self) -> None:
        self._reader = FrameReader()
        self._writer: FrameWriter | None = None
        self._requests: dict[int, _Request] = {}
        self._next = 0
        self.closing = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._writer = FrameWriter(cast(asyncio.WriteTransport, transport))  # uvloop's are not its subclasses

    def data_received(self, data: bytes) -> None:
        for item in self._reader.feed(data):
            request = self._requests.get(item[1])
            if request is not None:
                request.push(item)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closing:
            log.error("the engine process is gone: this front worker stops")
            os._exit(1)

    async def relay(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request as the engine's app answers it."""
        assert self._writer is not None
        first = await receive()
        self._next += 1
        sid = self._next
        request = self._requests[sid] = _Request()
        self._writer.write_frame(OPEN, sid, [scope.get(key) for key in SCOPE_KEYS], first)
        try:
            while True:
                item = await request.next()
                kind = item[0]
                if kind == SEND:
                    await self._send(sid, send, item[2], item[3])
                elif kind == PULL:
                    self._pull(sid, request, receive)
                elif kind == END:
                    if item[2]:
                        raise AppRaised
                    return
        finally:
            del self._requests[sid]
            if request.puller is not None:
                request.puller.cancel()

    async def _send(self, sid: int, send: Send, message: Message, waits: bool) -> None:
        assert self._writer is not None
        try:
            await send(message)
        except OSError:
            if not waits:
                raise
            self._writer.write_frame(ACK, sid, False)
            return
        if waits:
            self._writer.write_frame(ACK, sid, True)

    def _pull(self, sid: int, request: _Request, receive: Receive) -> None:
        """Receive for the app, one message per pull, in order (a WebSocket's may take a while)."""
        request.pulls += 1
        if request.puller is None or request.puller.done():
            request.puller = asyncio.get_running_loop().create_task(self._pulling(sid, request, receive))

    async def _pulling(self, sid: int, request: _Request, receive: Receive) -> None:
        assert self._writer is not None
        while request.pulls:
            request.pulls -= 1
            self._writer.write_frame(RECV, sid, await receive())


class FrontApp:
    """The worker's ASGI app: lifespan connects to the engine process; every request is relayed there."""

    def __init__(self, engine_fd: int) -> None:
        self._engine_fd = engine_fd
        self._link: EngineLink | None = None
        self._transport: asyncio.BaseTransport | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self._link is not None
        await self._link.relay(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                sock = socket.socket(fileno=self._engine_fd)
                self._transport, self._link = await asyncio.get_running_loop().create_unix_connection(
                    EngineLink, sock=sock)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._link is not None and self._transport is not None:
                    self._link.closing = True
                    self._transport.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def main() -> None:
    """Serve on the inherited listening socket, relaying to the engine on the inherited socket pair."""
    import uvicorn

    from ordergate.entrypoints.logging_setup import configure_logging

    parser = argparse.ArgumentParser()
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--engine-fd", type=int, required=True)
    parser.add_argument("--log-json", action="store_true")
    parser.add_argument("--options", required=True, help="uvicorn's options, as JSON (as the engine process has them)")
    args = parser.parse_args()
    options = json.loads(args.options)
    configure_logging(options["log_level"], args.log_json)
    listener = socket.socket(fileno=args.listen_fd)  # its family read from the socket itself
    server = uvicorn.Server(uvicorn.Config(FrontApp(args.engine_fd), **options))
    server.run(sockets=[listener])
    if not server.started:
        sys.exit(3)  # as uvicorn's own run


if __name__ == "__main__":
    main()
