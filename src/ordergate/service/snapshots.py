"""Snapshot requests: when a book loses data, ask the feed that leads its symbol for a fresh snapshot.

The hub calls ``ask`` once per episode: when an incremental update moves a book from sound to
``needs_snapshot`` (a gap, a cross, an unknown level or order). The episode ends when a snapshot is applied;
until then the book holds what it had (after a gap it ignores further updates). The feed answers through
its usual delivery, at once (the paper market) or later (a broker's REST snapshot, a replay's next
snapshot row); a feed that cannot answer says so, and the hub then marks the book stale.
"""

from collections import Counter

import structlog

from ordergate.domain.ids import Symbol
from ordergate.service.ports import MarketDataFeed

log = structlog.get_logger(__name__)


class SnapshotRequests:
    """Route snapshot requests to the feed leading each symbol, and count them."""

    def __init__(self) -> None:
        self.total = 0
        self.by_symbol: Counter[Symbol] = Counter()
        self._feeds: list[MarketDataFeed] = []
        self._unowned_warned: set[Symbol] = set()

    def attach(self, feed: MarketDataFeed) -> None:
        """Let ``feed`` be asked for snapshots of the symbols it leads (a feed attached later takes precedence)."""
        if feed not in self._feeds:
            self._feeds.append(feed)

    def owner(self, symbol: Symbol) -> MarketDataFeed | None:
        """Return the feed that leads ``symbol`` (the latest attached one, if several claim it), or None."""
        for feed in reversed(self._feeds):
            if symbol in feed.symbols():
                return feed
        return None

    def ask(self, symbol: Symbol) -> bool:
        """Ask the feed leading ``symbol`` for a snapshot; return whether it refused (it cannot send one).

        When no attached feed leads the symbol nothing is asked and a warning is logged once: that is no
        refusal, whoever writes that book may still send a snapshot (its age still makes it stale).
        """
        feed = self.owner(symbol)
        if feed is None:
            if symbol not in self._unowned_warned:
                self._unowned_warned.add(symbol)
                log.warning("snapshot_needed_but_no_feed_leads_symbol", symbol=symbol)
            return False
        self.total += 1
        self.by_symbol[symbol] += 1
        log.info("snapshot_requested", symbol=symbol, feed=feed.name)
        try:
            return not feed.request_snapshot(symbol)
        except Exception:  # a broken feed must break neither the hub nor the feed delivering the update
            log.exception("snapshot_request_failed", symbol=symbol, feed=feed.name)
            return True
