"""Background work: expiry ticks and chasing orders stuck in a pending state."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from ordergate.domain.commands import CancelOrder, ReplaceOrder
from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.domain.events import OrderEscalated, OrderRequestResent
from ordergate.domain.order import Order
from ordergate.service.background import BackgroundWork
from tests.fakes.clock import FakeClock
from tests.unit.builders import D, buy, status_report
from tests.unit.loop_fixtures import Rig, eventually, settle, start_rig

S = OrderStatus


@dataclass
class Timing:
    """Background timing (seconds)."""

    expiry_interval: float = 3600.0
    stuck_after: float = 10.0
    monitor_interval: float = 3600.0
    max_resends: int = 2


@pytest.fixture
async def rig(clock: FakeClock) -> AsyncIterator[Rig]:
    """A running loop; stopped after the test."""
    rig = await start_rig(clock)
    yield rig
    await rig.loop.stop()


def _work(rig: Rig) -> BackgroundWork:
    return BackgroundWork(rig.loop, {rig.venue.id: rig.venue}, rig.clock, Timing())


async def test_chase_when_pending_longer_than_allowed_then_venue_asked_and_its_answer_applied(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.status_answers[order.id] = [status_report(order.id, S.NEW)]
    rig.clock.advance(11)
    work = _work(rig)
    await work.chase_stuck()
    await settle(rig.loop)
    assert rig.venue.status_asked == [order.id]
    assert work.stuck_seen == 1
    assert order.status is S.NEW


async def test_chase_when_pending_only_briefly_then_venue_not_asked(rig: Rig) -> None:
    await rig.loop.execute(buy("10"))
    rig.clock.advance(9)
    await _work(rig).chase_stuck()
    assert rig.venue.status_asked == []


async def test_chase_when_order_is_working_then_not_stuck(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.ack(order.id)
    await settle(rig.loop)
    rig.clock.advance(3600)
    await _work(rig).chase_stuck()
    assert rig.venue.status_asked == []


async def test_expire_due_when_gtd_time_passed_then_cancel_sent_and_order_expires(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10", tif=TimeInForce.GTD,
                                        expire_at=rig.clock.now() + timedelta(minutes=5)))).order
    rig.venue.ack(order.id)
    await settle(rig.loop)
    work = _work(rig)
    await work.expire_due()
    assert rig.venue.canceled == []
    rig.clock.advance(minutes=5)
    await work.expire_due()
    assert [o.order_id for o in rig.venue.canceled] == [order.id]
    rig.loop.report(status_report(order.id, S.CANCELED))
    await settle(rig.loop)
    assert order.status is S.EXPIRED


async def test_timers_when_started_then_run_and_stop_cleanly(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.status_answers[order.id] = [status_report(order.id, S.REJECTED, reason="unknown")]
    rig.clock.advance(60)
    work = BackgroundWork(rig.loop, {rig.venue.id: rig.venue}, rig.clock,
                          Timing(expiry_interval=0.001, monitor_interval=0.001))
    work.start()
    rejected = await eventually(lambda: order.status is S.REJECTED)
    await work.stop()
    assert rejected
    assert work.stuck_seen >= 1


async def _working(rig: Rig) -> Order:
    order: Order = (await rig.loop.execute(buy("10"))).order
    rig.venue.ack(order.id)
    await settle(rig.loop)
    rig.venue.status_answers[order.id] = [status_report(order.id, S.NEW)]  # the venue still has it working
    return order


async def test_chase_when_a_cancel_got_no_answer_then_sent_again_with_backoff_and_escalated_after_the_last(
        rig: Rig) -> None:
    order = await _working(rig)
    await rig.loop.execute(CancelOrder(order_id=order.id))
    await settle(rig.loop)
    work = _work(rig)
    rig.clock.advance(11)
    await work.chase_stuck()
    assert len(rig.venue.canceled) == 2 and order.resends == 1
    rig.clock.advance(11)  # the next look waits twice as long
    await work.chase_stuck()
    assert len(rig.venue.canceled) == 2
    rig.clock.advance(10)
    await work.chase_stuck()
    assert len(rig.venue.canceled) == 3 and order.resends == 2
    rig.clock.advance(41)
    await work.chase_stuck()
    await settle(rig.loop)
    assert len(rig.venue.canceled) == 3 and order.escalated
    assert next(e for e in rig.journal.events if isinstance(e, OrderEscalated)).request == "cancel"
    rig.clock.advance(3600)
    await work.chase_stuck()  # an escalated order is left to the operator (and reconciliation)
    assert len([e for e in rig.journal.events if isinstance(e, OrderEscalated)]) == 1


async def test_chase_when_a_replace_got_no_answer_then_the_replace_is_sent_again_with_its_terms(rig: Rig) -> None:
    order = await _working(rig)
    await rig.loop.execute(ReplaceOrder(order_id=order.id, qty=D("12")))
    await settle(rig.loop)
    rig.clock.advance(11)
    await _work(rig).chase_stuck()
    assert [new.qty for _, new in rig.venue.replaced] == [D("12"), D("12")]
    assert [e.request for e in rig.journal.events if isinstance(e, OrderRequestResent)] == ["replace"]


async def test_chase_when_the_venue_never_got_the_order_then_it_is_sent_again(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.clock.advance(11)
    await _work(rig).chase_stuck()
    assert [o.order_id for o in rig.venue.submitted] == [order.id, order.id]
