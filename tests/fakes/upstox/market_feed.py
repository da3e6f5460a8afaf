"""Market Data Feed V3: Bearer handshake, redirect to a one-time URL, binary JSON requests, protobuf answers."""

import asyncio
import json
import time
from typing import Any

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import error
from tests.fakes.upstox.feed_messages import MODES, feed_message, market_info
from tests.fakes.upstox.guard import redirect_handshake
from tests.fakes.upstox.instruments import INSTRUMENTS
from tests.fakes.upstox.urls import MARKET_FEED


def _now_ms() -> int:
    return int(time.time() * 1000)


async def handshake(websocket: WebSocket) -> None:
    """Refuse a bad token (401); otherwise redirect (302) to a single-use URL, as Upstox does."""
    await redirect_handshake(websocket, MARKET_FEED)


def apply_request(subs: dict[str, str], request: dict[str, Any], caps: dict[str, int]) -> dict[str, str]:
    """Apply a sub / unsub / change_mode request to the subscriptions; return the keys to snapshot.

    A mode's keys past its cap are dropped: what Upstox does then is not documented (no answer is sent), and
    a client that never exceeds the caps sees no difference.
    """
    data = request.get("data") or {}
    keys = [k for k in data.get("instrumentKeys") or [] if k in INSTRUMENTS]
    method = request.get("method")
    if method == "unsub":
        for key in keys:
            subs.pop(key, None)
        return {}
    mode = data.get("mode") or "ltpc"
    if mode not in MODES or method not in ("sub", "change_mode"):
        return {}
    if method == "change_mode":
        keys = [k for k in keys if k in subs]
    room = caps.get(mode, len(keys)) - sum(1 for k, m in subs.items() if m == mode and k not in keys)
    fresh = dict.fromkeys(keys[:max(room, 0)], mode)
    subs.update(fresh)
    return fresh


async def feed(websocket: WebSocket) -> None:
    """Serve one feed connection: market_info, a snapshot per subscription, then live ticks."""
    fake: FakeUpstox = websocket.app.state.fake
    if not fake.use_code(websocket.query_params.get("code")):
        await websocket.send_denial_response(error(403, "UDAPI100050", "Invalid or used feed URL"))
        return
    drops = fake.market_feed_drops  # a drop asked for from now on closes this connection
    await websocket.accept()
    await websocket.send_bytes(market_info(_now_ms()))
    subs: dict[str, str] = {}
    ticker = asyncio.create_task(_tick(websocket, fake, subs, drops))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("bytes") or (message.get("text") or "").encode()
            try:
                request = json.loads(raw)
            except ValueError:
                continue  # undocumented: Upstox sends nothing back for a bad request
            fresh = apply_request(subs, request, fake.mode_caps) if isinstance(request, dict) else {}
            if fresh:
                prices = dict(fake.exchange.last_price)
                await websocket.send_bytes(feed_message("initial_feed", fresh, prices, _now_ms()))
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        ticker.cancel()


async def _tick(websocket: WebSocket, fake: FakeUpstox, subs: dict[str, str], drops: int) -> None:
    while True:
        await asyncio.sleep(fake.feed_tick_seconds or 0.05)
        if fake.market_feed_drops != drops:
            await websocket.close(code=1011)
            return
        if subs and fake.feed_tick_seconds:
            prices = dict(fake.exchange.last_price)
            await websocket.send_bytes(feed_message("live_feed", dict(subs), prices, _now_ms()))


routes = [
    WebSocketRoute("/v3/feed/market-data-feed", handshake),
    WebSocketRoute(MARKET_FEED, feed),
]
