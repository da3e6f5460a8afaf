"""A parent order's figures and status, derived from its children (the orders that work for it at venues).

The parent is the order a client sent; it is never sent itself. Its filled quantity, average price and
commission are the sums of its children's; it is new once a child is acknowledged, and partially filled or
filled by its children's fills. Everything else is an event of the parent's own, which the service emits
once its children have answered: the end of a pending cancel or replace (done, or refused), and how it
ends short of filled (canceled, expired, rejected) once no child works any more (it may first send the
unfilled rest to another venue).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from ordergate.domain.enums import OrderStatus
from ordergate.domain.order import Order, ReplaceTerms

S = OrderStatus
ZERO = Decimal(0)
_PENDING_CHANGE = (S.PENDING_CANCEL, S.PENDING_REPLACE)


def follow_children(parent: Order, children: Iterable[Order], ts: datetime) -> None:
    """Set ``parent``'s fills from ``children`` and move it to the working status they imply."""
    filled = notional = commission = ZERO
    acked: datetime | None = None
    first_fill: datetime | None = None
    for child in children:
        filled += child.filled_qty
        notional += child.filled_notional
        commission += child.commission
        if child.accepted_at is not None and (acked is None or child.accepted_at < acked):
            acked = child.accepted_at
        if child.first_fill_at is not None and (first_fill is None or child.first_fill_at < first_fill):
            first_fill = child.first_fill_at
    parent.filled_qty, parent.filled_notional, parent.commission = filled, notional, commission
    parent.first_fill_at = first_fill
    parent.accepted_at = acked  # the first venue's acknowledgement
    if parent.status.is_terminal:
        return  # a child's late fill: the parent shows it and keeps how it ended
    parent.follow(_status(parent, filled, acked is not None), ts)
    if parent.status is S.FILLED:
        parent.pending_replace = None


def _status(parent: Order, filled: Decimal, acked: bool) -> OrderStatus:
    if filled >= parent.fillable_qty:
        return S.FILLED
    if parent.status in _PENDING_CHANGE:
        return parent.status  # FIX precedence: pending cancel/replace outranks partially filled
    if filled:
        return S.PARTIALLY_FILLED
    if acked or parent.status is not S.PENDING_NEW:
        return S.NEW
    return S.PENDING_NEW


def child_replace_unconfirmed(parent: Order, child: Order, asked: ReplaceTerms) -> None:
    """A child's replace (``asked``) ended without the venue confirming it (refused, or the child filled first):
    the parent's pending terms take back the child's share of the change, so the parent ends with the terms
    its children really have (a reduction refused at one venue leaves that venue's quantity in the parent).
    A refused new price or time in force leaves the parent's own in its pending terms."""
    terms = parent.pending_replace
    if terms is None or parent.status is not S.PENDING_REPLACE:
        return
    kept = child.qty if not child.status.is_terminal else child.filled_qty
    if child.status.is_terminal and kept <= asked.qty:
        return  # it ended within what was asked of it: its share of the change holds
    terms.qty += kept - asked.qty
    if (asked.limit_price, asked.stop_price, asked.tif, asked.expire_at) != (
            child.limit_price, child.stop_price, child.tif, child.expire_at):
        terms.limit_price, terms.stop_price = parent.limit_price, parent.stop_price
        terms.tif, terms.expire_at = parent.tif, parent.expire_at
