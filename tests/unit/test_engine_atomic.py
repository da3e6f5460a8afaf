"""Every message is all-or-nothing; cancel-all and the kill switch reach orders pending new or replace."""

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, TradingState
from ordergate.domain.events import OrderPendingCancel, TradingStateChanged
from ordergate.domain.ledger import FIRM
from ordergate.service.engine_loop import EngineStopped
from tests.fakes.clock import FakeClock
from tests.unit.builders import ACCOUNT, buy, fill_report, make_engine, status_report
from tests.unit.loop_fixtures import Rig, settle, start_rig

S = OrderStatus
D = Decimal


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    rig = await start_rig(FakeClock())
    yield rig
    await rig.loop.stop()


def test_kill_switch_when_orders_pending_replace_and_new_then_halts_and_cancels_them_all() -> None:
    engine = make_engine()
    working = engine.handle(buy("10")).reply.order
    engine.handle(status_report(working.id, S.NEW))
    engine.handle(cmds.ReplaceOrder(order_id=working.id, qty=D("20")))
    pending_new = engine.handle(buy("5")).reply.order
    assert (working.status, pending_new.status) == (S.PENDING_REPLACE, S.PENDING_NEW)
    outcome = engine.handle(cmds.EngageKillSwitch(account=None, reason="test", requested_by="ops"))
    assert [type(e) for e in outcome.events] == [TradingStateChanged, OrderPendingCancel, OrderPendingCancel]
    assert sorted(r.order.order_id for r in outcome.requests) == sorted([working.id, pending_new.id])
    assert (working.status, pending_new.status) == (S.PENDING_CANCEL, S.PENDING_CANCEL)
    assert engine.ledger.trading_state(ACCOUNT) is TradingState.HALTED


def test_cancel_all_when_a_replace_is_pending_then_cancel_requested_and_replace_terms_kept() -> None:
    engine = make_engine()
    order = engine.handle(buy("10")).reply.order
    engine.handle(status_report(order.id, S.NEW))
    engine.handle(cmds.ReplaceOrder(order_id=order.id, qty=D("20")))
    result = engine.handle(cmds.CancelAllOrders(account=ACCOUNT, reason="eod")).reply
    assert result.order_ids == [order.id]
    assert order.status is S.PENDING_CANCEL and order.pending_replace is not None


async def test_handler_when_it_raises_after_its_first_event_then_nothing_journaled_or_sent_and_engine_halts(
        rig: Rig) -> None:
    orders = [(await rig.loop.execute(buy("1"))).order for _ in range(2)]
    await settle(rig.loop)
    committed, sent = len(rig.journal.events), len(rig.venue.canceled)

    def explode(event: object, order: object) -> None:
        if getattr(order, "id", None) == orders[1].id:
            raise RuntimeError("a bug in a listener")

    rig.loop.engine.ledger.subscribe(explode, (OrderPendingCancel,))
    with pytest.raises(EngineStopped):
        await rig.loop.execute(cmds.CancelAllOrders(account=ACCOUNT, reason="test"))
    await asyncio.sleep(0.01)
    assert (len(rig.journal.events), len(rig.venue.canceled)) == (committed, sent)
    assert not rig.loop.running
    with pytest.raises(EngineStopped):
        await rig.loop.execute(buy("1"))


async def test_refused_command_before_any_event_then_loop_keeps_running(rig: Rig) -> None:
    with pytest.raises(Exception, match="not found"):
        await rig.loop.execute(cmds.CancelOrder(order_id="nope"))  # type: ignore[arg-type]
    assert rig.loop.running


async def test_commit_when_it_fails_then_engine_stops_consuming_and_applies_nothing_more(rig: Rig) -> None:
    rig.journal.fail_with = OSError("disk full")
    with pytest.raises(EngineStopped):
        await rig.loop.execute(buy("1"))
    orders_before = len(rig.loop.engine.ledger.orders)
    rig.loop.report(fill_report("o-1", "1"))
    with pytest.raises(EngineStopped):
        await rig.loop.execute(buy("2"))
    await asyncio.sleep(0.01)
    assert len(rig.loop.engine.ledger.orders) == orders_before
    assert rig.loop.engine.ledger.orders["o-1"].filled_qty == 0


async def test_stop_when_a_commit_is_in_flight_then_waits_answers_the_caller_and_sends_the_order(
        rig: Rig) -> None:
    rig.journal.hold()
    submitted = asyncio.ensure_future(rig.loop.execute(buy("3")))
    await asyncio.to_thread(rig.journal.commit_started.wait, 2)
    stopping = asyncio.ensure_future(rig.loop.stop())
    await asyncio.sleep(0.02)
    assert not stopping.done()  # waits for the commit in flight
    rig.journal.release()
    await asyncio.wait_for(stopping, 2)
    assert submitted.done() and submitted.result().order.qty == D("3")
    assert [o.order_id for o in rig.venue.submitted] == [submitted.result().order.id]


def test_firm_scope_kill_switch_recorded_once() -> None:
    engine = make_engine()
    outcome = engine.handle(cmds.EngageKillSwitch(account=None, reason="x", requested_by="ops"))
    assert [e.account for e in outcome.events] == [FIRM]
