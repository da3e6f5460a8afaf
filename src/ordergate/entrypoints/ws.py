"""The WebSocket stream of order, fill and position events (after they are committed)."""

import asyncio
import contextlib
from collections.abc import Iterable
from typing import Any

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from ordergate.domain.events import Event, OrderEvent, OrderFilled
from ordergate.domain.ids import AccountId
from ordergate.entrypoints.api.serialize import _default, order_dict, position_dict
from ordergate.service.views import Views

router = APIRouter()
QUEUE_LIMIT = 10_000


class _Client:
    def __init__(self, account: str | None) -> None:
        self.account = account
        self.queue: asyncio.Queue[bytes] = asyncio.Queue(QUEUE_LIMIT)
        self.dropped = False


class StreamHub:
    """An EventSink that turns committed events into messages for each connected WebSocket client."""

    def __init__(self, views: Views) -> None:
        self._views = views
        self._clients: set[_Client] = set()

    @property
    def client_count(self) -> int:
        """Return how many clients are connected."""
        return len(self._clients)

    def publish(self, events: Iterable[Event]) -> None:
        """Queue a message per event for every client that wants it; drop clients that fall behind."""
        if not self._clients:
            return
        for event in events:
            for account, message in self._messages(event):
                data = orjson.dumps(message, default=_default)
                for client in list(self._clients):
                    if client.account is None or client.account == account:
                        self._offer(client, data)

    def _messages(self, event: Event) -> list[tuple[str, dict[str, Any]]]:
        base = {"event": type(event).__name__, "seq": event.seq, "ts": event.ts.isoformat()}
        if not isinstance(event, OrderEvent):
            return [(event.account, {"type": "account", **base, "account": event.account})]
        order = self._views.order(event.order_id)
        out: list[tuple[str, dict[str, Any]]] = [
            (event.account, {"type": "order", **base, "order": order_dict(order)}),
        ]
        if isinstance(event, OrderFilled):
            out.append((event.account, {"type": "fill", **base, "fill": {
                "fill_id": event.fill_id, "order_id": event.order_id, "symbol": event.symbol,
                "side": event.side.value, "qty": str(event.qty), "price": str(event.price),
                "commission": str(event.commission), "liquidity": event.liquidity.value, "venue": event.venue,
            }}))
            for position, mark in self._views.positions(event.account):
                if position.symbol == event.symbol:
                    out.append((event.account, {"type": "position", **base,
                                                "position": position_dict(position, mark)}))
        return out

    def _offer(self, client: _Client, data: bytes) -> None:
        try:
            client.queue.put_nowait(data)
        except asyncio.QueueFull:
            client.dropped = True
            self._clients.discard(client)

    async def serve(self, websocket: WebSocket, account: str | None) -> None:
        """Send this client its messages until it disconnects or falls too far behind."""
        client = _Client(account)
        self._clients.add(client)
        sender = asyncio.create_task(self._send_loop(websocket, client))
        try:
            while not sender.done():
                message = await websocket.receive()
                if message.get("type") == "websocket.disconnect":
                    return
        finally:
            self._clients.discard(client)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def _send_loop(self, websocket: WebSocket, client: _Client) -> None:
        while True:
            await websocket.send_text((await client.queue.get()).decode())
            if client.dropped and client.queue.empty():
                await websocket.close(code=1013, reason="too slow: reconnect and reload state")
                return


@router.websocket("/api/v1/stream")
async def stream(websocket: WebSocket, account: str | None = None, key: str | None = None) -> None:
    """Stream order, fill and position events as JSON; authenticate with a Bearer header or ``?key=``."""
    container = websocket.app.state.container
    header = websocket.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else key
    # Accept first, then close with a reason: a refused handshake would tell the client nothing.
    await websocket.accept()
    if not token or container.api_keys.principal(token) is None:
        await websocket.close(code=1008, reason="missing or invalid API key")
        return
    if account is not None and AccountId(account) not in container.engine.ledger.accounts:
        await websocket.close(code=1008, reason=f"unknown account {account[:64]!r}")
        return
    with contextlib.suppress(WebSocketDisconnect):
        await container.stream.serve(websocket, account)
