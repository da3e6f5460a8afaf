"""Projection rows: an order's update row holds exactly its full row's changing columns, in driver-ready values."""

from datetime import timedelta
from enum import Enum

import pytest

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.rows import (
    ORDER_CHANGING,
    POSTGRES,
    PYTHON,
    SQLITE,
    Conv,
    fill_row,
    order_row,
    order_update_row,
)
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.events import Denial, OrderDenied
from ordergate.domain.ids import ClientOrderId, OrderId, VenueOrderId
from ordergate.domain.order import Order, order_from_denied
from tests.unit.builders import AAPL, ACCOUNT, T0, D, filled, new_order

NAMES = [c.name for c in t.orders.columns]
UPDATE_COLUMNS = [NAMES.index(n) for n in [*ORDER_CHANGING, "id"]]


def working_order() -> Order:
    order = new_order(qty="100")
    order.status, order.venue_order_id = OrderStatus.PARTIALLY_FILLED, VenueOrderId("v-1")
    order.filled_qty, order.filled_notional, order.commission = D("40"), D("400.50"), D("0.0125")
    order.accepted_at = order.first_fill_at = order.updated_at = T0 + timedelta(microseconds=7)
    order.tif, order.expire_at, order.flags = TimeInForce.GTD, T0 + timedelta(days=1), ["watch_list"]
    order.parent_id = OrderId("p-1")
    return order


def denied_order() -> Order:
    return order_from_denied(OrderDenied(
        ts=T0, account=ACCOUNT, order_id=OrderId("o-2"), client_order_id=ClientOrderId("c-2"), symbol=AAPL,
        side=Side.SELL, type=OrderType.MARKET, qty=D("100"), limit_price=None, stop_price=None,
        tif=TimeInForce.DAY, expire_at=None, currency="USD",
        reasons=[Denial(rule="max_order_qty", message="qty 100 > 10", limit="10", actual="100")],
    ))


ORDERS = {"new": new_order, "working": working_order, "denied": denied_order}
CONVS = {"python": PYTHON, "postgres": POSTGRES, "sqlite": SQLITE}


@pytest.mark.parametrize("conv", CONVS.values(), ids=list(CONVS))
@pytest.mark.parametrize("make", ORDERS.values(), ids=list(ORDERS))
def test_order_update_row_when_built_then_the_full_rows_changing_columns_and_id(make: object, conv: Conv) -> None:
    order = make()  # type: ignore[operator]
    full = order_row(order, 42, conv)
    assert len(full) == len(NAMES)
    assert order_update_row(order, 42, conv) == tuple(full[i] for i in UPDATE_COLUMNS)


@pytest.mark.parametrize("make", ORDERS.values(), ids=list(ORDERS))
def test_rows_when_built_then_enums_are_plain_strings_for_the_driver(make: object) -> None:
    rows = [order_row(make(), 1, SQLITE), order_update_row(make(), 1, SQLITE),  # type: ignore[operator]
            fill_row(filled("5"), SQLITE)]
    values = [v for row in rows for v in row]
    assert not [v for v in values if isinstance(v, Enum)]
    assert {type(v) for v in values} <= {str, int, bool, type(None)}
