"""The portfolio stream: a Bearer handshake answered with a 302 to a one-time URL, then JSON text frames."""

import asyncio
import json

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import error
from tests.fakes.upstox.guard import redirect_handshake
from tests.fakes.upstox.urls import PORTFOLIO_FEED


async def handshake(websocket: WebSocket) -> None:
    """Refuse a bad token (401); otherwise redirect (302) to a single-use URL, as Upstox does."""
    await redirect_handshake(websocket, PORTFOLIO_FEED)


async def feed(websocket: WebSocket) -> None:
    """Serve one stream connection: every order and GTT update, until the client leaves or a drop is asked for.

    Upstox sends only the ``update_types`` asked for; the fake sends both kinds to every connection (a client
    skips the kinds it does not read, as ordergate's does).
    """
    fake: FakeUpstox = websocket.app.state.fake
    if not fake.use_code(websocket.query_params.get("code")):
        await websocket.send_denial_response(error(403, "UDAPI100050", "Invalid or used stream URL"))
        return
    queue = fake.exchange.hub.attach()  # before accepting: nothing sent once the client is connected is lost
    await websocket.accept()
    watcher = asyncio.create_task(_until_closed(websocket))
    try:
        while True:
            getter = asyncio.create_task(queue.get())
            done, _ = await asyncio.wait({getter, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if watcher in done:
                getter.cancel()
                return
            message = getter.result()
            if message is None:  # a drop: close abnormally, as a network cut looks to the client
                await websocket.close(code=1011)
                return
            await websocket.send_text(json.dumps(message, default=float))
    finally:
        fake.exchange.hub.detach(queue)
        watcher.cancel()


async def _until_closed(websocket: WebSocket) -> None:
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except (WebSocketDisconnect, RuntimeError):
        return


routes = [
    WebSocketRoute("/v2/feed/portfolio-stream-feed", handshake),
    WebSocketRoute(PORTFOLIO_FEED, feed),
]
