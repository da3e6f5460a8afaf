"""The schema's foreign keys and check constraints really refuse bad rows, on SQLite and PostgreSQL."""

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from ordergate.adapters.store import tables as t
from tests.integration.booking import book

D = Decimal


def a_row(engine: Engine, table: Any) -> dict[str, Any]:
    """Return one stored row of a table as a dict (to copy with a change)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(table).limit(1)).one()._mapping)


def count(engine: Engine, table: Any) -> int:
    """Return how many rows a table holds."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def insert_refused(engine: Engine, table: Any, row: dict[str, Any]) -> str:
    """Insert a row that must be refused; return the database's message."""
    before = count(engine, table)
    with pytest.raises(IntegrityError) as info, engine.begin() as conn:
        conn.execute(table.insert(), [row])
    assert count(engine, table) == before
    return str(info.value.orig)


def test_fill_when_its_order_is_unknown_then_foreign_key_refuses_it(trading: Any) -> None:
    book(trading)
    engine = trading.journal.engine
    fill = a_row(engine, t.fills) | {"seq": 10_000, "fill_id": "orphan-1", "order_id": "no-such-order"}
    message = insert_refused(engine, t.fills, fill)
    assert "foreign key" in message.lower()


def test_position_when_its_account_is_unknown_then_foreign_key_refuses_it(trading: Any) -> None:
    book(trading)
    engine = trading.journal.engine
    position = a_row(engine, t.positions) | {"account": "NO-SUCH-ACCOUNT"}
    assert "foreign key" in insert_refused(engine, t.positions, position).lower()


@pytest.mark.parametrize(("changes", "constraints"), [
    ({"qty": D("0")}, ["ck_orders_qty_positive"]),
    ({"qty": D("-5")}, ["ck_orders_qty_positive", "ck_orders_not_overfilled"]),  # breaks both: either is named
    ({"qty": D("5"), "filled_qty": D("6")}, ["ck_orders_not_overfilled"]),
    ({"filled_qty": D("-1")}, ["ck_orders_filled_qty_not_negative"]),
    ({"side": "hold"}, ["ck_orders_side_valid"]),
    ({"status": "lost"}, ["ck_orders_status_valid"]),
    ({"tif": "forever"}, ["ck_orders_tif_valid"]),
])
def test_order_when_a_value_breaks_a_check_then_the_database_refuses_it(trading: Any, changes: dict[str, Any],
                                                                         constraints: list[str]) -> None:
    book(trading)
    engine = trading.journal.engine
    unfilled = {"id": "bad-order", "client_order_id": "bad-order", "filled_qty": D("0"), "filled_notional": D("0")}
    order = a_row(engine, t.orders) | unfilled | changes
    message = insert_refused(engine, t.orders, order)
    assert any(name in message for name in constraints), message


def test_fill_when_qty_not_positive_then_the_database_refuses_it(trading: Any) -> None:
    book(trading)
    engine = trading.journal.engine
    fill = a_row(engine, t.fills) | {"seq": 10_001, "fill_id": "zero-1", "qty": D("0")}
    assert "ck_fills_qty_positive" in insert_refused(engine, t.fills, fill)


def test_order_when_a_good_copy_then_accepted(trading: Any) -> None:
    book(trading)
    engine = trading.journal.engine
    order = a_row(engine, t.orders) | {"id": "good-order", "client_order_id": "good-order"}
    with engine.begin() as conn:
        conn.execute(t.orders.insert(), [order])
    assert count(engine, t.orders) == 4
