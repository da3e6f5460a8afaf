"""When an order must go to Upstox as an after-market order: outside 09:15-15:30 IST, Monday to Friday."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from ordergate.adapters.venues.upstox.requests import place_body
from ordergate.adapters.venues.upstox.session import after_market
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, ClientOrderId, OrderId, Symbol
from ordergate.service.ports import VenueOrder

# Monday 2026-03-02; IST is UTC + 05:30
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(("utc_time", "after"), [
    ((3, 44), True),    # 09:14 IST: before the open
    ((3, 45), False),   # 09:15 IST: the open
    ((9, 59), False),   # 15:29 IST
    ((10, 0), True),    # 15:30 IST: the close
    ((16, 0), True),    # 21:30 IST
])
def test_after_market_on_a_weekday_then_outside_the_regular_session(utc_time: tuple[int, int], after: bool) -> None:
    assert after_market(MONDAY.replace(hour=utc_time[0], minute=utc_time[1])) is after


def test_after_market_on_a_saturday_at_midday_then_true() -> None:
    assert after_market(datetime(2026, 3, 7, 6, 30, tzinfo=UTC)) is True


def test_place_body_when_after_market_then_is_amo_is_sent() -> None:
    order = VenueOrder(order_id=OrderId("o-1"), client_order_id=ClientOrderId("c-1"), account=AccountId("A"),
                       symbol=Symbol("RELIANCE"), side=Side.BUY, type=OrderType.LIMIT, qty=Decimal(1),
                       filled_qty=Decimal(0), limit_price=Decimal(1300), stop_price=None, tif=TimeInForce.DAY,
                       expire_at=None)
    assert place_body(order, "NSE_EQ|INE002A01018", "D", amo=True)["is_amo"] is True
    assert place_body(order, "NSE_EQ|INE002A01018", "D")["is_amo"] is False
