"""Market data: book, quote, trades, statistics and bars of one instrument."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from starlette.responses import Response

from ordergate.domain.book import Level
from ordergate.domain.ids import Symbol
from ordergate.entrypoints.api.deps import ContainerDep, Reader
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.schemas import PathId
from ordergate.entrypoints.api.serialize import JsonResponse
from ordergate.service.marketdata import MarketDataHub

router = APIRouter(prefix="/api/v1/marketdata", tags=["marketdata"], route_class=ExactJsonRoute)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown symbol"}}
_EIGHT_PLACES = Decimal("1e-8")


def _known(container: Any, symbol: str) -> tuple[Symbol, MarketDataHub]:
    """Return the symbol and the hub, or answer 404 naming the symbol."""
    hub: MarketDataHub = container.marketdata
    if symbol not in container.instruments and not hub.has(Symbol(symbol)):
        raise HTTPException(404, f"unknown symbol {symbol[:64]!r}: no such instrument and no market data")
    return Symbol(symbol), hub


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _derived(value: Decimal | None) -> str | None:
    """Return a computed figure (average, ratio) rounded to 8 places, trailing zeros dropped."""
    return None if value is None else format(value.quantize(_EIGHT_PLACES).normalize(), "f")


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _levels(levels: list[Level]) -> list[dict[str, str | None]]:
    return [{"price": _dec(p), "size": _dec(s)} for p, s in levels]


@router.get("/{symbol}/book", responses=_NOT_FOUND)
async def get_book(
    symbol: PathId, container: ContainerDep, who: Reader, depth: Annotated[int, Query(ge=1, le=1000)] = 10,
) -> Response:
    """Return the order book to ``depth`` levels per side, best first, with its sequence and flags."""
    sym, hub = _known(container, symbol)
    book = hub.book(sym)
    bids, asks = book.depth(depth) if book is not None else ([], [])
    return JsonResponse({
        "symbol": sym, "bids": _levels(bids), "asks": _levels(asks),
        "best_bid": _dec(book.best_bid()) if book else None, "best_ask": _dec(book.best_ask()) if book else None,
        "spread": _dec(book.spread()) if book else None, "mid": _derived(book.mid()) if book else None,
        "seq": book.seq if book else None, "seen_seq": book.seen_seq if book else None,
        "ts": _ts(book.ts) if book else None,
        "crossed": book.crossed if book else False, "needs_snapshot": book.needs_snapshot if book else False,
        "snapshot_reason": book.snapshot_reason if book else None, "snapshot_requests": hub.snapshot_requests(sym),
        "stale": hub.is_stale(sym),
    })


@router.get("/{symbol}/quote", responses=_NOT_FOUND)
async def get_quote(symbol: PathId, container: ContainerDep, who: Reader) -> Response:
    """Return the best bid and ask with sizes, the mid, the last price and whether it is stale."""
    sym, hub = _known(container, symbol)
    quote = hub.quote(sym)
    stats = hub.stats(sym)
    return JsonResponse({
        "symbol": sym, "bid": _dec(quote.bid) if quote else None, "bid_size": _dec(quote.bid_size) if quote else None,
        "ask": _dec(quote.ask) if quote else None, "ask_size": _dec(quote.ask_size) if quote else None,
        "mid": _derived(quote.mid) if quote else None, "ts": _ts(quote.ts) if quote else None,
        "last": _dec(stats.trades.last_price) if stats else None,
        "reference_price": _derived(hub.reference_price(sym)), "stale": hub.is_stale(sym),
    })


@router.get("/{symbol}/trades", responses=_NOT_FOUND)
async def get_trades(
    symbol: PathId, container: ContainerDep, who: Reader, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Return the latest trades, newest first."""
    sym, hub = _known(container, symbol)
    trades = hub.trades(sym, limit)
    return JsonResponse({"symbol": sym, "items": [
        {"ts": _ts(t.ts), "price": _dec(t.price), "size": _dec(t.size)} for t in trades
    ]})


@router.get("/{symbol}/stats", responses=_NOT_FOUND)
async def get_stats(symbol: PathId, container: ContainerDep, who: Reader) -> Response:
    """Return last, OHLC, change, session and rolling VWAP, volumes, trade count, imbalance and staleness."""
    sym, hub = _known(container, symbol)
    stats = hub.stats(sym)
    if stats is None:
        return JsonResponse({"symbol": sym, "trade_count": 0, "stale": True})
    t = stats.trades
    return JsonResponse({
        "symbol": sym, "last_price": _dec(t.last_price), "last_size": _dec(t.last_size), "last_ts": _ts(t.last_ts),
        "open": _dec(t.open), "high": _dec(t.high), "low": _dec(t.low), "previous_close": _dec(t.previous_close),
        "change": _dec(t.change), "change_pct": _derived(t.change_pct), "vwap": _derived(t.vwap),
        "rolling_vwap": _derived(t.rolling_vwap), "volume": _dec(t.volume), "notional": _dec(t.notional),
        "volume_24h": _dec(t.volume_24h), "notional_24h": _dec(t.notional_24h), "trade_count": t.trade_count,
        "session": t.session.isoformat() if t.session else None,
        "imbalance": _derived(stats.imbalance), "spread": _dec(stats.spread), "mid": _derived(stats.mid),
        "updated": _ts(stats.updated), "stale": stats.stale, "snapshot_requests": stats.snapshot_requests,
    })


@router.get("/{symbol}/bars", responses=_NOT_FOUND)
async def get_bars(
    symbol: PathId, container: ContainerDep, who: Reader,
    interval: Annotated[Literal["1s", "1m", "5m", "1h"], Query()] = "1m",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Return up to ``limit`` newest OHLCV bars of ``interval``, oldest first (intervals without trades have none)."""
    sym, hub = _known(container, symbol)
    bars = hub.bars(sym, interval, limit)
    return JsonResponse({"symbol": sym, "interval": interval, "items": [
        {"start": _ts(b.start_time), "open": _dec(b.open), "high": _dec(b.high), "low": _dec(b.low),
         "close": _dec(b.close), "volume": _dec(b.volume), "notional": _dec(b.notional), "trades": b.trades}
        for b in bars
    ]})
