"""Self-match prevention: an order that would trade against the same account's resting order."""

from decimal import Decimal

from ordergate.domain.enums import OrderType, Side
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt

BUY = Side.BUY
STOP, STOP_LIMIT = OrderType.STOP, OrderType.STOP_LIMIT


def crossing_price(order: RiskOrder, ctx: RiskContext) -> Decimal | None:
    """Return the best price of the resting orders of the account (and of the accounts of its owner) the
    order would cross, or None."""
    kind = order.type  # two identity tests: a set lookup hashes the enum member, a Python call
    if kind is STOP or kind is STOP_LIMIT:
        return None  # not live until triggered; checked again if it is replaced
    buy = order.side is BUY
    best = ctx.sym.best_resting_sell if buy else ctx.sym.best_resting_buy
    for usage in ctx.siblings:
        sym = usage.symbols.get(order.symbol)
        other = None if sym is None else sym.best_resting_sell if buy else sym.best_resting_buy
        if other is not None and (best is None or (other < best if buy else other > best)):
            best = other
    if best is None:
        return None
    limit = order.limit_price
    if limit is None:
        return best
    crosses = best <= limit if buy else best >= limit
    return best if crosses else None


class SelfMatchRule:
    """With self_match "deny", deny an order that would cross the account's own resting order, or that of
    an account with the same ``owner``.

    With "cancel_resting" the order passes and the gate cancels the resting orders it would cross first.
    """

    name = "self_match"
    switches = ("self_match",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the order would cross the account's own resting order."""
        if ctx.limits.self_match != "deny":
            return None
        best = crossing_price(order, ctx)
        if best is None:
            return None
        price = "market" if order.limit_price is None else fmt(order.limit_price)
        whose = "this account's own" if not ctx.siblings else "this account's or its owner's other accounts'"
        return Denial(rule=self.name, message=f"{order.side} at {price} would trade against {whose} "
                      f"resting {order.side.opposite} at {fmt(best)} in {order.symbol}",
                      limit="no self-match", actual=fmt(best))
