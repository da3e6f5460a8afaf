"""Gross and net exposure per account (per currency), counting working orders as if filled."""

from ordergate.domain.enums import Side
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder

BUY = Side.BUY


class ExposureRule:
    """Deny an order that could take the account's gross or net exposure beyond its limit.

    Gross exposure sums each symbol's largest reachable absolute position at its mark; the symbol an
    order grows counts its reach on the order's side of flat. Net exposure is checked on the order's
    side only, at its worst case: for a buy, positions plus every working buy (working sells, which may
    never fill, offset nothing); for a sell, positions minus every working sell.
    """

    name = "max_gross_exposure"

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when gross or net exposure after the order is above its limit."""
        max_gross, max_net = ctx.limits.max_gross_exposure, ctx.limits.max_net_exposure
        if max_gross is None and max_net is None:
            return None
        if ctx.mark is None:
            rule = "max_gross_exposure" if max_gross is not None else "max_net_exposure"
            return ctx.unpriced(rule, "exposure", max_gross if max_gross is not None else max_net)
        currency = ctx.currency
        if max_gross is not None and ctx.grows:
            gross = ctx.totals.gross - ctx.sym.gross + ctx.side_after * ctx.mark
            if gross > max_gross:
                return Denial(rule="max_gross_exposure", message=f"gross exposure would be {ctx.money(gross)} "
                              f"{currency}, above max_gross_exposure {ctx.money(max_gross)}",
                              limit=ctx.money(max_gross), actual=ctx.money(gross))
        if max_net is not None:
            sym, totals, position = ctx.sym, ctx.totals, ctx.sym.position
            if order.side is BUY:
                before = totals.net_long
                after = before - sym.net_long + (position + ctx.buy_working + ctx.qty) * ctx.mark
            else:
                before = totals.net_short
                after = before - sym.net_short + (position - ctx.sell_working - ctx.qty) * ctx.mark
            net = abs(after)
            # moving toward zero always passes; crossing zero is new exposure on the other side
            if net > max_net and (net > abs(before) or (after < 0) != (before < 0)):
                return Denial(rule="max_net_exposure", message=f"net exposure would be {ctx.money(net)} {currency} "
                              f"if every working {order.side} filled, above max_net_exposure {ctx.money(max_net)}",
                              limit=ctx.money(max_net), actual=ctx.money(net))
        return None
