"""Market quote routes: LTP v3 and full quote v2, keyed SEGMENT:TRADING_SYMBOL, at most 500 keys a call."""

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import UpstoxError, success
from tests.fakes.upstox.guard import guarded
from tests.fakes.upstox.instruments import INSTRUMENTS
from tests.fakes.upstox.tokens import IST

MAX_KEYS = 500
TICK = Decimal("0.05")


def _keys(request: Request) -> list[str]:
    raw = request.query_params.get("instrument_key") or request.query_params.get("symbol")
    if not raw:
        raise UpstoxError(400, "UDAPI1009", "instrument_key is required", "instrument_key", raw)
    keys = raw.split(",")
    if len(keys) > MAX_KEYS:
        raise UpstoxError(400, "UDAPI100043", "Too many instrument keys", "instrument_key", len(keys))
    bad = [k for k in keys if "|" not in k]
    if bad:
        raise UpstoxError(400, "UDAPI1011", "Invalid instrument key format", "instrument_key", bad[0])
    return [k for k in keys if k in INSTRUMENTS]


def _depth(last: Decimal, sign: int) -> list[dict[str, Any]]:
    return [{"quantity": 100 * i, "price": last + sign * TICK * i, "orders": i} for i in range(1, 6)]


def _full(key: str, last: Decimal) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "ohlc": {"open": last, "high": last, "low": last, "close": last},
        "depth": {"buy": _depth(last, -1), "sell": _depth(last, 1)},
        "timestamp": now.astimezone(IST).isoformat(timespec="milliseconds"),
        "instrument_token": key, "symbol": INSTRUMENTS[key].symbol, "last_price": last, "volume": 100_000,
        "average_price": last, "oi": 0.0, "net_change": last - INSTRUMENTS[key].last_price,
        "total_buy_quantity": 1500, "total_sell_quantity": 1500, "lower_circuit_limit": last * Decimal("0.8"),
        "upper_circuit_limit": last * Decimal("1.2"), "oi_day_high": 0.0, "oi_day_low": 0.0,
        "last_trade_time": str(int(time.time() * 1000)),
    }


async def ltp_v3(request: Request, fake: FakeUpstox) -> Response:
    """GET /v3/market-quote/ltp?instrument_key=."""
    prices = fake.exchange.last_price
    return success({INSTRUMENTS[k].quote_key: {
        "last_price": prices[k], "instrument_token": k, "ltq": 10, "volume": 100_000,
        "cp": INSTRUMENTS[k].last_price} for k in _keys(request)})


async def full_quote(request: Request, fake: FakeUpstox) -> Response:
    """GET /v2/market-quote/quotes?instrument_key= (or the deprecated ``symbol``)."""
    prices = fake.exchange.last_price
    return success({INSTRUMENTS[k].quote_key: _full(k, prices[k]) for k in _keys(request)})


routes = [
    Route("/v3/market-quote/ltp", guarded("others", ltp_v3)),
    Route("/v2/market-quote/quotes", guarded("others", full_quote)),
]
