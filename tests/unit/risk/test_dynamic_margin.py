"""Dynamic margin: rates follow recent volatility with a floor; an account below maintenance goes reducing."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ordergate.domain import commands as cmds
from ordergate.domain.enums import TradingState
from ordergate.domain.events import TradingStateChanged
from ordergate.domain.ids import AccountId, Symbol
from ordergate.domain.risk.limits import LimitBook, RiskLimits
from ordergate.service.margin import DynamicMargin, MarginSettings
from ordergate.service.marketdata import MarketDataHub
from tests.fakes.clock import FakeClock
from tests.unit.risk.conftest import ACC, Desk

D = Decimal
AAPL = Symbol("AAPL")


def model(moves: list[str], table: dict[str, Decimal] | None = None) -> DynamicMargin:
    clock = FakeClock(datetime(2026, 3, 10, 9, tzinfo=UTC))
    hub = MarketDataHub(clock, stale_after=30)
    for i, price in enumerate(moves):
        hub.on_trade(AAPL, D(price), D(100), clock.now() + timedelta(minutes=5 * i))
    limits = LimitBook(RiskLimits(dynamic_margin=True, initial_margin_rate=D("0.5")))
    return DynamicMargin(limits, hub, MarginSettings(table=table or {}))


def test_dynamic_margin_when_prices_swing_then_the_initial_rate_is_above_the_floor_and_maintenance_follows() -> None:
    margin = model(["100", "101", "100", "101", "100", "101"])  # ~1% a bar: about 17% a day
    initial = margin.initial(AccountId("A"), AAPL)
    assert D("0.45") < initial <= 1  # 3 daily standard deviations
    assert margin.maintenance(AccountId("A"), AAPL) == initial * D("0.75")


def test_dynamic_margin_when_prices_barely_move_then_the_floor_applies() -> None:
    assert model(["100", "100.01", "100", "100.01"]).initial(AccountId("A"), AAPL) == D("0.25")


def test_dynamic_margin_when_there_is_no_history_then_the_table_else_the_accounts_rate() -> None:
    assert model([], {"AAPL": D("0.4")}).initial(AccountId("A"), AAPL) == D("0.4")
    assert model([]).initial(AccountId("A"), AAPL) == D("0.5")


def test_margin_call_when_equity_falls_below_maintenance_then_the_account_goes_reducing_with_an_alert() -> None:
    desk = Desk(cash="1000000", margin=True)
    desk.limits(enforce_buying_power=True, initial_margin_rate="0.5", dynamic_margin=True)
    desk.trade("buy", "8000", "230.00")  # 1,840,000 on 1,000,000: initial 920,000, maintenance 690,000
    desk.prices.set("AAPL", D("160.00"))  # equity -840,000 + 1,280,000 = 440,000 < maintenance 480,000
    desk.handle(cmds.ExpireOrders(now=desk.clock.now(), requested_by="expiry"))
    event = desk.last.events[-1]
    assert isinstance(event, TradingStateChanged) and event.state is TradingState.REDUCING
    assert event.reason == "margin call: equity 440000.00 USD is below maintenance margin 480000.00"
    assert {d.rule for d in desk.check(qty="1", price="160.00")} == {"trading_state", "enforce_buying_power"}
    assert desk.check(side="sell", qty="100", price="160.00") == []
    assert desk.gate.metrics()["margin_calls"] == {ACC: 1}
    view = desk.gate.margin_of_account(ACC)["USD"]
    assert (view["maintenance"], view["equity"], view["excess"]) == (D("480000.00"), D("440000.00"), D("-40000.00"))
