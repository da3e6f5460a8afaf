"""Buying power: cash accounts pay in full and sell only shares they hold (unless shorting is allowed);
margin accounts keep initial margin on what they could hold within their equity."""

from decimal import Decimal

from ordergate.domain.enums import Side
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt

ZERO = Decimal(0)
SELL = Side.SELL


class BuyingPowerRule:
    """Deny an order the account cannot pay for (enforce_buying_power), or a naked short (allow_short)."""

    name = "enforce_buying_power"

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the account lacks the cash, shares or margin for the order."""
        if not ctx.limits.enforce_buying_power:
            return None
        if ctx.account.margin:
            return self._margin(order, ctx)
        if order.side is SELL:
            return self._cash_sell(order, ctx)
        return self._pay(ctx, ctx.qty, "buy")

    def _pay(self, ctx: RiskContext, qty: Decimal, what: str) -> Denial | None:
        if ctx.price is None:
            return ctx.unpriced(self.name, what)
        cost = qty * ctx.price
        currency = ctx.instrument.currency
        available = ctx.balance.cash - ctx.balance.reserved + ctx.reserved
        if cost <= available:
            return None
        return Denial(rule=self.name, message=f"{what} needs {fmt(cost)} {currency} but buying power is "
                      f"{fmt(available)}", limit=fmt(available), actual=fmt(cost))

    def _cash_sell(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        held = max(ctx.sym.position, ZERO) - ctx.sell_working
        short = ctx.qty - max(held, ZERO)
        if short <= 0:
            return None
        if not ctx.limits.allow_short:
            return Denial(rule="allow_short", message=f"selling {fmt(ctx.qty)} {order.symbol} with "
                          f"{fmt(max(held, ZERO))} available would be a short sale, not allowed in this cash account",
                          limit=fmt(max(held, ZERO)), actual=fmt(ctx.qty))
        return self._pay(ctx, short, "short sale")

    def _margin(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        if order.side is Side.SELL and not ctx.limits.allow_short and ctx.net_after < 0 and ctx.grows:
            return Denial(rule="allow_short", message=f"the order could leave a short position in {order.symbol}, "
                          "not allowed for this account", limit="0", actual=fmt(ctx.net_after))
        if not ctx.grows:
            return None
        if ctx.mark is None:
            return ctx.unpriced(self.name, "margin")
        rate = ctx.limits.margin_rate(order.symbol)
        required = ctx.totals.margin - ctx.sym.margin + ctx.potential_after * ctx.mark * rate
        equity = ctx.balance.cash + ctx.totals.value
        if required <= equity:
            return None
        return Denial(rule=self.name, message=f"initial margin would be {fmt(required)} "
                      f"{ctx.instrument.currency} but equity is {fmt(equity)}", limit=fmt(equity), actual=fmt(required))
