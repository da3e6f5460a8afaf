"""Valuing one symbol's exposure at its mark, and moving the account's per-currency totals by the change.

A symbol's figures (gross and per-side net exposure, position value, initial margin, short value and the
margin on it) are kept on its SymbolUsage, so the account totals move by differences: O(1) per change.
"""

from collections.abc import Callable
from decimal import Decimal

from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.risk.usage_state import AccountUsage, SymbolUsage

ZERO = Decimal(0)

MarginOf = Callable[[AccountId, Symbol], Decimal]


def revalue(usage: AccountUsage, sym: SymbolUsage, margin_of: MarginOf, mark: Decimal | None = None) -> None:
    """Recompute one symbol's exposure (at ``mark`` when given) and move the account totals by the change.

    ``margin_of`` gives the symbol's initial margin rate when it has none cached.
    """
    usage.epoch += 1
    if mark is not None:
        sym.mark = mark
    price = sym.mark or ZERO
    position, buying, selling = sym.position, sym.buy_working, sym.sell_working
    long_reach, short_reach = abs(position + buying), abs(position - selling)  # ``potential``, inlined
    gross = (long_reach if long_reach > short_reach else short_reach) * price
    # net exposure is kept per side: a working order on the other side may never fill
    net_long, net_short = (position + buying) * price, (position - selling) * price
    value = position * price
    rate = sym.margin_rate
    if rate is None:
        rate = sym.margin_rate = margin_of(usage.account, sym.symbol)
    margin = gross * rate
    short_value = value if position < 0 else ZERO
    short_margin = -short_value * rate
    totals = usage.totals[sym.currency]
    totals.gross += gross - sym.gross
    totals.net_long += net_long - sym.net_long
    totals.net_short += net_short - sym.net_short
    totals.value += value - sym.value
    totals.margin += margin - sym.margin
    totals.short_value += short_value - sym.short_value
    totals.short_margin += short_margin - sym.short_margin
    sym.gross, sym.net_long, sym.net_short, sym.value, sym.margin = gross, net_long, net_short, value, margin
    sym.short_value, sym.short_margin = short_value, short_margin
