"""Buying power: cash accounts pay buys in full and hold margin on shorts from their own cash; margin
accounts keep initial margin on what they could hold within their equity. Commission is included."""

from collections.abc import Callable
from decimal import Decimal

from ordergate.domain.account import Account
from ordergate.domain.enums import Side
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import EMPTY, RiskContext, RiskOrder, fmt, fmt_money
from ordergate.domain.risk.usage_state import AccountUsage, CurrencyTotals

ZERO = Decimal(0)
SELL = Side.SELL


def account_buying_power(account: Account, usage: AccountUsage) -> dict[str, Decimal]:
    """Return an account's buying power per currency, as this rule counts it.

    A cash account: cash, less what working orders hold, less its shorts' buy-back cost and margin (see
    ``cash_buying_power``). A margin account: equity (cash + positions at their marks) less the initial
    margin its positions and working orders use (each symbol's larger reach x mark x its initial margin
    rate): an order that grows a position passes while its own margin and commission fit in it.
    """
    power = {}
    for currency in {*account.balances, *usage.totals}:
        balance = account.balances.get(currency)
        cash, reserved = (balance.cash, balance.reserved) if balance is not None else (ZERO, ZERO)
        totals = usage.totals.get(currency) or EMPTY
        if account.margin:
            power[currency] = cash + totals.value - totals.margin
        else:
            power[currency] = cash - reserved + totals.short_value - totals.short_margin
    return power


def cash_buying_power(ctx: RiskContext) -> Decimal:
    """Return what a cash account may spend in the order's currency.

    Cash, less what working orders hold, less the cost of buying back its shorts at their marks (a
    short's proceeds are not buying power), less the margin its shorts need (``margin_rate`` of their value).
    """
    totals = ctx.totals
    return ctx.balance.cash - ctx.balance.reserved + ctx.reserved + totals.short_value - totals.short_margin


class BuyingPowerRule:
    """Deny an order the account cannot pay for (enforce_buying_power), or a short (allow_short off)."""

    name = "enforce_buying_power"
    switches = ("enforce_buying_power",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the account lacks the cash, shares or margin for the order."""
        if not ctx.limits.enforce_buying_power:
            return None
        if ctx.account.margin:
            return self._margin(order, ctx)
        if order.side is SELL:
            return self._cash_sell(order, ctx)
        # the part of a buy that covers a short was taken out of buying power when the short was sold
        short_left = -ctx.sym.position - ctx.buy_working  # conditionals: cheaper than min() and max() calls
        if short_left <= ZERO:
            return self._pay(ctx, ctx.qty, ZERO, "buy")
        return self._pay(ctx, ctx.qty - (short_left if short_left < ctx.qty else ctx.qty), ZERO, "buy")

    def _pay(self, ctx: RiskContext, qty: Decimal, rate: Decimal, what: str) -> Denial | None:
        """Check ``qty`` at the order's price (times ``rate`` for margin on a short; 0: in full) plus commission."""
        if ctx.price is None:
            return ctx.unpriced(self.name, what, "buying power")
        value = qty * ctx.price
        cost = (value * rate if rate else value) + ctx.pricing.commission(ctx.qty, ctx.price)
        available: Decimal | None
        if ctx.limits.base_currency is None:  # the common case: no FX, no closure
            totals, balance = ctx.totals, ctx.balance
            available = balance.cash - balance.reserved + ctx.reserved + totals.short_value - totals.short_margin
            if cost <= available:
                return None
            currency = ctx.instrument.currency
        else:
            available, currency = ctx.aggregate(cash_buying_power(ctx), self._cash_power(ctx))
        if currency != ctx.currency:  # a base currency: the cost goes into it too
            fx = ctx.fx(ctx.currency, currency)
            cost = cost * fx if fx is not None else cost
            if fx is None or available is None:
                return ctx.no_rate(self.name, ZERO)
        assert available is not None
        if cost <= available:
            return None
        return Denial(rule=self.name, message=f"{what} needs {fmt_money(cost, currency)} {currency} (commission "
                      f"included) but buying power is {fmt_money(available, currency)}",
                      limit=fmt_money(available, currency), actual=fmt_money(cost, currency))

    @staticmethod
    def _cash_power(ctx: RiskContext) -> Callable[[str, CurrencyTotals], Decimal]:
        def power(currency: str, totals: CurrencyTotals) -> Decimal:
            balance = ctx.account.balances.get(currency)
            cash = balance.cash - balance.reserved if balance is not None else ZERO
            return cash + totals.short_value - totals.short_margin
        return power

    def _cash_sell(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        held = max(max(ctx.sym.position, ZERO) - ctx.sell_working, ZERO)
        short = ctx.qty - held
        if short <= ZERO:
            return None
        if not ctx.limits.allow_short:
            return Denial(rule="allow_short", message=f"selling {fmt(ctx.qty)} {order.symbol} with "
                          f"{fmt(held)} available would be a short sale, not allowed in this cash account",
                          limit=fmt(held), actual=fmt(ctx.qty))
        return self._pay(ctx, short, ctx.margin_rate(), "margin on the short sale")

    def _margin(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        if order.side is SELL and not ctx.limits.allow_short and ctx.net_after < ZERO and ctx.grows:
            return Denial(rule="allow_short", message=f"the order could leave a short position in {order.symbol}, "
                          "not allowed for this account", limit="0", actual=fmt(ctx.net_after))
        if not ctx.grows:
            return None
        if ctx.mark is None:
            return ctx.unpriced(self.name, "margin", "equity")
        rate = ctx.margin_rate()
        here = ctx.totals.margin - ctx.sym.margin + ctx.potential_after * ctx.mark * rate + ctx.commission()
        if ctx.limits.base_currency is None:  # the common case: no FX, no closure
            required: Decimal | None
            equity: Decimal | None
            required, equity, currency = here, ctx.balance.cash + ctx.totals.value, ctx.instrument.currency
        else:
            required, currency = ctx.aggregate(here, _margin)
            equity, _ = ctx.aggregate(ctx.balance.cash + ctx.totals.value, self._equity(ctx))
        if required is None or equity is None:
            return ctx.no_rate(self.name, ZERO)
        if required <= equity:
            return None
        return Denial(rule=self.name, message=f"initial margin would be {fmt_money(required, currency)} {currency} "
                      f"(commission included) but equity is {fmt_money(equity, currency)}",
                      limit=fmt_money(equity, currency), actual=fmt_money(required, currency))

    @staticmethod
    def _equity(ctx: RiskContext) -> Callable[[str, CurrencyTotals], Decimal]:
        def equity(currency: str, totals: CurrencyTotals) -> Decimal:
            balance = ctx.account.balances.get(currency)
            return (balance.cash if balance is not None else ZERO) + totals.value
        return equity


def _margin(currency: str, totals: CurrencyTotals) -> Decimal:
    return totals.margin
