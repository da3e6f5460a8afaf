"""Orders that ended before the trading day leave memory and are read back exactly: by the read side, by a
duplicate client order id, by a late fill; a replay lets them leave as it goes and gives the same state."""

import copy
import threading
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from ordergate.adapters.store.ended_orders import SqlEndedOrders
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.snapshot_check import compare
from ordergate.adapters.store.snapshot_codec import decode, encode, orders_of, take
from ordergate.domain.commands import CancelOrder, ReplaceOrder, SetTradingState
from ordergate.domain.enums import OrderStatus, TradingState
from ordergate.domain.errors import DuplicateClientOrderId, InvalidOrderTransition, UnknownOrder
from ordergate.domain.eviction import Eviction
from ordergate.domain.ids import OrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.ledger_state import restore_ledger
from ordergate.domain.risk.usage_state import TradingDay
from ordergate.service.order_stats import OrderStats
from ordergate.service.views import Views
from tests.fakes.clock import FakeClock
from tests.unit.builders import ACCOUNT, T0, buy, fill_report, replace_report, status_report


def evicting(journal: SqlJournal) -> Ledger:
    """Return a ledger whose ended orders leave memory at the UTC day's end, read back from ``journal``."""
    ledger = Ledger()
    ledger.eviction = Eviction(TradingDay("UTC").end_of)
    ledger.ended.source = SqlEndedOrders(journal.engine)
    return ledger


@pytest.fixture
def day(journal: SqlJournal, make_trading: Any) -> Any:
    """A day of trading: filled, canceled, replaced-then-canceled, denied and still working orders."""
    trading = make_trading(journal, evicting(journal), FakeClock(T0))
    trading.stats = OrderStats(trading.ledger)
    trading.open_account()
    ids = {}
    for name, qty in (("filled", "10"), ("canceled", "5"), ("replaced", "20"), ("working", "7")):
        order = trading.reply(buy(qty=qty, client_order_id=name)).order
        trading.run(status_report(order.id, OrderStatus.NEW))
        ids[name] = order.id
    trading.run(fill_report(ids["filled"], "10", fill_id="f-filled"))
    trading.reply(CancelOrder(order_id=ids["canceled"], reason="enough"))
    trading.run(status_report(ids["canceled"], OrderStatus.CANCELED))
    trading.reply(ReplaceOrder(order_id=ids["replaced"], qty=Decimal("25"), limit_price=Decimal("229.50")))
    trading.run(replace_report(trading.ledger.orders[ids["replaced"]], "25", "229.50"))
    trading.reply(CancelOrder(order_id=ids["replaced"], reason="enough"))
    trading.run(status_report(ids["replaced"], OrderStatus.CANCELED))
    trading.reply(SetTradingState(account=ACCOUNT, state=TradingState.HALTED, reason="test"))
    ids["denied"] = trading.reply(buy(qty="3", client_order_id="denied")).order.id
    trading.reply(SetTradingState(account=ACCOUNT, state=TradingState.ACTIVE, reason="test"))
    trading.ids = ids
    trading.views = Views(trading.ledger, trading.prices, SqlEndedOrders(journal.engine))
    return trading


def next_day(trading: Any) -> dict[OrderId, Any]:
    """Move to the next day and let the ended orders leave memory; return them as they were."""
    before = {order_id: copy.deepcopy(order) for order_id, order in trading.ledger.orders.items()}
    trading.clock.set(T0.replace(day=3))
    assert trading.ledger.evict_ended(trading.clock.now()) == 4
    return before


def test_evict_when_the_day_ends_then_only_the_working_order_stays_in_memory(day: Any) -> None:
    summary = day.stats.summary()
    next_day(day)
    assert set(dict(day.ledger.orders)) == {day.ids["working"]}
    assert [o.id for o in day.ledger.order_list] == [day.ids["working"]]
    assert day.ledger.ended.total() == 4 and day.stats.summary() == summary


def test_read_side_when_orders_left_memory_then_each_is_served_as_it_was(day: Any) -> None:
    pages = []
    for limit in (100, 2, 1):
        pages.append(_all_pages(day.views, limit))
    before = next_day(day)
    for name in ("filled", "canceled", "replaced", "denied"):
        order_id = day.ids[name]
        assert day.views.order(order_id) == before[order_id]
        assert order_id not in day.ledger.orders  # a read brings nothing back into memory
    assert [_all_pages(day.views, limit) for limit in (100, 2, 1)] == pages
    canceled = day.views.list_orders(statuses={OrderStatus.CANCELED})[0]
    assert [o.id for o in canceled] == [day.ids["replaced"], day.ids["canceled"]]


async def test_async_reads_when_orders_left_memory_then_the_database_is_read_off_the_loop_thread(day: Any) -> None:
    pages = [_all_pages(day.views, limit) for limit in (100, 2, 1)]
    before = next_day(day)
    source, threads = day.views._ended, []  # the database part: its page query and each read back
    real_page = source.page

    def page(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return real_page(*args, **kwargs)

    source.page = page
    for name in ("filled", "canceled", "replaced", "denied"):
        assert await day.views.find_order(day.ids[name]) == before[day.ids[name]]
        assert day.ids[name] not in day.ledger.orders
    assert [await _all_pages_async(day.views, limit) for limit in (100, 2, 1)] == pages
    assert threads and threading.main_thread() not in threads
    with pytest.raises(UnknownOrder):
        await day.views.find_order(OrderId("no-such-order"))


async def _all_pages_async(views: Views, limit: int) -> list[list[tuple[str, str]]]:
    pages, cursor = [], None
    while True:
        page, cursor_text = await views.find_orders(limit=limit, cursor=cursor)
        pages.append([(o.id, o.status.value) for o in page])
        if cursor_text is None:
            return pages
        cursor = int(cursor_text)


def _all_pages(views: Views, limit: int) -> list[list[tuple[str, str]]]:
    pages, cursor = [], None
    while True:
        page, cursor_text = views.list_orders(limit=limit, cursor=cursor)
        pages.append([(o.id, o.status.value) for o in page])
        if cursor_text is None:
            return pages
        cursor = int(cursor_text)


def test_submit_when_a_client_order_id_of_an_order_that_left_is_reused_then_answered_as_before(day: Any) -> None:
    before = next_day(day)
    again = day.engine.submits.handle(buy(qty="10", client_order_id="filled"))
    assert again.created is False and again.order == before[day.ids["filled"]]
    replaced = day.engine.submits.handle(buy(qty="20", client_order_id="replaced"))  # its submit's terms
    assert replaced.created is False and replaced.order.qty == Decimal("25")
    denied = day.engine.submits.handle(buy(qty="3", client_order_id="denied"))
    assert denied.created is False and denied.order.status is OrderStatus.REJECTED
    with pytest.raises(DuplicateClientOrderId):
        day.engine.submits.handle(buy(qty="11", client_order_id="canceled"))


def test_late_fill_when_the_order_left_memory_then_it_is_read_back_and_booked_once(day: Any) -> None:
    next_day(day)
    position = day.ledger.position(*_key(day)).qty
    day.run(fill_report(day.ids["canceled"], "2", fill_id="f-late"))
    day.run(fill_report(day.ids["canceled"], "2", fill_id="f-late"))  # the same fill again changes nothing
    day.run(fill_report(day.ids["filled"], "10", fill_id="f-filled"))  # nor a filled order's fill again
    late = day.ledger.orders[day.ids["canceled"]]
    assert late.late_fills == 1 and late.filled_qty == Decimal("2") and late.status is OrderStatus.CANCELED
    assert day.ledger.position(*_key(day)).qty == position + 2
    reused = day.engine.reports.anomalies["fill_id_reused"]
    day.run(fill_report(day.ids["working"], "1", fill_id="f-filled"))  # a fill id booked to an order that left
    assert day.engine.reports.anomalies["fill_id_reused"] == reused + 1
    full = Ledger()
    full.replay(day.journal.read_events())
    assert full.orders[late.id] == late and full.positions == day.ledger.positions


def _key(day: Any) -> tuple[Any, Any]:
    order = day.ledger.orders[day.ids["working"]]
    return order.account, order.symbol


def test_cancel_when_the_order_left_memory_then_refused_as_too_late_as_before(day: Any) -> None:
    next_day(day)
    with pytest.raises(Exception) as refused:
        day.reply(CancelOrder(order_id=day.ids["filled"], reason="late"))
    assert not isinstance(refused.value, KeyError | InvalidOrderTransition)
    assert "filled" in str(refused.value)


def test_replay_when_orders_left_memory_then_it_lets_them_leave_as_it_goes_and_equals_the_live_ledger(
        day: Any) -> None:
    next_day(day)
    day.run(fill_report(day.ids["canceled"], "2", fill_id="f-late"))  # read back, then leaves again
    day.ledger.evict_ended(day.clock.now())
    replayed = evicting(day.journal)
    replayed.replay(day.journal.read_events())
    replayed.evict_ended(day.clock.now())
    assert compare(take(replayed), replace(take(day.ledger), parts={})) == []  # the ledger's own state
    assert set(dict(replayed.orders)) == {day.ids["working"]}


def test_snapshot_when_orders_left_memory_then_it_holds_only_memory_and_restores_the_rest(day: Any) -> None:
    next_day(day)
    copy_ = replace(take(day.ledger), parts={})  # the ledger's own state
    assert [values[0] for values in copy_.ledger.orders] == [day.ids["working"]]
    back = decode(encode(copy_), {})
    restored = evicting(day.journal)
    restore_ledger(restored, back.ledger, orders_of(back))
    assert compare(take(restored), copy_) == []
    assert restored.find(day.ids["filled"]) == day.ledger.find(day.ids["filled"])
    assert replace(restored.ended.state(), counts={}) == replace(day.ledger.ended.state(), counts={})
