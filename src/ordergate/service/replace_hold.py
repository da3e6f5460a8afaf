"""What a working order holds while a cancel-replace is pending, and once the venue answers.

While a replace is pending the order holds the larger of its old and new terms, so buying power can never be
spent twice in the window before the venue answers; a confirmed replace holds the new terms, a refused one
the old terms again (each priced by the same policy as a new order: ``reservation.py``).
"""

from decimal import Decimal

from ordergate.domain.commands import SubmitOrder
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.service.risk_gate import RiskGate

Hold = tuple[Decimal, Decimal]  # (qty, price per unit); (0, 0) holds nothing
ZERO = Decimal(0)


def hold_for_terms(
    risk: RiskGate, order: Order, qty: Decimal, limit_price: Decimal | None, stop_price: Decimal | None,
    reference: Decimal | None,
) -> Hold:
    """Return what ``order`` would hold on these terms (its leaves at ``qty``)."""
    leaves = max(qty - order.filled_qty, ZERO)
    if not leaves:
        return ZERO, ZERO
    terms = SubmitOrder(account=order.account, symbol=order.symbol, side=order.side, type=order.type, qty=leaves,
                        limit_price=limit_price, stop_price=stop_price)
    return risk.reservation(terms, reference, replacing=order)


def current_hold(ledger: Ledger, order: Order) -> Hold:
    """Return what an order holds now."""
    res = ledger.accounts[order.account].reservations.get(order.id)
    return (ZERO, ZERO) if res is None else (res.qty, res.price)


def larger(held: Hold, other: Hold) -> Hold:
    """Return whichever hold is the larger amount (the first on a tie)."""
    return other if other[0] * other[1] > held[0] * held[1] else held
