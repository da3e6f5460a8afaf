"""Market-order slippage: a market order whose sweep of the visible book would go too far from the price."""

from decimal import Decimal

from ordergate.domain.enums import OrderType
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt, fmt_ratio

HUNDRED = Decimal(100)
MARKET = OrderType.MARKET  # a module constant: a class attribute lookup on an Enum is slow, per order
ZERO = Decimal(0)


class MaxSlippageRule:
    """Deny a market order when the worst price it reaches sweeping the far side of the book for its
    quantity is more than max_slippage_pct percent from the fresh reference price."""

    name = "max_slippage_pct"
    switches = ("max_slippage_pct",)  # all off: cannot deny, skipped
    market_only = True  # denies nothing else: skipped for other orders

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the sweep would slip more than the limit allows."""
        limit = ctx.limits.max_slippage_pct
        if limit is None or order.type is not MARKET:
            return None
        reference, far = ctx.reference, ctx.far
        if reference is None or ctx.stale or reference <= ZERO:
            return ctx.unpriced(self.name, "slippage", fmt_ratio(limit))
        if far is None:
            return Denial(rule=self.name, message=f"no {order.side.opposite} side in the book of {order.symbol} to "
                          "sweep: cannot bound the slippage", limit=fmt_ratio(limit), actual="no liquidity")
        distance = abs(far - reference)
        if distance * HUNDRED <= limit * reference:
            return None
        away = distance * HUNDRED / reference
        return Denial(rule=self.name, message=f"sweeping the book for {fmt(order.qty)} {order.symbol} reaches "
                      f"{fmt(far)}, {fmt_ratio(away)}% from the reference {fmt(reference)}, above max_slippage_pct "
                      f"{fmt_ratio(limit)}", limit=fmt_ratio(limit), actual=fmt_ratio(away))
