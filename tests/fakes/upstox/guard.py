"""What every API request goes through before its handler: the Bearer token, rate limits, fault knobs."""

import asyncio
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import UpstoxError, error
from tests.fakes.upstox.urls import one_time_url

Handler = Callable[[Request, FakeUpstox], Awaitable[Response]]


def bearer(headers: Headers) -> str:
    """Return the Bearer token of a request's headers ("" when missing)."""
    value = headers.get("authorization") or ""
    return value[7:] if value.lower().startswith("bearer ") else ""


def guarded(kind: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: 401 on a missing or expired token, 429 over the class limit, then the fault knobs."""

    async def endpoint(request: Request) -> Response:
        fake: FakeUpstox = request.app.state.fake
        fake.requests.append((request.method, request.url.path))
        if not fake.exchange.tokens.valid(bearer(request.headers)):
            return error(401, "UDAPI100050", "Invalid token used to access API")
        if not fake.limits.allow(kind):
            return error(429, "UDAPI10005", "Too Many Request Sent")
        fault = fake.faults.request_fault()
        if fault == "429":
            return error(429, "UDAPI10005", "Too Many Request Sent")
        if fault == "5xx":
            return error(503, "UDAPI100500", "Something went wrong, please try again")
        if fault == "timeout":
            await asyncio.sleep(fake.faults.hang_seconds)
            return error(504, "UDAPI100500", "Gateway timeout")
        try:
            return await handler(request, fake)
        except UpstoxError as e:
            return e.response()

    return endpoint


async def json_body(request: Request) -> object:
    """Return the request's JSON body, or raise the invalid-input error."""
    try:
        return await request.json()
    except ValueError:
        raise UpstoxError(400, "UDAPI100038", "Invalid request body", "body", None) from None


async def redirect_handshake(websocket: WebSocket, path: str) -> None:
    """Refuse a bad token (401); otherwise answer 302 to a single-use URL on ``path``, as Upstox's streams do."""
    fake: FakeUpstox = websocket.app.state.fake
    if not fake.exchange.tokens.valid(bearer(websocket.headers)):
        await websocket.send_denial_response(error(401, "UDAPI100050", "Invalid token used to access API"))
        return
    url = one_time_url(fake, websocket.headers.get("host", ""), path)
    await websocket.send_denial_response(Response(status_code=302, headers={"location": url}))
