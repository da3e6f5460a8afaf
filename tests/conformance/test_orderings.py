"""Specific nasty orderings of venue reports, each checked against every kit invariant."""

from decimal import Decimal
from pathlib import Path

from ordergate.domain.enums import OrderStatus, OrderType, Side
from ordergate.domain.events import OrderFillConfirmed, OrderFilled
from ordergate.domain.ids import Symbol
from tests.conformance import schedule as sc
from tests.conformance.harness import KitRun, finish, play, run_schedule
from tests.unit.builders import ACCOUNT

D = Decimal
S = OrderStatus
AAPL = Symbol("AAPL")


def limit(qty: str, price: str = "230.00", side: Side = Side.BUY, symbol: str = "AAPL") -> sc.OrderSpec:
    """Return a limit order's terms."""
    return sc.OrderSpec(symbol, side, OrderType.LIMIT, D(qty), D(price))


def position(run: KitRun) -> Decimal:
    """Return the AAPL position of ACC (0 when none)."""
    pos = run.ledger.position(ACCOUNT, AAPL)
    return D(0) if pos is None else pos.qty


ACKED = (sc.Submit(0), sc.Ack(0), sc.Deliver())


async def test_duplicates_of_every_report_when_delivered_twice_then_counted_once(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (
        sc.Submit(0), sc.Ack(0), sc.Duplicate(), sc.Deliver(), sc.Fill(0, D(4)), sc.Duplicate(), sc.Duplicate(),
        sc.Deliver(), sc.Fill(0, D(6)), sc.Duplicate(), sc.Deliver(), sc.TellStatus(0), sc.Duplicate(), sc.Deliver(),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).status is S.FILLED and run.order(0).filled_qty == D(10) and position(run) == D(10)


async def test_fills_when_delivered_newest_first_then_books_match_the_venue(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"), limit("5", "231.00", Side.SELL)), (
        sc.Submit(0), sc.Submit(1), sc.Ack(0), sc.Ack(1), sc.Deliver(), sc.Deliver(),
        sc.Fill(0, D(3), improve=1), sc.Fill(1, D(5)), sc.Fill(0, D(7)), sc.Deliver(2), sc.Deliver(1), sc.Deliver(0),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert position(run) == D(5) and run.order(1).status is S.FILLED


async def test_fill_when_dropped_then_the_status_pass_at_the_end_applies_it(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (*ACKED, sc.Fill(0, D(4)), sc.Drop(), sc.Fill(0, D(1)), sc.Deliver()))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).filled_qty == D(5) and position(run) == D(5) and run.scriptable.status_asked


async def test_replace_confirm_when_it_arrives_after_a_fill_at_the_old_terms_then_both_count(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (
        *ACKED, sc.Replace(0, D(15), ticks=-100), sc.Fill(0, D(6)), sc.AnswerReplace(0), sc.Deliver(), sc.Deliver(),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    order = run.order(0)
    assert (order.status, order.qty, order.filled_qty, order.limit_price) == (S.PARTIALLY_FILLED, D(15), D(6), D(229))


async def test_fill_when_it_arrives_after_a_bare_cancel_confirm_then_applied_and_flagged_late(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (
        *ACKED, sc.Fill(0, D(4)), sc.Cancel(0), sc.AnswerCancel(0), sc.Deliver(1), sc.Deliver(0),
    ), cumulative_in_events=False)
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).status is S.CANCELED and run.order(0).filled_qty == D(4) and position(run) == D(4)
    assert [f.late for f in run.journaled(0, OrderFilled)] == [True]


async def test_fill_when_it_arrives_after_a_bare_expiry_then_applied_and_flagged_late(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (*ACKED, sc.Fill(0, D(2)), sc.Expire(0), sc.Deliver(1), sc.Deliver(0)),
                           cumulative_in_events=False)
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).status is S.EXPIRED and position(run) == D(2)
    assert [f.late for f in run.journaled(0, OrderFilled)] == [True]


async def test_cancel_confirm_when_its_cumulative_qty_runs_ahead_then_inferred_and_the_late_fill_confirms_it(
    tmp_path: Path,
) -> None:
    schedule = sc.Schedule((limit("10"),), (
        *ACKED, sc.Fill(0, D(4)), sc.Cancel(0), sc.AnswerCancel(0), sc.Deliver(1), sc.Deliver(0),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).status is S.CANCELED and run.order(0).filled_qty == D(4) and position(run) == D(4)
    assert [(f.qty, f.inferred, f.late) for f in run.journaled(0, OrderFilled)] == [(D(4), True, False)]
    assert len(run.journaled(0, OrderFillConfirmed)) == 1


async def test_ack_when_it_arrives_after_a_fill_then_the_venue_order_id_is_recorded(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (sc.Submit(0), sc.Fill(0, D(4)), sc.Deliver(1), sc.Deliver(0)))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).venue_order_id == run.scriptable.book.orders[run.ids[0]].venue_order_id


async def test_status_when_its_cumulative_qty_runs_ahead_then_inferred_and_the_real_fill_counts_once(
    kit: KitRun,
) -> None:
    schedule = sc.Schedule((limit("10"),), (*ACKED, sc.Fill(0, D(4), improve=3), sc.TellStatus(0), sc.Deliver(1)))
    await play(kit, schedule)
    assert kit.order(0).filled_qty == D(4) and position(kit) == D(4)  # inferred from the status
    await play(kit, schedule, [sc.Deliver(0)])  # the real fill comes after all
    assert await finish(kit) == []
    assert kit.order(0).filled_qty == D(4) and position(kit) == D(4)
    assert [(f.qty, f.inferred) for f in kit.journaled(0, OrderFilled)] == [(D(4), True)]
    real = kit.scriptable.book.orders[kit.ids[0]].fills[0].fill_id
    assert [(c.fill_id, c.qty) for c in kit.journaled(0, OrderFillConfirmed)] == [(real, D(4))]


async def test_fill_when_it_fits_only_the_replaced_terms_and_arrives_before_the_confirm_then_applied(
    kit: KitRun,
) -> None:
    schedule = sc.Schedule((limit("10"),), (
        *ACKED, sc.Replace(0, D(15)), sc.AnswerReplace(0), sc.Fill(0, D(12)), sc.Deliver(1),
    ))
    await play(kit, schedule)
    assert kit.order(0).filled_qty == D(12) and position(kit) == D(12)  # applied at once, not at reconciliation
    await play(kit, schedule, [sc.Deliver()])
    assert await finish(kit) == []


async def test_fill_id_when_reused_on_another_order_then_refused_and_the_engine_keeps_running(kit: KitRun) -> None:
    schedule = sc.Schedule((limit("10"), limit("5")), (
        sc.Submit(0), sc.Submit(1), sc.Ack(0), sc.Ack(1), sc.Deliver(), sc.Deliver(), sc.Fill(0, D(4)), sc.Deliver(),
    ))
    await play(kit, schedule)
    first = kit.scriptable.book.orders[kit.ids[0]].fills[0]
    await kit.send([type(first)(order_id=kit.ids[1], venue=first.venue, ts=first.ts, fill_id=first.fill_id,
                                qty=D(2), price=first.price)])
    assert kit.loop.running and kit.order(1).filled_qty == D(0)
    assert await finish(kit) == []


async def test_kill_switch_when_an_order_is_pending_replace_then_halts_and_cancels_every_order(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"), limit("5")), (
        *ACKED, sc.Submit(1), sc.Replace(0, D(12)), sc.KillSwitch(),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == [] and run.refused == []
    canceled = {order.order_id for action, order in run.scriptable.requests if action == "cancel"}
    assert canceled == {run.ids[0], run.ids[1]}
    assert run.order(0).status is S.CANCELED and run.order(1).status is S.CANCELED


async def test_cancel_all_when_orders_are_pending_new_and_pending_replace_then_cancels_both(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"), limit("5")), (*ACKED, sc.Submit(1), sc.Replace(0, D(12)), sc.CancelAll()))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == [] and run.refused == []
    assert run.order(0).status is S.CANCELED and run.order(1).status is S.CANCELED


async def test_new_buy_when_a_replace_up_is_unconfirmed_then_reserved_never_exceeds_cash(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("50", "200.00"), limit("25", "200.00")), (
        *ACKED, sc.Replace(0, D(75)), sc.Submit(1), sc.AnswerReplace(0), sc.Deliver(),
    ), cash=D(15000))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert 1 not in run.ids  # the second buy is denied: the replace holds the larger terms


async def test_reject_when_a_cancel_was_refused_before_the_ack_then_the_order_ends_rejected(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (
        sc.Submit(0), sc.Cancel(0), sc.AnswerCancel(0, accept=False), sc.Deliver(), sc.Reject(0), sc.Deliver(),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).status is S.REJECTED


async def test_cancel_when_the_request_is_lost_then_the_engine_sends_it_again(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (*ACKED, sc.LoseRequest(), sc.Cancel(0)))
    run = await run_schedule(schedule, tmp_path)
    assert run.scriptable.lost and run.problems == []
    assert run.order(0).status is S.CANCELED


async def test_replace_when_the_request_is_lost_then_the_engine_sends_it_again(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"),), (*ACKED, sc.LoseRequest(), sc.Replace(0, D(12), ticks=-5)))
    run = await run_schedule(schedule, tmp_path)
    assert run.scriptable.lost and run.problems == []
    assert (run.order(0).status, run.order(0).qty, run.order(0).limit_price) == (S.NEW, D(12), D("229.95"))


async def test_reconnect_when_a_fill_was_lost_then_reconciliation_applies_it(kit: KitRun) -> None:
    schedule = sc.Schedule((limit("10"),), (*ACKED, sc.Fill(0, D(4)), sc.Drop(), sc.Reconnect()))
    await play(kit, schedule)
    assert kit.order(0).filled_qty == D(4) and position(kit) == D(4)  # before the run settles
    assert await finish(kit) == []


async def test_ack_when_it_arrives_after_the_replace_confirm_then_the_replaced_venue_order_id_stays(
    tmp_path: Path,
) -> None:
    schedule = sc.Schedule((limit("10"),), (
        sc.Submit(0), sc.Fill(0, D(4)), sc.Deliver(1), sc.Replace(0, D(12)), sc.AnswerReplace(0), sc.Deliver(1),
        sc.Deliver(0),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).venue_order_id == run.scriptable.book.orders[run.ids[0]].venue_order_id == "kit-1-r1"


async def test_status_when_it_runs_ahead_of_fills_at_another_price_then_cash_ends_equal_to_the_venues_fills(
    kit: KitRun,
) -> None:
    schedule = sc.Schedule((limit("10"),), (
        *ACKED, sc.Fill(0, D(2)), sc.Deliver(), sc.Fill(0, D(2), improve=2), sc.TellStatus(0), sc.Deliver(1),
    ))
    await play(kit, schedule)  # 2 at 230.00 booked; the status says 4 at 229.99 on average: 2 inferred
    assert kit.order(0).filled_qty == D(4)
    await play(kit, schedule, [sc.Deliver(0)])  # the real fill: 2 at 229.98
    assert await finish(kit) == []


async def test_restart_when_reports_are_in_flight_then_the_new_engine_ends_where_the_venue_is(tmp_path: Path) -> None:
    schedule = sc.Schedule((limit("10"), limit("5")), (
        *ACKED, sc.Submit(1), sc.Fill(0, D(4)), sc.Cancel(0), sc.Restart(), sc.AnswerCancel(0), sc.Deliver(1),
        sc.Fill(1, D(5)), sc.Drop(1), sc.Deliver(0), sc.Restart(), sc.Deliver(),
    ))
    run = await run_schedule(schedule, tmp_path)
    assert run.problems == []
    assert run.order(0).status is S.CANCELED and run.order(0).filled_qty == D(4)
    assert run.order(1).status is S.FILLED and position(run) == D(9)
