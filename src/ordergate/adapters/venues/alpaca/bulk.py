"""Reconciling many orders with Alpaca in a few requests: Alpaca allows 200 requests a minute, and asking
about each order (its look-up by client order id, its chain, its fills) would spend that on a few dozen.

One listing of every order submitted since the oldest of ours (500 a page) holds each order's whole chain of
replacements; one sweep of the fill activities since then holds their fills. Only an order missing from the
listing is looked up on its own: absence from a list is never taken to mean that Alpaca lacks an order,
since that answer makes the engine send it again.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ordergate.adapters.venues.alpaca.lookup import AlpacaLookup
from ordergate.adapters.venues.alpaca.orders import TrackedOrders
from ordergate.domain.ids import OrderId
from ordergate.domain.reports import Report
from ordergate.service.ports import VenueOrder

# Alpaca's submission time of an order is after ours (we record before sending); the margin absorbs clocks
# that disagree.
CLOCK_MARGIN = timedelta(minutes=5)
MAX_CHAIN = 1000


class AlpacaBulkStatus:
    """Answer ``status`` for many orders at once from order listings and fill activities."""

    def __init__(self, lookup: AlpacaLookup, orders: TrackedOrders, now: Callable[[], datetime]) -> None:
        self.lookup, self.orders, self.now = lookup, orders, now

    async def statuses(self, sent: Sequence[VenueOrder]) -> dict[OrderId, list[Report]]:
        """Return Alpaca's reports for each of these orders (empty for one Alpaca never got)."""
        if not sent:
            return {}
        since = min(o.created_at or self.now() for o in sent) - CLOCK_MARGIN
        listed = await self.lookup.listed("all", since)
        by_id = {str(o["id"]): o for o in listed}
        firsts: dict[str, dict[str, Any]] = {}
        for o in listed:  # oldest first: a replacement given our client order id never hides the original
            firsts.setdefault(str(o.get("client_order_id")), o)
        chains = {o.order_id: await self._chain(firsts[o.client_order_id], by_id)
                  for o in sent if o.client_order_id in firsts}
        linked = [link for chain in chains.values() for link in chain]
        activities = await self.lookup.activities(since, linked)
        out: dict[OrderId, list[Report]] = {}
        for order in sent:
            tracked = self.orders.track(order)
            chain = chains.get(order.order_id)
            if chain is None:
                first = await self.lookup.by_client_order_id(order.client_order_id)
                out[order.order_id] = [] if first is None else await self.lookup.reports(tracked, first)
                continue
            ids = {str(link["id"]) for link in chain}
            fills = [self.lookup.fill(tracked, a) for a in activities if str(a.get("order_id")) in ids]
            out[order.order_id] = self.lookup.assemble(tracked, chain, fills)
        return out

    async def _chain(self, first: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        chain = [first]
        while chain[-1].get("replaced_by") and len(chain) < MAX_CHAIN:
            following = str(chain[-1]["replaced_by"])
            chain.append(by_id.get(following) or await self.lookup.order(following))
        return chain
