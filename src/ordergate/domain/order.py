"""The Order aggregate: its state changes only by applying events, each checked against one table."""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.errors import InvalidOrderTransition, OverfillError
from ordergate.domain.events import (
    ChildOrderRouted,
    Denial,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderEscalated,
    OrderEvent,
    OrderExpired,
    OrderFillConfirmed,
    OrderFilled,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderReplaced,
    OrderRequestResent,
    OrderSubmitted,
    OrderTriggered,
)
from ordergate.domain.ids import AccountId, ClientOrderId, FillId, OrderId, Symbol, VenueId, VenueOrderId

S = OrderStatus
SMALL_FILL_IDS = 16  # an order keeps its fill ids in a tuple up to this many, then in a set

# Every order lives as long as the process, so each container it owns is one more object for the cyclic
# garbage collector to scan on every full pass: measured at ~8 us per order on the hot path. An order
# shares one empty tuple for no denials, no flags and no fills, and keeps a few fill ids in a tuple
# (a tuple of strings is not tracked by the collector); only large collections get their own set.

# The one table of allowed status changes (FIX OrdStatus, FIX 4.4 App. D). A pair not listed is illegal.
# Staying in a status is listed where it happens (a partial fill while partially filled or pending).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_NEW: frozenset({
        S.NEW, S.REJECTED, S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED, S.PENDING_CANCEL,
    }),
    S.NEW: frozenset({
        S.NEW, S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.PENDING_REPLACE, S.CANCELED, S.EXPIRED,
    }),
    S.PARTIALLY_FILLED: frozenset({
        S.PARTIALLY_FILLED, S.FILLED, S.PENDING_CANCEL, S.PENDING_REPLACE, S.CANCELED, S.EXPIRED,
    }),
    S.PENDING_CANCEL: frozenset({
        S.PENDING_CANCEL, S.CANCELED, S.FILLED, S.NEW, S.PARTIALLY_FILLED, S.EXPIRED, S.REJECTED,
        S.PENDING_REPLACE,  # a cancel refused while a replace is still pending
        S.PENDING_NEW,  # a cancel refused before the venue acknowledged the order
    }),
    S.PENDING_REPLACE: frozenset({
        S.PENDING_REPLACE, S.NEW, S.PARTIALLY_FILLED, S.FILLED, S.CANCELED, S.EXPIRED, S.PENDING_CANCEL,
    }),
    S.FILLED: frozenset(),
    S.CANCELED: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset(),
}


# statuses as module constants: an attribute lookup on an Enum class costs ~45 ns, and these run per event
_PENDING_NEW, _NEW, _PARTIALLY_FILLED, _FILLED = S.PENDING_NEW, S.NEW, S.PARTIALLY_FILLED, S.FILLED
_PENDING_CANCEL, _PENDING_REPLACE, _CANCELED, _REJECTED, _EXPIRED = (
    S.PENDING_CANCEL, S.PENDING_REPLACE, S.CANCELED, S.REJECTED, S.EXPIRED)
TERMINAL = frozenset({_FILLED, _CANCELED, _REJECTED, _EXPIRED})
_PENDING_CHANGE = (_PENDING_CANCEL, _PENDING_REPLACE)


@dataclass(slots=True)
class ReplaceTerms:
    """The terms a pending cancel-replace asks for."""

    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None


@dataclass(slots=True, kw_only=True)
class Order:
    """One order and everything that happened to it."""

    id: OrderId
    account: AccountId
    client_order_id: ClientOrderId
    symbol: Symbol
    side: Side
    type: OrderType
    qty: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    tif: TimeInForce
    expire_at: datetime | None
    currency: str
    venue: VenueId
    created_at: datetime
    updated_at: datetime
    status: OrderStatus = OrderStatus.PENDING_NEW
    filled_qty: Decimal = Decimal(0)
    filled_notional: Decimal = Decimal(0)
    commission: Decimal = Decimal(0)
    arrival_price: Decimal | None = None
    venue_order_id: VenueOrderId | None = None
    triggered: bool = False
    expiring: bool = False
    reason: str = ""
    denials: Sequence[Denial] = ()
    flags: Sequence[str] = ()
    fill_ids: Collection[FillId] = ()
    pending_replace: ReplaceTerms | None = None
    accepted_at: datetime | None = None
    inferred_qty: Decimal = Decimal(0)  # booked by inferred fills and not yet matched by the venue's own fills
    late_fills: int = 0  # fills that arrived after the order was done
    resends: int = 0  # requests sent again in the current pending episode (reconciliation)
    escalated: bool = False  # the current pending episode outlived every re-send
    first_fill_at: datetime | None = None
    done_at: datetime | None = None
    is_parent: bool = False  # a client's order split into children at venues; never sent itself
    parent_id: OrderId | None = None  # set on a child: the parent it works for
    children: tuple[OrderId, ...] = ()  # a parent's children, in the order they were made

    @property
    def leaves_qty(self) -> Decimal:
        """Return the quantity still working (zero once the order is done)."""
        if self.status.is_terminal:
            return Decimal(0)
        return self.qty - self.filled_qty

    @property
    def avg_fill_price(self) -> Decimal | None:
        """Return the volume-weighted average fill price, or None before any fill."""
        if not self.filled_qty:
            return None
        return self.filled_notional / self.filled_qty

    @property
    def is_open(self) -> bool:
        """Return whether the order can still trade."""
        return not self.status.is_terminal

    def apply(self, event: OrderEvent) -> None:
        """Apply one event, refusing it if the state machine does not allow the change."""
        handler = _APPLIERS.get(type(event))
        if handler is None:
            raise InvalidOrderTransition(f"order {self.id}: no rule for {type(event).__name__}")
        handler(self, event)
        self.updated_at = event.ts

    def has_fill(self, fill_id: FillId) -> bool:
        """Return whether this fill was already applied (fills are idempotent by id)."""
        return fill_id in self.fill_ids

    @property
    def fillable_qty(self) -> Decimal:
        """Return the most this order may be filled: its quantity, or a pending replace's if larger."""
        pending = self.pending_replace
        return self.qty if pending is None or pending.qty <= self.qty else pending.qty

    def working_status(self) -> OrderStatus:
        """Return NEW or PARTIALLY_FILLED, whichever the fills say, for an order that keeps working."""
        return _PARTIALLY_FILLED if self.filled_qty else _NEW

    def follow(self, target: OrderStatus, ts: datetime) -> None:
        """Move a parent to the status its children imply (checked against the same table)."""
        if target is not self.status:
            self._move(target, ts)

    def _move(self, target: OrderStatus, ts: datetime) -> None:
        if target not in TRANSITIONS[self.status]:
            raise InvalidOrderTransition(f"order {self.id}: {self.status} -> {target} is not allowed")
        self.status = target
        if target in TERMINAL:
            self.done_at = ts

    def _on_accepted(self, e: OrderAccepted) -> None:
        # An ack after a cancel request (cancel before ack, FIX B.1.d) keeps the order pending cancel; an
        # ack that arrives after a fill (or after the end) only records the venue's order id.
        if self.status is _PENDING_NEW:
            self._move(_NEW, e.ts)
        if self.venue_order_id is None:  # a late ack never overwrites the id a replace confirm gave since
            self.venue_order_id = e.venue_order_id
        self.accepted_at = e.ts

    def _on_rejected(self, e: OrderRejected) -> None:
        self._move(_REJECTED, e.ts)
        self.reason = e.reason

    def _on_filled(self, e: OrderFilled) -> None:
        if e.fill_id in self.fill_ids:  # refused, not skipped: the ledger must not settle it twice
            raise InvalidOrderTransition(f"order {self.id}: fill {e.fill_id} was already applied")
        new_filled = self.filled_qty + e.qty
        if new_filled > self.qty and new_filled > self.fillable_qty:
            raise OverfillError(f"order {self.id}: fill {e.fill_id} of {e.qty} exceeds leaves {self.leaves_qty}")
        if e.late:
            if self.status not in TERMINAL:
                raise InvalidOrderTransition(f"order {self.id}: a late fill while {self.status}")
            self.late_fills += 1  # the venue's execution stands; the order stays as it ended
        else:
            if new_filled > self.qty:  # only while a larger replace is pending: the venue applied its quantity
                self.qty = self.fillable_qty
            if new_filled == self.qty:
                target = _FILLED
            elif self.status in _PENDING_CHANGE:
                target = self.status  # FIX precedence: pending cancel/replace outranks partially filled
            else:
                target = _PARTIALLY_FILLED
            self._move(target, e.ts)
            if target is _FILLED:
                self.pending_replace = None
        if e.inferred:
            self.inferred_qty += e.qty
        self.filled_qty = new_filled
        self.filled_notional += e.qty * e.price
        self.commission += e.commission
        self._remember_fill(e.fill_id)
        if self.first_fill_at is None:
            self.first_fill_at = e.ts

    def _remember_fill(self, fill_id: FillId) -> None:
        ids = self.fill_ids
        if isinstance(ids, set):
            ids.add(fill_id)
        else:
            self.fill_ids = (*ids, fill_id) if len(ids) < SMALL_FILL_IDS else {*ids, fill_id}

    def _on_fill_confirmed(self, e: OrderFillConfirmed) -> None:
        if e.fill_id not in self.fill_ids:
            self._remember_fill(e.fill_id)
        self.inferred_qty = max(self.inferred_qty - e.qty, Decimal(0))

    def _on_pending_cancel(self, e: OrderPendingCancel) -> None:
        self._move(_PENDING_CANCEL, e.ts)
        self.resends, self.escalated = 0, False
        self.reason = e.reason
        self.expiring = e.expiry

    def _on_canceled(self, e: OrderCanceled) -> None:
        self._move(_CANCELED, e.ts)
        self.reason = e.reason
        self.pending_replace = None

    def _on_pending_replace(self, e: OrderPendingReplace) -> None:
        self._move(_PENDING_REPLACE, e.ts)
        self.resends, self.escalated = 0, False
        self.pending_replace = ReplaceTerms(e.qty, e.limit_price, e.stop_price, e.tif, e.expire_at)

    def _on_replaced(self, e: OrderReplaced) -> None:
        # A replace to a quantity at or below what is filled leaves the order filled (FIX C.3.b). A replace
        # confirmed while a cancel is pending takes its terms and stays pending cancel.
        # Move first, so a refused replace leaves the terms untouched.
        if self.status in TERMINAL:  # a confirm that arrived after the end: only the venue's id changes
            self.venue_order_id = e.venue_order_id
            return
        qty = max(e.qty, self.filled_qty)
        if self.filled_qty == qty:
            self._move(_FILLED, e.ts)
        elif self.status is not _PENDING_CANCEL:
            self._move(self.working_status(), e.ts)
        self.qty = qty
        self.limit_price, self.stop_price = e.limit_price, e.stop_price
        self.tif, self.expire_at = e.tif, e.expire_at
        self.venue_order_id = e.venue_order_id
        self.pending_replace = None

    def _on_cancel_rejected(self, e: OrderCancelRejected) -> None:
        if e.response_to == "replace":
            # the replace is refused; a cancel sent meanwhile is still pending
            if self.status is not _PENDING_CANCEL:
                self._move(self.working_status(), e.ts)
            self.pending_replace = None
        else:
            # the cancel is refused; a replace sent before it may still be pending, or the ack may be still to come
            if self.pending_replace is not None:
                target = _PENDING_REPLACE
            elif self.accepted_at is None and not self.filled_qty:
                target = _PENDING_NEW
            else:
                target = self.working_status()
            self._move(target, e.ts)
            self.expiring = False
        self.reason = e.reason

    def _on_expired(self, e: OrderExpired) -> None:
        self._move(_EXPIRED, e.ts)
        self.reason = e.reason
        self.pending_replace = None

    def _on_resent(self, e: OrderRequestResent) -> None:
        self.resends = e.attempt

    def _on_escalated(self, e: OrderEscalated) -> None:
        self.escalated = True

    def _on_triggered(self, e: OrderTriggered) -> None:
        if self.status.is_terminal:
            raise InvalidOrderTransition(f"order {self.id}: triggered while {self.status}")
        self.triggered = True


_APPLIERS: dict[type[OrderEvent], Callable[[Order, Any], None]] = {
    OrderAccepted: Order._on_accepted,
    OrderRejected: Order._on_rejected,
    OrderFilled: Order._on_filled,
    OrderFillConfirmed: Order._on_fill_confirmed,
    OrderPendingCancel: Order._on_pending_cancel,
    OrderCanceled: Order._on_canceled,
    OrderPendingReplace: Order._on_pending_replace,
    OrderReplaced: Order._on_replaced,
    OrderCancelRejected: Order._on_cancel_rejected,
    OrderExpired: Order._on_expired,
    OrderTriggered: Order._on_triggered,
    OrderRequestResent: Order._on_resent,
    OrderEscalated: Order._on_escalated,
}


def order_from_submitted(e: OrderSubmitted) -> Order:
    """Make the order an OrderSubmitted event records, in pending new."""
    return Order(
        id=e.order_id, account=e.account, client_order_id=e.client_order_id, symbol=e.symbol,
        side=e.side, type=e.type, qty=e.qty, limit_price=e.limit_price, stop_price=e.stop_price,
        tif=e.tif, expire_at=e.expire_at, currency=e.currency, venue=e.venue, created_at=e.ts,
        updated_at=e.ts, arrival_price=e.arrival_price, flags=list(e.flags) if e.flags else (), is_parent=e.parent,
    )


def child_from_routed(parent: Order, e: ChildOrderRouted) -> Order:
    """Make the child order a ChildOrderRouted event records: the parent's terms at its own venue, qty, limit."""
    return Order(
        id=e.order_id, account=parent.account, client_order_id=e.client_order_id, symbol=parent.symbol,
        side=parent.side, type=e.type, qty=e.qty, limit_price=e.limit_price, stop_price=parent.stop_price,
        tif=e.tif, expire_at=parent.expire_at, currency=parent.currency, venue=e.venue, created_at=e.ts,
        updated_at=e.ts, arrival_price=parent.arrival_price, parent_id=parent.id, flags=parent.flags,
    )


def order_from_denied(e: OrderDenied) -> Order:
    """Make the rejected order an OrderDenied event records, with its reasons."""
    return Order(
        id=e.order_id, account=e.account, client_order_id=e.client_order_id, symbol=e.symbol,
        side=e.side, type=e.type, qty=e.qty, limit_price=e.limit_price, stop_price=e.stop_price,
        tif=e.tif, expire_at=e.expire_at, currency=e.currency, venue=VenueId(""), created_at=e.ts,
        updated_at=e.ts, status=OrderStatus.REJECTED, denials=list(e.reasons), done_at=e.ts,
        reason="; ".join(d.message for d in e.reasons),
    )
