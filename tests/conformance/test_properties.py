"""Every invariant of the kit holds after any schedule (hypothesis; a few fixed examples per run, see strategies)."""

import asyncio
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import example, given

from ordergate.domain.enums import OrderType, Side
from tests.conformance import schedule as sc
from tests.conformance import strategies as ks
from tests.conformance.harness import run_schedule

D = Decimal
BUY_10 = sc.OrderSpec("AAPL", Side.BUY, OrderType.LIMIT, D(10), D("230.00"))
BUY_5 = sc.OrderSpec("AAPL", Side.BUY, OrderType.LIMIT, D(5), D("230.00"))


def problems_of(schedule: sc.Schedule, commission: str = "0") -> list[str]:
    """Run one schedule on a fresh store; return what broke."""
    with tempfile.TemporaryDirectory() as directory:
        return asyncio.run(run_schedule(schedule, Path(directory), commission=commission)).problems


@ks.kit_settings()
@given(ks.schedules(ks.IN_ORDER))
def test_any_schedule_when_reports_come_in_order_with_duplicates_and_delays_then_every_invariant_holds(
    schedule: sc.Schedule,
) -> None:
    assert problems_of(schedule) == []


@ks.kit_settings(suite_examples=6)
@given(ks.schedules(ks.IN_ORDER))
def test_any_schedule_when_fills_pay_commission_then_books_still_match_the_venue(schedule: sc.Schedule) -> None:
    assert problems_of(schedule, commission="0.35") == []


@ks.kit_settings()
@given(ks.schedules(ks.REORDERED))
@example(sc.Schedule((BUY_10,), (
    sc.Submit(0), sc.Fill(0, D(4)), sc.Deliver(1), sc.Replace(0, D(12)), sc.AnswerReplace(0), sc.Deliver(1),
    sc.Deliver(0),
)))
def test_any_schedule_when_reports_are_reordered_and_replaces_are_pending_then_every_invariant_holds(
    schedule: sc.Schedule,
) -> None:
    assert problems_of(schedule) == []


@ks.kit_settings()
@given(ks.schedules(ks.EVERYTHING))
@example(sc.Schedule((BUY_10, BUY_5), (
    sc.Submit(0), sc.Ack(0), sc.Deliver(), sc.Submit(1), sc.Replace(0, D(12)), sc.KillSwitch(),
)))
def test_any_schedule_when_reports_are_dropped_and_the_kill_switch_is_pulled_then_every_invariant_holds(
    schedule: sc.Schedule,
) -> None:
    assert problems_of(schedule) == []


@ks.kit_settings()
@given(ks.replace_windows())
def test_any_unconfirmed_replace_window_when_a_second_buy_comes_then_reserved_never_exceeds_cash(
    schedule: sc.Schedule,
) -> None:
    assert problems_of(schedule) == []
