"""AlpacaMarketFeed: quotes and trades from Alpaca's stock data stream into the market data hub.

Flow: connect (``connected``), ``auth`` with the keys (``authenticated``), ``subscribe`` quotes and trades of
the symbols it leads; JSON text frames, each an array of ``{"T": ...}`` messages. Every (re)connect fetches a
snapshot of each symbol from the latest-quote REST endpoint, as does ``request_snapshot``: a quiet or dropped
stream must not leave a book stale. Prices are read as exact decimals, never floats.
"""

import asyncio
import contextlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import structlog
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from ordergate.adapters.venues.alpaca.config import AlpacaConfig
from ordergate.adapters.venues.alpaca.http import AlpacaHttp, AlpacaObserver, AlpacaUnavailable, NoObserver, backoff
from ordergate.adapters.venues.alpaca.parse import decimal, timestamp
from ordergate.domain.ids import Symbol
from ordergate.service.ports import Clock, FeedState, MarketDataSink

log = structlog.get_logger(__name__)
FATAL = {402, 409, 410, 411}  # auth failed, insufficient subscription / scope: retrying cannot help


class FeedRefused(Exception):
    """The data stream refused us; ``fatal`` when retrying cannot help."""

    def __init__(self, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


class AlpacaMarketFeed:
    """Lead the books of the given symbols from Alpaca's data stream (a ``MarketDataFeed``)."""

    name = "alpaca"

    def __init__(self, config: AlpacaConfig, symbols: Mapping[Symbol, str], sink: MarketDataSink, clock: Clock,
                 observer: AlpacaObserver | None = None) -> None:
        self.config, self.sink, self.clock = config, sink, clock
        self._ours = dict(symbols)  # our symbol -> Alpaca's
        self._theirs = {alpaca: ours for ours, alpaca in symbols.items()}
        self.observer: AlpacaObserver = observer or NoObserver()
        self.http = AlpacaHttp(config, config.data_url, observer)
        self.connects = 0
        self._connected = False
        self._fatal = False
        self._stopped = False
        self._task: asyncio.Task[None] | None = None
        self._snapshots: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start streaming in the background (nothing happens if already started)."""
        if self._task is None and self._ours:
            self._stopped = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name="alpaca-market-data")

    async def stop(self) -> None:
        """Stop streaming and close connections."""
        task, self._task = self._task, None
        self._stopped = True
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for snapshot in list(self._snapshots):
            snapshot.cancel()
        await self.http.close()
        self._connected = False

    def state(self) -> FeedState:
        """Return LIVE while the stream is up; FAILED while it is down (reconnecting) or refused for good."""
        if self._task is None:
            return FeedState.STOPPED if self._stopped else FeedState.IDLE
        return FeedState.LIVE if self._connected and not self._fatal else FeedState.FAILED

    def symbols(self) -> frozenset[Symbol]:
        """Return the symbols this feed leads."""
        return frozenset(self._ours)

    def request_snapshot(self, symbol: Symbol) -> bool:
        """Fetch the symbol's latest quote in the background; False for a symbol this feed does not lead."""
        if symbol not in self._ours or self._task is None:
            return False
        task = asyncio.get_running_loop().create_task(self.snapshot([symbol]))
        self._snapshots.add(task)
        task.add_done_callback(self._snapshots.discard)
        return True

    async def snapshot(self, symbols: list[Symbol]) -> None:
        """Publish the latest quote of ``symbols`` from REST as their books."""
        wanted = ",".join(self._ours[s] for s in symbols)
        try:
            answer = await self.http.request("GET", "/v2/stocks/quotes/latest",
                                             params={"symbols": wanted, "feed": self.config.data_feed})
        except AlpacaUnavailable as e:
            log.warning("alpaca_snapshot_failed", reason=e.reason)
            return
        quotes = answer.body.get("quotes") if answer.ok and isinstance(answer.body, dict) else None
        if not isinstance(quotes, dict):
            log.warning("alpaca_snapshot_refused", status=answer.status, message=answer.message)
            return
        for alpaca_symbol, quote in quotes.items():
            if isinstance(quote, dict) and alpaca_symbol in self._theirs:
                self._quote(self._theirs[alpaca_symbol], quote)

    async def _run(self) -> None:
        failures = 0
        while not self._fatal:
            try:
                async with connect(self.config.market_stream_url(), open_timeout=self.config.timeout,
                                   ping_interval=10, ping_timeout=30, max_size=2**23) as ws:
                    await self._handshake(ws)
                    failures = 0
                    self._up()
                    await self.snapshot(list(self._ours))
                    async for frame in ws:
                        self._dispatch(frame)
            except FeedRefused as e:
                self._fatal = e.fatal
                log.error("alpaca_feed_refused", reason=str(e), fatal=e.fatal)
            except (OSError, TimeoutError, WebSocketException) as e:
                log.warning("alpaca_feed_lost", reason=f"{type(e).__name__}: {e}")
            self._connected = False
            failures += 1
            await asyncio.sleep(backoff(self.config, failures))

    async def _handshake(self, ws: ClientConnection) -> None:
        await self._expect(ws, "connected")
        key_id, secret = self.config.headers().values()
        await ws.send(json.dumps({"action": "auth", "key": key_id, "secret": secret}))
        await self._expect(ws, "authenticated")
        symbols = sorted(self._ours.values())
        await ws.send(json.dumps({"action": "subscribe", "quotes": symbols, "trades": symbols}))

    async def _expect(self, ws: ClientConnection, msg: str) -> None:
        for message in _messages(await asyncio.wait_for(ws.recv(), self.config.timeout)):
            if message.get("T") == "error":
                code = message.get("code")
                raise FeedRefused(f"{code}: {message.get('msg')}", fatal=code in FATAL)
            if message.get("T") == "success" and message.get("msg") == msg:
                return
        raise FeedRefused(f"expected {msg}")

    def _up(self) -> None:
        self._connected = True
        self.connects += 1
        self.observer.reconnected("market_data")
        log.info("alpaca_feed_connected", connects=self.connects, symbols=len(self._ours))

    def _dispatch(self, frame: str | bytes) -> None:
        for message in _messages(frame):
            symbol = self._theirs.get(str(message.get("S")))
            if symbol is None:
                if message.get("T") == "error":
                    log.warning("alpaca_feed_error", code=message.get("code"), msg=message.get("msg"))
                continue
            try:
                if message.get("T") == "q":
                    self._quote(symbol, message)
                elif message.get("T") == "t":
                    self._trade(symbol, message)
            except Exception:  # one bad message must not stop the feed (the hub refuses bad values)
                log.warning("alpaca_feed_message_refused", symbol=symbol, kind=message.get("T"))

    def _quote(self, symbol: Symbol, q: dict[str, Any]) -> None:
        bid, ask = decimal(q.get("bp")), decimal(q.get("ap"))
        bid_size, ask_size = decimal(q.get("bs")) or Decimal(0), decimal(q.get("as")) or Decimal(0)
        bids = [(bid, bid_size)] if bid and bid_size else []
        asks = [(ask, ask_size)] if ask and ask_size else []
        self.sink.on_book(symbol, bids, asks, timestamp(q.get("t"), self.clock.now()))

    def _trade(self, symbol: Symbol, t: dict[str, Any]) -> None:
        price, size = decimal(t.get("p")), decimal(t.get("s"))
        if price is not None and size is not None:
            self.sink.on_trade(symbol, price, size, timestamp(t.get("t"), self.clock.now()))


def _messages(frame: str | bytes) -> list[dict[str, Any]]:
    """Return the messages of one frame (an array of objects), numbers read as exact decimals."""
    try:
        decoded = json.loads(frame, parse_float=Decimal)
    except ValueError:
        return []
    items = decoded if isinstance(decoded, list) else [decoded]
    return [m for m in items if isinstance(m, dict)]
