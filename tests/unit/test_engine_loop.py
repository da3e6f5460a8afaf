"""The engine loop: group commit, answers only after the commit, venue requests only after the commit."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from ordergate.domain.commands import CancelOrder
from ordergate.domain.enums import OrderStatus
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.events import OrderAccepted, OrderFilled, OrderSubmitted
from ordergate.service.engine_loop import EngineStopped
from ordergate.service.submit import SubmitResult
from tests.fakes.clock import FakeClock
from tests.unit.builders import D, buy, fill_report, status_report
from tests.unit.loop_fixtures import Rig, settle, start_rig

S = OrderStatus


@pytest.fixture
async def rig(clock: FakeClock) -> AsyncIterator[Rig]:
    """A running loop; stopped after the test."""
    rig = await start_rig(clock)
    yield rig
    await rig.loop.stop()


async def test_submit_when_commit_in_flight_then_no_answer_and_nothing_sent_until_it_returns(rig: Rig) -> None:
    rig.journal.hold()
    task = asyncio.create_task(rig.loop.execute(buy("10")))
    assert await asyncio.to_thread(rig.journal.commit_started.wait, 5)
    await asyncio.sleep(0.01)
    assert not task.done()
    assert rig.venue.submitted == []
    assert rig.sink.published == []
    rig.journal.release()
    result = await task
    assert isinstance(result, SubmitResult)
    assert [o.order_id for o in rig.venue.submitted] == [result.order.id]
    assert [type(e) for e in rig.journal.events] == [OrderSubmitted]
    assert rig.sink.published == rig.journal.events


async def test_submits_when_concurrent_then_committed_in_few_batches_and_all_answered(rig: Rig) -> None:
    rig.journal.hold()
    first = asyncio.create_task(rig.loop.execute(buy("1")))
    assert await asyncio.to_thread(rig.journal.commit_started.wait, 5)
    rest = [asyncio.create_task(rig.loop.execute(buy("1"))) for _ in range(49)]
    await asyncio.sleep(0.01)
    rig.journal.release()
    results = await asyncio.gather(first, *rest)
    assert len({r.order.id for r in results}) == 50
    assert [len(b.events) for b in rig.journal.batches] == [1, 49]
    assert rig.loop.commits == 2 and rig.loop.committed_events == 50


async def test_commit_when_it_fails_then_callers_fail_engine_halts_and_nothing_is_sent(rig: Rig) -> None:
    rig.journal.fail_with = OSError("disk full")
    with pytest.raises(EngineStopped, match="disk full"):
        await rig.loop.execute(buy("10"))
    assert not rig.loop.running
    assert rig.venue.submitted == []
    assert rig.sink.published == []
    with pytest.raises(EngineStopped):
        await rig.loop.execute(buy("10"))


async def test_command_when_refused_then_caller_gets_domain_error_and_nothing_committed(rig: Rig) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await rig.loop.execute(buy("-1"))
    assert caught.value.field == "qty"
    assert rig.journal.events == []
    assert rig.loop.running


async def test_reports_when_venue_acks_and_fills_then_events_committed_in_order(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.ack(order.id)
    rig.loop.report(fill_report(order.id, "10", fill_id="x1"))
    rig.loop.report(fill_report(order.id, "10", fill_id="x1"))  # a duplicate: ignored
    await settle(rig.loop)
    assert [type(e) for e in rig.journal.events] == [OrderSubmitted, OrderAccepted, OrderFilled]
    assert [e.seq for e in rig.journal.events] == sorted(e.seq for e in rig.journal.events)
    assert order.status is S.FILLED


async def test_fill_after_cancel_when_reported_then_applied_late_and_loop_keeps_running(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.loop.report(status_report(order.id, S.CANCELED))
    rig.loop.report(fill_report(order.id, "5"))
    await settle(rig.loop)
    assert order.status is S.CANCELED and order.filled_qty == D("5")
    assert rig.loop.running
    assert (await rig.loop.execute(buy("1"))).created


async def test_cancel_when_committed_then_cancel_request_goes_to_venue(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.ack(order.id)
    await rig.loop.execute(CancelOrder(order_id=order.id))
    assert [o.order_id for o in rig.venue.canceled] == [order.id]


async def test_stop_when_messages_queued_then_they_are_committed_first(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    for n in range(5):
        rig.loop.report(fill_report(order.id, "1", fill_id=f"s{n}"))
    await rig.loop.stop()
    assert order.filled_qty == 5
    assert sum(isinstance(e, OrderFilled) for e in rig.journal.events) == 5
    with pytest.raises(EngineStopped):
        await rig.loop.execute(buy("1"))
