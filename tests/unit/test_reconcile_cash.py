"""Reconciliation compares a venue's cash with the cash of our accounts held there, and reports a mismatch."""

from decimal import Decimal

from ordergate.domain.commands import OpenAccount
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import AccountId, VenueId
from ordergate.service.ports import VenueBalance
from ordergate.service.reconcile import Reconciler
from tests.unit.builders import buy, status_report
from tests.unit.loop_fixtures import Rig, settle

D = Decimal
PAPER = VenueId("paper")


async def _pinned(rig: Rig, account: str = "PINNED", usd: str = "1000") -> None:
    await rig.loop.execute(OpenAccount(account=AccountId(account), balances={"USD": D(usd)}, venues=[PAPER]))


def _venue_cash(rig: Rig, cash: str, currency: str = "USD", net_of_orders: bool = False) -> None:
    rig.venue.balances_answer = [VenueBalance(venue=PAPER, currency=currency, cash=D(cash), buying_power=D(cash),
                                              net_of_orders=net_of_orders)]


def _reconciler(rig: Rig, tolerance: str = "0.01") -> Reconciler:
    return Reconciler(rig.loop, {PAPER: rig.venue}, rig.clock, interval=3600, cash_tolerance=D(tolerance))


async def test_run_when_the_venue_cash_equals_ours_then_it_is_compared_and_nothing_reported(rig: Rig) -> None:
    await _pinned(rig)
    _venue_cash(rig, "1000.00")
    run = await _reconciler(rig).run(PAPER, "test")
    assert run.discrepancies == []
    assert run.summary()["cash"] == [{"currency": "USD", "ours": "1000", "venue": "1000.00", "difference": "0.00",
                                      "accounts": ["PINNED"], "matches": True}]


async def test_run_when_the_venue_cash_differs_beyond_the_tolerance_then_a_cash_mismatch_is_reported(
        rig: Rig) -> None:
    await _pinned(rig)
    _venue_cash(rig, "990")
    reconciler = _reconciler(rig)
    run = await reconciler.run(PAPER, "test")
    assert [d.kind for d in run.discrepancies] == ["cash_mismatch"]
    assert run.discrepancies[0].detail == ("USD cash: 1000 here (accounts PINNED), 990 at the venue; differs by 10, "
                                           "tolerance 0.01")
    assert reconciler.discrepancies["cash_mismatch"] == 1


async def test_run_when_the_difference_is_within_the_tolerance_then_it_matches(rig: Rig) -> None:
    await _pinned(rig)
    _venue_cash(rig, "999.50")
    run = await _reconciler(rig, tolerance="1").run(PAPER, "test")
    assert run.discrepancies == [] and run.cash[0]["matches"] is True


async def test_run_when_several_accounts_trade_only_there_then_their_cash_adds_up(rig: Rig) -> None:
    await _pinned(rig, "A", "600")
    await _pinned(rig, "B", "400")
    _venue_cash(rig, "1000")
    run = await _reconciler(rig).run(PAPER, "test")
    assert run.discrepancies == [] and run.cash[0]["accounts"] == ["A", "B"]


async def test_run_when_the_venue_figure_is_net_of_working_orders_then_ours_less_reservations_is_compared(
        rig: Rig) -> None:
    await rig.loop.execute(OpenAccount(account=AccountId("ACC2"), balances={"USD": D("100000")}, venues=[PAPER]))
    cmd = buy("10")
    cmd.account = AccountId("ACC2")
    order = (await rig.loop.execute(cmd)).order  # holds back 10 at 230.00
    rig.venue.ack(order.id)
    await settle(rig.loop)
    rig.venue.status_answers[order.id] = [status_report(order.id, OrderStatus.NEW)]
    _venue_cash(rig, "97700", net_of_orders=True)
    run = await _reconciler(rig).run(PAPER, "test")
    assert run.discrepancies == [] and run.cash[0]["ours"] == "97700.00"


async def test_run_when_no_account_trades_only_at_the_venue_then_cash_is_not_compared_and_it_says_why(
        rig: Rig) -> None:
    _venue_cash(rig, "5")
    run = await _reconciler(rig).run(PAPER, "test")
    assert run.discrepancies == [] and run.cash == []
    assert run.cash_note == "no open account trades only at paper: its cash is compared with none of ours"


async def test_run_when_the_venue_keeps_no_cash_then_nothing_is_compared(rig: Rig) -> None:
    await _pinned(rig)
    run = await _reconciler(rig).run(PAPER, "test")
    assert (run.cash, run.cash_note, run.discrepancies) == ([], None, [])
