"""Daily limits per account and trading day: orders, trades, traded volume and traded notional."""

from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt


class DailyLimitsRule:
    """Deny a new order once the day's orders or trades reach their limit, or when volume or notional
    traded today plus what is working (this order too) would go above its limit.

    Counters (orders, trades) report the count so far as ``actual``: the order is denied because it is at
    the limit. Volume and notional report the total the order would make.
    """

    name = "max_daily_orders"
    switches = ("max_daily_orders", "max_daily_trades", "max_daily_volume", "max_daily_notional")  # all off: skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial for the first daily limit the order breaks."""
        limits, usage = ctx.limits, ctx.usage
        new = ctx.replacing is None
        if new and limits.max_daily_orders is not None and usage.orders_today >= limits.max_daily_orders:
            return Denial(rule="max_daily_orders", message=f"{usage.orders_today} orders today: max_daily_orders "
                          f"{limits.max_daily_orders} reached", limit=str(limits.max_daily_orders),
                          actual=str(usage.orders_today))
        if new and limits.max_daily_trades is not None and usage.trades_today >= limits.max_daily_trades:
            return Denial(rule="max_daily_trades", message=f"{usage.trades_today} trades today: max_daily_trades "
                          f"{limits.max_daily_trades} reached", limit=str(limits.max_daily_trades),
                          actual=str(usage.trades_today))
        if limits.max_daily_volume is not None:
            volume = usage.volume_today + ctx.working_qty + ctx.qty
            if volume > limits.max_daily_volume:
                return Denial(rule="max_daily_volume", message=f"traded plus working volume would be {fmt(volume)}, "
                              f"above max_daily_volume {fmt(limits.max_daily_volume)}",
                              limit=fmt(limits.max_daily_volume), actual=fmt(volume))
        limit = limits.max_daily_notional
        if limit is None:
            return None
        if ctx.added_notional is None:
            return ctx.unpriced("max_daily_notional", "order", limit)
        notional = ctx.totals.traded_notional + ctx.working_notional + ctx.added_notional
        if notional <= limit:
            return None
        return Denial(rule="max_daily_notional", message=f"traded plus working notional would be "
                      f"{ctx.money(notional)} {ctx.currency}, above max_daily_notional {ctx.money(limit)}",
                      limit=ctx.money(limit), actual=ctx.money(notional))
