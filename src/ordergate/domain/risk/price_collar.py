"""Price collar (fat finger): a limit or stop price too far from the reference price; a market order
with no fresh reference price."""

from decimal import Decimal

from ordergate.domain.enums import OrderType
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt, fmt_ratio

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class PriceCollarRule:
    """Deny prices more than price_collar_pct percent or price_collar_ticks ticks from the reference."""

    name = "price_collar_pct"
    switches = ("price_collar_pct", "price_collar_ticks")  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial for the first price outside the collar, or a market order with no usable reference."""
        pct, ticks = ctx.limits.price_collar_pct, ctx.limits.price_collar_ticks
        if pct is None and ticks is None:
            return None
        rule = self.name if pct is not None else "price_collar_ticks"
        reference = ctx.reference
        if reference is None or ctx.stale or reference <= ZERO:
            if order.type is OrderType.MARKET or order.limit_price is not None or order.stop_price is not None:
                stale = ctx.stale and reference is not None
                why = "is stale" if stale else "is not known"
                return Denial(rule=rule, message=f"the reference price of {order.symbol} {why}: "
                              f"cannot check the order against the price collar",
                              limit=fmt_ratio(pct) if pct is not None else str(ticks),
                              actual="stale price" if stale else "no price")
            return None
        denial = None
        limit_price, stop_price = order.limit_price, order.stop_price
        if limit_price is not None:
            # the bands' products, kept on the symbol while the reference and the limits are the same objects
            band = ctx.sym.collar
            if band is None or band[0] is not reference or band[1] is not ctx.limits:
                band = ctx.sym.collar = (reference, ctx.limits, None if pct is None else pct * reference,
                                         None if ticks is None else ticks * ctx.instrument.tick_size)
            pct_band, tick_band = band[2], band[3]
            distance = limit_price - reference
            if distance < ZERO:  # a conditional, not abs(): cheaper
                distance = -distance
            # the common case, inside both bands, costs one multiplication and no call
            if (pct_band is not None and distance * HUNDRED > pct_band) or (
                    tick_band is not None and distance > tick_band):
                denial = self._outside("limit_price", limit_price, reference, ctx, pct, ticks)
        if denial is None and stop_price is not None:
            denial = self._outside("stop_price", stop_price, reference, ctx, pct, ticks)
        return denial

    def _outside(self, field: str, price: Decimal, reference: Decimal, ctx: RiskContext,
                 pct: Decimal | None, ticks: int | None) -> Denial | None:
        distance = abs(price - reference)
        # compare by multiplying: a Decimal division costs more than the rest of the check
        if pct is not None and distance * HUNDRED > pct * reference:
            away = distance * HUNDRED / reference
            if away > pct:
                return Denial(rule="price_collar_pct", message=f"{field} {fmt(price)} is {fmt_ratio(away)}% from "
                              f"the reference price {fmt(reference)}, above price_collar_pct {fmt_ratio(pct)}",
                              limit=fmt_ratio(pct), actual=fmt_ratio(away))
        if ticks is not None and distance > ticks * ctx.instrument.tick_size:
            away_ticks = distance / ctx.instrument.tick_size
            if away_ticks > ticks:
                return Denial(rule="price_collar_ticks", message=f"{field} {fmt(price)} is {fmt(away_ticks)} ticks "
                              f"from the reference price {fmt(reference)}, above price_collar_ticks {ticks}",
                              limit=str(ticks), actual=fmt(away_ticks))
        return None
