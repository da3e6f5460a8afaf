"""db rebuild replays risk usage through RiskUsage, as the server does at start, on SQLite and PostgreSQL."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ordergate.adapters.store.rebuild import RiskSetup, rebuild
from ordergate.adapters.store.usage_summary import UsageSummary, summarize
from ordergate.domain.commands import EngageKillSwitch, OpenAccount
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ids import AccountId
from ordergate.domain.risk.usage_state import TradingDay
from tests.integration.booking import book
from tests.unit.builders import ACCOUNT, buy, fill_report, status_report

D = Decimal
NEXT_DAY = 24 * 3600


def test_rebuilt_usage_when_journal_replayed_then_equals_what_the_live_engine_counted(trading: Any) -> None:
    book(trading)
    rebuilt = rebuild(trading.journal.engine, write=False).usage
    assert rebuilt == summarize(trading.ledger.accounts, trading.engine.risk.usage)


def test_rebuilt_usage_when_orders_filled_then_daily_counters_and_open_orders(trading: Any) -> None:
    book(trading)
    [usage] = rebuild(trading.journal.engine, write=False).usage
    assert usage == UsageSummary(
        account="ACC", day_end=datetime(2026, 3, 3, tzinfo=UTC), orders=3, trades=3, volume=D("13"),
        notional={"USD": D("2990.00")}, realized_loss={"USD": D("1.5")}, open_orders=1,
        working_notional={"USD": D("1610.00")},
    )


def test_rebuilt_usage_when_a_new_day_began_then_counts_only_that_day(trading: Any) -> None:
    book(trading)
    trading.clock.advance(NEXT_DAY)
    trading.reply(buy(qty="2"))
    [usage] = rebuild(trading.journal.engine, write=False).usage
    assert (usage.day_end, usage.orders, usage.trades, usage.volume) == (datetime(2026, 3, 4, tzinfo=UTC), 1, 0, 0)
    assert usage.open_orders == 2  # open orders are not daily: yesterday's working order still counts


def test_rebuilt_usage_when_trading_day_in_new_york_then_day_ends_at_new_york_midnight(trading: Any) -> None:
    book(trading)
    risk = RiskSetup(day=TradingDay("America/New_York"))
    [usage] = rebuild(trading.journal.engine, write=False, risk=risk).usage
    assert usage.day_end == datetime(2026, 3, 3, 5, tzinfo=UTC)


def test_rebuilt_usage_when_an_account_never_traded_then_reported_with_zeros(trading: Any) -> None:
    trading.run(OpenAccount(account=AccountId("IDLE"), balances={"USD": D("100")}))
    summaries = {u.account: u for u in rebuild(trading.journal.engine, write=False).usage}
    assert summaries["IDLE"].describe(datetime(2026, 3, 2, tzinfo=UTC)) == "IDLE: no orders or trades in the journal"


def test_usage_line_when_trading_day_over_then_says_the_server_starts_at_zero(trading: Any) -> None:
    book(trading)
    [usage] = rebuild(trading.journal.engine, write=False).usage
    during = usage.describe(datetime(2026, 3, 2, 18, tzinfo=UTC))
    after = usage.describe(datetime(2026, 3, 3, 1, tzinfo=UTC))
    assert during == ("ACC: trading day ending 2026-03-03T00:00:00+00:00: 3 order(s), 3 trade(s), volume 13, "
                      "notional 2990.00 USD, realized loss 1.5 USD; 1 open order(s), working notional 1610.00 USD")
    assert "(over: the server starts the next day at zero)" in after and "(over" not in during


def test_rebuild_when_a_flatten_was_cut_short_then_reports_it_under_way_with_what_is_held(trading: Any) -> None:
    book(trading)  # long 13 AAPL
    switch = trading.reply(EngageKillSwitch(account=ACCOUNT, reason="test", flatten=True, requested_by="ops"))
    [flattening] = switch.flatten_orders
    trading.run(status_report(flattening, OrderStatus.NEW), fill_report(flattening, "5", fill_id="flat-1"),
                status_report(flattening, OrderStatus.CANCELED))
    rebuilt = rebuild(trading.journal.engine, write=False).flattening
    assert rebuilt == [{"account": "ACC", "symbol": "AAPL", "state": "working", "orders_sent": 1, "remaining": "8"}]
