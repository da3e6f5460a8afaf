"""Daily loss: once today's loss reaches the limit, only orders that reduce a position may trade.

The loss is realized P&L today after commissions; with ``daily_loss_unrealized`` it is the drawdown
from the day's start instead: positions' value at their marks now, less their value when the day
began, plus the cash the day's fills moved (commissions included).
"""

from decimal import Decimal

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt_money
from ordergate.domain.risk.usage_state import CurrencyTotals


class DailyLossRule:
    """Deny orders that do not reduce a position once the day's loss reaches max_daily_loss."""

    name = "max_daily_loss"
    switches = ("max_daily_loss",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when today's loss is at or above the limit and the order does not reduce."""
        limits = ctx.limits
        limit = limits.max_daily_loss
        if limit is None:
            return None
        totals = ctx.totals
        unrealized = limits.daily_loss_unrealized is True
        if unrealized and ctx.mark is None:
            return None if ctx.reduces else ctx.unpriced(self.name, "loss", limit)
        if ctx.reduces:
            return None
        here = totals.pnl_today if unrealized else totals.realized_today
        if limits.base_currency is None:  # the common case: no FX
            pnl: Decimal | None
            pnl, currency = here, ctx.instrument.currency
        else:
            pnl, currency = ctx.aggregate(here, _total_pnl if unrealized else _realized)
        if pnl is None:
            return ctx.no_rate(self.name, limit)
        loss = -pnl
        if loss < limit:
            return None
        what = "loss today (realized and unrealized)" if unrealized else "realized loss today"
        return Denial(rule=self.name, message=f"{what} is {fmt_money(loss, currency)} {currency}, at or above "
                      f"max_daily_loss {fmt_money(limit, currency)}: only orders that reduce a position are allowed",
                      limit=fmt_money(limit, currency), actual=fmt_money(loss, currency))


def _realized(currency: str, totals: CurrencyTotals) -> Decimal:
    return totals.realized_today


def _total_pnl(currency: str, totals: CurrencyTotals) -> Decimal:
    return totals.pnl_today
