"""Concentration: one symbol's exposure on the order's side as a share of account equity."""

from decimal import Decimal

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt_ratio

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class ConcentrationRule:
    """Deny an order that could make one symbol more than max_concentration_pct percent of equity.

    Exposure is the reach on the order's side of flat (see MaxPositionRule) at the symbol's mark; equity
    is the account's cash in the symbol's currency plus its positions there at their marks.
    """

    name = "max_concentration_pct"
    switches = ("max_concentration_pct",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the symbol's reachable exposure is above the share of equity allowed."""
        limit = ctx.limits.max_concentration_pct
        if limit is None or not ctx.grows:
            return None
        exposure = ctx.side_value
        if exposure is None:  # no usable mark
            return ctx.unpriced(self.name, "exposure", fmt_ratio(limit))
        equity = ctx.balance.cash + ctx.totals.value
        if equity <= ZERO:
            return Denial(rule=self.name, message=f"account equity in {ctx.currency} is {ctx.money(equity)}: "
                          "no room for any concentration", limit=fmt_ratio(limit), actual="no equity")
        if exposure * HUNDRED <= limit * equity:  # no division on the passing path
            return None
        share = exposure * HUNDRED / equity
        return Denial(rule=self.name, message=f"{order.symbol} would be {fmt_ratio(share)}% of equity, above "
                      f"max_concentration_pct {fmt_ratio(limit)}", limit=fmt_ratio(limit), actual=fmt_ratio(share))
