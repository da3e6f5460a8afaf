"""The scriptable venue's own truth: every order it holds, moved only by what a venue may do.

Each action returns the reports the venue sends for it (an action the venue could not take, such as a
fill on a canceled order, returns none and changes nothing), so a schedule may ask for anything at any
time and the venue stays truthful.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from ordergate.domain.enums import OrderStatus, OrderType, Side
from ordergate.domain.ids import FillId, OrderId, VenueId, VenueOrderId
from ordergate.domain.reports import CancelRejectReport, FillReport, OrderStatusReport, ReplaceReport, Report
from ordergate.service.ports import Clock, VenueOrder

S = OrderStatus
TICK = Decimal("0.01")


@dataclass(slots=True)
class HeldOrder:
    """One order at the venue: its current terms, where it is, what filled, what the client asked."""

    terms: VenueOrder
    venue_order_id: VenueOrderId
    status: OrderStatus = S.PENDING_NEW  # received, not yet acknowledged
    filled: Decimal = Decimal(0)
    notional: Decimal = Decimal(0)
    fills: list[FillReport] = field(default_factory=list)
    chain: list[VenueOrderId] = field(default_factory=list)  # every venue order id it had, oldest first
    acked: bool = False
    cancel_asked: bool = False
    replace_asked: VenueOrder | None = None

    @property
    def leaves(self) -> Decimal:
        """Return what may still fill."""
        return Decimal(0) if self.status.is_terminal else self.terms.qty - self.filled

    @property
    def avg_price(self) -> Decimal | None:
        """Return the average fill price, or None before any fill."""
        return self.notional / self.filled if self.filled else None


class VenueBook:
    """The orders a venue holds and the venue-side actions on them."""

    def __init__(self, venue: VenueId, clock: Clock, reference: dict[str, Decimal],
                 commission: Decimal = Decimal(0), cumulative_in_events: bool = True) -> None:
        self.venue = venue
        # whether acks, cancels, expiries and rejects carry the cumulative filled quantity (a broker's order
        # update does; an exchange's bare confirmation may not); status answers always do
        self.cumulative_in_events = cumulative_in_events
        self.clock = clock
        self._reference = reference  # where market orders fill
        self._commission = commission
        self.orders: dict[OrderId, HeldOrder] = {}
        self._fill_seq = 0

    def receive(self, order: VenueOrder) -> None:
        """Take a new order (a repeat of one held is the same order: venues are idempotent by client id)."""
        if order.order_id not in self.orders:
            vid = VenueOrderId(f"{self.venue}-{len(self.orders) + 1}")
            self.orders[order.order_id] = HeldOrder(terms=replace(order, filled_qty=Decimal(0)), venue_order_id=vid,
                                                    chain=[vid])

    def ack(self, order_id: OrderId) -> list[Report]:
        """Acknowledge an order received and not yet acknowledged."""
        held = self.orders.get(order_id)
        if held is None or held.status is not S.PENDING_NEW:
            return []
        held.status = S.NEW
        held.acked = True
        return [self._status(held)]

    def reject(self, order_id: OrderId, reason: str = "venue rejects it") -> list[Report]:
        """Reject an order not yet acknowledged."""
        held = self.orders.get(order_id)
        if held is None or held.status is not S.PENDING_NEW:
            return []
        held.status = S.REJECTED
        return [self._status(held, reason)]

    def fill(self, order_id: OrderId, qty: Decimal, improve_ticks: int = 0) -> list[Report]:
        """Execute up to ``qty`` (acknowledging first if needed) at the order's price, better by some ticks."""
        held = self.orders.get(order_id)
        if held is None or held.status.is_terminal:
            return []
        reports = self.ack(order_id)
        qty = min(qty, held.leaves)
        if qty <= 0:
            return reports
        self._fill_seq += 1
        price = self._price(held.terms, improve_ticks)
        fill = FillReport(order_id=order_id, venue=self.venue, ts=self.clock.now(),
                          fill_id=FillId(f"{self.venue}-F{self._fill_seq}"), qty=qty, price=price,
                          commission=self._commission)
        held.fills.append(fill)
        held.filled += qty
        held.notional += qty * price
        held.status = S.FILLED if held.filled == held.terms.qty else S.PARTIALLY_FILLED
        return [*reports, fill]

    def answer_cancel(self, order_id: OrderId, accept: bool = True) -> list[Report]:
        """Answer the client's cancel request: cancel the order, or refuse (always, once it is done)."""
        held = self.orders.get(order_id)
        if held is None or not held.cancel_asked:
            return []
        held.cancel_asked = False
        if held.status.is_terminal or not accept:
            reason = f"too late: order is {held.status}" if held.status.is_terminal else "venue refuses the cancel"
            return [self._cancel_reject(held, "cancel", reason)]
        held.status = S.CANCELED
        reports: list[Report] = [self._status(held, "canceled on request")]
        if held.replace_asked is not None:
            held.replace_asked = None
            reports.append(self._cancel_reject(held, "replace", "order canceled"))
        return reports

    def answer_replace(self, order_id: OrderId, accept: bool = True) -> list[Report]:
        """Answer the client's replace request: apply the new terms (new venue order id), or refuse."""
        held = self.orders.get(order_id)
        if held is None or held.replace_asked is None:
            return []
        new, held.replace_asked = held.replace_asked, None
        if held.status.is_terminal or not accept or new.qty <= held.filled:
            reason = f"too late: order is {held.status}" if held.status.is_terminal else "venue refuses the replace"
            return [self._cancel_reject(held, "replace", reason)]
        reports = self.ack(order_id)
        held.terms = replace(held.terms, qty=new.qty, limit_price=new.limit_price, stop_price=new.stop_price,
                             tif=new.tif, expire_at=new.expire_at)
        held.venue_order_id = VenueOrderId(f"{held.chain[0]}-r{len(held.chain)}")
        held.chain.append(held.venue_order_id)
        return [*reports, ReplaceReport(
            order_id=order_id, venue=self.venue, ts=self.clock.now(), venue_order_id=held.venue_order_id,
            qty=new.qty, limit_price=new.limit_price, stop_price=new.stop_price, tif=new.tif, expire_at=new.expire_at,
        )]

    def expire(self, order_id: OrderId) -> list[Report]:
        """End a working order by its time in force."""
        held = self.orders.get(order_id)
        if held is None or held.status.is_terminal:
            return []
        held.status = S.EXPIRED
        return [self._status(held, "time in force ended")]

    def tell_status(self, order_id: OrderId) -> list[Report]:
        """Send the order's status with its cumulative filled quantity (an order update, unasked)."""
        held = self.orders.get(order_id)
        return [] if held is None else [self._status(held, cumulative=True)]

    def status_answer(self, order_id: OrderId) -> list[Report]:
        """Return what a status query lists: every fill, then the status with the cumulative quantity.

        A replace the venue applied is not repeated here (a status carries no terms): an engine that lost
        the confirmation learns it by sending the replace again.
        """
        held = self.orders.get(order_id)
        if held is None:
            return []
        return [*held.fills, self._status(held, cumulative=True)]

    def _status(self, held: HeldOrder, reason: str = "", cumulative: bool | None = None) -> OrderStatusReport:
        cumulative = self.cumulative_in_events if cumulative is None else cumulative
        return OrderStatusReport(
            order_id=held.terms.order_id, venue=self.venue, ts=self.clock.now(), status=held.status,
            venue_order_id=held.venue_order_id if held.acked else None, reason=reason,
            filled_qty=held.filled if cumulative else None, avg_price=held.avg_price if cumulative else None,
        )

    def _cancel_reject(self, held: HeldOrder, response_to: str, reason: str) -> CancelRejectReport:
        return CancelRejectReport(order_id=held.terms.order_id, venue=self.venue, ts=self.clock.now(),
                                  response_to=response_to, reason=reason)

    def _price(self, terms: VenueOrder, improve_ticks: int) -> Decimal:
        better = -1 if terms.side is Side.BUY else 1
        if terms.type is OrderType.MARKET or terms.limit_price is None:
            base = self._reference[terms.symbol]
        else:
            base = terms.limit_price
        return base + better * improve_ticks * TICK
