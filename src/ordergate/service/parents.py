"""Parent orders and their children: make children, cancel through them, end the parent, fail over.

A parent (an order of an instrument that trades at several venues) is never sent; its children are. Its
fills and working status follow its children in the ledger (domain/parent.py); what needs a decision is
here: a cancel of the parent asks each working child's venue; once no child works, the parent ends the way
its children did; and a child that a venue refused for a reason of its own (down, not ready, out of
service) has its unfilled quantity sent on to the next venue, which is safe because the refusal is the
venue's word that it does not hold the order (no double execution).
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce
from ordergate.domain.errors import OrderStateConflict, ValidationFailed
from ordergate.domain.events import (
    ChildOrderRouted,
    OrderCanceled,
    OrderCancelRejected,
    OrderExpired,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderReplaced,
)
from ordergate.domain.ids import ClientOrderId, OrderId, VenueId, VenueOrderId
from ordergate.domain.order import Order
from ordergate.domain.reports import OrderStatusReport
from ordergate.service.context import EngineContext, snapshot
from ordergate.service.outcome import VenueAction
from ordergate.service.venue_selector import ChildPlan

if TYPE_CHECKING:
    from ordergate.service.router import Router

S = OrderStatus
ZERO = Decimal(0)


class ParentOrders:
    """Handle what a parent order does through its children."""

    def __init__(self, ctx: EngineContext, new_order_id: Callable[[], OrderId]) -> None:
        self._ctx = ctx
        self._new_id = new_order_id
        self.router: Router | None = None  # set when the venues are routed among (failover asks it)
        # what a parent holds on given terms (qty, limit, stop) -> (qty, price): set by the engine
        self.holds: Callable[[Order, Decimal, Decimal | None, Decimal | None], tuple[Decimal, Decimal]] = (
            lambda order, qty, limit, stop: (ZERO, ZERO))
        self.failovers = 0

    def route_child(self, parent: Order, plan: ChildPlan, caused_by: str) -> Order:
        """Make one child of ``parent`` for ``plan`` and queue it for its venue."""
        ctx = self._ctx
        child_id = self._new_id()
        ctx.emit(ChildOrderRouted(
            ts=ctx.clock.now(), account=parent.account, order_id=child_id, caused_by=caused_by,
            parent_id=parent.id, client_order_id=ClientOrderId(child_id), venue=plan.venue, type=plan.type,
            tif=plan.tif, qty=plan.qty, limit_price=plan.limit_price,
        ))
        child = ctx.ledger.orders[child_id]
        ctx.request(VenueAction.SUBMIT, child)
        return child

    def cancel(self, parent: Order, reason: str, caused_by: str, expiry: bool = False) -> None:
        """Record the parent pending cancel and ask every working child's venue to cancel it."""
        ctx = self._ctx
        now = ctx.clock.now()
        ctx.emit(OrderPendingCancel(ts=now, account=parent.account, order_id=parent.id, caused_by=caused_by,
                                    reason=reason, expiry=expiry))
        working = [c for c in ctx.ledger.children_of(parent) if not c.status.is_terminal]
        for child in working:
            if child.status is not S.PENDING_CANCEL:
                ctx.emit(OrderPendingCancel(ts=now, account=child.account, order_id=child.id, caused_by=caused_by,
                                            reason=reason, expiry=expiry))
                ctx.request(VenueAction.CANCEL, child)
        if not working:  # nothing at any venue: done now
            self._end(parent, None)

    def replace_plan(self, parent: Order, qty: Decimal, same_terms: bool) -> list[tuple[Order, Decimal]]:
        """Return each working child a parent's replace acts on with its new quantity; raise
        OrderStateConflict when the replace cannot be carried out through them.

        One working child takes the parent's change whole. At several venues a quantity reduction is taken
        from the latest children first (a sweep's worst-priced), each keeping at least one lot working; an
        increase goes to the earliest child (a sweep's best venue); new terms (``same_terms`` false: price,
        stop, time in force or expiry) go to every working child.
        """
        working = [c for c in self._ctx.ledger.children_of(parent) if not c.status.is_terminal]
        for child in working:
            if child.status not in (S.NEW, S.PARTIALLY_FILLED):
                raise OrderStateConflict(f"order {parent.id}: its child at {child.venue} is {child.status}; replace "
                                         "once the venue has answered")
            if child.tif.is_immediate:
                raise OrderStateConflict(f"order {parent.id}: its child at {child.venue} is {child.tif}, done at "
                                         "once")
        if not working:
            raise OrderStateConflict(f"order {parent.id} has no child working at a venue: nothing to replace")
        if len(working) == 1:
            child = working[0]
            return [(child, max(child.qty + qty - parent.qty, child.filled_qty))]
        new_qty = {c.id: c.qty for c in working}
        if qty < parent.qty:
            new_qty.update((c.id, q) for c, q in self._spread_reduction(parent, working, parent.qty - qty))
        else:
            new_qty[working[0].id] += qty - parent.qty
        plan = [(c, new_qty[c.id]) for c in working if not same_terms or new_qty[c.id] != c.qty]
        if not plan:
            raise ValidationFailed("qty", "replace_changes_nothing", "the new terms are the order's own")
        return plan

    def _spread_reduction(self, parent: Order, working: list[Order], cut: Decimal) -> list[tuple[Order, Decimal]]:
        lot = self._ctx.instrument(parent.symbol).lot_size
        plan: list[tuple[Order, Decimal]] = []
        for child in reversed(working):
            if cut <= 0:
                break
            give = min(cut, child.qty - child.filled_qty - lot)
            if give > 0:
                plan.append((child, child.qty - give))
                cut -= give
        if cut > 0:
            raise OrderStateConflict(f"order {parent.id}: a reduction leaves each of its {len(working)} venues at "
                                     "least one lot working (rule several_venues_keep_a_lot); cancel it instead")
        return plan

    def replace_child(self, child: Order, qty: Decimal, limit: Decimal | None, stop: Decimal | None,
                      tif: TimeInForce, expire_at: datetime | None, caused_by: str) -> None:
        """Ask the child's venue to take the parent's new terms (the child holds nothing: the parent does)."""
        ctx = self._ctx
        old = snapshot(child)
        ctx.emit(OrderPendingReplace(ts=ctx.clock.now(), account=child.account, order_id=child.id,
                                     caused_by=caused_by, qty=qty, limit_price=limit, stop_price=stop, tif=tif,
                                     expire_at=expire_at))
        new = snapshot(child)
        new.qty, new.limit_price, new.stop_price, new.tif, new.expire_at = qty, limit, stop, tif, expire_at
        ctx.request(VenueAction.REPLACE, child, new, sent=old)

    def after_child(self, child: Order, venue_refused: bool) -> None:
        """Act on what a report did to a child: send its rest on after a venue's refusal, end the parent.

        ``venue_refused``: the report refused the child for a reason of the venue's own.
        """
        ledger = self._ctx.ledger
        parent = ledger.orders[child.parent_id]  # type: ignore[index]
        if parent.status.is_terminal:
            return
        if child.status is S.REJECTED and venue_refused and parent.status not in _PENDING_CHANGE:
            self._fail_over(parent, child)
        elif self._slice_came_back_short(parent, child):
            self._route_rest(parent, child)
        children = list(ledger.children_of(parent))
        working = [c for c in children if not c.status.is_terminal]
        if not working:
            self._end(parent, child)
        elif parent.status is S.PENDING_CANCEL and not any(c.status is S.PENDING_CANCEL for c in working):
            self._cancel_refused(parent, child)
        elif parent.status is S.PENDING_REPLACE and not any(c.status is S.PENDING_REPLACE for c in working):
            self._replace_answered(parent, child)

    def _replace_answered(self, parent: Order, child: Order) -> None:
        """Every child's venue answered the parent's replace: the parent takes the terms its children took
        (the new ones, or its own where a child's venue refused), or keeps its own when none took any."""
        ctx = self._ctx
        terms = parent.pending_replace
        if terms is None:
            return
        answer = next((e for e in reversed(ctx.outcome.events) if e.order_id == child.id  # type: ignore[attr-defined]
                       and isinstance(e, OrderReplaced | OrderCancelRejected)), None)
        base: dict[str, Any] = {"ts": ctx.clock.now(), "account": parent.account, "order_id": parent.id,
                                "caused_by": f"venue:{child.venue}"}
        if (terms.qty, terms.limit_price, terms.stop_price, terms.tif, terms.expire_at) != (
                parent.qty, parent.limit_price, parent.stop_price, parent.tif, parent.expire_at):
            qty, price = self.holds(parent, terms.qty, terms.limit_price, terms.stop_price)
            venue_order_id = answer.venue_order_id if isinstance(answer, OrderReplaced) else parent.venue_order_id
            ctx.emit(OrderReplaced(**base, qty=terms.qty, limit_price=terms.limit_price, stop_price=terms.stop_price,
                                   tif=terms.tif, expire_at=terms.expire_at,
                                   venue_order_id=venue_order_id or VenueOrderId(child.id),
                                   reserve_qty=qty, reserve_price=price))
        else:
            qty, price = self.holds(parent, parent.qty, parent.limit_price, parent.stop_price)
            reason = answer.reason if isinstance(answer, OrderCancelRejected) else child.reason
            ctx.emit(OrderCancelRejected(**base, response_to="replace", reason=reason or "replace refused",
                                         reserve_qty=qty, reserve_price=price))

    def _slice_came_back_short(self, parent: Order, child: Order) -> bool:
        """Return whether a market parent's sweep slice (an ioc limit) was just canceled by its venue short of
        its quantity: the book moved; the venue's cancel says it holds none of the rest."""
        if child.status is not S.CANCELED or parent.status in _PENDING_CHANGE or child.filled_qty >= child.qty:
            return False
        if parent.type is not OrderType.MARKET or child.type is OrderType.MARKET:
            return False
        return any(isinstance(e, OrderCanceled) and e.order_id == child.id for e in self._ctx.outcome.events)

    def _route_rest(self, parent: Order, child: Order) -> None:
        """Send a short sweep slice's rest on as a market child to the best venue now (it walks that book)."""
        allowed = self._ctx.ledger.accounts[parent.account].venues
        router = self.router
        plan = router.failover(parent, child.qty - child.filled_qty, (), allowed) if router else None
        if plan is not None:
            self.route_child(parent, plan, caused_by=f"sweep-rest:{child.venue}")

    def _fail_over(self, parent: Order, child: Order) -> None:
        refused = {c.venue for c in self._ctx.ledger.children_of(parent) if c.status is S.REJECTED}
        allowed = self._ctx.ledger.accounts[parent.account].venues
        router = self.router
        plan = router.failover(parent, child.qty - child.filled_qty, refused, allowed) if router else None
        if plan is not None:
            self.failovers += 1
            self.route_child(parent, plan, caused_by=f"failover:{child.venue}")

    def _cancel_refused(self, parent: Order, child: Order) -> None:
        ctx = self._ctx
        ctx.emit(OrderCancelRejected(ts=ctx.clock.now(), account=parent.account, order_id=parent.id,
                                     caused_by=f"venue:{child.venue}", response_to="cancel",
                                     reason=child.reason or "cancel refused by the venue"))

    def _end(self, parent: Order, last: Order | None) -> None:
        """End a parent no child works for any more, short of filled, the way its children ended."""
        ctx = self._ctx
        if parent.filled_qty >= parent.qty:
            return  # filled: the ledger moved it
        base: dict[str, Any] = {"ts": ctx.clock.now(), "account": parent.account, "order_id": parent.id,
                "caused_by": f"venue:{last.venue}" if last is not None else "system"}
        children = list(ctx.ledger.children_of(parent))
        if parent.status is S.PENDING_CANCEL:
            if parent.expiring:
                ctx.emit(OrderExpired(**base, reason=parent.reason))
            else:
                ctx.emit(OrderCanceled(**base, reason=parent.reason))
        elif children and not parent.filled_qty and all(c.status is S.REJECTED for c in children):
            ctx.emit(OrderRejected(**base, reason=_reasons(children)))
        elif any(c.status is S.EXPIRED for c in children):
            ctx.emit(OrderExpired(**base, reason=_reasons(c for c in children if c.status is S.EXPIRED)))
        else:
            short = [c for c in children if c.filled_qty < c.qty] or children
            ctx.emit(OrderCanceled(**base, reason=_reasons(short) or "canceled"))


_PENDING_CHANGE = (S.PENDING_CANCEL, S.PENDING_REPLACE)


def venue_refused(reports: Iterable[object]) -> bool:
    """Return whether any of ``reports`` refuses an order for a reason of the venue's own."""
    return any(isinstance(r, OrderStatusReport) and r.venue_fault for r in reports)


def _reasons(children: Iterable[Order]) -> str:
    seen: dict[VenueId, str] = {}
    for child in children:
        seen.setdefault(child.venue, child.reason)
    return "; ".join(f"{venue}: {why}" for venue, why in seen.items() if why)
