"""Test-only control routes under /_fake: tokens, fault knobs, fills, prices, stream drops, a dump."""

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import UpstoxError, json_response, success


def _fake(request: Request) -> FakeUpstox:
    fake: FakeUpstox = request.app.state.fake
    return fake


async def _body(request: Request) -> dict[str, Any]:
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


async def issue_token(request: Request) -> Response:
    """POST /_fake/tokens {"token": optional}: issue a token valid until the next 03:30 IST."""
    return success({"access_token": _fake(request).issue_token((await _body(request)).get("token"))})


async def expire_tokens(request: Request) -> Response:
    """POST /_fake/expire-tokens: every token dies now (03:30 IST came)."""
    _fake(request).exchange.tokens.expire_all()
    return success(None)


async def faults(request: Request) -> Response:
    """POST /_fake/faults {knob: value}: set fault knobs."""
    try:
        _fake(request).faults.update(**await _body(request))
    except ValueError as e:
        return json_response({"status": "error", "message": str(e)}, 400)
    return success(None)


async def fill(request: Request) -> Response:
    """POST /_fake/fill {"order_id", "quantity", "price"?}: execute part of a working order."""
    body = await _body(request)
    price = Decimal(str(body["price"])) if body.get("price") is not None else None
    try:
        trade = _fake(request).exchange.fill(str(body["order_id"]), int(body["quantity"]), price)
    except (ValueError, UpstoxError) as e:
        return json_response({"status": "error", "message": str(e)}, 400)
    return success(trade.wire())


async def price(request: Request) -> Response:
    """POST /_fake/price {"instrument_key", "price"}: move a last price (stops trigger, limits fill)."""
    body = await _body(request)
    _fake(request).exchange.set_price(str(body["instrument_key"]), Decimal(str(body["price"])))
    return success(None)


async def market(request: Request) -> Response:
    """POST /_fake/market {"open": bool}: start a session (waiting after-market orders go in) or end it."""
    exchange = _fake(request).exchange
    if (await _body(request)).get("open"):
        exchange.open_market()
    else:
        exchange.close_market()
    return success({"open": exchange.market_open})


async def drop_streams(request: Request) -> Response:
    """POST /_fake/drop-streams: cut every portfolio stream and market data feed connection."""
    fake = _fake(request)
    fake.exchange.hub.drop_all()
    fake.drop_market_feeds()
    return success(None)


async def dump(request: Request) -> Response:
    """GET /_fake/orders: every order as the order book shows it, and every trade."""
    exchange = _fake(request).exchange
    with exchange.lock:
        return success({"orders": [o.wire() for o in exchange.orders.values()],
                        "trades": [t.wire() for t in exchange.trades]})


routes = [
    Route("/_fake/tokens", issue_token, methods=["POST"]),
    Route("/_fake/expire-tokens", expire_tokens, methods=["POST"]),
    Route("/_fake/faults", faults, methods=["POST"]),
    Route("/_fake/fill", fill, methods=["POST"]),
    Route("/_fake/price", price, methods=["POST"]),
    Route("/_fake/market", market, methods=["POST"]),
    Route("/_fake/drop-streams", drop_streams, methods=["POST"]),
    Route("/_fake/orders", dump),
]
