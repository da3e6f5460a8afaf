"""max_adv_pct: no order above a share of the symbol's average daily volume (market history, else a table)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.ids import Symbol
from ordergate.service.adv import AverageDailyVolume
from ordergate.service.marketdata import MarketDataHub
from tests.fakes.clock import FakeClock
from tests.unit.risk.conftest import Desk, only

D = Decimal


def test_max_adv_pct_when_the_order_is_above_the_share_of_the_table_volume_then_denied() -> None:
    desk = Desk()
    desk.gate.engine.volume_of = AverageDailyVolume(None, {"aapl": D(10_000)}, desk.clock).of
    desk.limits(max_adv_pct="1")
    assert desk.check(qty="100") == []
    denial = only(desk.check(qty="101"))
    assert (denial.rule, denial.limit, denial.actual) == ("max_adv_pct", "1.0000", "1.0100")


def test_max_adv_pct_when_no_volume_is_known_then_the_rule_does_not_apply() -> None:
    desk = Desk()
    desk.gate.engine.volume_of = AverageDailyVolume(None, {}, desk.clock).of
    desk.limits(max_adv_pct="1")
    assert desk.check(qty="100000") == []


def test_average_daily_volume_when_the_market_traded_on_past_days_then_averages_them_not_today() -> None:
    clock = FakeClock(datetime(2026, 3, 10, 15, tzinfo=UTC))
    hub = MarketDataHub(clock, stale_after=30)
    for days_ago, qty in ((2, "3000"), (1, "5000"), (0, "999999")):
        hub.on_trade(Symbol("AAPL"), D("230"), D(qty), clock.now() - timedelta(days=days_ago))
    adv = AverageDailyVolume(hub, {"AAPL": D(1)}, clock)
    assert adv.of(Symbol("AAPL")) == D(4000)
    assert adv.of(Symbol("MSFT")) is None


def test_average_daily_volume_when_only_today_traded_just_after_midnight_then_the_table_answers() -> None:
    clock = FakeClock(datetime(2026, 3, 10, 0, 10, tzinfo=UTC))  # AAPL's hourly bars start at :30 (its session)
    hub = MarketDataHub(clock, stale_after=30, instruments=load_instruments())
    hub.on_trade(Symbol("AAPL"), D("230"), D("135"), clock.now() - timedelta(minutes=5))  # in the 23:30 bar
    assert hub.bars(Symbol("AAPL"), "1h")[0].start_time < datetime(2026, 3, 10, tzinfo=UTC)
    assert AverageDailyVolume(hub, {"AAPL": D(100_000)}, clock).of(Symbol("AAPL")) == D(100_000)
