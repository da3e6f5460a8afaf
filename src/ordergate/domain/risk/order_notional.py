"""Max order notional: no single order worth more than ``max_order_notional`` (qty x limit or reference price)."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder


class MaxOrderNotionalRule:
    """Deny an order whose value is above the account's max_order_notional."""

    name = "max_order_notional"
    switches = ("max_order_notional",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the order's value is above the limit, or cannot be valued."""
        limit = ctx.limits.max_order_notional
        if limit is None:
            return None
        notional = ctx.notional
        if notional is None:
            return ctx.unpriced(self.name, "order", limit)
        if notional <= limit:
            return None
        return Denial(rule=self.name, message=f"order notional {ctx.money(notional)} {ctx.currency} is above "
                      f"max_order_notional {ctx.money(limit)}", limit=ctx.money(limit), actual=ctx.money(notional))
