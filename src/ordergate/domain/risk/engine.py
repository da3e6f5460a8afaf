"""The risk engine: fill a context for an order, run every rule, collect the denials.

No I/O and no clock: the caller passes the reference price, whether it is stale, and the time. All
state comes from memory (the ledger and the usage folded from its events), so a check is O(1).
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from ordergate.domain.enums import OrderType, Side, TradingState
from ordergate.domain.events import Denial
from ordergate.domain.ids import Symbol
from ordergate.domain.instruments import Instrument
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.domain.risk.buying_power import BuyingPowerRule
from ordergate.domain.risk.concentration import ConcentrationRule
from ordergate.domain.risk.context import RiskContext, RiskOrder, Rule
from ordergate.domain.risk.daily_limits import DailyLimitsRule
from ordergate.domain.risk.daily_loss import DailyLossRule
from ordergate.domain.risk.duplicate import DuplicateOrderRule
from ordergate.domain.risk.exposure import ExposureRule
from ordergate.domain.risk.fast_pass import passes
from ordergate.domain.risk.fx import FxRates
from ordergate.domain.risk.limits import LimitBook, RiskLimits
from ordergate.domain.risk.lockout import LockoutRule
from ordergate.domain.risk.market_volume import MaxAdvRule
from ordergate.domain.risk.open_orders import MaxOpenOrdersRule
from ordergate.domain.risk.order_notional import MaxOrderNotionalRule
from ordergate.domain.risk.order_qty import MaxOrderQtyRule
from ordergate.domain.risk.order_rate import OrderRateRule
from ordergate.domain.risk.position_limit import MaxPositionRule
from ordergate.domain.risk.price_collar import PriceCollarRule
from ordergate.domain.risk.pricing import MarketPricing
from ordergate.domain.risk.restricted import RestrictedListRule
from ordergate.domain.risk.self_match import SelfMatchRule
from ordergate.domain.risk.slippage import MaxSlippageRule
from ordergate.domain.risk.stale_data import StaleDataRule
from ordergate.domain.risk.trading_state import TradingStateRule
from ordergate.domain.risk.usage import RiskUsage

ZERO = Decimal(0)
# enum members as module constants: a class attribute lookup on an Enum costs ~45 ns, per order
ACTIVE, BUY, MARKET, STOP = TradingState.ACTIVE, Side.BUY, OrderType.MARKET, OrderType.STOP


VolumeOf = Callable[[Symbol, float], Decimal | None]
Check = Callable[[RiskOrder, RiskContext], Denial | None]
MAX_LIMIT_SETS = 10_000  # distinct limit sets remembered (one per account with overrides, and the defaults)


def _switched_on(rule: Rule, limits: RiskLimits) -> bool:
    switches: tuple[str, ...] = getattr(rule, "switches", ())
    if not switches:
        return True  # always in force (the trading state)
    # identity, not equality: a limit of 0 (deny everything) is on, and 0 == False
    return any(getattr(limits, name) is not None and getattr(limits, name) is not False for name in switches)


def _no_volume(symbol: Symbol, now_ts: float) -> Decimal | None:
    return None


def default_rules() -> list[Rule]:
    """Return every rule, cheapest and most decisive first."""
    return [
        TradingStateRule(), LockoutRule(), RestrictedListRule(), MaxOrderQtyRule(), StaleDataRule(), PriceCollarRule(),
        MaxSlippageRule(), MaxOrderNotionalRule(), MaxAdvRule(),
        DuplicateOrderRule(), OrderRateRule(), MaxOpenOrdersRule(), MaxPositionRule(), ConcentrationRule(),
        ExposureRule(), BuyingPowerRule(), DailyLimitsRule(), DailyLossRule(), SelfMatchRule(),
    ]


# the rule set ``fast_pass.passes`` mirrors: only with exactly these rules may it answer for them
DEFAULT_RULES = tuple(type(rule) for rule in default_rules())


class RiskEngine:
    """Run the pre-trade rules against an order, from in-memory state only."""

    def __init__(
        self, ledger: Ledger, limits: LimitBook, usage: RiskUsage, rules: Sequence[Rule] | None = None,
        pricing: MarketPricing | None = None,
    ) -> None:
        self.ledger = ledger
        self.pricing = pricing or MarketPricing()
        # the average daily volume of a symbol at a time (POSIX seconds), read by max_adv_pct only
        self.volume_of: VolumeOf = _no_volume
        self.fx: Callable[[str, str], Decimal | None] = FxRates().rate  # the gate sets table and market pairs
        self.limits = limits
        self.usage = usage
        self.rules: list[Rule] = list(rules) if rules is not None else default_rules()
        self._scratch = RiskContext()

    @property
    def rules(self) -> list[Rule]:
        """Return the rules run on every order, in order."""
        return self._rules

    @rules.setter
    def rules(self, rules: list[Rule]) -> None:
        self._rules = rules
        self._fused = tuple(type(rule) for rule in rules) == DEFAULT_RULES
        self._active: dict[int, tuple[RiskLimits, list[Check], list[Check], bool]] = {}
        self._last: tuple[RiskLimits | None, list[Check], list[Check], bool] = (None, [], [], False)  # asked last

    def active_checks(self, limits: RiskLimits, market: bool = True) -> list[Check]:
        """Return the checks of the rules that can deny under ``limits``: a rule whose ``switches`` are all
        off (None or false) is skipped, and one ``market_only`` for an order that is no market order.
        Worked out once per set of limits (a change makes a new object)."""
        entry = self._active.get(id(limits))
        if entry is None or entry[0] is not limits:
            checks = [rule for rule in self._rules if _switched_on(rule, limits)]
            if len(self._active) > MAX_LIMIT_SETS:
                self._active.clear()
            # only the trading state left (every limit off): it denies nothing while trading is active
            bare = self._fused and [type(rule) for rule in checks] == [TradingStateRule]
            # the limits are kept in the entry: their id cannot be reused while it is there
            entry = self._active[id(limits)] = (limits, [rule.check for rule in checks], [
                rule.check for rule in checks if not getattr(rule, "market_only", False)], bare)
        return entry[1] if market else entry[2]

    def evaluate(
        self, order: RiskOrder, instrument: Instrument, reference: Decimal | None, stale: bool, now: datetime,
        replacing: Order | None = None, market_price: Decimal | None = None,
    ) -> list[Denial]:
        """Return every denial of the order (empty when it may go ahead)."""
        # one context object filled again for every order: nothing keeps it past this call
        ctx = self.context(order, instrument, reference, stale, now, replacing, market_price, into=self._scratch)
        limits = ctx.limits
        entry = self._last  # the same limits as the order before: the usual case (one account, or the defaults)
        if entry[0] is not limits:
            found = self._active.get(id(limits))  # ``active_checks``, its hit inlined: this runs for every order
            if found is None or found[0] is not limits:
                self.active_checks(limits)
                found = self._active[id(limits)]
            entry = self._last = found
        if entry[3]:
            return [] if ctx.state is ACTIVE else self._run(order, ctx, entry[1])  # every limit off
        if self._fused and passes(order, ctx):  # the usual answer, in one pass (see fast_pass.py)
            return []
        return self._run(order, ctx, entry[1] if order.type is MARKET else entry[2])

    def _run(self, order: RiskOrder, ctx: RiskContext, checks: list[Check]) -> list[Denial]:
        denials = []
        for check in checks:
            denial = check(order, ctx)
            if denial is not None:
                denials.append(denial)
        return denials

    def check(self, order: RiskOrder, ctx: RiskContext) -> list[Denial]:
        """Run every rule on a filled context; return the denials."""
        if self._fused and passes(order, ctx):  # the usual answer, in one pass (see fast_pass.py)
            return []
        limits, market = ctx.limits, order.type is MARKET
        entry = self._active.get(id(limits))  # ``active_checks``, its hit inlined: this runs for every order
        checks = self.active_checks(limits, market) if entry is None or entry[0] is not limits else (
            entry[1] if market else entry[2])
        return self._run(order, ctx, checks)

    def context(
        self, order: RiskOrder, instrument: Instrument, reference: Decimal | None, stale: bool, now: datetime,
        replacing: Order | None = None, market_price: Decimal | None = None, into: RiskContext | None = None,
    ) -> RiskContext:
        """Return the context the rules see for this order (``replacing``: the order a replace changes).

        ``market_price`` is the far side of the book walked for the order's quantity (market orders).
        ``into``: a context to fill (every field is set again), else a new one.
        """
        # dict lookups first, the creating calls only on a miss: this runs for every order
        account, currency, usage_book = order.account, instrument.currency, self.usage
        usage = usage_book.accounts.get(account) or usage_book.account(account)
        now_ts = now.timestamp()
        if now_ts >= usage.day_end:
            usage.roll(now, now_ts, usage_book.day)
        sym = usage.symbols.get(order.symbol) or usage.symbol(order.symbol, currency)
        if reference is not None and reference != sym.mark and not stale:
            usage_book.revalue(usage, sym, reference)
        ctx = into if into is not None else RiskContext()
        ctx.limits = limits = self.limits.effective(account)
        if limits.dynamic_margin:  # the symbol's margin at its current rate (it follows volatility)
            rate = usage_book.margin_of(account, order.symbol)
            if rate != sym.margin_rate:
                sym.margin_rate = rate
                usage_book.revalue(usage, sym)
        ctx.account = self.ledger.accounts[account]
        # no state set anywhere is the common case: skip the ledger's firm/account comparison
        ctx.state = self.ledger.trading_state(account) if self.ledger.trading_states else ACTIVE
        ctx.instrument, ctx.usage, ctx.sym, ctx.totals = instrument, usage, sym, usage.totals[currency]
        ctx.balance = ctx.account.balances.get(currency) or ctx.account.balance(currency)
        ctx.reference, ctx.stale, ctx.now, ctx.now_ts, ctx.replacing = reference, stale, now, now_ts, replacing
        buying, selling, qty = sym.buy_working, sym.sell_working, order.qty
        ctx.working_qty, ctx.working_notional, ctx.reserved = usage.working_qty, ctx.totals.working_notional, ZERO
        if replacing is not None:
            buying, selling = self._without(ctx, replacing, buying, selling)
            qty = max(order.qty - replacing.filled_qty, ZERO)
        buy = order.side is BUY
        price = order.limit_price or order.stop_price
        if price is None and order.type is MARKET and not stale and reference is not None:
            # a market buy may pay the far side of the book and more; a sell is valued at the reference
            price = self.pricing.buffered(market_price or reference) if buy else reference
        elif price is not None and order.type is STOP and buy:
            price = self.pricing.buffered(price)  # a stop buy becomes a market buy at or above its stop
        ctx.price, ctx.qty, ctx.far = price, qty, market_price
        # a stale price values nothing: every rule that needs one denies (an order's own price is no mark)
        ctx.mark = None if stale else reference if reference is not None else price
        if price is None:
            ctx.notional = ctx.added_notional = None
        else:  # a new order adds its whole quantity: one multiplication
            ctx.notional = notional = order.qty * price
            ctx.added_notional = notional if replacing is None else qty * price
        ctx.pricing, ctx.volume_of, ctx.fx = self.pricing, self.volume_of, self.fx
        ctx.siblings = tuple(usage_book.account(a) for a in self.limits.siblings(account)) if ctx.limits.owner else ()
        ctx.buy_working, ctx.sell_working, ctx.buy = buying, selling, buy
        # conditionals, not abs() and max(): each builtin call costs more than the Decimal operation
        position = sym.position
        if buy:
            long_now = position + buying  # with every working buy filled
            long_after = long_now + qty
            ctx.reduces = position < ZERO and long_after <= ZERO
            before = long_now if long_now > ZERO else ZERO
            after = long_after if long_after > ZERO else ZERO
            ctx.reach_after = long_after
        else:
            short_now = position - selling  # with every working sell filled
            short_after = short_now - qty
            ctx.reduces = position > ZERO and short_after >= ZERO
            before = -short_now if short_now < ZERO else ZERO
            after = -short_after if short_after < ZERO else ZERO
            ctx.reach_after = short_after
        ctx.side_before, ctx.side_after, ctx.grows = before, after, after > before
        mark = ctx.mark
        ctx.side_value = None if mark is None else after * mark  # position, concentration and gross read it
        return ctx

    def _without(
        self, ctx: RiskContext, order: Order, buying: Decimal, selling: Decimal,
    ) -> tuple[Decimal, Decimal]:
        """Take a replaced order's current share out of the working figures; return the working quantities."""
        share = self.usage.share(order.id)
        if share is not None:
            if share.side is BUY:
                buying -= share.leaves
            else:
                selling -= share.leaves
            ctx.working_qty -= share.leaves
            ctx.working_notional -= share.notional
        held = ctx.account.reservations.get(order.id)
        ctx.reserved = held.amount if held is not None else ZERO
        return buying, selling
