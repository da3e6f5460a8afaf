"""Cancel, cancel-replace and cancel-all: the commands that change working orders.

Every check runs before the first event, so a refused command changes nothing. A cancel is allowed on an
order pending new or pending replace (FIX allows a cancel request in both), so cancel-all and the kill
switch reach every working order.
"""

from dataclasses import dataclass

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import OrderStateConflict, ValidationFailed
from ordergate.domain.events import OrderPendingCancel, OrderPendingReplace
from ordergate.domain.ids import OrderId
from ordergate.domain.order import Order
from ordergate.domain.risk.denied import RiskDenied
from ordergate.domain.validation import EXTENDED_HOURS, check_extended_hours, check_order_terms
from ordergate.service.context import EngineContext, snapshot
from ordergate.service.outcome import VenueAction
from ordergate.service.parents import ParentOrders
from ordergate.service.ports import PriceSource
from ordergate.service.replace_hold import current_hold, hold_for_terms, larger
from ordergate.service.risk_gate import RiskGate

S = OrderStatus


@dataclass(slots=True)
class CancelAllResult:
    """Which orders a cancel-all asked to cancel."""

    order_ids: list[OrderId]


def can_cancel(order: Order) -> bool:
    """Return whether a cancel request may be sent for the order now."""
    return not order.status.is_terminal and order.status is not S.PENDING_CANCEL


class OrderChanges:
    """Handle CancelOrder, ReplaceOrder and CancelAllOrders."""

    def __init__(self, ctx: EngineContext, risk: RiskGate, prices: PriceSource, parents: ParentOrders) -> None:
        self._ctx = ctx
        self._parents = parents
        self._risk = risk
        self._prices = prices

    def cancel_requested(self, cmd: cmds.CancelOrder) -> Order:
        """Cancel on a trader's request (subject to the cancel throttle)."""
        order = self._ctx.order(cmd.order_id)
        _require_cancelable(order)
        denials = self._risk.check_cancel(order)
        if denials:
            raise RiskDenied(order, denials)
        return self.cancel(cmd)

    def cancel(self, cmd: cmds.CancelOrder) -> Order:
        """Cancel on the system's behalf (expiry, self-match prevention, the kill switch): no throttle."""
        ctx = self._ctx
        order = ctx.order(cmd.order_id)
        _require_cancelable(order)
        if order.is_parent:
            self._parents.cancel(order, cmd.reason, cmd.requested_by)
            return order
        ctx.emit(OrderPendingCancel(
            ts=ctx.clock.now(), account=order.account, order_id=order.id, caused_by=cmd.requested_by,
            reason=cmd.reason,
        ))
        ctx.request(VenueAction.CANCEL, order)
        return order

    def cancel_all(self, cmd: cmds.CancelAllOrders) -> CancelAllResult:
        """Cancel every working order in scope that is not already being canceled."""
        ctx = self._ctx
        if cmd.account is not None:
            ctx.check_account(cmd.account)
        targets = [
            order for order in ctx.ledger.open_orders.values()
            if (cmd.account is None or order.account == cmd.account)
            and (cmd.symbol is None or order.symbol == cmd.symbol) and can_cancel(order)
        ]
        for order in targets:
            self.cancel(cmds.CancelOrder(order_id=order.id, reason=cmd.reason, requested_by=cmd.requested_by))
        return CancelAllResult([order.id for order in targets])

    def replace(self, cmd: cmds.ReplaceOrder) -> Order:
        """Ask the venue to cancel-replace a working order; hold the larger of old and new terms meanwhile."""
        ctx = self._ctx
        order = ctx.order(cmd.order_id)
        _require_replaceable(order)
        qty = order.qty if cmd.qty is None else cmd.qty
        limit = cmd.limit_price if cmd.limit_price is not None else order.limit_price
        stop = cmd.stop_price if cmd.stop_price is not None else order.stop_price
        tif = cmd.tif or order.tif
        expire_at = cmd.expire_at if cmd.expire_at is not None or cmd.tif is not None else order.expire_at
        now = ctx.clock.now()
        check_order_terms(order.type, qty, limit, stop, tif, expire_at, ctx.instrument(order.symbol), now)
        check_extended_hours(EXTENDED_HOURS in order.flags, order.type, tif)
        if tif.is_immediate:
            raise ValidationFailed("time_in_force", "replace_tif", "a working order cannot be replaced to ioc/fok")
        same_terms = (limit, stop, tif, expire_at) == (order.limit_price, order.stop_price, order.tif, order.expire_at)
        plan = self._parents.replace_plan(order, qty, same_terms) if order.is_parent else None
        denials = self._risk.check_replace(order, qty, limit, stop)
        if denials:
            raise RiskDenied(order, denials)
        reference = self._prices.reference_price(order.symbol)
        hold_qty, hold_price = larger(current_hold(ctx.ledger, order),
                                      hold_for_terms(self._risk, order, qty, limit, stop, reference))
        old = snapshot(order)
        ctx.emit(OrderPendingReplace(
            ts=now, account=order.account, order_id=order.id, caused_by=cmd.requested_by,
            qty=qty, limit_price=limit, stop_price=stop, tif=tif, expire_at=expire_at,
            reserve_qty=hold_qty, reserve_price=hold_price,
        ))
        if plan is not None:  # the parent's new terms go to the venues through its working children
            for child, child_qty in plan:  # a change of quantity alone keeps each child's own price (a sweep's cap)
                terms = (child.limit_price, child.stop_price, child.tif, child.expire_at) if same_terms else (
                    limit, stop, tif, expire_at)
                self._parents.replace_child(child, child_qty, *terms, cmd.requested_by)
            return order
        new = snapshot(order)
        new.qty, new.limit_price, new.stop_price, new.tif, new.expire_at = qty, limit, stop, tif, expire_at
        ctx.request(VenueAction.REPLACE, order, new, sent=old)
        return order


def _require_cancelable(order: Order) -> None:
    if order.status.is_terminal:
        raise OrderStateConflict(f"too late to cancel: order {order.id} is {order.status}")
    if order.status is S.PENDING_CANCEL:
        raise OrderStateConflict(f"cannot cancel: order {order.id} is already {order.status}")


def _require_replaceable(order: Order) -> None:
    if order.status.is_terminal:
        raise OrderStateConflict(f"too late to replace: order {order.id} is {order.status}")
    if order.status in (S.PENDING_CANCEL, S.PENDING_REPLACE):
        raise OrderStateConflict(f"cannot replace: order {order.id} is already {order.status}")
    if order.status is S.PENDING_NEW:
        raise OrderStateConflict(f"order {order.id} is pending new: replace after the venue acknowledges it")
