"""The portfolio stream: a Bearer handshake answered with a 302 to a one-time URL, then JSON text frames."""

import asyncio
import json

from starlette.responses import Response
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import error
from tests.fakes.upstox.guard import bearer
from tests.fakes.upstox.routes_account import PORTFOLIO_FEED, one_time_url


async def handshake(websocket: WebSocket) -> None:
    """Refuse a bad token (401); otherwise redirect to a single-use URL, as Upstox does."""
    fake: FakeUpstox = websocket.app.state.fake
    if not fake.exchange.tokens.valid(bearer(websocket.headers)):
        await websocket.send_denial_response(error(401, "UDAPI100050", "Invalid token used to access API"))
        return
    url = one_time_url(fake, websocket.headers.get("host", ""), PORTFOLIO_FEED)
    await websocket.send_denial_response(Response(status_code=302, headers={"location": url}))


async def feed(websocket: WebSocket) -> None:
    """Serve one stream connection: every order update, until the client leaves or a drop is asked for."""
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
