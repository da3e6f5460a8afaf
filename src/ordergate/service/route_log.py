"""The routing decisions of recent orders, kept from OrderSubmitted events (so a replay restores them)."""

from collections import OrderedDict

from ordergate.domain.events import OrderSubmitted, RouteRecord
from ordergate.domain.ids import OrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order

KEEP = 100_000  # decisions kept in memory; older ones are read from the journal


class RouteLog:
    """Order id -> the routing decision recorded when it was submitted (only orders that had a choice)."""

    def __init__(self, ledger: Ledger, keep: int = KEEP) -> None:
        self._keep = keep
        self._routes: OrderedDict[OrderId, RouteRecord] = OrderedDict()
        ledger.subscribe(self._on_submitted, (OrderSubmitted,))
        ledger.keep_state("routes", self)

    STATE_TYPE = list[tuple[str, RouteRecord]]

    def snapshot_state(self) -> list[tuple[str, RouteRecord]]:
        """Return the kept decisions, oldest first (records are never changed once made: shared)."""
        return list(self._routes.items())

    def restore_state(self, state: list[tuple[str, RouteRecord]]) -> None:
        """Take the decisions a snapshot kept."""
        self._routes = OrderedDict((OrderId(k), v) for k, v in state)

    def get(self, order_id: OrderId) -> RouteRecord | None:
        """Return the order's decision, or None if it had no choice of venue or is no longer kept."""
        return self._routes.get(order_id)

    def _on_submitted(self, event: OrderSubmitted, order: Order) -> None:
        if event.route is None:
            return
        routes = self._routes
        routes[event.order_id] = event.route
        if len(routes) > self._keep:
            routes.popitem(last=False)
