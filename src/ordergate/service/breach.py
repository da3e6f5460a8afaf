"""Responses to breaches: with ``cancel_on_breach``, working orders a limit change makes the limits refuse
are canceled (a symbol put on the restricted list, a size or exposure limit lowered below what they need);
a stop that triggers is checked again as the order it became, and canceled if refused."""

from collections.abc import Callable

from ordergate.domain.commands import SubmitOrder
from ordergate.domain.enums import OrderType
from ordergate.domain.events import Denial
from ordergate.domain.ids import AccountId
from ordergate.domain.order import Order
from ordergate.domain.risk.buying_power import BuyingPowerRule
from ordergate.domain.risk.concentration import ConcentrationRule
from ordergate.domain.risk.context import Rule
from ordergate.domain.risk.exposure import ExposureRule
from ordergate.domain.risk.order_notional import MaxOrderNotionalRule
from ordergate.domain.risk.order_qty import MaxOrderQtyRule
from ordergate.domain.risk.position_limit import MaxPositionRule
from ordergate.domain.risk.price_collar import PriceCollarRule
from ordergate.domain.risk.restricted import RestrictedListRule
from ordergate.domain.risk.slippage import MaxSlippageRule
from ordergate.domain.risk.stale_data import StaleDataRule
from ordergate.domain.risk.trading_state import TradingStateRule

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


# what a stop is checked against again when it triggers and goes live (as a market or limit order)
TRIGGER_RULES: tuple[Rule, ...] = (TradingStateRule(), StaleDataRule(), PriceCollarRule(), MaxSlippageRule(),
                                   *BREACH_RULES, BuyingPowerRule())


def live_terms(order: Order) -> SubmitOrder:
    """Return a triggered stop's terms as the order it became: a stop a market order, a stop-limit a limit."""
    live = OrderType.LIMIT if order.type is OrderType.STOP_LIMIT else OrderType.MARKET
    return SubmitOrder(account=order.account, symbol=order.symbol, side=order.side, type=live, qty=order.qty,
                       limit_price=order.limit_price if live is OrderType.LIMIT else None)
