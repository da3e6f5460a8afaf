"""SqlJournal on SQLite and PostgreSQL: group commits, projections, replay after a restart."""

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.journal import SqlJournal
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.events import OrderCanceled
from ordergate.domain.ids import AccountId, OrderId
from ordergate.domain.ledger import Ledger
from ordergate.service.ports import CommitBatch
from tests.unit.builders import buy, fill_report, status_report

D = Decimal


def count(engine: Engine, table: t.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def replayed(journal: SqlJournal) -> Ledger:
    ledger = Ledger()
    for event in journal.read_events():
        ledger.apply(event)
    return ledger


def trade(trading: Any, qty: str = "10", *fills: tuple[str, str]) -> OrderId:
    order_id = trading.reply(buy(qty=qty)).order.id
    trading.run(status_report(order_id, OrderStatus.NEW))
    for n, (fill_qty, price) in enumerate(fills):
        trading.run(fill_report(order_id, fill_qty, price, fill_id=f"{order_id}-f{n}", commission="0.25"))
    return OrderId(order_id)


def test_empty_journal_when_asked_then_last_seq_is_zero_and_no_events(journal: SqlJournal) -> None:
    assert journal.last_seq() == 0
    assert list(journal.read_events()) == []


def test_orders_and_fills_when_replayed_then_state_equals_live_state(trading: Any) -> None:
    trade(trading, "10", ("4", "230.00"), ("6", "229.50"))
    trade(trading, "5", ("2", "230.10"))
    canceled = trading.reply(buy(qty="3")).order.id
    trading.run(status_report(canceled, OrderStatus.CANCELED))
    back = replayed(trading.journal)
    assert back.orders == trading.ledger.orders
    assert back.positions == trading.ledger.positions
    assert back.accounts == trading.ledger.accounts
    assert back.last_seq == trading.ledger.last_seq == trading.journal.last_seq()


def test_restart_when_engine_continues_then_sequence_carries_on_without_gaps(trading: Any, make_trading: Any) -> None:
    trade(trading, "10", ("10", "230.00"))
    before = trading.journal.last_seq()
    restarted = make_trading(trading.journal, ledger=replayed(trading.journal), first_id=100)
    restarted.reply(buy(qty="1"))
    seqs = [e.seq for e in trading.journal.read_events()]
    assert seqs == list(range(1, before + 2))
    assert replayed(trading.journal).orders == restarted.ledger.orders


def test_group_commit_when_many_orders_in_one_batch_then_all_rows_in_one_transaction(trading: Any) -> None:
    outcomes = trading.run(*[buy(qty="1") for _ in range(300)])
    ids = [o.reply.order.id for o in outcomes]
    trading.run(*[status_report(i, OrderStatus.NEW) for i in ids],
                *[fill_report(i, "1", "230.00", fill_id=f"f-{i}") for i in ids])
    engine = trading.journal.engine
    assert count(engine, t.orders) == 300
    assert count(engine, t.fills) == 300
    assert count(engine, t.events) == 1 + 300 * 3
    with engine.connect() as conn:
        qty = conn.execute(select(t.positions.c.qty)).scalar_one()
        statuses = set(conn.execute(select(t.orders.c.status)).scalars())
    assert qty == D("300")
    assert statuses == {"filled"}


def test_projection_rows_when_committed_then_match_the_objects(trading: Any) -> None:
    order_id = trade(trading, "10", ("4", "230.00"))
    with trading.journal.engine.connect() as conn:
        order = conn.execute(select(t.orders).where(t.orders.c.id == order_id)).one()
        balance = conn.execute(select(t.balances).where(t.balances.c.currency == "USD")).one()
        fill = conn.execute(select(t.fills)).one()
    live = trading.ledger.orders[order_id]
    account = trading.ledger.accounts[AccountId("ACC")].balances["USD"]
    assert (order.status, order.filled_qty, order.qty, order.created_at) == (
        "partially_filled", D("4"), D("10"), live.created_at)
    assert (balance.cash, balance.reserved, balance.commission) == (account.cash, account.reserved, D("0.25"))
    assert (fill.qty, fill.price, fill.side, fill.order_id) == (D("4"), D("230.00"), Side.BUY.value, order_id)


def test_failed_batch_when_committed_then_nothing_of_it_is_written(trading: Any) -> None:
    trade(trading, "10")
    before = (count(trading.journal.engine, t.events), count(trading.journal.engine, t.orders))
    duplicate = OrderCanceled(seq=1, ts=trading.clock.now(), account=AccountId("ACC"), order_id=OrderId("o-1"),
                              reason="x")  # seq 1 is taken: the insert fails
    order = trading.ledger.orders[OrderId("o-1")]
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        trading.journal.commit(trading.journal.prepare(CommitBatch([duplicate], [order], [], [])))
    assert (count(trading.journal.engine, t.events), count(trading.journal.engine, t.orders)) == before


def test_prepare_when_objects_change_afterwards_then_rows_keep_the_old_values(trading: Any) -> None:
    outcome = trading.engine.handle(buy(qty="10"))
    changes = trading.ledger.take_changes()
    prepared = trading.journal.prepare(CommitBatch(outcome.events, list(changes.orders.values()), [],
                                                   list(changes.accounts.values())))
    order = trading.ledger.orders[outcome.reply.order.id]
    order.status = OrderStatus.FILLED  # the engine moves on before the commit runs
    trading.journal.commit(prepared)
    with trading.journal.engine.connect() as conn:
        assert conn.execute(select(t.orders.c.status)).scalar_one() == "pending_new"


def test_read_events_after_seq_when_asked_then_only_later_events(trading: Any) -> None:
    trade(trading, "10", ("10", "230.00"))
    seqs = [e.seq for e in trading.journal.read_events(after_seq=2)]
    assert seqs == list(range(3, trading.journal.last_seq() + 1))
