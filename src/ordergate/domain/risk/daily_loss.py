"""Daily realized loss: once today's realized loss (after commissions) reaches the limit, only orders
that shrink a position may trade."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder


class DailyLossRule:
    """Deny orders that do not reduce a position once the day's realized loss reaches max_daily_loss."""

    name = "max_daily_loss"

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when today's realized loss is at or above the limit and the order does not reduce."""
        limit = ctx.limits.max_daily_loss
        if limit is None:
            return None
        loss = -ctx.totals.realized_today
        if loss < limit or ctx.reduces:
            return None
        return Denial(rule=self.name, message=f"realized loss today is {ctx.money(loss)} {ctx.currency}, at or "
                      f"above max_daily_loss {ctx.money(limit)}: only orders that reduce a position are allowed",
                      limit=ctx.money(limit), actual=ctx.money(loss))
