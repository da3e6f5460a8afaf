"""Test-only routes under ``/_fake``: move the market, switch faults, drop streams, execute, read the state.

They let a test (or a separate process such as the end-to-end tests' server) drive the fake over HTTP.
"""

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.alpaca.book import FakeQuote
from tests.fakes.alpaca.broker import FakeBroker
from tests.fakes.alpaca.data_stream import DataStream
from tests.fakes.alpaca.trade_stream import TradeStream
from tests.fakes.alpaca.wire import AlpacaError, dec


def control_routes(broker: FakeBroker, trades: TradeStream, data: DataStream) -> list[Route]:
    """Return the ``/_fake`` routes."""

    async def quote(request: Request) -> JSONResponse:
        body = await request.json()
        broker.set_quote(FakeQuote(body["symbol"], Decimal(str(body["bid"])), Decimal(str(body["ask"])),
                                   Decimal(str(body.get("bid_size", 100))), Decimal(str(body.get("ask_size", 100)))))
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> JSONResponse:
        try:
            broker.faults.update(await request.json())
        except KeyError as e:
            return JSONResponse({"error": f"unknown fault knob {e}"}, status_code=422)
        return JSONResponse(vars(broker.faults))

    async def session(request: Request) -> JSONResponse:
        try:
            broker.set_session(str((await request.json()).get("session")))
        except ValueError as e:
            return JSONResponse({"error": str(e)}, status_code=422)
        return JSONResponse({"session": broker.session})

    async def drop_streams(request: Request) -> JSONResponse:
        await trades.drop_all()
        await data.drop_all()
        return JSONResponse({"ok": True})

    async def execute(request: Request) -> JSONResponse:
        body = await request.json()
        try:
            order = (broker.get(body["order_id"]) if "order_id" in body
                     else broker.by_client_order_id(body["client_order_id"]))
        except AlpacaError as e:
            return e.response()
        broker.fill(order, Decimal(str(body["qty"])), Decimal(str(body["price"])))
        return JSONResponse(order.to_json())

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(state_json(broker, trades))

    return [
        Route("/_fake/quote", quote, methods=["POST"]),
        Route("/_fake/faults", faults, methods=["POST"]),
        Route("/_fake/session", session, methods=["POST"]),
        Route("/_fake/drop_streams", drop_streams, methods=["POST"]),
        Route("/_fake/execute", execute, methods=["POST"]),
        Route("/_fake/state", state, methods=["GET"]),
    ]


def state_json(broker: FakeBroker, trades: TradeStream) -> dict[str, Any]:
    """Return what a test compares against: every order, net positions, cash, counters."""
    return {
        "orders": [o.to_json() for o in broker.orders.values()],
        "positions": {s: dec(p.qty) for s, p in broker.positions.items() if p.qty},
        "cash": dec(broker.cash), "posts": broker.posts, "stream_connections": trades.connections,
        "fills": len(broker.fills),
    }
