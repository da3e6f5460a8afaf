"""One WebSocket client's market data subscriptions: quotes, trades, book depth and bars per symbol.

The hub says which symbol changed; each subscription sends the symbol's current state at most once per
``interval`` seconds (the client chooses), so a busy book costs a slow client nothing but the latest view.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ordergate.domain.ids import Symbol
from ordergate.entrypoints.api.serialize import precision
from ordergate.service.marketdata import MarketDataHub, Trade

CHANNELS = ("quotes", "trades", "book", "bars")
DEFAULT_INTERVAL = {"quotes": 0.25, "trades": 0.1, "book": 0.25, "bars": 1.0}
BAR_INTERVALS = ("1s", "1m", "5m", "1h")
MAX_SUBSCRIPTIONS = 200


class CommandError(ValueError):
    """A client's command was refused: names the field and the rule."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Subscription:
    """One channel of one symbol, and what was last sent on it."""

    channel: str
    symbol: Symbol
    interval: float
    depth: int = 10
    bar_interval: str = "1m"
    limit: int = 50
    due: float = 0.0  # monotonic time before which nothing more is sent
    dirty: bool = True  # the symbol changed since the last message
    last_key: Any = None  # what the last message showed (no message when unchanged)
    last_trade: Trade | None = None


def _number(command: Mapping[str, Any], field: str, default: float, low: float, high: float) -> float:
    value = command.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise CommandError(field, f"{field} must be a number from {low} to {high}")
    return float(value)


def _whole(command: Mapping[str, Any], field: str, default: int, low: int, high: int) -> int:
    value = command.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CommandError(field, f"{field} must be a whole number from {low} to {high}")
    return value


class MarketStream:
    """A client's subscriptions; ``send`` queues one message for it (False when the client is too slow)."""

    def __init__(
        self, hub: MarketDataHub, known: Callable[[str], bool], send: Callable[[dict[str, Any]], bool],
    ) -> None:
        self._hub = hub
        self._known = known
        self._send = send
        self._subs: dict[tuple[str, str], Subscription] = {}
        self._wake = asyncio.Event()

    @property
    def symbols(self) -> set[str]:
        """Return the symbols subscribed to."""
        return {symbol for _, symbol in self._subs}

    def handle(self, command: Mapping[str, Any]) -> dict[str, Any]:
        """Apply a subscribe or unsubscribe command; return the answer (raise CommandError when refused)."""
        op = command.get("op")
        channel = command.get("channel")
        symbol = command.get("symbol")
        if channel not in CHANNELS:
            raise CommandError("channel", f"channel must be one of {', '.join(CHANNELS)}")
        if not isinstance(symbol, str) or not 0 < len(symbol) <= 64:
            raise CommandError("symbol", "symbol must be a string of 1 to 64 characters")
        if op == "unsubscribe":
            found = self._subs.pop((channel, symbol), None) is not None
            return {"type": "unsubscribed", "channel": channel, "symbol": symbol, "was_subscribed": found}
        if not self._known(symbol):
            raise CommandError("symbol", f"unknown symbol {symbol!r}: no such instrument and no market data")
        if (channel, symbol) not in self._subs and len(self._subs) >= MAX_SUBSCRIPTIONS:
            raise CommandError("channel", f"at most {MAX_SUBSCRIPTIONS} subscriptions per connection")
        sub = Subscription(
            channel, Symbol(symbol), _number(command, "interval", DEFAULT_INTERVAL[channel], 0.05, 60),
            depth=_whole(command, "depth", 10, 1, 50), limit=_whole(command, "limit", 50, 1, 500),
            bar_interval=self._bar_interval(command),
        )
        self._subs[(channel, symbol)] = sub
        self._wake.set()
        answer = {"type": "subscribed", "channel": channel, "symbol": symbol, "interval": sub.interval}
        return answer | ({"depth": sub.depth} if channel == "book" else {}) | (
            {"bar_interval": sub.bar_interval} if channel == "bars" else {})

    @staticmethod
    def _bar_interval(command: Mapping[str, Any]) -> str:
        value = command.get("bar_interval", "1m")
        if value not in BAR_INTERVALS:
            raise CommandError("bar_interval", f"bar_interval must be one of {', '.join(BAR_INTERVALS)}")
        return str(value)

    def changed(self, symbol: str) -> None:
        """Note that the symbol's market data changed (called by the hub: quick, never raises)."""
        woke = False
        for (_, sub_symbol), sub in self._subs.items():
            if sub_symbol == symbol:
                sub.dirty = woke = True
        if woke:
            self._wake.set()

    async def run(self) -> None:
        """Send what changed, each subscription at most once per its interval, until cancelled."""
        while True:
            now = time.monotonic()
            waits = [sub.due - now for sub in self._subs.values() if sub.dirty]
            if waits and min(waits) <= 0:
                self._send_due(now)
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(waits) if waits else None)

    def _send_due(self, now: float) -> None:
        for sub in list(self._subs.values()):
            if not sub.dirty or sub.due > now:
                continue
            sub.dirty = False
            message = self._message(sub)
            if message is not None:
                sub.due = now + sub.interval
                if not self._send(message):
                    return

    def _message(self, sub: Subscription) -> dict[str, Any] | None:
        build = {"quotes": self._quote, "trades": self._trades, "book": self._book, "bars": self._bars}[sub.channel]
        message, key = build(sub)
        if message is None or key == sub.last_key:
            return None
        sub.last_key = key
        return message

    def _quote(self, sub: Subscription) -> tuple[dict[str, Any] | None, Any]:
        hub, sym, fmt = self._hub, sub.symbol, precision()
        quote, stats = hub.quote(sym), hub.stats(sym)
        fields: dict[str, Any] = dict.fromkeys(("bid", "bid_size", "ask", "ask_size", "last", "change", "change_pct",
                                                "previous_close", "volume"))
        if quote is not None:
            fields |= {"bid": fmt.price(sym, quote.bid), "bid_size": fmt.qty(sym, quote.bid_size),
                       "ask": fmt.price(sym, quote.ask), "ask_size": fmt.qty(sym, quote.ask_size)}
        if stats is not None:
            t = stats.trades
            fields |= {"last": fmt.price(sym, t.last_price), "change": fmt.price(sym, t.change),
                       "change_pct": _pct(t.change_pct), "previous_close": fmt.price(sym, t.previous_close),
                       "volume": fmt.qty(sym, t.volume)}
        fields["stale"] = hub.is_stale(sym)
        key = tuple(fields.values())
        return {"type": "quote", "symbol": sym, **fields, "ts": quote.ts.isoformat() if quote else None}, key

    def _trades(self, sub: Subscription) -> tuple[dict[str, Any] | None, Any]:
        latest = self._hub.trades(sub.symbol, sub.limit)  # newest first
        fresh: list[Trade] = []
        for trade in latest:
            if trade is sub.last_trade:
                break
            fresh.append(trade)
        if not fresh and sub.last_key is not None:
            return None, sub.last_key
        sub.last_trade = latest[0] if latest else sub.last_trade
        fmt, sym = precision(), sub.symbol
        items = [{"ts": t.ts.isoformat(), "price": fmt.price(sym, t.price), "size": fmt.qty(sym, t.size)}
                 for t in reversed(fresh)]  # oldest first
        return {"type": "trades", "symbol": sym, "snapshot": sub.last_key is None, "items": items}, id(sub.last_trade)

    def _book(self, sub: Subscription) -> tuple[dict[str, Any] | None, Any]:
        book, sym, fmt = self._hub.book(sub.symbol), sub.symbol, precision()
        bids, asks = book.depth(sub.depth) if book is not None else ([], [])
        levels = {side: [{"price": fmt.price(sym, p), "size": fmt.qty(sym, s)} for p, s in rows]
                  for side, rows in (("bids", bids), ("asks", asks))}
        key = (tuple(bids), tuple(asks))
        return {"type": "book", "symbol": sym, "depth": sub.depth, **levels, "seq": book.seq if book else None,
                "ts": book.ts.isoformat() if book and book.ts else None, "stale": self._hub.is_stale(sym)}, key

    def _bars(self, sub: Subscription) -> tuple[dict[str, Any] | None, Any]:
        first = sub.last_key is None
        bars = self._hub.bars(sub.symbol, sub.bar_interval, sub.limit if first else 2)
        fmt, sym = precision(), sub.symbol
        items = [{"start": b.start_time.isoformat(), "open": fmt.price(sym, b.open), "high": fmt.price(sym, b.high),
                  "low": fmt.price(sym, b.low), "close": fmt.price(sym, b.close), "volume": fmt.qty(sym, b.volume),
                  "trades": b.trades} for b in bars]
        key = tuple((b.start, b.close, b.volume, b.high, b.low) for b in bars[-2:])
        return {"type": "bars", "symbol": sym, "bar_interval": sub.bar_interval, "snapshot": first,
                "items": items}, key


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")
