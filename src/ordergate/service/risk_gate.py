"""The risk gate: what the engine's submit, replace and cancel paths call before anything reaches a venue.

It owns the risk state (limits, usage folded from ledger events, the rule engine) and feeds it prices
from the PriceSource port and time from the Clock port. Everything is in memory: no database round trip.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from ordergate.domain.book import OrderBook
from ordergate.domain.commands import SetRiskLimits, SubmitOrder
from ordergate.domain.enums import OrderStatus, OrderType, Side, TradingState
from ordergate.domain.events import Denial, RiskLimitsChanged, TradingStateChanged
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.instruments import Instrument
from ordergate.domain.ledger import FIRM, Ledger
from ordergate.domain.order import Order
from ordergate.domain.risk.buying_power import account_buying_power
from ordergate.domain.risk.context import Rule, fmt_money
from ordergate.domain.risk.engine import RiskEngine
from ordergate.domain.risk.fx import FxRates
from ordergate.domain.risk.limit_parse import check_limit_name
from ordergate.domain.risk.limits import LimitBook, RiskLimits, limit_json, parse_limit_changes
from ordergate.domain.risk.order_rate import rate_denial
from ordergate.domain.risk.pricing import MarketPricing, collar_price, far_price
from ordergate.domain.risk.self_match import crossing_price
from ordergate.domain.risk.usage import RiskUsage
from ordergate.domain.risk.usage_state import TradingDay
from ordergate.service.adv import AverageDailyVolume, BarSource
from ordergate.service.breach import TRIGGER_RULES, breaching_orders, live_terms
from ordergate.service.context import EngineContext
from ordergate.service.margin import DynamicMargin, MarginSettings, margin_view
from ordergate.service.ports import Clock, PriceSource
from ordergate.service.reservation import Standing, StandingWithout, reservation_of
from ordergate.service.risk_metrics import risk_metrics


class BookSource(Protocol):
    """Where the gate reads a symbol's order book (the market data hub)."""

    def book(self, symbol: Symbol) -> OrderBook | None:
        """Return the symbol's book, or None when none was seen."""
        ...

WATCH_FLAG = "watch_list"
COLLAR_FLAG = "market_collar"
MARKET = OrderType.MARKET
ZERO = Decimal(0)


class RiskGate:
    """Check orders, replaces and cancels against each account's limits; change limits through events."""

    def __init__(
        self, ledger: Ledger, instruments: Mapping[Symbol, Instrument], prices: PriceSource, clock: Clock,
        defaults: RiskLimits | None = None, day: TradingDay | None = None, *,
        books: BookSource | None = None, pricing: MarketPricing | None = None,
        adv: AverageDailyVolume | None = None, fx: FxRates | None = None, margin: MarginSettings | None = None,
        bars: BarSource | None = None,
    ) -> None:
        self._ledger = ledger
        self._instruments = instruments
        self._prices = prices
        self._clock = clock
        self._books = books
        self._checked: tuple[SubmitOrder | None, Decimal | None] = (None, None)
        self.pricing = pricing or MarketPricing()
        self.limits = LimitBook(defaults)
        self.usage = RiskUsage(ledger, self.limits, day)
        self.engine = RiskEngine(ledger, self.limits, self.usage, pricing=self.pricing)
        if adv is not None:
            self.engine.volume_of = adv.of
        if fx is not None:
            self.engine.fx = fx.rate
        self.margin = DynamicMargin(self.limits, bars, margin or MarginSettings())
        self.usage.margin_of = self._initial_margin
        self.margin_calls: Counter[str] = Counter()  # accounts sent to reducing for want of maintenance margin

    # -- checks ---------------------------------------------------------------------------------------

    def check_submit(
        self, cmd: SubmitOrder, instrument: Instrument, reference: Decimal | None, now: datetime | None = None,
    ) -> list[Denial]:
        """Return the denials for a new order (empty when it may go ahead); ``now`` saves a clock read."""
        now = now or self._clock.now()
        stale = reference is not None and self._prices.is_stale(cmd.symbol, now)
        far = self._far_price(cmd.symbol, cmd.side, cmd.qty) if cmd.type is MARKET else None
        self._checked = (cmd, far)  # the reservation of the same order reuses the walk
        return self.engine.evaluate(cmd, instrument, reference, stale, now, market_price=far)

    def check_replace(
        self, order: Order, qty: Decimal, limit_price: Decimal | None, stop_price: Decimal | None,
    ) -> list[Denial]:
        """Return the denials for changing a working order to these terms.

        Only a replace that raises the quantity or moves a price is checked; one that only shrinks the
        order (or changes its time in force) always passes, but every modify counts toward the throttle.
        """
        now = self._clock.now()
        limits = self.limits.effective(order.account)
        usage = self.usage.account(order.account)
        denial = rate_denial("max_modifies_per_second", "modifies", usage.modifies,
                             limits.max_modifies_per_second, now.timestamp())
        if denial is not None:
            return self._refuse(order.account, [denial])
        if qty <= order.qty and limit_price == order.limit_price and stop_price == order.stop_price:
            return []
        terms = SubmitOrder(account=order.account, symbol=order.symbol, side=order.side, type=order.type, qty=qty,
                            limit_price=limit_price, stop_price=stop_price)
        reference = self._prices.reference_price(order.symbol)
        stale = reference is not None and self._prices.is_stale(order.symbol)
        instrument = self._instruments[order.symbol]
        far = self._far_price(order.symbol, order.side, qty) if order.type is MARKET else None
        denials = self.engine.evaluate(terms, instrument, reference, stale, now, replacing=order, market_price=far)
        return self._refuse(order.account, denials)

    def check_cancel(self, order: Order) -> list[Denial]:
        """Return no denial: a cancel reduces risk, so it is never throttled or refused."""
        return []

    def flags(self, cmd: SubmitOrder, collared: bool = False) -> list[str]:
        """Return flags to record on an allowed order: ``watch_list`` for a watched symbol, ``market_collar``
        for a market order sent as a collared limit order."""
        watch = self.limits.effective(cmd.account).watch_symbols
        flags = [WATCH_FLAG] if watch is not None and cmd.symbol in watch else []
        return [*flags, COLLAR_FLAG] if collared else flags

    def protect(self, cmd: SubmitOrder, reference: Decimal | None) -> SubmitOrder:
        """Return the terms to send: a market order becomes a limit order ``market_collar_pct`` percent
        through the fresh reference price (rounded to a tick inside the collar); anything else as it is."""
        pct = self.limits.effective(cmd.account).market_collar_pct
        if pct is None or cmd.type is not MARKET or reference is None or self._prices.is_stale(cmd.symbol):
            return cmd
        limit = collar_price(cmd.side, reference, pct, self._instruments[cmd.symbol].tick_size)
        return replace(cmd, type=OrderType.LIMIT, limit_price=limit)

    def self_match_victims(self, cmd: SubmitOrder) -> list[Order]:
        """Return the account's resting orders a new order would cross, when they are to be canceled first."""
        if self.limits.effective(cmd.account).self_match != "cancel_resting":
            return []
        instrument = self._instruments[cmd.symbol]
        ctx = self.engine.context(cmd, instrument, None, False, self._clock.now())
        if crossing_price(cmd, ctx) is None:
            return []
        accounts = [cmd.account, *self.limits.siblings(cmd.account)]
        return [o for acc in accounts for o in self._ledger.open_orders_of(acc, cmd.symbol) if _crossed_by(cmd, o)]

    def check_triggered(self, order: Order) -> list[Denial]:
        """Return why a stop that just triggered may not go on as the market or limit order it became."""
        terms = live_terms(order)
        reference = self._prices.reference_price(order.symbol)
        stale = reference is not None and self._prices.is_stale(order.symbol)
        far = self._far_price(order.symbol, order.side, order.leaves_qty) if terms.type is MARKET else None
        ctx = self.engine.context(terms, self._instruments[order.symbol], reference, stale, self._clock.now(),
                                  replacing=order, market_price=far)
        return [d for d in (rule.check(terms, ctx) for rule in TRIGGER_RULES) if d is not None]

    def breaching(self, account: AccountId | None) -> list[tuple[Order, list[Denial]]]:
        """Return the account's (None: every account's) working orders that its limits would now refuse on
        their own terms, when it has ``cancel_on_breach`` on (see ``breach.py``)."""
        now = self._clock.now()

        def check(order: Order, rules: tuple[Rule, ...]) -> list[Denial]:
            terms = SubmitOrder(account=order.account, symbol=order.symbol, side=order.side, type=order.type,
                                qty=order.qty, limit_price=order.limit_price, stop_price=order.stop_price)
            reference = self._prices.reference_price(order.symbol)
            stale = reference is not None and self._prices.is_stale(order.symbol)
            ctx = self.engine.context(terms, self._instruments[order.symbol], reference, stale, now, replacing=order)
            return [d for d in (rule.check(terms, ctx) for rule in rules) if d is not None]

        def wants(acc: AccountId) -> bool:
            return bool(self.limits.effective(acc).cancel_on_breach)

        working = [o for o in self._ledger.open_orders.values() if o.status is not OrderStatus.PENDING_CANCEL]
        return breaching_orders(working, None if account is None else {account}, wants, check)

    def _initial_margin(self, account: AccountId, symbol: Symbol) -> Decimal:
        return self.margin.initial(account, symbol, self._clock.now().timestamp())

    def margin_of_account(self, account: AccountId) -> dict[str, dict[str, Decimal]]:
        """Return per currency the initial margin used, maintenance margin, equity and excess of an account."""
        usage = self.usage.account(account)
        self.usage.remark(usage, self._prices.reference_price)
        cash = {c: b.cash for c, b in self._ledger.accounts[account].balances.items()}
        return margin_view(self.margin, usage, cash, self._clock.now().timestamp())

    def buying_power(self, account: AccountId) -> dict[str, Decimal]:
        """Return an account's buying power per currency as the buying-power rule counts it (see
        ``account_buying_power``), at fresh marks and current margin rates."""
        usage = self.usage.account(account)
        self.usage.remark(usage, self._prices.reference_price)
        return account_buying_power(self._ledger.accounts[account], usage)

    def below_maintenance(self, account: AccountId) -> tuple[str, Decimal, Decimal] | None:
        """Return (currency, equity, maintenance) of the first currency where equity is below maintenance margin,
        for an account with ``dynamic_margin`` on (None: it has enough, or is not margined that way)."""
        if not self.limits.effective(account).dynamic_margin or account not in self.usage.accounts:
            return None
        for currency, entry in sorted(self.margin_of_account(account).items()):
            if entry["maintenance"] and entry["equity"] < entry["maintenance"]:
                return currency, entry["equity"], entry["maintenance"]
        return None

    @property
    def margin_watched(self) -> bool:
        """Return whether any account has ``dynamic_margin`` on (else no margin call can happen)."""
        return self.limits.dynamic_margin_used

    def margin_call(self, ctx: EngineContext, account: AccountId) -> None:
        """Move an active account whose equity fell below maintenance margin to reducing, saying why (the
        TradingStateChanged event is the alert; ``margin_calls`` counts them for the metrics)."""
        if self._ledger.trading_states.get(account, TradingState.ACTIVE) is not TradingState.ACTIVE:
            return
        short = self.below_maintenance(account)
        if short is None:
            return
        currency, equity, maintenance = short
        self.margin_calls[account] += 1
        ctx.emit(TradingStateChanged(
            ts=ctx.clock.now(), account=account, caused_by="risk:margin", state=TradingState.REDUCING,
            reason=f"margin call: equity {fmt_money(equity, currency)} {currency} is below maintenance margin "
                   f"{fmt_money(maintenance, currency)}"))

    def reservation(
        self, cmd: SubmitOrder, reference: Decimal | None, replacing: Order | None = None,
    ) -> tuple[Decimal, Decimal]:
        """Return the (qty, price) of cash an allowed order holds while it works (see ``reservation.py``).

        ``replacing``: the working order these are the new terms of; its own leaves are left out of the
        account's working quantities.
        """
        usage = self.usage.account(cmd.account).symbols.get(cmd.symbol)
        sym: Standing | None = usage
        if usage is not None and replacing is not None:
            leaves = replacing.leaves_qty
            buy = replacing.side is Side.BUY
            sym = StandingWithout(usage.position, usage.buy_working - (leaves if buy else ZERO),
                                  usage.sell_working - (ZERO if buy else leaves))
        far = None
        if cmd.type is MARKET:
            checked, walked = self._checked
            far = walked if checked is cmd else self._far_price(cmd.symbol, cmd.side, cmd.qty)
        margin = self._ledger.accounts[cmd.account].margin
        rate = ZERO
        if margin or cmd.side is Side.SELL:  # the rate the buying-power check just used, else the current one
            cached = usage.margin_rate if usage is not None else None
            rate = cached if cached is not None else self._initial_margin(cmd.account, cmd.symbol)
        return reservation_of(cmd, margin, sym, rate, self.pricing, reference, far)

    def _far_price(self, symbol: Symbol, side: Side, qty: Decimal) -> Decimal | None:
        return far_price(self._books.book(symbol), side, qty) if self._books is not None else None

    def _refuse(self, account: AccountId, denials: list[Denial]) -> list[Denial]:
        # counted with the account's journaled denials; modify and cancel denials are not journaled (nothing
        # changed), so these counts start again at a restart
        usage = self.usage.account(account)
        for denial in denials:
            usage.denials[denial.rule] += 1
        if denials:
            usage.note_denial(denials, self._clock.now().timestamp())
        return denials

    # -- limits ---------------------------------------------------------------------------------------

    def limits_change(self, cmd: SetRiskLimits, now: datetime) -> RiskLimitsChanged:
        """Validate a limit change and return the event that records it (who, when, old and new values)."""
        changes = parse_limit_changes(cmd.changes, self._instruments)
        unset = sorted({check_limit_name(name) for name in cmd.unset} - set(changes))
        account = cmd.account or FIRM
        current = self.limits.defaults if cmd.account is None else self.limits.effective(cmd.account)
        old = {name: limit_json(getattr(current, name)) for name in [*changes, *unset]}
        new = {name: limit_json(value) for name, value in changes.items()}
        return RiskLimitsChanged(ts=now, account=account, caused_by=cmd.requested_by, old=old, new=new, unset=unset)

    def limits_view(self, account: AccountId | None) -> dict[str, Any]:
        """Return the limits in force for an account (or the firm's defaults) and which it overrides."""
        if account is None:
            return {"account": "default", "limits": self.limits.defaults.to_json(), "overrides": []}
        return {"account": account, "limits": self.limits.effective(account).to_json(),
                "overrides": self.limits.overridden(account)}

    # -- metrics --------------------------------------------------------------------------------------

    def metrics(self) -> dict[str, Any]:
        """Return each account's usage of its limits, denials by rule and trading state (see ``risk_metrics``)."""
        self.usage.remark_all(self._prices.reference_price)
        return risk_metrics(self._ledger, self.usage, self.limits, self._clock.now(), self.margin_calls)


def _crossed_by(cmd: SubmitOrder, resting: Order) -> bool:
    if resting.symbol != cmd.symbol or resting.side is cmd.side:
        return False
    if resting.status in (OrderStatus.PENDING_CANCEL, OrderStatus.PENDING_REPLACE):
        return False  # already on its way out (or being changed): a cancel now would be refused
    rests = resting.type is OrderType.LIMIT or (resting.type is OrderType.STOP_LIMIT and resting.triggered)
    if not rests or resting.limit_price is None:
        return False
    if cmd.limit_price is None:
        return True
    if cmd.side is Side.BUY:
        return resting.limit_price <= cmd.limit_price
    return resting.limit_price >= cmd.limit_price
