"""Risk usage: what each account has used of its limits, kept up to date from ledger events.

Everything here is a fold of events (``on_event`` is a ledger subscriber), so replaying the journal at
start rebuilds daily counters, open exposure, rate buckets and duplicate memory: a restart resets
nothing. Each event changes O(1) numbers, so a risk check never scans orders or positions.

Exposure is valued at each symbol's mark: the latest reference price the risk engine saw for it (each
check re-marks the symbol it checks), else the last fill or order price. Other symbols keep the mark
they had when last touched; ``remark`` revalues a whole account.

What one order adds is in ``order_share.py``, how a symbol is valued in ``valuation.py``, the state
itself in ``usage_state.py``.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ordergate.domain.enums import Side
from ordergate.domain.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderCancelRejected,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderPendingCancel,
    OrderPendingReplace,
    OrderRejected,
    OrderReplaced,
    OrderSubmitted,
    OrderTriggered,
    RiskLimitsChanged,
)
from ordergate.domain.ids import AccountId, OrderId, Symbol
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import TERMINAL, Order
from ordergate.domain.risk.limits import LimitBook
from ordergate.domain.risk.order_share import Share, apply_share, order_terms, share_of
from ordergate.domain.risk.usage_snapshot import UsageState, restore_usage, usage_state
from ordergate.domain.risk.usage_state import AccountUsage, SymbolUsage, TradingDay
from ordergate.domain.risk.valuation import revalue

ZERO = Decimal(0)
BUY = Side.BUY  # enum members as module constants: a class attribute lookup on an Enum is slow, per event


class RiskUsage:
    """Every account's risk usage, folded from ledger events."""

    def __init__(self, ledger: Ledger, limits: LimitBook, day: TradingDay | None = None) -> None:
        self._ledger = ledger
        self._limits = limits
        self.day = day or TradingDay()
        # an account's initial margin rate for a symbol (the gate swaps in dynamic margin)
        self.margin_of: Callable[[AccountId, Symbol], Decimal] = (
            lambda account, symbol: limits.effective(account).margin_rate(symbol))
        self.accounts: dict[AccountId, AccountUsage] = {}
        self._shares: dict[OrderId, Share] = {}
        # a replay keeps each order's last reshare here and applies them once it ends (see ``_defer``)
        self._deferred: dict[OrderId, tuple[AccountUsage, Order, bool]] = {}
        self._touched: dict[tuple[AccountId, Symbol], tuple[AccountUsage, SymbolUsage]] = {}
        self.limits_applied: list[RiskLimitsChanged] = []  # the journal's limit changes, for snapshots
        self._subscribe(ledger)
        ledger.after_replay(self._settle_deferred)
        ledger.keep_state("risk_usage", self)

    STATE_TYPE = UsageState

    @property
    def limits(self) -> LimitBook:
        """Return the limits usage is counted against."""
        return self._limits

    def snapshot_state(self) -> UsageState:
        """Return what the events decided of every account's usage (see domain/risk/usage_snapshot.py)."""
        return usage_state(self)

    def restore_state(self, state: UsageState) -> None:
        """Take the usage a snapshot kept; derive positions, shares and exposures from the restored ledger."""
        restore_usage(self, state)

    def derive_from_ledger(self) -> None:
        """Set every symbol's position and every open order's share from the ledger, then revalue."""
        for (account, symbol), position in self._ledger.positions.items():
            usage = self.account(account)
            sym = usage.symbols.get(symbol) or usage.symbol(symbol, position.currency)
            sym.position, sym.realized_seen = position.qty, position.realized_pnl
        for order in self._ledger.open_orders.values():
            usage = self.account(order.account)
            sym = usage.symbols.get(order.symbol) or usage.symbol(order.symbol, order.currency)
            share = self._shares[order.id] = share_of(order, sym)
            apply_share(usage, share, 1)
        for usage in self.accounts.values():
            for sym in usage.symbols.values():
                self.revalue(usage, sym)

    def account(self, account: AccountId) -> AccountUsage:
        """Return an account's usage, creating it on first use."""
        usage = self.accounts.get(account)
        if usage is None:
            usage = self.accounts[account] = AccountUsage(account)
        return usage

    def share(self, order_id: OrderId) -> Share | None:
        """Return what an open order adds to its account's usage (None once it is done)."""
        return self._shares.get(order_id)

    def on_event(self, event: Event, order: Order | None) -> None:
        """Fold one applied event into the usage (the ledger calls the per-type handlers directly)."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event, order)

    def _subscribe(self, ledger: Ledger) -> None:
        """Subscribe one handler per event type, so the ledger dispatches with one lookup and no isinstance."""
        self._handlers: dict[type[Event], Callable[[Any, Any], None]] = {
            RiskLimitsChanged: self._on_limits, OrderDenied: self._on_denied, OrderSubmitted: self._on_submitted,
            OrderFilled: self._on_filled, OrderPendingReplace: self._on_pending_replace,
            OrderPendingCancel: self._on_pending_cancel, OrderAccepted: self._on_accepted,
            OrderRejected: self._on_order_changed, OrderCanceled: self._on_order_changed,
            OrderExpired: self._on_order_changed, OrderReplaced: self._on_order_changed,
            OrderCancelRejected: self._on_order_changed, OrderTriggered: self._on_order_changed,
        }
        for kind, handler in self._handlers.items():
            ledger.subscribe(handler, (kind,))

    def _rolled(self, account: AccountId, event: Event) -> tuple[AccountUsage, float]:
        """Return the account's usage, moved to the event's trading day, and the event time in POSIX seconds."""
        usage = self.accounts.get(account) or self.account(account)
        usage.epoch += 1  # the handler changes it
        ts = event.ts.timestamp()
        if ts >= usage.day_end:
            usage.roll(event.ts, ts, self.day)
        return usage, ts

    def _on_limits(self, event: RiskLimitsChanged, order: None) -> None:
        self._limits.apply(event)
        self.limits_applied.append(event)
        self.remark_all(lambda symbol: None)  # margin rates may have changed

    def _on_denied(self, event: OrderDenied, order: Order) -> None:
        usage, ts = self._rolled(order.account, event)
        for denial in event.reasons:
            usage.denials[denial.rule] += 1
        usage.note_denial(event.reasons, ts)

    def _on_submitted(self, event: OrderSubmitted, order: Order) -> None:
        usage, ts = self._rolled(order.account, event)
        self._submitted(usage, event, ts)
        self._reshare(usage, order)

    def _on_filled(self, event: OrderFilled, order: Order) -> None:
        usage, _ = self._rolled(order.account, event)
        self._filled(usage, event)
        self._reshare(usage, order)

    def _on_pending_replace(self, event: OrderPendingReplace, order: Order) -> None:
        usage, ts = self._rolled(order.account, event)
        usage.modifies.take(self._limits.effective(order.account).max_modifies_per_second, ts)
        self._reshare(usage, order)

    def _on_pending_cancel(self, event: OrderPendingCancel, order: Order) -> None:
        self._rolled(order.account, event)
        # cancels reduce risk and are never throttled; the order works on its terms until the venue confirms

    def _on_accepted(self, event: OrderAccepted, order: Order) -> None:
        self._rolled(order.account, event)  # an ack changes nothing risk counts, but it starts the day

    def _on_order_changed(self, event: Event, order: Order) -> None:
        usage, _ = self._rolled(order.account, event)
        self._reshare(usage, order)

    def _submitted(self, usage: AccountUsage, e: OrderSubmitted, ts: float) -> None:
        usage.orders_today += 1
        usage.submits.take(self._limits.effective(e.account).max_orders_per_second, ts)
        usage.recent[(e.symbol, e.side, e.qty, e.limit_price, e.stop_price)] = ts
        usage.recent_sizes[(e.symbol, e.side, e.qty)] = ts
        sym = usage.symbols.get(e.symbol) or usage.symbol(e.symbol, e.currency)
        if ts > sym.last_submitted:
            sym.last_submitted = ts
        if "watch_list" in e.flags:
            usage.watch_hits += 1

    def _filled(self, usage: AccountUsage, e: OrderFilled) -> None:
        sym = usage.symbols.get(e.symbol) or usage.symbol(e.symbol, e.currency)
        totals = usage.totals[e.currency]
        position = self._ledger.positions[(e.account, e.symbol)]
        usage.trades_today += 1
        usage.volume_today += e.qty
        notional = e.qty * e.price
        totals.traded_notional += notional
        totals.trade_cash_today += (-notional if e.side is BUY else notional) - e.commission
        totals.realized_today += position.realized_pnl - sym.realized_seen - e.commission
        sym.realized_seen = position.realized_pnl
        sym.position = position.qty
        if sym.mark is None:
            sym.mark = e.price

    def _reshare(self, usage: AccountUsage, order: Order) -> None:
        """Take back what the order added to usage, and add what it adds now (nothing once it is done)."""
        if order.parent_id is not None:  # a child works for its parent: the parent's share is what counts
            order = self._ledger.orders[order.parent_id]
        if self._ledger.replaying:
            self._defer(usage, order)
            return
        old = self._shares.pop(order.id, None)
        if old is not None:
            apply_share(usage, old, -1)
        sym = usage.symbols.get(order.symbol) or usage.symbol(order.symbol, order.currency)
        if order.status not in TERMINAL:
            share = share_of(order, sym)
            self._shares[order.id] = share
            apply_share(usage, share, 1)
        self.revalue(usage, sym)

    def _defer(self, usage: AccountUsage, order: Order) -> None:
        """During a replay, keep only each order's last reshare: it alone decides the order's final share.

        What a reshare would add and take back again nets to nothing, and the exposure of a symbol is a
        function of its final position, working quantities and mark. The one thing that depends on when
        it happens is the mark (set once, by the first price seen), so that is done now, and an order
        whose share would have been valued with no mark yet says so.
        """
        sym = usage.symbols.get(order.symbol) or usage.symbol(order.symbol, order.currency)
        self._touched[(usage.account, order.symbol)] = (usage, sym)
        if order.status in TERMINAL and order.id not in self._shares:
            self._deferred.pop(order.id, None)
            return
        unmarked = False
        if sym.mark is None and order.status not in TERMINAL:
            price = order_terms(order)[3]
            if price:
                sym.mark = price
            else:
                unmarked = True
        self._deferred[order.id] = (usage, order, unmarked)

    def _settle_deferred(self) -> None:
        """Apply the reshares a replay deferred, then revalue every symbol it touched."""
        deferred, touched = self._deferred, self._touched
        self._deferred, self._touched = {}, {}
        for usage, order, unmarked in deferred.values():
            old = self._shares.pop(order.id, None)
            if old is not None:
                apply_share(usage, old, -1)
            if order.is_open:
                share = share_of(order, usage.symbols[order.symbol], unmarked)
                self._shares[order.id] = share
                apply_share(usage, share, 1)
        for usage, sym in touched.values():
            self.revalue(usage, sym)

    def revalue(self, usage: AccountUsage, sym: SymbolUsage, mark: Decimal | None = None) -> None:
        """Recompute one symbol's exposure (at ``mark`` when given) and move the account totals by the change."""
        revalue(usage, sym, self.margin_of, mark)

    def remark(self, usage: AccountUsage, price_of: Callable[[Symbol], Decimal | None]) -> None:
        """Revalue every symbol of an account at fresh prices (None keeps a symbol's mark)."""
        for sym in usage.symbols.values():
            sym.margin_rate = None  # limits may have changed: look the rate up again
            self.revalue(usage, sym, price_of(sym.symbol))

    def remark_all(self, price_of: Callable[[Symbol], Decimal | None]) -> None:
        """Revalue every account (after a margin rate change, or for a report)."""
        for usage in self.accounts.values():
            self.remark(usage, price_of)
