"""Max position per symbol, in quantity and in value, counting working orders as if filled."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt


class MaxPositionRule:
    """Deny an order that could take the position beyond max_position_qty or max_position_notional.

    The position that counts is the largest one reachable if every working order (this one too) fills.
    An order that does not raise it (one that reduces) always passes, even over a lowered limit.
    """

    name = "max_position_qty"

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the reachable position would be above either limit."""
        max_qty, max_notional = ctx.limits.max_position_qty, ctx.limits.max_position_notional
        if (max_qty is None and max_notional is None) or not ctx.grows:
            return None
        reach = ctx.potential_after
        if max_qty is not None and reach > max_qty:
            return Denial(rule="max_position_qty", message=f"position in {order.symbol} could reach {fmt(reach)} "
                          f"with working orders, above max_position_qty {fmt(max_qty)}",
                          limit=fmt(max_qty), actual=fmt(reach))
        if max_notional is not None:
            if ctx.mark is None:
                return ctx.unpriced("max_position_notional", "position")
            value = reach * ctx.mark
            if value > max_notional:
                return Denial(rule="max_position_notional", message=f"position in {order.symbol} could be worth "
                              f"{fmt(value)} with working orders, above max_position_notional {fmt(max_notional)}",
                              limit=fmt(max_notional), actual=fmt(value))
        return None
