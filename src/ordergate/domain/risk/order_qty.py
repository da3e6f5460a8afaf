"""Max order quantity (fat finger): no single order above ``max_order_qty``."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt


class MaxOrderQtyRule:
    """Deny an order whose quantity is above the account's max_order_qty."""

    name = "max_order_qty"
    switches = ("max_order_qty",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the order's quantity is above the limit."""
        limit = ctx.limits.max_order_qty
        if limit is None or order.qty <= limit:
            return None
        return Denial(rule=self.name, message=f"order qty {fmt(order.qty)} is above max_order_qty {fmt(limit)}",
                      limit=fmt(limit), actual=fmt(order.qty))
