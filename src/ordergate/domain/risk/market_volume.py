"""Size against the market: no order above a share of the symbol's average daily volume."""

from decimal import Decimal

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt, fmt_ratio

HUNDRED = Decimal(100)
DAY_SECONDS = 86_400.0  # days in UTC, as the average daily volume counts them
ZERO = Decimal(0)


class MaxAdvRule:
    """Deny an order whose quantity is above max_adv_pct percent of the symbol's average daily volume
    (from the market's past days, else the configured table; with neither, the rule cannot apply)."""

    name = "max_adv_pct"
    switches = ("max_adv_pct",)  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when the order is too large a share of what the market trades in a day."""
        limit = ctx.limits.max_adv_pct
        if limit is None:
            return None
        # the volume and limit x volume, kept on the symbol for the day (a symbol's average daily volume changes
        # only from one day to the next) while the limit is the same
        day = ctx.now_ts // DAY_SECONDS
        bound = ctx.sym.adv_bound
        if bound is None or bound[0] != day or bound[1] is not limit:
            volume = ctx.volume_of(order.symbol, ctx.now_ts)
            bound = ctx.sym.adv_bound = (day, limit, volume, None if volume is None else limit * volume)
        adv, cap = bound[2], bound[3]
        if adv is None or cap is None or ctx.qty * HUNDRED <= cap:
            return None
        if adv <= ZERO:
            return Denial(rule=self.name, message=f"{order.symbol} has no average daily volume to trade against",
                          limit=fmt_ratio(limit), actual="no volume")
        share = ctx.qty * HUNDRED / adv
        return Denial(rule=self.name, message=f"{fmt(ctx.qty)} {order.symbol} is {fmt_ratio(share)}% of its average "
                      f"daily volume {fmt(adv.quantize(Decimal(1)))}, above max_adv_pct {fmt_ratio(limit)}",
                      limit=fmt_ratio(limit), actual=fmt_ratio(share))
