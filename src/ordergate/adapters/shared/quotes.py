"""The quote cache in Redis: the leader writes each symbol's latest quote and trade, standbys serve them.

Only the instance whose market data feeds run (the leader) has live quotes. It writes the symbols that
changed, at most every ``INTERVAL`` seconds, to one Redis hash (``<prefix>quotes``, a field per symbol).
The other instances read that hash as often and apply what is newer to their own market data, so their
quote, book (top of book), stale flag and last trade answer like the leader's, a moment later.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson
import structlog
from redis.exceptions import RedisError

from ordergate.adapters.shared.link import RedisLink
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub

log = structlog.get_logger(__name__)
INTERVAL = 0.25  # seconds between two writes (leader) or reads (standby)
WARN_EVERY = 60.0


class RedisQuoteCache:
    """Share the latest quotes: written while ``leads()`` says this instance's feeds run, read otherwise."""

    def __init__(self, link: RedisLink, hub: MarketDataHub, leads: Callable[[], bool]) -> None:
        self._client = link.commands
        self._key = link.key("quotes")
        self._hub = hub
        self._leads = leads
        self._changed: set[Symbol] = set()
        self._applied: dict[str, tuple[str, str]] = {}  # symbol -> (quote ts, trade ts) applied here
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._warned = 0.0
        hub.subscribe(self._mark)

    def _mark(self, symbol: Symbol) -> None:
        self._changed.add(symbol)

    def start(self) -> None:
        """Start writing or reading every INTERVAL seconds."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop (a last write of what changed, if this instance leads); asked, not cancelled mid-command."""
        self._stopping = True
        if self._task is not None:
            _, late = await asyncio.wait({self._task}, timeout=INTERVAL + 2.0)
            for task in late:
                task.cancel()
            self._task = None
        with contextlib.suppress(RedisError, OSError):
            if self._leads():
                await self.write()

    async def write(self) -> int:
        """Write the quotes of the symbols that changed since the last write; return how many."""
        changed, self._changed = self._changed, set()
        fields = {symbol: orjson.dumps(entry) for symbol in changed if (entry := self._entry(symbol)) is not None}
        if fields:
            await self._client.hset(self._key, mapping=fields)  # type: ignore[arg-type]
        return len(fields)

    async def read(self) -> int:
        """Apply the cached quotes that are newer than what this instance has; return how many."""
        raw: Any = await self._client.hgetall(self._key)
        self._changed.clear()  # what this applies is not this instance's to write
        applied = 0
        for name, value in raw.items():
            applied += self._apply(name.decode(), orjson.loads(value))
        self._changed.clear()
        return applied

    def _entry(self, symbol: Symbol) -> dict[str, str | None] | None:
        quote = self._hub.quote(symbol)
        trades = self._hub.trades(symbol, 1)
        if quote is None and not trades:
            return None
        trade = trades[0] if trades else None  # newest first
        return {
            "bid": _text(quote.bid) if quote else None, "bid_size": _text(quote.bid_size) if quote else None,
            "ask": _text(quote.ask) if quote else None, "ask_size": _text(quote.ask_size) if quote else None,
            "ts": quote.ts.isoformat() if quote else None,
            "last": _text(trade.price) if trade else None, "last_size": _text(trade.size) if trade else None,
            "last_ts": trade.ts.isoformat() if trade else None,
        }

    def _apply(self, name: str, entry: dict[str, Any]) -> int:
        symbol = Symbol(name)
        seen_quote, seen_trade = self._applied.get(name, ("", ""))
        applied = 0
        if entry.get("ts") and entry["ts"] > seen_quote:
            bids = [(Decimal(entry["bid"]), Decimal(entry["bid_size"]))] if entry.get("bid") else []
            asks = [(Decimal(entry["ask"]), Decimal(entry["ask_size"]))] if entry.get("ask") else []
            self._hub.on_book(symbol, bids, asks, datetime.fromisoformat(entry["ts"]))
            seen_quote, applied = entry["ts"], 1
        if entry.get("last_ts") and entry["last_ts"] > seen_trade:
            self._hub.on_trade(symbol, Decimal(entry["last"]), Decimal(entry["last_size"]),
                               datetime.fromisoformat(entry["last_ts"]))
            seen_trade, applied = entry["last_ts"], 1
        self._applied[name] = (seen_quote, seen_trade)
        return applied

    async def _run(self) -> None:
        while not self._stopping:
            await asyncio.sleep(INTERVAL)
            try:
                await (self.write() if self._leads() else self.read())
            except (RedisError, OSError, ValueError, KeyError, ArithmeticError) as e:
                now = time.monotonic()
                if now - self._warned >= WARN_EVERY:
                    self._warned = now
                    log.warning("redis_quote_cache_failed", error=str(e)[:200])


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
