"""The paper market as a market data feed: the timer that advances the simulated markets and publishes them."""

import asyncio
import contextlib

import structlog

from ordergate.adapters.venues.paper.exchange import PaperExchange
from ordergate.domain.ids import Symbol
from ordergate.service.ports import FeedState

log = structlog.get_logger(__name__)


class PaperMarketFeed:
    """Tick the paper exchange's simulated markets every ``interval`` seconds (a ``MarketDataFeed``).

    It leads every instrument of the exchange except those an outside feed leads (``exchange.followed``).
    """

    name = "paper"

    def __init__(self, exchange: PaperExchange, interval: float) -> None:
        self.exchange = exchange
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    async def start(self) -> None:
        """Start ticking on the running event loop (nothing happens if already ticking)."""
        if self._task is None or self._task.done():
            self._stopped = False
            self._task = asyncio.get_running_loop().create_task(self._tick_forever(), name="paper-market")

    async def stop(self) -> None:
        """Stop ticking (nothing happens if not ticking)."""
        task, self._task = self._task, None
        if task is not None:
            self._stopped = True
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def state(self) -> FeedState:
        """Return LIVE while ticking (a failing tick is logged and the next one tried)."""
        if self._task is None:
            return FeedState.STOPPED if self._stopped else FeedState.IDLE
        return FeedState.LIVE if not self._task.done() else FeedState.FAILED

    def symbols(self) -> frozenset[Symbol]:
        """Return the instruments whose price the random walk sets."""
        return frozenset(self.exchange.markets) - self.exchange.followed

    def request_snapshot(self, symbol: Symbol) -> bool:
        """Publish the symbol's paper book at once, before returning; False for a symbol this feed does not lead."""
        return self.exchange.publish(symbol)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.exchange.tick()
            except Exception:  # a bug in one tick must not stop the market: leave a trace, tick again
                log.exception("paper_market_tick_failed")
