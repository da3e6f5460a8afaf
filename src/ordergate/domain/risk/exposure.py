"""Gross and net exposure per account (per currency), counting working orders as if filled."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt


class ExposureRule:
    """Deny an order that could take the account's gross or net exposure beyond its limit.

    Gross exposure sums each symbol's largest reachable absolute position at its mark; net exposure
    sums signed positions plus working buys minus working sells at their marks.
    """

    name = "max_gross_exposure"

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when gross or net exposure after the order is above its limit."""
        max_gross, max_net = ctx.limits.max_gross_exposure, ctx.limits.max_net_exposure
        if max_gross is None and max_net is None:
            return None
        if ctx.mark is None:
            return ctx.unpriced("max_gross_exposure" if max_gross is not None else "max_net_exposure", "exposure")
        currency = ctx.instrument.currency
        if max_gross is not None and ctx.grows:
            gross = ctx.totals.gross - ctx.sym.gross + ctx.potential_after * ctx.mark
            if gross > max_gross:
                return Denial(rule="max_gross_exposure", message=f"gross exposure would be {fmt(gross)} {currency}, "
                              f"above max_gross_exposure {fmt(max_gross)}", limit=fmt(max_gross), actual=fmt(gross))
        if max_net is not None:
            before = abs(ctx.totals.net)
            net = abs(ctx.totals.net - ctx.sym.net + ctx.net_after * ctx.mark)
            if net > max_net and net > before:
                return Denial(rule="max_net_exposure", message=f"net exposure would be {fmt(net)} {currency}, "
                              f"above max_net_exposure {fmt(max_net)}", limit=fmt(max_net), actual=fmt(net))
        return None
