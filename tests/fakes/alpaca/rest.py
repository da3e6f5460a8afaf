"""The Trading REST routes (``/v2/orders``, ``/v2/account``, ``/v2/positions``, account activities), with the
fault knobs and rate limit applied to each request."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.alpaca.account import account_json
from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.faults import RateWindow
from tests.fakes.alpaca.model import TERMINAL
from tests.fakes.alpaca.wire import AlpacaError, parse_time

Handler = Callable[[Request, FakeBroker], Awaitable[Any]]


class Gate:
    """Check the keys, the rate limit and the fault knobs before a handler runs; answer as Alpaca does."""

    def __init__(self, broker: FakeBroker, key_id: str, secret_key: str) -> None:
        self.broker, self.key_id, self.secret_key = broker, key_id, secret_key
        self.window = RateWindow(broker.faults.rate_limit)
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, for tests

    def route(self, path: str, handler: Handler, methods: list[str]) -> Route:
        """Return a Starlette route running ``handler`` behind the gate."""

        async def endpoint(request: Request) -> Response:
            return await self._serve(request, handler)

        return Route(path, endpoint, methods=methods)

    async def _serve(self, request: Request, handler: Handler) -> Response:
        self.requests.append((request.method, request.url.path))
        faults = self.broker.faults
        if (request.headers.get("APCA-API-KEY-ID"), request.headers.get("APCA-API-SECRET-KEY")) != (
                self.key_id, self.secret_key):
            return AlpacaError(401, None, "unauthorized").response()
        self.window.limit = faults.rate_limit
        if faults.take("http_429"):  # an injected 429 names a window that resets in a second
            headers = {**self.window.headers(), "X-Ratelimit-Remaining": "0",
                       "X-Ratelimit-Reset": str(int(time.time()) + 1)}
            return AlpacaError(429, 42910000, "rate limit exceeded").response(headers)
        if not self.window.hit():
            return AlpacaError(429, 42910000, "rate limit exceeded").response(self.window.headers())
        headers = self.window.headers()
        if faults.take("http_5xx"):
            return AlpacaError(503, 50310000, "service unavailable").response(headers)
        if faults.take("hang_requests"):
            await asyncio.sleep(faults.hang_seconds)
        try:
            body = await handler(request, self.broker)
        except AlpacaError as e:
            return e.response(headers)
        except ClientDisconnect:  # the client gave up (a timeout): nobody reads the answer
            return Response(status_code=499)
        if isinstance(body, Response):
            body.headers.update(headers)
            return body
        return JSONResponse(body, headers=headers)


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise AlpacaError(400, 40010000, "request body format is invalid") from None


async def create_order(request: Request, broker: FakeBroker) -> Any:
    if broker.faults.take("create_5xx"):
        return AlpacaError(503, 50310000, "service unavailable").response()
    order = broker.submit(await _json(request))
    if broker.faults.take("drop_create_answer"):
        return AlpacaError(500, 50010000, "internal server error").response()
    if broker.faults.take("hang_create_answer"):
        await asyncio.sleep(broker.faults.hang_seconds)
    return order.to_json()


async def get_order(request: Request, broker: FakeBroker) -> Any:
    return broker.get(request.path_params["order_id"]).to_json()


async def get_by_client_id(request: Request, broker: FakeBroker) -> Any:
    return broker.by_client_order_id(request.query_params.get("client_order_id", "")).to_json()


async def replace_order(request: Request, broker: FakeBroker) -> Any:
    return broker.replace(request.path_params["order_id"], await _json(request)).to_json()


async def cancel_order(request: Request, broker: FakeBroker) -> Any:
    broker.cancel(request.path_params["order_id"])
    return Response(status_code=204)


async def cancel_all(request: Request, broker: FakeBroker) -> Any:
    return JSONResponse(broker.cancel_all(), status_code=207)


async def list_orders(request: Request, broker: FakeBroker) -> Any:
    q = request.query_params
    status = q.get("status", "open")
    orders = list(broker.orders.values())
    if status == "open":
        orders = [o for o in orders if o.status not in TERMINAL]
    elif status == "closed":
        orders = [o for o in orders if o.status in TERMINAL]
    if q.get("symbols"):
        wanted = set(q["symbols"].split(","))
        orders = [o for o in orders if o.symbol in wanted]
    if q.get("side"):
        orders = [o for o in orders if o.side == q["side"]]
    if q.get("after"):
        orders = [o for o in orders if parse_time(o.created_at) > parse_time(q["after"])]
    if q.get("until"):
        orders = [o for o in orders if parse_time(o.created_at) < parse_time(q["until"])]
    orders.sort(key=lambda o: o.created_at, reverse=q.get("direction", "desc") == "desc")
    limit = min(int(q.get("limit", "50")), 500)
    return [o.to_json() for o in orders[:limit]]


async def positions(request: Request, broker: FakeBroker) -> Any:
    return [p.to_json(_mark(broker, p.symbol)) for p in broker.positions.values() if p.qty]


async def position(request: Request, broker: FakeBroker) -> Any:
    found = broker.positions.get(request.path_params["symbol"])
    if found is None or not found.qty:
        raise AlpacaError(404, 40410000, "position does not exist")
    return found.to_json(_mark(broker, found.symbol))


def _mark(broker: FakeBroker, symbol: str) -> Any:
    quote = broker.quotes.get(symbol)
    return (quote.bid + quote.ask) / 2 if quote else None


async def fill_activities(request: Request, broker: FakeBroker) -> Any:
    q = request.query_params
    if "activity_types" in q and "FILL" not in q["activity_types"].split(","):
        return []
    fills = list(broker.fills)
    if q.get("after"):
        after = parse_time(q["after"])
        fills = [f for f in fills if f.at > after]
    if q.get("until"):
        until = parse_time(q["until"])
        fills = [f for f in fills if f.at < until]
    if q.get("direction", "desc") == "desc":
        fills.reverse()
    if q.get("page_token"):
        ids = [f.activity_id for f in fills]
        start = ids.index(q["page_token"]) + 1 if q["page_token"] in ids else len(ids)
        fills = fills[start:]
    return [f.to_activity() for f in fills[: min(int(q.get("page_size", "100")), 100)]]


async def account(request: Request, broker: FakeBroker) -> Any:
    return account_json(broker)


def trading_routes(gate: Gate) -> list[Route]:
    """Return the Trading API v2 routes."""
    return [
        gate.route("/v2/orders", create_order, ["POST"]),
        gate.route("/v2/orders", list_orders, ["GET"]),
        gate.route("/v2/orders", cancel_all, ["DELETE"]),
        gate.route("/v2/orders:by_client_order_id", get_by_client_id, ["GET"]),
        gate.route("/v2/orders/{order_id}", get_order, ["GET"]),
        gate.route("/v2/orders/{order_id}", replace_order, ["PATCH"]),
        gate.route("/v2/orders/{order_id}", cancel_order, ["DELETE"]),
        gate.route("/v2/account", account, ["GET"]),
        gate.route("/v2/positions", positions, ["GET"]),
        gate.route("/v2/positions/{symbol}", position, ["GET"]),
        gate.route("/v2/account/activities/FILL", fill_activities, ["GET"]),
        gate.route("/v2/account/activities", fill_activities, ["GET"]),
    ]
