"""Put the paper exchange on an outside market: a feed target that writes to the hub, then re-centres paper.

A replay (or later a broker stream) delivers its events here instead of straight to the hub. Each event is
applied to the hub first, so the hub's book is the outside book; then, for a symbol the exchange follows,
the simulated makers are re-quoted on that book, or an outside trade is replayed against the paper book.
"""

from typing import Protocol

import structlog

from ordergate.adapters.venues.paper.exchange import BookReader, PaperExchange
from ordergate.service.marketdata import MarketEvent, MarketKind

log = structlog.get_logger(__name__)


class FeedHub(BookReader, Protocol):
    """The hub as the follower needs it: applies sequenced events and shows the resulting books."""

    def apply(self, event: MarketEvent) -> bool:
        """Apply one event; return whether it changed anything."""
        ...


class PaperFollower:
    """A feed target (``apply``) that keeps the paper exchange's followed symbols on the outside market."""

    def __init__(self, hub: FeedHub, exchange: PaperExchange) -> None:
        self.hub = hub
        self.exchange = exchange

    def apply(self, event: MarketEvent) -> bool:
        """Apply ``event`` to the hub, then re-centre paper on it; bad values raise and change nothing."""
        changed = self.hub.apply(event)  # ValidationFailed goes back to the feed, which records the row
        if changed and event.symbol in self.exchange.followed:
            try:
                if event.kind is MarketKind.TRADE:
                    if event.price is not None and event.size is not None:
                        self.exchange.replay_trade(event.symbol, event.price, event.size)
                else:
                    self.exchange.recentre(event.symbol)
            except Exception:  # a paper bug must neither stop the feed nor undo the hub's update
                log.exception("paper_follow_failed", symbol=event.symbol, kind=event.kind.value)
        return changed
