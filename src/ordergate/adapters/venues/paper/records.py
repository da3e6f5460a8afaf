"""What the paper venue remembers about each order it took: terms, status and every report it sent."""

from decimal import Decimal

from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import VenueId, VenueOrderId
from ordergate.domain.reports import FillReport, OrderStatusReport, ReplaceReport, Report
from ordergate.service.ports import VenueOrder, VenueOrderState

_ZERO = Decimal(0)  # one immutable zero for every new order's counters


class PaperOrder:
    """One order at the paper venue."""

    __slots__ = ("ack", "base_filled", "done", "filled_here", "fills", "notional", "replaced", "status", "terms",
                 "venue_order_id")

    def __init__(self, terms: VenueOrder, venue_order_id: VenueOrderId) -> None:
        self.terms = terms
        self.venue_order_id = venue_order_id
        self.base_filled = terms.filled_qty  # filled before it reached this venue (a re-sent order)
        self.filled_here = _ZERO  # quantity filled at this venue
        self.notional = _ZERO  # of the fills here, for the per-order commission
        self.status = OrderStatus.NEW
        self.ack: OrderStatusReport | None = None
        self.fills: list[FillReport] = []
        self.replaced: ReplaceReport | None = None
        self.done: OrderStatusReport | None = None

    @property
    def working(self) -> bool:
        """Return whether the order can still trade here."""
        return not self.status.is_terminal

    def summary(self, known: VenueOrder) -> list[Report]:
        """Return the reports that bring an engine holding ``known`` up to date: ack, replace, fills, end."""
        reports: list[Report] = []
        if self.ack is not None:
            reports.append(self.ack)
        if self.replaced is not None and (known.qty, known.limit_price, known.stop_price) != (
                self.terms.qty, self.terms.limit_price, self.terms.stop_price):
            reports.append(self.replaced)
        reports.extend(self.fills)
        if self.done is not None:
            reports.append(self.done)
        return reports

    def state(self, venue: VenueId) -> VenueOrderState:
        """Return the order as this venue holds it (for reconciliation)."""
        filled = self.base_filled + self.filled_here
        return VenueOrderState(
            venue=venue, venue_order_id=self.venue_order_id, client_order_id=self.terms.client_order_id,
            order_id=self.terms.order_id, account=self.terms.account, symbol=self.terms.symbol,
            side=self.terms.side, qty=self.terms.qty, filled_qty=filled,
            avg_price=self.notional / self.filled_here if self.filled_here else None, status=self.status,
        )
