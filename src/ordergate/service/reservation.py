"""How much an allowed order holds while it works: the same prices and margin rate the buying-power check used.

- A buy's price: its limit price; a market buy's, the far side of the book walked for its quantity, a stop
  buy's its stop, both raised by the buffer. The part that covers a short holds nothing (its cost was held
  when the short was sold). A cash account holds the rest at that price, a margin account the
  instrument's current initial margin on it (``rate`` x value); both plus the estimated commission.
- A sell holds nothing for the shares the account has; the short part holds its margin (``rate`` x value)
  plus commission, in either kind of account.

``rate`` is the instrument's initial margin rate for the account now: dynamic when ``dynamic_margin`` is on.
"""

from dataclasses import dataclass
from decimal import ROUND_UP, Decimal
from typing import Protocol

from ordergate.domain.commands import SubmitOrder
from ordergate.domain.enums import OrderType, Side
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
    cmd: SubmitOrder, margin_account: bool, sym: Standing | None, rate: Decimal, pricing: MarketPricing,
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
        return _with_commission(cmd.qty - covering, price, rate if margin_account else ZERO, pricing)
    price = cmd.limit_price or cmd.stop_price or reference
    if price is None:
        return NOTHING
    held = max(max(position, ZERO) - (sym.sell_working if sym else ZERO), ZERO)
    return _with_commission(max(cmd.qty - held, ZERO), price, rate, pricing)


def _with_commission(qty: Decimal, price: Decimal, rate: Decimal, pricing: MarketPricing) -> tuple[Decimal, Decimal]:
    """Return (qty, unit price) whose product covers qty x price (x rate when not 0) plus commission."""
    if qty <= 0:
        return NOTHING
    unit = price * rate if rate else price
    commission = pricing.commission(qty, price)
    if commission:
        unit = (unit + commission / qty).quantize(PRICE_QUANTUM, rounding=ROUND_UP)
    return qty, unit
