"""Stale-data protection: no order that could trade at once while the market price is stale or unknown."""

from ordergate.domain.enums import OrderType, Side
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt

MARKET = OrderType.MARKET
BUY = Side.BUY


class StaleDataRule:
    """With stale_data_protection on, deny a market order, or a limit order at or through the last known
    price, when the symbol's reference price is stale (or, for a market order, unknown).

    Freshness comes from the market data feed only: the account's own fills never make a price fresh.
    A limit order away from the last known price may rest; stop orders are checked again when they trigger.
    """

    name = "stale_data_protection"
    switches = ("stale_data_protection",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial for an order that could execute on a price nobody has seen lately."""
        if not ctx.limits.stale_data_protection:
            return None
        reference = ctx.reference
        if reference is not None and not ctx.stale:
            return None
        actual = "stale price" if reference is not None else "no price"
        if order.type is MARKET:
            return Denial(rule=self.name, message=f"market order in {order.symbol} refused: the market price is "
                          f"{'stale' if reference is not None else 'unknown'}", limit="fresh price", actual=actual)
        limit = order.limit_price
        if limit is None or reference is None or order.type is not OrderType.LIMIT:
            return None
        marketable = limit >= reference if order.side is BUY else limit <= reference
        if not marketable:
            return None
        return Denial(rule=self.name, message=f"{order.side} limit {fmt(limit)} in {order.symbol} is at or through "
                      f"the last known price {fmt(reference)}, which is stale", limit="fresh price", actual=actual)
