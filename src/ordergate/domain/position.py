"""Positions, netted per account and symbol, derived from fills only."""

from dataclasses import dataclass
from decimal import Decimal

from ordergate.domain.enums import Side
from ordergate.domain.ids import AccountId, Symbol

ZERO = Decimal(0)
BUY = Side.BUY  # a module constant: an attribute lookup on an Enum class is slow, and this runs per fill


@dataclass(slots=True, kw_only=True)
class Position:
    """A net position: signed quantity (long > 0, short < 0), average cost and realized P&L.

    ``realized_pnl`` is the trading P&L of closed quantity, before commissions; ``commission`` is the
    total paid. Net P&L is realized + unrealized - commission.
    """

    account: AccountId
    symbol: Symbol
    currency: str
    qty: Decimal = ZERO
    avg_cost: Decimal = ZERO
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
            size = abs(held)
            self.avg_cost = (size * self.avg_cost + qty * price) / (size + qty)
            self.qty = held + signed
            return ZERO
        closing = min(qty, abs(held))
        long = held > ZERO
        realized = closing * (price - self.avg_cost) if long else closing * (self.avg_cost - price)
        self.realized_pnl += realized
        self.qty = held + signed
        if not self.qty:
            self.avg_cost = ZERO
        elif (self.qty > ZERO) is not long:
            self.avg_cost = price  # flipped: the remainder opened at this fill's price
        return realized

    def unrealized_pnl(self, mark: Decimal | None) -> Decimal:
        """Return the open P&L at a mark price (zero when flat or with no mark)."""
        if mark is None or self.qty == 0:
            return ZERO
        return (mark - self.avg_cost) * self.qty

    def market_value(self, mark: Decimal | None) -> Decimal | None:
        """Return signed market value at a mark price, or None without one."""
        if mark is None:
            return None
        return self.qty * mark

    @property
    def cost_basis(self) -> Decimal:
        """Return the signed cost of the open quantity."""
        return self.qty * self.avg_cost
