"""Positions, netted per account and symbol, derived from fills only.

Precision. A position keeps the cost of its open quantity exactly (``cost_basis``: the sum of quantity x
price of the fills that opened it, less what closing fills took out; signed, negative for a short). The
average cost is derived from it, ``cost_basis / qty`` rounded half-even to 8 decimal places (``AVG_COST``);
it is for display and never feeds the books. A fill that closes part of the position takes out the share
``cost_basis x closed / open`` rounded half-even to 8 decimal places, and a fill that closes all of it takes
out the whole remaining basis. Realized P&L is what the closing fill got (or paid) minus the basis it took
out. So at every moment ``realized_pnl == cash flow of the fills + cost_basis`` exactly (cash flow: sell
proceeds minus buy costs, commissions apart), and once flat, realized P&L is exactly the cash the trades made.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal

from ordergate.domain.enums import Side
from ordergate.domain.ids import AccountId, Symbol

ZERO = Decimal(0)
BUY = Side.BUY  # a module constant: an attribute lookup on an Enum class is slow, and this runs per fill
AVG_COST = Decimal("1e-8")  # the precision of the average cost and of the basis share a partial close removes
# Wide enough that a quotient of two bounded amounts is rounded only once, at AVG_COST, never at the 28th digit.
_EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN)


def _average(basis: Decimal, qty: Decimal) -> Decimal:
    """Return ``basis / qty`` rounded half-even to AVG_COST."""
    return _EXACT.quantize(_EXACT.divide(basis, qty), AVG_COST)


def _share(basis: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """Return ``basis x part / whole`` rounded half-even to AVG_COST."""
    return _EXACT.quantize(_EXACT.divide(_EXACT.multiply(basis, part), whole), AVG_COST)


@dataclass(slots=True, kw_only=True)
class Position:
    """A net position: signed quantity (long > 0, short < 0), exact cost basis, average cost, realized P&L.

    ``realized_pnl`` is the trading P&L of closed quantity, before commissions; ``commission`` is the
    total paid. Net P&L is realized + unrealized - commission. See the module's docstring for precision.
    """

    account: AccountId
    symbol: Symbol
    currency: str
    qty: Decimal = ZERO
    avg_cost: Decimal = ZERO
    cost_basis: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    commission: Decimal = ZERO
    bought_qty: Decimal = ZERO
    sold_qty: Decimal = ZERO
    fill_count: int = 0

    def apply_fill(self, side: Side, qty: Decimal, price: Decimal, commission: Decimal) -> Decimal:
        """Apply one fill; return the P&L it realized (zero when it only adds to the position)."""
        buy = side is BUY
        signed = qty if buy else -qty
        self.commission += commission
        self.fill_count += 1
        if buy:
            self.bought_qty += qty
        else:
            self.sold_qty += qty
        held = self.qty
        if not held or (held > ZERO) is buy:  # flat, or adding on the same side
            self.cost_basis += signed * price
            self.qty = held + signed
            self.avg_cost = _average(self.cost_basis, self.qty)
            return ZERO
        size = abs(held)
        if qty < size:  # a partial close takes out its (rounded) share of the basis
            removed = _share(self.cost_basis, qty, size)
            proceeds = -signed * price
            self.cost_basis -= removed
            self.qty = held + signed
            self.avg_cost = _average(self.cost_basis, self.qty)
        else:  # closed all of it: the whole basis goes; a remainder opens at this fill's price
            removed = self.cost_basis
            proceeds = (size if held > ZERO else -size) * price
            self.qty = held + signed
            self.cost_basis = self.qty * price
            self.avg_cost = _average(self.cost_basis, self.qty) if self.qty else ZERO
        realized = proceeds - removed
        self.realized_pnl += realized
        return realized

    def unrealized_pnl(self, mark: Decimal | None) -> Decimal:
        """Return the open P&L at a mark price (zero when flat or with no mark): market value minus cost basis."""
        if mark is None or self.qty == 0:
            return ZERO
        return self.qty * mark - self.cost_basis

    def market_value(self, mark: Decimal | None) -> Decimal | None:
        """Return signed market value at a mark price, or None without one."""
        if mark is None:
            return None
        return self.qty * mark
