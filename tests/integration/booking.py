"""Trading the store tests share: a few orders with fills, and risk-limit changes, committed to a journal."""

from decimal import Decimal
from typing import Any

from ordergate.domain.commands import SetRiskLimits
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import AccountId
from tests.unit.builders import ACCOUNT, buy, fill_report, status_report


def book(trading: Any) -> dict[str, str]:
    """Trade a little: one filled order, one partly filled and working, one canceled; return their ids."""
    ids = {}
    for name, qty, fills in (("filled", "10", ["4", "6"]), ("working", "10", ["3"]), ("canceled", "5", [])):
        trading.clock.advance(60)
        order_id = trading.reply(buy(qty=qty)).order.id
        trading.run(status_report(order_id, OrderStatus.NEW))
        for n, fill_qty in enumerate(fills):
            trading.run(fill_report(order_id, fill_qty, "230.00", fill_id=f"{order_id}-{n}", commission="0.5"))
        ids[name] = order_id
    trading.run(status_report(ids["canceled"], OrderStatus.CANCELED))
    return ids


def change_limits(trading: Any, changes: dict[str, object], account: AccountId | None = ACCOUNT,
                  who: str = "alice") -> None:
    """Change risk limits through the engine (account None: the firm's defaults), as the API does."""
    trading.clock.advance(1)
    trading.reply(SetRiskLimits(account=account, changes=changes, requested_by=who))


def set_limits_twice(trading: Any) -> None:
    """Change the firm's defaults once and ACC's limits twice, by two people."""
    change_limits(trading, {"max_order_qty": Decimal("1000")}, account=None, who="risk-desk")
    change_limits(trading, {"max_daily_orders": 50, "restricted_symbols": ["NVDA", "SPY"]})
    change_limits(trading, {"max_daily_orders": 60}, who="bob")
