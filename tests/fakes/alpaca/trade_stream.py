"""The ``trade_updates`` WebSocket (``/stream``): authenticate, listen, then binary JSON frames per event.

Fault knobs act per connection: delay, duplicate, and pairwise reorder of events. ``drop_all`` closes every
connection at once (as a network drop would); events while nobody listens are lost, as at Alpaca.
"""

import asyncio
import contextlib
from typing import Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes.alpaca.broker import FakeBroker


def _frame(message: dict[str, Any]) -> bytes:
    return orjson.dumps(message)


class TradeStream:
    """Serve ``/stream`` for one account; at most one live connection when ``one_stream_per_key``."""

    def __init__(self, broker: FakeBroker, key_id: str, secret_key: str) -> None:
        self.broker, self.key_id, self.secret_key = broker, key_id, secret_key
        self.live: set[WebSocket] = set()
        self.connections = 0  # accepted and authorized, since start (reconnects show here)

    async def serve(self, ws: WebSocket) -> None:
        """Run one connection to its end."""
        if self.broker.faults.one_stream_per_key and self.live:
            await ws.close(code=1008)  # before accept: the handshake is refused
            return
        await ws.accept()
        self.live.add(ws)
        try:
            if await self._authenticate(ws):
                await self._serve(ws)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.live.discard(ws)

    async def drop_all(self) -> None:
        """Close every connection now (clients see the stream drop)."""
        for ws in list(self.live):
            with contextlib.suppress(Exception):
                await ws.close(code=1011)
        self.live.clear()

    async def _receive(self, ws: WebSocket) -> Any:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        raw = message.get("bytes") or message.get("text") or b"{}"
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            return {}

    async def _authenticate(self, ws: WebSocket) -> bool:
        while True:
            request = await self._receive(ws)
            action, data = request.get("action"), request.get("data") or {}
            if action == "authenticate":
                ok = (data.get("key_id"), data.get("secret_key")) == (self.key_id, self.secret_key)
                status = "authorized" if ok else "unauthorized"
                await ws.send_bytes(_frame({"stream": "authorization",
                                            "data": {"status": status, "action": "authenticate"}}))
                if not ok:
                    await ws.close()
                return ok
            await ws.send_bytes(_frame({"stream": "authorization",
                                        "data": {"status": "unauthorized", "action": action}}))

    async def _serve(self, ws: WebSocket) -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        sender = asyncio.create_task(self._send_events(ws, queue))
        try:
            while True:
                request = await self._receive(ws)
                if request.get("action") != "listen":
                    continue
                streams = [s for s in (request.get("data") or {}).get("streams", []) if s == "trade_updates"]
                if streams:
                    self.connections += 1
                    self.broker.updates.listeners.add(queue)
                else:
                    self.broker.updates.listeners.discard(queue)
                await ws.send_bytes(_frame({"stream": "listening", "data": {"streams": streams}}))
        finally:
            self.broker.updates.listeners.discard(queue)
            sender.cancel()

    async def _send_events(self, ws: WebSocket, queue: asyncio.Queue[dict[str, Any]]) -> None:
        held: dict[str, Any] | None = None
        while True:
            try:  # a held event goes out alone if nothing follows it soon
                message = await asyncio.wait_for(queue.get(), 0.05 if held is not None else None)
            except TimeoutError:
                message, held = held, None
            assert message is not None
            faults = self.broker.faults
            if faults.stream_delay:
                await asyncio.sleep(faults.stream_delay)
            if faults.reorder_events and held is None:
                held = message
                continue
            batch = [message, held] if held is not None else [message]
            held = None
            for each in batch:
                for _ in range(2 if faults.duplicate_events else 1):
                    await ws.send_bytes(_frame(each))
