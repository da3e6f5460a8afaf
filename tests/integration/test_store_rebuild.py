"""db rebuild / check / archive, on SQLite and PostgreSQL."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.archive import archive
from ordergate.adapters.store.check import check
from ordergate.adapters.store.rebuild import rebuild
from ordergate.domain.ledger import Ledger
from tests.integration.booking import book
from tests.unit.builders import T0

D = Decimal


def test_check_when_projections_follow_the_journal_then_no_problems(trading: Any) -> None:
    book(trading)
    assert check(trading.journal.engine) == []
    assert rebuild(trading.journal.engine, write=False).differences == []


def test_check_when_position_tampered_then_reports_it_and_rebuild_repairs(trading: Any) -> None:
    book(trading)
    engine = trading.journal.engine
    with engine.begin() as conn:
        conn.execute(update(t.positions).values(qty=D("999")))
        conn.execute(update(t.balances).where(t.balances.c.currency == "USD").values(cash=D("1")))
    problems = check(engine)
    assert any("position ACC/AAPL: qty 999 but its fills sum to 13" in p for p in problems)
    assert any("balance ACC/USD: cash 1" in p for p in problems)
    found = rebuild(engine).differences
    assert any(f.startswith("positions ACC/AAPL: qty is") for f in found)
    assert check(engine) == []
    assert rebuild(engine, write=False).differences == []


def test_check_when_realized_pnl_tampered_then_reports_it_against_cash_flow_and_open_basis(trading: Any) -> None:
    book(trading)
    engine = trading.journal.engine
    with engine.begin() as conn:
        conn.execute(update(t.positions).values(realized_pnl=D("0.01")))
    problems = check(engine)
    # 13 bought at 230.00, none sold: cash flow -2990.00, all of it still open basis
    assert ("position ACC/AAPL: realized P&L 0.01 but its fills' cash flow plus its open cost basis give 0.00"
            in problems)
    rebuild(engine)
    assert check(engine) == []


def test_rebuild_when_order_row_missing_then_reports_and_restores_it(trading: Any) -> None:
    ids = book(trading)
    engine = trading.journal.engine
    with engine.begin() as conn:
        conn.execute(t.orders.delete().where(t.orders.c.id == ids["canceled"]))
    assert rebuild(engine, write=False).differences == [f"orders {ids['canceled']}: missing (the journal has it)"]
    rebuild(engine)
    with engine.connect() as conn:
        assert conn.execute(select(t.orders.c.status).where(t.orders.c.id == ids["canceled"])).scalar() == "canceled"


def test_rebuild_dry_run_when_differences_then_changes_nothing(trading: Any) -> None:
    book(trading)
    engine = trading.journal.engine
    with engine.begin() as conn:
        conn.execute(update(t.positions).values(qty=D("7")))
    assert rebuild(engine, write=False).differences
    with engine.connect() as conn:
        assert conn.execute(select(t.positions.c.qty)).scalar() == D("7")


def test_archive_when_cutoff_after_closed_orders_then_moves_them_and_keeps_positions(trading: Any) -> None:
    ids = book(trading)
    engine = trading.journal.engine
    before = trading.ledger.positions
    moved = archive(engine, T0 + timedelta(days=1), T0 + timedelta(days=2))
    assert (moved.orders, moved.fills) == (2, 2)  # filled and canceled; the working one stays
    with engine.connect() as conn:
        live = set(conn.execute(select(t.orders.c.id)).scalars())
        kept = conn.execute(select(func.count()).select_from(t.events_archive)).scalar_one()
    assert live == {ids["working"]}
    assert kept == moved.events
    assert check(engine) == []
    replayed = Ledger()
    for event in trading.journal.read_events():
        replayed.apply(event)
    assert replayed.positions == before and replayed.accounts == trading.ledger.accounts
    assert archive(engine, T0 + timedelta(days=1), T0 + timedelta(days=2)).orders == 0


def test_archive_when_cutoff_before_everything_then_moves_nothing(trading: Any) -> None:
    book(trading)
    assert archive(trading.journal.engine, T0, T0).orders == 0


def test_archive_when_cutoff_naive_then_refused(trading: Any) -> None:
    with pytest.raises(ValueError, match="before"):
        archive(trading.journal.engine, T0.replace(tzinfo=None), T0)
