"""The order engine: the one owner of trading state, handling one message at a time.

``handle`` takes a command or a venue report and gives it to its handler, which checks it against the
ledger and emits events through the EngineContext (applied to the ledger at once, so the next message
sees them) and returns an Outcome. Nothing here awaits: a cancel racing a fill is impossible by
construction. Handlers run every check before their first event, so a refused command changes nothing;
a handler that raises after its first event leaves the engine loop no choice but to stop (EngineLoop).
"""

from collections.abc import Callable

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus
from ordergate.domain.events import AccountOpened, TradingStateChanged
from ordergate.domain.ids import AccountId, OrderId, Symbol, VenueId
from ordergate.domain.instruments import Instrument
from ordergate.domain.ledger import FIRM, Ledger
from ordergate.domain.order import Order
from ordergate.domain.reports import Report, TriggerReport
from ordergate.service.accounts import CashDesk
from ordergate.service.context import EngineContext
from ordergate.service.context import snapshot as snapshot
from ordergate.service.expiry import ExpiryScheduler
from ordergate.service.kill_switch import KillSwitch
from ordergate.service.order_changes import CancelAllResult as CancelAllResult
from ordergate.service.order_changes import OrderChanges
from ordergate.service.order_reconcile import OrderReconciler
from ordergate.service.outcome import Outcome
from ordergate.service.parents import ParentOrders, venue_refused
from ordergate.service.ports import Clock, PriceSource
from ordergate.service.replace_hold import hold_for_terms
from ordergate.service.report_handler import ReportHandler
from ordergate.service.risk_gate import RiskGate
from ordergate.service.router import Router
from ordergate.service.submit import SubmitHandler
from ordergate.service.venue_selector import VenueSelector


class OrderEngine:
    """Validate, risk-check and record commands; turn venue reports into events."""

    def __init__(
        self, ledger: Ledger, instruments: dict[Symbol, Instrument], prices: PriceSource, clock: Clock,
        venue: VenueId | VenueSelector, new_order_id: Callable[[], OrderId], risk: RiskGate | None = None,
    ) -> None:
        self.ledger = ledger
        self.instruments = instruments
        self.clock = clock
        self.ctx = EngineContext(ledger, instruments, clock)
        # with no gate given, every rule runs but every limit is off (tests, benchmarks)
        self.risk = risk if risk is not None else RiskGate(ledger, instruments, prices, clock)
        self.venues = venue if isinstance(venue, VenueSelector) else VenueSelector(venue)
        self.parents = ParentOrders(self.ctx, new_order_id)
        self.parents.holds = lambda order, qty, limit, stop: hold_for_terms(
            self.risk, order, qty, limit, stop, prices.reference_price(order.symbol))
        if isinstance(self.venues, Router):
            self.parents.router = self.venues
        self.changes = OrderChanges(self.ctx, self.risk, prices, self.parents)
        self.submits = SubmitHandler(self.ctx, prices, self.venues, new_order_id, self.risk, self.changes,
                                     self.parents)
        self.reports = ReportHandler(self.ctx, self.risk, prices)
        self.expiry = ExpiryScheduler(self.ctx, self.parents)
        self.kill_switch = KillSwitch(self.ctx, self.changes, self.submits)
        self.reconciler = OrderReconciler(self.ctx, self.reports)
        self.cash = CashDesk(self.ctx)
        self._handlers: dict[type, Callable[[object], object]] = {
            cmds.SubmitOrder: self.submits.handle,  # type: ignore[dict-item]
            cmds.CancelOrder: self.changes.cancel_requested,  # type: ignore[dict-item]
            cmds.ReplaceOrder: self.changes.replace,  # type: ignore[dict-item]
            cmds.CancelAllOrders: self.changes.cancel_all,  # type: ignore[dict-item]
            cmds.ExpireOrders: self.expiry.expire,  # type: ignore[dict-item]
            cmds.OpenAccount: self._open_account,  # type: ignore[dict-item]
            cmds.AdjustCash: self.cash.adjust,  # type: ignore[dict-item]
            cmds.CloseAccount: self.cash.close,  # type: ignore[dict-item]
            cmds.SetTradingState: self._set_trading_state,  # type: ignore[dict-item]
            cmds.SetRiskLimits: self._set_risk_limits,  # type: ignore[dict-item]
            cmds.EngageKillSwitch: self.kill_switch.engage,  # type: ignore[dict-item]
            cmds.ResumeTrading: self.kill_switch.resume,  # type: ignore[dict-item]
            cmds.ReconcileOrder: self.reconciler.handle,  # type: ignore[dict-item]
            cmds.FlattenPositions: self.kill_switch.flatten,  # type: ignore[dict-item]
        }

    def handle(self, message: object) -> Outcome:
        """Handle one command or report; return what it produced."""
        self.ctx.outcome = outcome = Outcome()  # what ctx.begin() does, inlined: this runs per message
        if isinstance(message, Report):
            self.reports.handle(message)
            if isinstance(message, TriggerReport):
                self._recheck_triggered(message)
            order = self.ledger.orders.get(message.order_id)
            if order is not None:
                if order.parent_id is not None:
                    self.parents.after_child(order, venue_refused((message,)))
                if self.risk.margin_watched:  # maintenance margin: one truth test while no account uses it
                    self.risk.margin_call(self.ctx, order.account)
        else:
            handler = self._handlers.get(type(message))
            if handler is None:
                raise TypeError(f"no handler for {type(message).__name__}")
            outcome.reply = handler(message)
            if isinstance(message, cmds.ReconcileOrder):
                self._after_reconcile(message)
        if self.ledger.flattening.working:  # a flattening order done short of flat goes again
            self.kill_switch.flattener.after(message)
        if isinstance(message, cmds.ExpireOrders) and self.risk.margin_watched:  # the timer's tick: prices move
            for account in list(self.ledger.accounts):
                self.risk.margin_call(self.ctx, account)
        return outcome

    def _after_reconcile(self, cmd: cmds.ReconcileOrder) -> None:
        order = self.ledger.orders.get(cmd.order_id)
        if order is not None and order.parent_id is not None:
            self.parents.after_child(order, venue_refused(cmd.reports))

    def in_progress(self) -> Outcome:
        """Return the outcome of the message being (or last) handled: what it emitted before any error."""
        return self.ctx.outcome

    def order(self, order_id: OrderId) -> Order:
        """Return an order or raise UnknownOrder."""
        return self.ctx.order(order_id)

    # -- account-level commands ----------------------------------------------------------------------------

    def _open_account(self, cmd: cmds.OpenAccount) -> AccountId:
        if cmd.account in self.ledger.accounts:
            return cmd.account
        self.ctx.emit(AccountOpened(
            ts=self.clock.now(), account=cmd.account, caused_by=cmd.requested_by, balances=dict(cmd.balances),
            margin=cmd.margin, name=cmd.name, venues=list(cmd.venues),
        ))
        return cmd.account

    def _set_trading_state(self, cmd: cmds.SetTradingState) -> None:
        if cmd.account is not None:
            self.ctx.check_account(cmd.account)
        self.ctx.emit(TradingStateChanged(
            ts=self.clock.now(), account=cmd.account or FIRM, caused_by=cmd.requested_by,
            state=cmd.state, reason=cmd.reason,
        ))

    def _recheck_triggered(self, report: TriggerReport) -> None:
        """Check a stop again when it triggers: cancel it if the risk rules refuse what it became."""
        order = self.ledger.orders.get(report.order_id)
        if order is None or not order.triggered or order.status.is_terminal:
            return
        if order.status is OrderStatus.PENDING_CANCEL:
            return
        denials = self.risk.check_triggered(order)
        if denials:
            why = "; ".join(f"{d.rule} {d.limit}: {d.actual}" for d in denials)
            self.changes.cancel(cmds.CancelOrder(order_id=order.id, reason=f"risk on trigger: {why}",
                                                 requested_by="risk:trigger"))

    def _set_risk_limits(self, cmd: cmds.SetRiskLimits) -> dict[str, object]:
        if cmd.account is not None:
            self.ctx.check_account(cmd.account)
        self.ctx.emit(self.risk.limits_change(cmd, self.clock.now()))
        for order, denials in self.risk.breaching(cmd.account):  # only accounts with cancel_on_breach on
            why = "; ".join(f"{d.rule} {d.limit}: {d.actual}" for d in denials)
            self.changes.cancel(cmds.CancelOrder(order_id=order.id, reason=f"limit change: {why}",
                                                 requested_by=f"risk:{cmd.requested_by}"))
        return self.risk.limits_view(cmd.account)
