"""What one open order adds to its account's risk usage, kept so that it can be taken back exactly.

An order's share is its leaves (the larger quantity while a replace is pending), their value at the
order's price (else the symbol's mark), and its resting limit price for self-match. Adding and taking
back a share moves the symbol's working quantities, open-order counts and best resting prices, and the
account's working notional, each by O(1) numbers.
"""

from decimal import Decimal

from ordergate.domain.enums import OrderType, Side
from ordergate.domain.order import Order
from ordergate.domain.risk.usage_state import AccountUsage, SymbolUsage

ZERO = Decimal(0)
BUY = Side.BUY  # enum members as module constants: a class attribute lookup on an Enum is slow, per event


class Share:
    """What one open order adds to its account's usage (so it can be taken back exactly)."""

    __slots__ = ("leaves", "notional", "resting", "side", "symbol")

    def __init__(self, symbol: SymbolUsage, side: Side, leaves: Decimal, price: Decimal,
                 resting: Decimal | None) -> None:
        self.symbol, self.side, self.leaves, self.resting = symbol, side, leaves, resting
        self.notional = leaves * price


def share_of(order: Order, sym: SymbolUsage, unmarked: bool = False) -> Share:
    """Return the share of an open order in ``sym`` (``unmarked``: value it only at its own price)."""
    qty, limit, _, terms_price = order_terms(order)
    price = terms_price or (None if unmarked else sym.mark) or ZERO
    if sym.mark is None and price:
        sym.mark = price
    rests = order.type is OrderType.LIMIT or (order.type is OrderType.STOP_LIMIT and order.triggered)
    return Share(sym, order.side, qty - order.filled_qty, price, limit if rests else None)


def apply_share(usage: AccountUsage, share: Share, sign: int) -> None:
    """Add (``sign`` 1) or take back (-1) an order's share of its account's usage."""
    # adds and subtracts, not ``sign * x``: an int times a Decimal converts the int on every call
    sym = share.symbol
    usage.epoch += 1
    sym.open_orders += sign
    usage.open_orders += sign
    totals = usage.totals[sym.currency]
    leaves = share.leaves
    buy = share.side is BUY
    if sign > 0:
        totals.working_notional += share.notional
        usage.working_qty += leaves
        if buy:
            sym.buy_working += leaves
        else:
            sym.sell_working += leaves
    else:
        totals.working_notional -= share.notional
        usage.working_qty -= leaves
        if buy:
            sym.buy_working -= leaves
        else:
            sym.sell_working -= leaves
    if share.resting is not None:
        resting = sym.resting_buys if buy else sym.resting_sells
        if sign > 0:
            resting.add(share.resting)
        else:
            resting.remove(share.resting)
        if buy:
            sym.best_resting_buy = resting[-1] if resting else None
        else:
            sym.best_resting_sell = resting[0] if resting else None


def order_terms(order: Order) -> tuple[Decimal, Decimal | None, Decimal | None, Decimal | None]:
    """Return the quantity, limit and stop an open order may trade on, and the price that values it.

    Until the venue answers a replace, either terms may be live: the larger quantity counts.
    """
    qty, limit, stop = order.qty, order.limit_price, order.stop_price
    pending = order.pending_replace
    if pending is not None:
        qty = max(qty, pending.qty)
        limit = pending.limit_price if pending.limit_price is not None else limit
        stop = pending.stop_price if pending.stop_price is not None else stop
    return qty, limit, stop, limit or stop or order.arrival_price


def potential(position: Decimal, buying: Decimal, selling: Decimal) -> Decimal:
    """Return the largest absolute position reachable if the working orders on either side all fill."""
    return max(abs(position + buying), abs(position - selling))
