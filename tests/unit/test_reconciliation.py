"""Reconciliation at start, on reconnect and periodically: the venue's answers applied, differences reported."""

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.ids import AccountId, OrderId, Symbol, VenueOrderId
from ordergate.domain.reports import ConnectionReport
from ordergate.service.ports import VenueOrder, VenueOrderState, VenuePosition
from ordergate.service.reconcile import Reconciler
from tests.fakes.clock import FakeClock
from tests.unit.builders import ACCOUNT, buy, fill_report, status_report
from tests.unit.loop_fixtures import Rig, eventually, settle, start_rig

S = OrderStatus
D = Decimal
AAPL = Symbol("AAPL")


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    rig = await start_rig(FakeClock())
    yield rig
    await rig.loop.stop()


def _reconciler(rig: Rig, interval: float = 3600.0) -> Reconciler:
    return Reconciler(rig.loop, {rig.venue.id: rig.venue}, rig.clock, interval=interval)


async def test_run_when_the_venue_filled_an_order_while_we_missed_it_then_the_fill_is_applied(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.ack(order.id)
    await settle(rig.loop)
    rig.venue.status_answers[order.id] = [status_report(order.id, S.NEW), fill_report(order.id, "10", fill_id="x")]
    run = await _reconciler(rig).run(rig.venue.id, "test")
    assert (order.status, order.filled_qty) == (S.FILLED, D("10"))
    assert (run.checked, run.applied, run.discrepancies) == (1, 1, [])


async def test_reconnect_when_the_venue_says_so_then_a_run_applies_what_was_missed(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.ack(order.id)
    await settle(rig.loop)
    reconciler = _reconciler(rig)
    rig.venue.status_answers[order.id] = [status_report(order.id, S.CANCELED)]
    rig.loop.report(ConnectionReport(venue=rig.venue.id, ts=rig.clock.now(), connected=True))
    assert await eventually(lambda: order.status is S.CANCELED)
    assert await eventually(lambda: [run.reason for run in reconciler.runs] == ["reconnect"])


async def test_run_when_the_venue_does_not_have_an_open_order_then_it_is_sent_again_and_reported(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    await settle(rig.loop)
    run = await _reconciler(rig).run(rig.venue.id, "start")
    assert [o.order_id for o in rig.venue.submitted] == [order.id, order.id]
    assert run.resent == 1 and [d.kind for d in run.discrepancies] == ["unknown_at_venue"]


async def test_run_when_the_venue_has_an_order_we_do_not_know_then_reported_not_adopted(rig: Rig) -> None:
    rig.venue.open_answer = [VenueOrderState(
        venue=rig.venue.id, venue_order_id=VenueOrderId("V9"), client_order_id="theirs", order_id=None,
        account=None, symbol=AAPL, side=Side.BUY, qty=D("5"), filled_qty=D("0"), avg_price=None, status=S.NEW)]
    reconciler = _reconciler(rig)
    run = await reconciler.run(rig.venue.id, "test")
    assert [d.kind for d in run.discrepancies] == ["unknown_here"]
    assert reconciler.discrepancies["unknown_here"] == 1
    assert len(rig.loop.engine.ledger.orders) == 0


async def test_run_when_positions_differ_then_a_position_mismatch_is_reported(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    rig.venue.ack(order.id)
    rig.venue.fill(order.id, D("10"), D("230.00"))
    await settle(rig.loop)
    rig.venue.status_answers[order.id] = [status_report(order.id, S.NEW), fill_report(order.id, "10", fill_id="f1")]
    rig.venue.positions_answer = [VenuePosition(venue=rig.venue.id, account=AccountId(ACCOUNT), symbol=AAPL,
                                                qty=D("7"))]
    run = await _reconciler(rig).run(rig.venue.id, "test")
    assert [(d.kind, d.symbol, d.detail) for d in run.discrepancies] == [
        ("position_mismatch", AAPL, "10 here, 7 at the venue")]


async def test_start_when_the_interval_passes_then_runs_again_periodically(rig: Rig) -> None:
    reconciler = _reconciler(rig, interval=0.01)
    await reconciler.start()
    assert await eventually(lambda: len(reconciler.runs) >= 3)
    await reconciler.stop()
    assert reconciler.runs[0].reason == "start" and reconciler.runs[-1].reason == "periodic"


async def test_run_when_the_venue_cannot_answer_then_the_error_is_kept_and_nothing_changes(rig: Rig) -> None:
    order = (await rig.loop.execute(buy("10"))).order
    await settle(rig.loop)

    async def broken(sent: object) -> list[object]:
        raise ConnectionError("venue down")

    rig.venue.status = broken  # type: ignore[method-assign]
    run = await _reconciler(rig).run(rig.venue.id, "test")
    assert run.error == "ConnectionError: venue down"
    assert order.status is S.PENDING_NEW
    await asyncio.sleep(0)
    assert OrderId(order.id) in rig.loop.engine.ledger.open_orders


async def test_run_when_the_venue_answers_in_bulk_then_it_is_asked_once_for_every_open_order(rig: Rig) -> None:
    orders = [(await rig.loop.execute(buy("10", client_order_id=f"b-{n}"))).order for n in range(3)]
    for order in orders:
        rig.venue.ack(order.id)
    await settle(rig.loop)
    asked: list[list[str]] = []

    async def statuses(sent: list[VenueOrder]) -> dict[str, list[object]]:
        asked.append([o.order_id for o in sent])
        return {o.order_id: [status_report(o.order_id, S.CANCELED)] for o in sent}

    rig.venue.statuses = statuses  # type: ignore[attr-defined]
    run = await _reconciler(rig).run(rig.venue.id, "test")
    assert asked == [[o.id for o in orders]] and rig.venue.status_asked == []
    assert run.checked == 3 and {o.status for o in orders} == {S.CANCELED}
