"""The order engine: the one owner of trading state, handling one message at a time.

``handle`` takes a command or a venue report, checks it against the ledger, emits events (applied to
the ledger at once, so the next message sees them) and returns an Outcome. Nothing here awaits: a
cancel racing a fill is impossible by construction. Errors are raised before any event is emitted,
so a refused command changes nothing.
"""

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.domain.errors import OrderStateConflict, UnknownAccount, UnknownOrder, ValidationFailed
from ordergate.domain.events import (
    AccountOpened,
    Event,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderReplaced,
    OrderSubmitted,
    TradingStateChanged,
)
from ordergate.domain.ids import AccountId, OrderId, Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.domain.ledger import FIRM, Ledger
from ordergate.domain.order import Order
from ordergate.domain.reports import Report
from ordergate.domain.risk.denied import RiskDenied
from ordergate.domain.validation import check_order_terms
from ordergate.service.kill_switch import KillSwitch
from ordergate.service.outcome import Outcome, VenueAction, VenueRequest
from ordergate.service.ports import Clock, PriceSource, VenueOrder
from ordergate.service.report_handler import ReportHandler
from ordergate.service.risk_gate import RiskGate
from ordergate.service.sessions import day_order_expiry
from ordergate.service.submit import SubmitHandler, SubmitResult
from ordergate.service.venue_selector import VenueSelector


@dataclass(slots=True)
class CancelAllResult:
    """Which orders a cancel-all asked to cancel."""

    order_ids: list[OrderId]


class OrderEngine:
    """Validate, risk-check and record commands; turn venue reports into events."""

    def __init__(
        self, ledger: Ledger, instruments: dict[Symbol, Instrument], prices: PriceSource, clock: Clock,
        venue: VenueId | VenueSelector, new_order_id: Callable[[], OrderId], risk: RiskGate | None = None,
    ) -> None:
        self.ledger = ledger
        self.instruments = instruments
        self.clock = clock
        self._outcome = Outcome()
        self._expiry_heap: list[tuple[datetime, OrderId]] = []
        # with no gate given, every rule runs but every limit is off (tests, benchmarks)
        self.risk = risk if risk is not None else RiskGate(ledger, instruments, prices, clock)
        self.venues = venue if isinstance(venue, VenueSelector) else VenueSelector(venue)
        self._submit = SubmitHandler(self, prices, self.venues, new_order_id, self.risk)
        self._reports = ReportHandler(self)
        self._kill_switch = KillSwitch(self)
        self._handlers: dict[type, Callable[[object], object]] = {
            cmds.SubmitOrder: self._submit.handle,  # type: ignore[dict-item]
            cmds.CancelOrder: self._cancel_requested,  # type: ignore[dict-item]
            cmds.ReplaceOrder: self._replace,  # type: ignore[dict-item]
            cmds.CancelAllOrders: self._cancel_all,  # type: ignore[dict-item]
            cmds.ExpireOrders: self._expire,  # type: ignore[dict-item]
            cmds.OpenAccount: self._open_account,  # type: ignore[dict-item]
            cmds.SetTradingState: self._set_trading_state,  # type: ignore[dict-item]
            cmds.SetRiskLimits: self._set_risk_limits,  # type: ignore[dict-item]
            cmds.EngageKillSwitch: self._kill_switch.engage,  # type: ignore[dict-item]
            cmds.ResumeTrading: self._kill_switch.resume,  # type: ignore[dict-item]
        }
        ledger.subscribe(self._schedule_expiry, (OrderSubmitted, OrderReplaced))
        ledger.after_replay(self._schedule_open_orders)

    def handle(self, message: object) -> Outcome:
        """Handle one command or report; return what it produced."""
        self._outcome = outcome = Outcome()
        if isinstance(message, Report):
            self._reports.handle(message)
        else:
            handler = self._handlers.get(type(message))
            if handler is None:
                raise TypeError(f"no handler for {type(message).__name__}")
            outcome.reply = handler(message)
        return outcome

    # -- helpers used by the handlers ---------------------------------------------------------------

    def emit(self, event: Event) -> None:
        """Number an event, apply it to the ledger and add it to the current outcome."""
        event.seq = self.ledger.last_seq + 1
        self.ledger.apply(event)
        self._outcome.events.append(event)

    def request(self, action: VenueAction, order: Order, new: VenueOrder | None = None) -> None:
        """Queue a venue request to go out once the current events are committed."""
        self._outcome.requests.append(VenueRequest(action, order.venue, snapshot(order), new))

    def order(self, order_id: OrderId) -> Order:
        """Return an order or raise UnknownOrder."""
        order = self.ledger.orders.get(order_id)
        if order is None:
            raise UnknownOrder(f"order {order_id} not found")
        return order

    def instrument(self, symbol: Symbol) -> Instrument:
        """Return an instrument or raise a validation error naming the symbol field."""
        instrument = self.instruments.get(symbol)
        if instrument is None:
            raise ValidationFailed("symbol", "known_instrument", f"unknown symbol {symbol!r}")
        return instrument

    def check_account(self, account: AccountId) -> None:
        """Raise unless the account exists."""
        if account not in self.ledger.accounts:
            raise UnknownAccount(f"account {account!r} not found")

    def cancel_all(self, cmd: cmds.CancelAllOrders) -> "CancelAllResult":
        """Cancel every working order in scope (used by the kill switch; no rate limit applies)."""
        return self._cancel_all(cmd)

    def cancel_for(self, order_id: OrderId, reason: str, requested_by: str) -> Order:
        """Cancel one working order on the system's behalf (self-match prevention; no rate limit applies)."""
        return self._cancel(cmds.CancelOrder(order_id=order_id, reason=reason, requested_by=requested_by))

    def submit_unchecked(self, cmd: cmds.SubmitOrder) -> SubmitResult:
        """Record and route an order past pre-trade risk (only for the kill switch's flattening orders)."""
        return self._submit.submit(cmd, checked=False)

    # -- commands ------------------------------------------------------------------------------------

    def _cancel_requested(self, cmd: cmds.CancelOrder) -> Order:
        order = self.order(cmd.order_id)
        _require_cancelable(order)
        denials = self.risk.check_cancel(order)
        if denials:
            raise RiskDenied(order, denials)
        return self._cancel(cmd)

    def _cancel(self, cmd: cmds.CancelOrder) -> Order:
        order = self.order(cmd.order_id)
        _require_cancelable(order)
        self.emit(OrderPendingCancel(
            ts=self.clock.now(), account=order.account, order_id=order.id, caused_by=cmd.requested_by,
            reason=cmd.reason,
        ))
        self.request(VenueAction.CANCEL, order)
        return order

    def _replace(self, cmd: cmds.ReplaceOrder) -> Order:
        order = self.order(cmd.order_id)
        _require_cancelable(order, action="replace")
        if order.status is OrderStatus.PENDING_NEW:
            raise OrderStateConflict(f"order {order.id} is pending new: replace after the venue acknowledges it")
        qty = order.qty if cmd.qty is None else cmd.qty
        limit = cmd.limit_price if cmd.limit_price is not None else order.limit_price
        stop = cmd.stop_price if cmd.stop_price is not None else order.stop_price
        tif = cmd.tif or order.tif
        expire_at = cmd.expire_at if cmd.expire_at is not None or cmd.tif is not None else order.expire_at
        now = self.clock.now()
        check_order_terms(order.type, qty, limit, stop, tif, expire_at, self.instrument(order.symbol), now)
        if tif.is_immediate:
            raise ValidationFailed("time_in_force", "replace_tif", "a working order cannot be replaced to ioc/fok")
        denials = self.risk.check_replace(order, qty, limit, stop)
        if denials:
            raise RiskDenied(order, denials)
        old = snapshot(order)
        self.emit(OrderPendingReplace(
            ts=now, account=order.account, order_id=order.id, caused_by=cmd.requested_by,
            qty=qty, limit_price=limit, stop_price=stop, tif=tif, expire_at=expire_at,
        ))
        new = snapshot(order)
        new.qty, new.limit_price, new.stop_price, new.tif, new.expire_at = qty, limit, stop, tif, expire_at
        self._outcome.requests.append(VenueRequest(VenueAction.REPLACE, order.venue, old, new))
        return order

    def _cancel_all(self, cmd: cmds.CancelAllOrders) -> CancelAllResult:
        if cmd.account is not None:
            self.check_account(cmd.account)
        ids = []
        for order in list(self.ledger.open_orders.values()):
            if cmd.account is not None and order.account != cmd.account:
                continue
            if cmd.symbol is not None and order.symbol != cmd.symbol:
                continue
            if order.status is OrderStatus.PENDING_CANCEL:
                continue
            self._cancel(cmds.CancelOrder(order_id=order.id, reason=cmd.reason, requested_by=cmd.requested_by))
            ids.append(order.id)
        return CancelAllResult(ids)

    def _expire(self, cmd: cmds.ExpireOrders) -> list[OrderId]:
        expired = []
        heap = self._expiry_heap
        while heap and heap[0][0] <= cmd.now:
            _, order_id = heapq.heappop(heap)
            order = self.ledger.orders[order_id]
            if order.status.is_terminal or order.status is OrderStatus.PENDING_CANCEL:
                continue
            expiry = self._expiry_of(order)
            if expiry is None or expiry > cmd.now:
                continue  # replaced to a later expiry (its new entry is in the heap) or to GTC
            self.emit(OrderPendingCancel(
                ts=cmd.now, account=order.account, order_id=order.id, caused_by="expiry",
                reason=f"time in force {order.tif} ended", expiry=True,
            ))
            self.request(VenueAction.CANCEL, order)
            expired.append(order.id)
        return expired

    def _open_account(self, cmd: cmds.OpenAccount) -> AccountId:
        if cmd.account in self.ledger.accounts:
            return cmd.account
        self.emit(AccountOpened(
            ts=self.clock.now(), account=cmd.account, caused_by=cmd.requested_by, balances=dict(cmd.balances),
            margin=cmd.margin,
        ))
        return cmd.account

    def _set_trading_state(self, cmd: cmds.SetTradingState) -> None:
        if cmd.account is not None:
            self.check_account(cmd.account)
        self.emit(TradingStateChanged(
            ts=self.clock.now(), account=cmd.account or FIRM, caused_by=cmd.requested_by,
            state=cmd.state, reason=cmd.reason,
        ))

    def _set_risk_limits(self, cmd: cmds.SetRiskLimits) -> dict[str, object]:
        if cmd.account is not None:
            self.check_account(cmd.account)
        self.emit(self.risk.limits_change(cmd, self.clock.now()))
        return self.risk.limits_view(cmd.account)

    def _schedule_expiry(self, event: Event, order: Order | None) -> None:
        if order is None or self.ledger.replaying:
            return  # a replay schedules the orders still open once it ends
        expiry = self._expiry_of(order)
        if expiry is not None:
            heapq.heappush(self._expiry_heap, (expiry, order.id))

    def _schedule_open_orders(self) -> None:
        """Schedule the expiry of every open order (after a replay: done orders need no timer)."""
        for order in self.ledger.open_orders.values():
            expiry = self._expiry_of(order)
            if expiry is not None:
                self._expiry_heap.append((expiry, order.id))
        heapq.heapify(self._expiry_heap)

    def _expiry_of(self, order: Order) -> datetime | None:
        if order.tif is TimeInForce.GTD:
            return order.expire_at
        if order.tif is TimeInForce.DAY:
            return day_order_expiry(self.instruments[order.symbol], order.created_at)
        return None


def _require_cancelable(order: Order, action: str = "cancel") -> None:
    if order.status.is_terminal:
        raise OrderStateConflict(f"too late to {action}: order {order.id} is {order.status}")
    if order.status in (OrderStatus.PENDING_CANCEL, OrderStatus.PENDING_REPLACE):
        raise OrderStateConflict(f"cannot {action}: order {order.id} is already {order.status}")


def snapshot(order: Order) -> VenueOrder:
    """Return the venue's view of an order as it is now."""
    return VenueOrder(
        order_id=order.id, client_order_id=order.client_order_id, account=order.account, symbol=order.symbol,
        side=order.side, type=order.type, qty=order.qty, filled_qty=order.filled_qty,
        limit_price=order.limit_price, stop_price=order.stop_price, tif=order.tif, expire_at=order.expire_at,
    )

