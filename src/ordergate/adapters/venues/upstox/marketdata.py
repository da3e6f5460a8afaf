"""UpstoxMarketFeed: Market Data Feed V3 (protobuf) into the market data hub, with REST quote snapshots.

Each connection asks the authorize endpoint for a one-time URL (never reused), subscribes the instruments
it leads in ``ltpc``, ``full`` or ``full_d30`` mode with a JSON request in a binary frame, and decodes every
binary frame as a ``FeedResponse``: ``market_info`` first, a snapshot, then live ticks. Full mode gives the
5-level book, ``full_d30`` (Upstox Plus) the 30-level book; every mode gives the last trade. Doubles become
exact decimals through their shortest repr.
"""

import asyncio
import contextlib
import json
import random
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import structlog
from google.protobuf.message import DecodeError
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from ordergate.adapters.venue_metrics import VenueObserver
from ordergate.adapters.venues.upstox.config import UpstoxConfig
from ordergate.adapters.venues.upstox.http import UpstoxApiError, UpstoxHttp, UpstoxLost
from ordergate.adapters.venues.upstox.parse import dec
from ordergate.adapters.venues.upstox.proto import FeedResponse
from ordergate.domain.ids import Symbol
from ordergate.service.ports import Clock, FeedState, MarketDataSink

log = structlog.get_logger(__name__)
FULL_D30_KEYS = 50  # instruments Upstox serves the 30-level book for, at most
STATUSES = ["PRE_OPEN_START", "PRE_OPEN_END", "NORMAL_OPEN", "NORMAL_CLOSE", "CLOSING_START", "CLOSING_END"]


def _price(value: float) -> Decimal:
    return Decimal(repr(value))


def subscriptions(mode: str, keys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Return the (mode, instrument keys) to subscribe: all in ``mode``, except that ``full_d30`` takes at most
    FULL_D30_KEYS keys (Upstox's cap for the 30-level book) and the rest go in ``full`` (5 levels).

    What Upstox does with keys past a mode's cap is not documented: they are never sent, the safer reading.
    """
    ordered = sorted(keys)
    if mode != "full_d30" or len(ordered) <= FULL_D30_KEYS:
        return [(mode, ordered)] if ordered else []
    return [("full_d30", ordered[:FULL_D30_KEYS]), ("full", ordered[FULL_D30_KEYS:])]


def _ts(ms: int, fallback: datetime) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC) if ms > 0 else fallback


class UpstoxMarketFeed:
    """Lead the books of the given symbols from Upstox's feed (a ``MarketDataFeed``)."""

    name = "upstox"

    def __init__(self, config: UpstoxConfig, http: UpstoxHttp, symbols: Mapping[Symbol, str], sink: MarketDataSink,
                 clock: Clock, observer: VenueObserver | None = None) -> None:
        self.config, self.http, self.sink, self.clock, self.observer = config, http, sink, clock, observer
        self._keys = dict(symbols)  # our symbol -> instrument key
        self._symbols = {key: s for s, key in symbols.items()}
        self._last_trade: dict[Symbol, tuple[int, float, int]] = {}
        self.market_status: dict[str, str] = {}  # segment -> status, from market_info
        self.connects = 0
        self._connected = False
        self._stopped = False
        self._task: asyncio.Task[None] | None = None
        self._snapshots: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start streaming in the background (nothing happens if already started)."""
        if self._task is None and self._keys:
            self._stopped = False
            self._task = asyncio.create_task(self._run(), name="upstox-market-feed")

    async def stop(self) -> None:
        """Disconnect (nothing happens if not running)."""
        self._stopped = True
        tasks = [t for t in (self._task, *self._snapshots) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task, self._connected = None, False

    def state(self) -> FeedState:
        """Return LIVE while the feed is connected; FAILED while it is down (reconnecting)."""
        if self._task is None:
            return FeedState.STOPPED if self._stopped else FeedState.IDLE
        return FeedState.LIVE if self._connected else FeedState.FAILED

    def symbols(self) -> frozenset[Symbol]:
        """Return the symbols this feed leads."""
        return frozenset(self._keys)

    def request_snapshot(self, symbol: Symbol) -> bool:
        """Fetch the symbol's full quote over REST in the background; False for a symbol it does not lead."""
        if symbol not in self._keys or self._task is None:
            return False
        task = asyncio.create_task(self._snapshot(symbol))
        self._snapshots.add(task)
        task.add_done_callback(self._snapshots.discard)
        return True

    # -- the stream ------------------------------------------------------------------------------------------

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                await self._session()
                failures = 0
            except asyncio.CancelledError:
                raise
            except (UpstoxApiError, UpstoxLost, PermissionError, OSError, WebSocketException, TimeoutError,
                    KeyError, TypeError) as e:
                log.warning("upstox_feed_failed", error=type(e).__name__)
            self._connected = False
            failures += 1
            ceiling = min(self.config.backoff_max, self.config.backoff_initial * 2 ** min(failures, 16))
            await asyncio.sleep(random.uniform(self.config.backoff_initial, max(ceiling, self.config.backoff_initial)))

    async def _session(self) -> None:
        data = await self.http.call("GET", "/v3/feed/market-data-feed/authorize")
        url = data.get("authorized_redirect_uri") or data.get("authorizedRedirectUri")
        async with connect(str(url), open_timeout=self.config.timeout, ping_interval=20, max_size=2**22) as ws:
            for mode, keys in subscriptions(self.config.feed_mode, self._symbols):
                request = {"guid": uuid.uuid4().hex, "method": "sub", "data": {"mode": mode, "instrumentKeys": keys}}
                await ws.send(json.dumps(request).encode())  # binary frame, as Upstox requires
            self._connected = True
            self.connects += 1
            if self.observer is not None:
                self.observer.reconnected("market")
            async for frame in ws:
                if isinstance(frame, bytes):
                    self._frame(frame)

    def _frame(self, frame: bytes) -> None:
        try:
            message = FeedResponse.FromString(frame)
        except DecodeError:
            log.warning("upstox_feed_unreadable")
            return
        now = self.clock.now()
        for segment, status in message.marketInfo.segmentStatus.items():
            self.market_status[segment] = STATUSES[status] if 0 <= status < len(STATUSES) else str(status)
        for key, feed in message.feeds.items():
            symbol = self._symbols.get(key)
            if symbol is not None:
                self._feed(symbol, feed, _ts(message.currentTs, now))

    def _feed(self, symbol: Symbol, feed: Any, ts: datetime) -> None:
        kind = feed.WhichOneof("FeedUnion")
        if kind == "ltpc":
            self._trade(symbol, feed.ltpc, ts)
        elif kind == "fullFeed" and feed.fullFeed.WhichOneof("FullFeedUnion") == "marketFF":
            market = feed.fullFeed.marketFF
            bids = [(_price(q.bidP), Decimal(q.bidQ)) for q in market.marketLevel.bidAskQuote if q.bidQ > 0]
            asks = [(_price(q.askP), Decimal(q.askQ)) for q in market.marketLevel.bidAskQuote if q.askQ > 0]
            self.sink.on_book(symbol, bids, asks, ts)
            self._trade(symbol, market.ltpc, ts)
        elif kind == "fullFeed":
            self._trade(symbol, feed.fullFeed.indexFF.ltpc, ts)
        elif kind == "firstLevelWithGreeks":
            self._trade(symbol, feed.firstLevelWithGreeks.ltpc, ts)

    def _trade(self, symbol: Symbol, ltpc: Any, ts: datetime) -> None:
        seen = (ltpc.ltt, ltpc.ltp, ltpc.ltq)
        if ltpc.ltp <= 0 or self._last_trade.get(symbol) == seen:
            return  # a repeat of the last trade (every tick carries it) is not a new print
        self._last_trade[symbol] = seen
        self.sink.on_trade(symbol, _price(ltpc.ltp), Decimal(ltpc.ltq), _ts(ltpc.ltt, ts))

    async def _snapshot(self, symbol: Symbol) -> None:
        key = self._keys[symbol]
        with contextlib.suppress(UpstoxApiError, UpstoxLost, PermissionError):
            data = await self.http.call("GET", "/v2/market-quote/quotes", params={"instrument_key": key})
            for quote in (data or {}).values():
                if quote.get("instrument_token") == key:
                    depth = quote.get("depth") or {}
                    bids = [(dec(q["price"]), dec(q["quantity"])) for q in depth.get("buy", []) if q.get("quantity")]
                    asks = [(dec(q["price"]), dec(q["quantity"])) for q in depth.get("sell", []) if q.get("quantity")]
                    self.sink.on_book(symbol, bids, asks, self.clock.now())
