"""Order routes: v3 and v2 place / modify / cancel (the order host), v2 details, history, book and trades."""

import asyncio
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import UpstoxError, error, success
from tests.fakes.upstox.guard import guarded, json_body
from tests.fakes.upstox.requests import parse_modify, parse_place


def _latency(started: float) -> int:
    return max(1, int((time.perf_counter() - started) * 1000))


async def _place(request: Request, fake: FakeUpstox, v3: bool) -> Response:
    started = time.perf_counter()
    order = fake.exchange.place(parse_place(await json_body(request)))
    if fake.faults.lose_place_answer():  # the order exists; the client never hears so
        if fake.faults.lost_place_mode == "error":
            return error(500, "UDAPI100500", "Something went wrong, please try again")
        await asyncio.sleep(fake.faults.hang_seconds)
    if v3:
        return success({"order_ids": [order.order_id]}, latency=_latency(started))
    return success({"order_id": order.order_id})


async def place_v3(request: Request, fake: FakeUpstox) -> Response:
    """POST /v3/order/place: ``data.order_ids`` plus ``metadata.latency``."""
    return await _place(request, fake, v3=True)


async def place_v2(request: Request, fake: FakeUpstox) -> Response:
    """POST /v2/order/place: ``data.order_id``."""
    return await _place(request, fake, v3=False)


async def modify(request: Request, fake: FakeUpstox) -> Response:
    """PUT /v2|v3/order/modify: the same order id back."""
    started = time.perf_counter()
    order = fake.exchange.modify(parse_modify(await json_body(request)))
    latency = _latency(started) if request.url.path.startswith("/v3") else None
    return success({"order_id": order.order_id}, latency=latency)


def _order_id(request: Request) -> str:
    order_id = request.query_params.get("order_id")
    if not order_id:
        raise UpstoxError(400, "UDAPI1023", "Order id is required", "order_id", order_id)
    return order_id


async def cancel(request: Request, fake: FakeUpstox) -> Response:
    """DELETE /v2|v3/order/cancel?order_id=."""
    started = time.perf_counter()
    order = fake.exchange.cancel(_order_id(request))
    latency = _latency(started) if request.url.path.startswith("/v3") else None
    return success({"order_id": order.order_id}, latency=latency)


async def details(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/order/details?order_id=: the order's latest state."""
    return success(fake.exchange.get(_order_id(request)).wire())


async def history(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/order/history?order_id=&tag=: every snapshot of one order, or of every order with the tag."""
    order_id, tag = request.query_params.get("order_id"), request.query_params.get("tag")
    if order_id:
        orders = [fake.exchange.get(order_id)]
        if tag is not None:
            orders = [o for o in orders if o.tag == tag]
    elif tag:
        orders = fake.exchange.by_tag(tag)
    else:
        raise UpstoxError(400, "UDAPI1023", "Order id or tag is required", "order_id", None)
    with fake.exchange.lock:
        return success([snapshot for o in orders for snapshot in o.history])


async def order_book(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/order/retrieve-all: the day's orders."""
    with fake.exchange.lock:
        return success([o.wire() for o in fake.exchange.orders.values()])


async def trades_for_day(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/order/trades/get-trades-for-day."""
    return success([t.wire() for t in fake.exchange.trades_of()])


async def order_trades(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/order/trades?order_id=: one order's trades."""
    order_id = _order_id(request)
    fake.exchange.get(order_id)
    return success([t.wire() for t in fake.exchange.trades_of(order_id)])


routes = [
    Route("/v3/order/place", guarded("orders", place_v3), methods=["POST"]),
    Route("/v2/order/place", guarded("orders", place_v2), methods=["POST"]),
    Route("/v3/order/modify", guarded("orders", modify), methods=["PUT"]),
    Route("/v2/order/modify", guarded("orders", modify), methods=["PUT"]),
    Route("/v3/order/cancel", guarded("orders", cancel), methods=["DELETE"]),
    Route("/v2/order/cancel", guarded("orders", cancel), methods=["DELETE"]),
    Route("/v2/order/details", guarded("others", details)),
    Route("/v2/order/history", guarded("others", history)),
    Route("/v2/order/retrieve-all", guarded("others", order_book)),
    Route("/v2/order/trades/get-trades-for-day", guarded("others", trades_for_day)),
    Route("/v2/order/trades", guarded("others", order_trades)),
]
