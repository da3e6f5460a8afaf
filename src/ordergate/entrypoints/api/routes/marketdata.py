"""Market data: book, quote, trades, statistics and bars of one instrument.

Numbers are at the instrument's precision, as in the other answers: prices at the tick's places, sizes and
volumes at the lot's, mids and VWAPs exact to 8 places (at least the tick's), notionals in the currency's
minor unit. Ratios (change %, imbalance) stay exact to 8 places.
"""

from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from starlette.responses import Response

from ordergate.domain.book import Level
from ordergate.domain.ids import Symbol
from ordergate.entrypoints.api.deps import ContainerDep, Reader
from ordergate.entrypoints.api.exact_json import ExactJsonRoute
from ordergate.entrypoints.api.precision import Precision
from ordergate.entrypoints.api.schemas import PathId
from ordergate.entrypoints.api.serialize import JsonResponse, precision
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


def _currency(container: Any, symbol: Symbol) -> str:
    """Return the instrument's currency (a feed-only symbol with no instrument counts as USD's two places)."""
    instrument = container.instruments.get(symbol)
    return str(instrument.currency) if instrument is not None else "USD"


def _derived(value: Decimal | None) -> str | None:
    """Return a ratio rounded to 8 places, trailing zeros dropped."""
    return None if value is None else format(value.quantize(_EIGHT_PLACES).normalize(), "f")


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _levels(fmt: Precision, sym: Symbol, levels: list[Level]) -> list[dict[str, str | None]]:
    return [{"price": fmt.price(sym, p), "size": fmt.qty(sym, s)} for p, s in levels]


@router.get("/{symbol}/book", responses=_NOT_FOUND)
async def get_book(
    symbol: PathId, container: ContainerDep, who: Reader, depth: Annotated[int, Query(ge=1, le=1000)] = 10,
) -> Response:
    """Return the order book to ``depth`` levels per side, best first, with its sequence and flags."""
    sym, hub = _known(container, symbol)
    book, fmt = hub.book(sym), precision()
    bids, asks = book.depth(depth) if book is not None else ([], [])
    price = fmt.price
    return JsonResponse({
        "symbol": sym, "bids": _levels(fmt, sym, bids), "asks": _levels(fmt, sym, asks),
        "best_bid": price(sym, book.best_bid()) if book else None,
        "best_ask": price(sym, book.best_ask()) if book else None,
        "spread": price(sym, book.spread()) if book else None, "mid": fmt.average(sym, book.mid()) if book else None,
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
    quote, stats, fmt = hub.quote(sym), hub.stats(sym), precision()
    price, qty = fmt.price, fmt.qty
    return JsonResponse({
        "symbol": sym, "bid": price(sym, quote.bid) if quote else None,
        "bid_size": qty(sym, quote.bid_size) if quote else None, "ask": price(sym, quote.ask) if quote else None,
        "ask_size": qty(sym, quote.ask_size) if quote else None,
        "mid": fmt.average(sym, quote.mid) if quote else None, "ts": _ts(quote.ts) if quote else None,
        "last": price(sym, stats.trades.last_price) if stats else None,
        "reference_price": fmt.average(sym, hub.reference_price(sym)), "stale": hub.is_stale(sym),
    })


@router.get("/{symbol}/trades", responses=_NOT_FOUND)
async def get_trades(
    symbol: PathId, container: ContainerDep, who: Reader, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Return the latest trades, newest first."""
    sym, hub = _known(container, symbol)
    trades, fmt = hub.trades(sym, limit), precision()
    return JsonResponse({"symbol": sym, "items": [
        {"ts": _ts(t.ts), "price": fmt.price(sym, t.price), "size": fmt.qty(sym, t.size)} for t in trades
    ]})


@router.get("/{symbol}/stats", responses=_NOT_FOUND)
async def get_stats(symbol: PathId, container: ContainerDep, who: Reader) -> Response:
    """Return last, OHLC, change, session and rolling VWAP, volumes, trade count, imbalance and staleness."""
    sym, hub = _known(container, symbol)
    stats = hub.stats(sym)
    if stats is None:
        return JsonResponse({"symbol": sym, "trade_count": 0, "stale": True})
    t, fmt, cur = stats.trades, precision(), _currency(container, sym)
    price, qty, avg = partial(fmt.price, sym), partial(fmt.qty, sym), partial(fmt.average, sym)
    money = partial(Precision.money, cur)
    return JsonResponse({
        "symbol": sym, "last_price": price(t.last_price), "last_size": qty(t.last_size), "last_ts": _ts(t.last_ts),
        "open": price(t.open), "high": price(t.high), "low": price(t.low), "previous_close": price(t.previous_close),
        "change": price(t.change), "change_pct": _derived(t.change_pct), "vwap": avg(t.vwap),
        "rolling_vwap": avg(t.rolling_vwap), "volume": qty(t.volume), "notional": money(t.notional),
        "volume_24h": qty(t.volume_24h), "notional_24h": money(t.notional_24h), "trade_count": t.trade_count,
        "session": t.session.isoformat() if t.session else None, "currency": cur,
        "imbalance": _derived(stats.imbalance), "spread": price(stats.spread), "mid": avg(stats.mid),
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
    bars, fmt, cur = hub.bars(sym, interval, limit), precision(), _currency(container, sym)
    price = partial(fmt.price, sym)
    return JsonResponse({"symbol": sym, "interval": interval, "items": [
        {"start": _ts(b.start_time), "open": price(b.open), "high": price(b.high), "low": price(b.low),
         "close": price(b.close), "volume": fmt.qty(sym, b.volume), "notional": Precision.money(cur, b.notional),
         "trades": b.trades}
        for b in bars
    ]})
