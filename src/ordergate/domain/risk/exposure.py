"""Gross and net exposure per account (per currency), counting working orders as if filled."""

from decimal import Decimal

from ordergate.domain.enums import Side
from ordergate.domain.events import Denial
from ordergate.domain.risk.context import RiskContext, RiskOrder, fmt_money
from ordergate.domain.risk.usage_state import CurrencyTotals

BUY = Side.BUY
ZERO = Decimal(0)


class ExposureRule:
    """Deny an order that could take the account's gross or net exposure beyond its limit.

    Gross exposure sums each symbol's largest reachable absolute position at its mark; the symbol an
    order grows counts its reach on the order's side of flat. Net exposure is checked on the order's
    side only, at its worst case: for a buy, positions plus every working buy (working sells, which may
    never fill, offset nothing); for a sell, positions minus every working sell.
    """

    name = "max_gross_exposure"
    switches = ("max_gross_exposure", "max_net_exposure")  # all off: cannot deny, skipped

    def check(self, order: RiskOrder, ctx: RiskContext) -> Denial | None:
        """Return a denial when gross or net exposure after the order is above its limit."""
        max_gross, max_net = ctx.limits.max_gross_exposure, ctx.limits.max_net_exposure
        if max_gross is None and max_net is None:
            return None
        mark, side_value = ctx.mark, ctx.side_value
        if mark is None or side_value is None:
            rule = "max_gross_exposure" if max_gross is not None else "max_net_exposure"
            return ctx.unpriced(rule, "exposure", max_gross if max_gross is not None else max_net)
        single = ctx.limits.base_currency is None  # the common case: no FX, no closures
        if max_gross is not None and ctx.grows:
            gross: Decimal | None
            here = ctx.totals.gross - ctx.sym.gross + side_value
            gross, currency = (here, ctx.instrument.currency) if single else ctx.aggregate(here, _gross)
            if gross is None:
                return ctx.no_rate("max_gross_exposure", max_gross)
            if gross > max_gross:
                return Denial(rule="max_gross_exposure", message=f"gross exposure would be "
                              f"{fmt_money(gross, currency)} {currency}, above max_gross_exposure "
                              f"{fmt_money(max_gross, currency)}", limit=fmt_money(max_gross, currency),
                              actual=fmt_money(gross, currency))
        if max_net is not None:
            sym, totals = ctx.sym, ctx.totals
            buy = order.side is BUY
            here = totals.net_long if buy else totals.net_short
            after_here = here - (sym.net_long if buy else sym.net_short) + ctx.reach_after * mark
            before: Decimal | None
            after: Decimal | None
            if single:
                before, after, currency = here, after_here, ctx.instrument.currency
            else:
                side = _net_long if buy else _net_short
                (before, currency), (after, _) = ctx.aggregate(here, side), ctx.aggregate(after_here, side)
            if before is None or after is None:
                return ctx.no_rate("max_net_exposure", max_net)
            net = after if after >= ZERO else -after
            # moving toward zero always passes; crossing zero is new exposure on the other side
            if net > max_net and (net > abs(before) or (after < ZERO) != (before < ZERO)):
                return Denial(rule="max_net_exposure", message=f"net exposure would be {fmt_money(net, currency)} "
                              f"{currency} if every working {order.side} filled, above max_net_exposure "
                              f"{fmt_money(max_net, currency)}", limit=fmt_money(max_net, currency),
                              actual=fmt_money(net, currency))
        return None


def _gross(currency: str, totals: CurrencyTotals) -> Decimal:
    return totals.gross


def _net_long(currency: str, totals: CurrencyTotals) -> Decimal:
    return totals.net_long


def _net_short(currency: str, totals: CurrencyTotals) -> Decimal:
    return totals.net_short
