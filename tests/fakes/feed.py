"""A market data feed the test drives by hand: it records the snapshots asked of it and answers as told."""

from collections.abc import Callable, Iterable

from ordergate.domain.ids import Symbol
from ordergate.service.ports import FeedState

Answer = Callable[[Symbol], bool]


class FakeFeed:
    """A MarketDataFeed leading ``symbols``; ``answer`` runs on each snapshot request (default: will send)."""

    def __init__(self, symbols: Iterable[str], answer: Answer | None = None, name: str = "fake") -> None:
        self.name = name
        self.leads = frozenset(Symbol(s) for s in symbols)
        self.answer = answer or (lambda symbol: True)
        self.asked: list[Symbol] = []
        self._state = FeedState.IDLE

    async def start(self) -> None:
        """Go live."""
        self._state = FeedState.LIVE

    async def stop(self) -> None:
        """Stop."""
        self._state = FeedState.STOPPED

    def state(self) -> FeedState:
        """Return the state set by start and stop."""
        return self._state

    def symbols(self) -> frozenset[Symbol]:
        """Return the symbols this feed leads."""
        return self.leads

    def request_snapshot(self, symbol: Symbol) -> bool:
        """Record the request and answer it as the test said."""
        self.asked.append(symbol)
        return self.answer(symbol)
