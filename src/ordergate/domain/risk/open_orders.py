"""Max open orders per account and per symbol."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder


class MaxOpenOrdersRule:
    """Deny a new order when the account (or the symbol) already has its maximum of working orders."""

    name = "max_open_orders"
    switches = ("max_open_orders", "max_open_orders_per_symbol")  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when max_open_orders or max_open_orders_per_symbol is reached."""
        if ctx.replacing is not None:
            return None  # a replace changes an order, it does not add one
        limits = ctx.limits
        if limits.max_open_orders is not None and ctx.usage.open_orders >= limits.max_open_orders:
            return Denial(rule=self.name, message=f"{ctx.usage.open_orders} working orders: max_open_orders "
                          f"{limits.max_open_orders} reached", limit=str(limits.max_open_orders),
                          actual=str(ctx.usage.open_orders))
        per_symbol = limits.max_open_orders_per_symbol
        if per_symbol is not None and ctx.sym.open_orders >= per_symbol:
            return Denial(rule="max_open_orders_per_symbol", message=f"{ctx.sym.open_orders} working orders in "
                          f"{order.symbol}: max_open_orders_per_symbol {per_symbol} reached",
                          limit=str(per_symbol), actual=str(ctx.sym.open_orders))
        return None
