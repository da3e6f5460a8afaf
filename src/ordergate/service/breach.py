"""Responses to a limit change: with ``cancel_on_breach``, working orders the new limits would refuse are
canceled (a symbol put on the restricted list, a size or exposure limit lowered below what they need)."""

from collections.abc import Callable

from ordergate.domain.events import Denial
from ordergate.domain.ids import AccountId
from ordergate.domain.order import Order
from ordergate.domain.risk.concentration import ConcentrationRule
from ordergate.domain.risk.context import Rule
from ordergate.domain.risk.exposure import ExposureRule
from ordergate.domain.risk.order_notional import MaxOrderNotionalRule
from ordergate.domain.risk.order_qty import MaxOrderQtyRule
from ordergate.domain.risk.position_limit import MaxPositionRule
from ordergate.domain.risk.restricted import RestrictedListRule

# the rules about what an order is (symbol, size, exposure), not about when it was sent or how often
BREACH_RULES: tuple[Rule, ...] = (RestrictedListRule(), MaxOrderQtyRule(), MaxOrderNotionalRule(),
                                  MaxPositionRule(), ConcentrationRule(), ExposureRule())

Check = Callable[[Order, tuple[Rule, ...]], list[Denial]]


def breaching_orders(open_orders: list[Order], accounts: set[AccountId] | None, wants: Callable[[AccountId], bool],
                     check: Check) -> list[tuple[Order, list[Denial]]]:
    """Return the working orders (of ``accounts``, None: all) whose account asks for cancel_on_breach and whose
    own terms the limits in force would now refuse, each with why."""
    found = []
    for order in open_orders:
        if accounts is not None and order.account not in accounts:
            continue
        if not wants(order.account):
            continue
        denials = check(order, BREACH_RULES)
        if denials:
            found.append((order, denials))
    return found
