"""What the venue remembers of each of our orders at Alpaca: the chain of Alpaca orders a replace makes
(each with a new id), what filled on the links already replaced, and the replace being asked for."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ordergate.domain.ids import OrderId
from ordergate.service.ports import VenueOrder


@dataclass(slots=True)
class Tracked:
    """One of our orders and its Alpaca orders, oldest first (the last is the live one)."""

    order: VenueOrder
    alpaca_ids: list[str] = field(default_factory=list)
    prior_filled: Decimal = Decimal(0)  # filled on links since replaced (Alpaca starts a replacement at 0)
    replaced: set[str] = field(default_factory=set)  # links whose ``replaced`` was applied (duplicates no-op)
    asked: VenueOrder | None = None  # the terms of a replace in flight
    replacements: dict[str, dict[str, Any]] = field(default_factory=dict)  # old Alpaca id -> its replacement
    replaced_early: dict[str, dict[str, Any]] = field(default_factory=dict)  # ``replaced`` seen before the new

    @property
    def current(self) -> str | None:
        """Return the live Alpaca order id, or None before Alpaca answered the submit."""
        return self.alpaca_ids[-1] if self.alpaca_ids else None


class TrackedOrders:
    """Find our order from whatever Alpaca tells: its order id, its client order id, or the id it replaces."""

    def __init__(self) -> None:
        self.by_order: dict[OrderId, Tracked] = {}
        self._by_alpaca: dict[str, Tracked] = {}
        self._by_client: dict[str, Tracked] = {}

    def track(self, order: VenueOrder) -> Tracked:
        """Return the record of ``order``, made on first sight."""
        tracked = self.by_order.get(order.order_id)
        if tracked is None:
            tracked = self.by_order[order.order_id] = Tracked(order)
            self._by_client[order.client_order_id] = tracked
        return tracked

    def link(self, tracked: Tracked, alpaca_id: str) -> None:
        """Record that ``alpaca_id`` is the live Alpaca order of ``tracked``."""
        if alpaca_id not in tracked.alpaca_ids:
            tracked.alpaca_ids.append(alpaca_id)
        self._by_alpaca[alpaca_id] = tracked

    def alias(self, tracked: Tracked, alpaca_id: str) -> None:
        """Record that ``alpaca_id`` belongs to ``tracked`` (a replacement not yet live)."""
        self._by_alpaca.setdefault(alpaca_id, tracked)

    def find(self, alpaca_order: dict[str, Any]) -> Tracked | None:
        """Return the tracked order an Alpaca order belongs to (linking a replacement), or None."""
        found = self._by_alpaca.get(str(alpaca_order.get("id")))
        if found is not None:
            return found
        found = self._by_client.get(str(alpaca_order.get("client_order_id")))
        if found is None and alpaca_order.get("replaces"):
            found = self._by_alpaca.get(str(alpaca_order["replaces"]))
        if found is not None:
            self.alias(found, str(alpaca_order["id"]))
        return found

    def order_id_of(self, alpaca_id: str, client_order_id: str) -> OrderId | None:
        """Return our order id for an Alpaca order, when we know it."""
        found = self._by_alpaca.get(alpaca_id) or self._by_client.get(client_order_id)
        return found.order.order_id if found is not None else None
