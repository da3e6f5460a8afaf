"""How much cash an allowed order holds while it works: the same prices the buying-power check used.

- A buy holds its quantity (less the part that covers a short, whose cost was held when the short was sold)
  at its limit price; a market buy at the far side of the book walked for its quantity, a stop buy at its
  stop, both raised by the buffer; plus the estimated commission.
- A sell holds nothing for the shares the account has; for the short part, a cash account holds the
  margin (``margin_rate`` x value, plus commission) and a margin account the short's value.
"""

from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import Protocol

from ordergate.domain.commands import SubmitOrder
from ordergate.domain.enums import OrderType, Side
from ordergate.domain.risk.limits import RiskLimits
from ordergate.domain.risk.pricing import MarketPricing

ZERO = Decimal(0)
PRICE_QUANTUM = Decimal("0.00000001")
NOTHING = (ZERO, ZERO)


class Standing(Protocol):
    """An account's standing in a symbol as far as holds go (SymbolUsage is one)."""

    @property
    def position(self) -> Decimal: ...
    @property
    def buy_working(self) -> Decimal: ...
    @property
    def sell_working(self) -> Decimal: ...


@dataclass(slots=True, frozen=True)
class StandingWithout:
    """A standing with one working order's leaves taken out (the order being replaced)."""

    position: Decimal
    buy_working: Decimal
    sell_working: Decimal


def reservation_of(
    cmd: SubmitOrder, margin_account: bool, sym: Standing | None, limits: RiskLimits, pricing: MarketPricing,
    reference: Decimal | None, far: Decimal | None,
) -> tuple[Decimal, Decimal]:
    """Return (qty, price per unit) to hold for a new order; (0, 0) holds nothing."""
    position = sym.position if sym is not None else ZERO
    if cmd.side is Side.BUY:
        price = cmd.limit_price
        if price is None:
            base = cmd.stop_price if cmd.type is OrderType.STOP else far or reference
            if base is None:
                return NOTHING
            price = pricing.buffered(base)
        covering = min(cmd.qty, max(-position - (sym.buy_working if sym else ZERO), ZERO))
        return _with_commission(cmd.qty - covering, price, ZERO, pricing)
    price = cmd.limit_price or cmd.stop_price or reference
    if price is None:
        return NOTHING
    held = max(max(position, ZERO) - (sym.sell_working if sym else ZERO), ZERO)
    short = max(cmd.qty - held, ZERO)
    if margin_account:
        return short, price
    return _with_commission(short, price, limits.margin_rate(cmd.symbol), pricing)


def _with_commission(qty: Decimal, price: Decimal, rate: Decimal, pricing: MarketPricing) -> tuple[Decimal, Decimal]:
    """Return (qty, unit price) whose product covers qty x price (x rate when not 0) plus commission."""
    if qty <= 0:
        return NOTHING
    unit = price * rate if rate else price
    commission = pricing.commission(qty, price)
    if commission:
        unit = (unit + commission / qty).quantize(PRICE_QUANTUM, rounding=ROUND_UP)
    return qty, unit
