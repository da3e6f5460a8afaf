"""Background work: expiry ticks and chasing orders stuck in a pending state."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.service.background import BackgroundWork
from tests.fakes.clock import FakeClock
from tests.unit.builders import buy, status_report
from tests.unit.loop_fixtures import Rig, eventually, settle, start_rig

S = OrderStatus


@dataclass
class Timing:
    """Background timing (seconds)."""

    expiry_interval: float = 3600.0
    stuck_after: float = 10.0
    monitor_interval: float = 3600.0


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
