"""Market Data v2: the stock stream (``/v2/{feed}``) and ``GET /v2/stocks/quotes/latest``.

The stream speaks JSON text, or msgpack binary (timestamps as msgpack Timestamps) when the client's handshake
says ``Content-Type: application/msgpack``, as alpaca-py's does. Prices go out as numbers, like Alpaca's.
"""

import asyncio
import contextlib
from decimal import Decimal
from typing import Any

import msgpack
import orjson
from starlette.requests import Request
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.wire import AlpacaError, parse_time

CHANNELS = ("trades", "quotes", "bars", "updatedBars", "dailyBars", "statuses", "lulds")
KIND_CHANNEL = {"q": "quotes", "t": "trades"}


class DataSession:
    """One market data connection: its encoding, whether it authenticated, and its subscriptions."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.msgpack = "msgpack" in ws.headers.get("content-type", "")
        self.authenticated = False
        self.subs: dict[str, set[str]] = {c: set() for c in CHANNELS}
        self.outbox: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()

    def encode(self, messages: list[dict[str, Any]]) -> tuple[bytes | None, str | None]:
        """Return the frame for ``messages`` (binary when msgpack, else text)."""
        if self.msgpack:
            return msgpack.packb([_for_msgpack(m) for m in messages]), None
        return None, orjson.dumps([_for_json(m) for m in messages]).decode()

    async def send(self, messages: list[dict[str, Any]]) -> None:
        """Send one array of messages."""
        data, text = self.encode(messages)
        if data is not None:
            await self.ws.send_bytes(data)
        else:
            await self.ws.send_text(text or "[]")

    def decode(self, message: dict[str, Any]) -> Any:
        """Read a client frame (msgpack or JSON)."""
        raw = message.get("bytes")
        if raw is not None:
            try:
                return msgpack.unpackb(raw)
            except Exception:
                return orjson.loads(raw)
        return orjson.loads(message.get("text") or "{}")


def _for_msgpack(message: dict[str, Any]) -> dict[str, Any]:
    out = {k: float(v) if isinstance(v, Decimal) else v for k, v in message.items()}
    if isinstance(out.get("t"), str):
        out["t"] = msgpack.Timestamp.from_datetime(parse_time(out["t"]))
    return out


def _for_json(message: dict[str, Any]) -> dict[str, Any]:
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in message.items()}


class DataStream:
    """Serve the stock data stream for the fake's market."""

    def __init__(self, broker: FakeBroker, key_id: str, secret_key: str) -> None:
        self.broker, self.key_id, self.secret_key = broker, key_id, secret_key
        self.sessions: set[DataSession] = set()
        self.connections = 0
        broker.market_listeners.append(self._on_market)

    async def serve(self, ws: WebSocket) -> None:
        """Run one connection to its end."""
        await ws.accept()
        session = DataSession(ws)
        self.connections += 1
        await session.send([{"T": "success", "msg": "connected"}])
        sender = asyncio.create_task(self._pump(session))
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                await self._handle(session, session.decode(message))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.sessions.discard(session)
            sender.cancel()

    async def drop_all(self) -> None:
        """Close every data connection now."""
        for session in list(self.sessions):
            with contextlib.suppress(Exception):
                await session.ws.close(code=1011)
        self.sessions.clear()

    async def _handle(self, session: DataSession, request: Any) -> None:
        action = request.get("action") if isinstance(request, dict) else None
        if action == "auth":
            if (request.get("key"), request.get("secret")) != (self.key_id, self.secret_key):
                await session.send([{"T": "error", "code": 402, "msg": "auth failed"}])
                return
            session.authenticated = True
            self.sessions.add(session)
            await session.send([{"T": "success", "msg": "authenticated"}])
        elif not session.authenticated:
            await session.send([{"T": "error", "code": 401, "msg": "not authenticated"}])
        elif action in ("subscribe", "unsubscribe"):
            for channel in CHANNELS:
                symbols = set(request.get(channel) or [])
                if action == "subscribe":
                    session.subs[channel] |= symbols
                else:
                    session.subs[channel] -= symbols
            ack = {"T": "subscription", **{c: sorted(s) for c, s in session.subs.items()}}
            ack["corrections"] = ack["cancelErrors"] = sorted(session.subs["trades"])
            await session.send([ack])
        else:
            await session.send([{"T": "error", "code": 400, "msg": "invalid syntax"}])

    def _on_market(self, kind: str, symbol: str, message: dict[str, Any]) -> None:
        for session in self.sessions:
            subscribed = session.subs[KIND_CHANNEL[kind]]
            if symbol in subscribed or "*" in subscribed:
                session.outbox.put_nowait([{"T": kind, "S": symbol, **message}])

    async def _pump(self, session: DataSession) -> None:
        while True:
            await session.send(await session.outbox.get())


async def latest_quotes(request: Request, broker: FakeBroker) -> Any:
    """Answer ``GET /v2/stocks/quotes/latest?symbols=A,B``: ``{"quotes": {sym: quote}}`` (known symbols)."""
    symbols = [s for s in request.query_params.get("symbols", "").split(",") if s]
    if not symbols:
        raise AlpacaError(400, None, "symbols is required")
    quotes = {s: _for_json(broker.quotes[s].to_wire()) for s in symbols if s in broker.quotes}
    return {"quotes": quotes}
