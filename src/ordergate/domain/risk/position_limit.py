"""Max position per symbol, in quantity and in value, counting working orders as if filled."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt


class MaxPositionRule:
    """Deny an order that could take the position beyond max_position_qty or max_position_notional.

    What counts is the reach on the order's side of flat: how long the position gets if every working
    buy (this one too) fills, for a buy; how short with every working sell, for a sell. The part of an
    order that only takes the position toward flat is reducing and always passes, even over a lowered
    limit; the part beyond flat is new exposure and is checked.
    """

    name = "max_position_qty"
    switches = ("max_position_qty", "max_position_notional")  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the reach on the order's side would be above either limit."""
        max_qty, max_notional = ctx.limits.max_position_qty, ctx.limits.max_position_notional
        if (max_qty is None and max_notional is None) or not ctx.grows:
            return None
        reach = ctx.side_after
        if max_qty is not None and reach > max_qty:
            return Denial(rule="max_position_qty", message=f"position in {order.symbol} could reach {fmt(reach)} "
                          f"with working orders, above max_position_qty {fmt(max_qty)}",
                          limit=fmt(max_qty), actual=fmt(reach))
        if max_notional is not None:
            value = ctx.side_value
            if value is None:  # no usable mark
                return ctx.unpriced("max_position_notional", "position", max_notional)
            if value > max_notional:
                return Denial(rule="max_position_notional", message=f"position in {order.symbol} could be worth "
                              f"{ctx.money(value)} {ctx.currency} with working orders, above max_position_notional "
                              f"{ctx.money(max_notional)}", limit=ctx.money(max_notional), actual=ctx.money(value))
        return None
