"""Property: a replay (``Ledger.replay``, which defers each order's risk share to its end) folds the same
risk usage as applying the journal one event at a time, and a restarted engine still expires its orders."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.commands import ExpireOrders, OpenAccount
from ordergate.domain.enums import OrderStatus, TimeInForce
from ordergate.domain.events import Event, OrderPendingCancel
from ordergate.domain.ids import VenueId
from ordergate.domain.ledger import Ledger
from ordergate.domain.risk.limits import LimitBook
from ordergate.domain.risk.usage import RiskUsage
from ordergate.service.engine import OrderEngine
from ordergate.service.outcome import Outcome
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices
from tests.unit.builders import ACCOUNT, Counter, D, buy, fill_report, status_report
from tests.unit.risk.conftest import Desk
from tests.unit.risk.test_risk_properties import LIMITS, play, steps

US_CLOSE = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)


def _fold(events: list[Event], replay: bool) -> RiskUsage:
    ledger = Ledger()
    usage = RiskUsage(ledger, LimitBook())
    if replay:
        ledger.replay(events)
    else:
        for event in events:
            ledger.apply(event)
    return usage


def _state(usage: RiskUsage) -> dict[str, Any]:
    """Return every figure the usage keeps, per account, symbol and currency, and each open order's share."""
    state: dict[str, Any] = {}
    for account, u in usage.accounts.items():
        state[account] = (
            u.open_orders, u.orders_today, u.trades_today, u.volume_today, u.working_qty, dict(u.denials),
            u.watch_hits, u.day_end, dict(u.recent),
            {c: (t.gross, t.net_long, t.net_short, t.short_value, t.short_margin,
              t.value, t.margin, t.working_notional, t.traded_notional, t.realized_today)
             for c, t in u.totals.items()},
            {s: (y.position, y.buy_working, y.sell_working, y.open_orders, y.mark, y.gross, y.net_long, y.net_short,
                 y.short_value, y.short_margin, y.value,
                 y.margin, y.realized_seen, list(y.resting_buys), list(y.resting_sells), y.best_resting_buy,
                 y.best_resting_sell) for s, y in u.symbols.items()},
            [(b.tokens, b.last) for b in (u.submits, u.modifies)], list(u.denial_times),
        )
    state["shares"] = {i: (s.symbol.symbol, s.side, s.leaves, s.notional, s.resting)
                       for i, s in usage._shares.items()}
    return state


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_replay_when_any_journal_then_usage_equals_the_event_by_event_fold(script: list[tuple[object, ...]]) -> None:
    desk = Desk(cash="15000")
    desk.limits(**LIMITS)  # type: ignore[arg-type]
    for step in script:
        play(desk, step)
    assert _state(_fold(desk.events, replay=True)) == _state(_fold(desk.events, replay=False))


def test_replay_when_orders_open_then_usage_counts_only_them() -> None:
    desk = Desk()
    kept = desk.submit(qty="10", price="229.00")
    done = desk.submit(qty="5", price="228.00")
    desk.fill(done)
    usage = _fold(desk.events, replay=True)
    account = usage.account(kept.account)
    assert (account.open_orders, account.working_qty) == (1, Decimal(10))
    assert usage.share(kept.id) is not None and usage.share(done.id) is None
    assert account.symbols[kept.symbol].position == Decimal(5)


class Journaled:
    """A live engine whose every event is kept, as the journal would keep it."""

    def __init__(self) -> None:
        self.clock = FakeClock(US_CLOSE - timedelta(hours=3))
        self.prices = FixedPrices({"AAPL": D("230.00")})
        self.engine = self._engine(Ledger())
        self.events: list[Event] = []
        self.handle(OpenAccount(account=ACCOUNT, balances={"USD": D("1000000")}))

    def _engine(self, ledger: Ledger) -> OrderEngine:
        return OrderEngine(ledger, load_instruments(), self.prices, self.clock, VenueId("paper"), Counter())

    def handle(self, message: object) -> Outcome:
        """Handle a message and keep its events."""
        outcome = self.engine.handle(message)
        self.events += outcome.events
        return outcome

    def restarted(self) -> OrderEngine:
        """Return a new engine whose ledger ``Ledger.replay`` rebuilt from the kept events."""
        engine = self._engine(Ledger())
        engine.ledger.replay(self.events)
        return engine


def test_replay_when_day_order_still_working_then_restarted_engine_expires_it_at_close() -> None:
    live = Journaled()
    order = live.handle(buy("10", tif=TimeInForce.DAY)).reply.order
    live.handle(status_report(order.id, OrderStatus.NEW))
    restarted = live.restarted()
    assert restarted.handle(ExpireOrders(now=US_CLOSE - timedelta(seconds=1))).reply == []
    outcome = restarted.handle(ExpireOrders(now=US_CLOSE))
    assert outcome.reply == [order.id]
    event = outcome.events[0]
    assert isinstance(event, OrderPendingCancel) and event.expiry


def test_replay_when_day_order_filled_before_restart_then_nothing_expires() -> None:
    live = Journaled()
    order = live.handle(buy("10", tif=TimeInForce.DAY)).reply.order
    live.handle(status_report(order.id, OrderStatus.NEW))
    live.handle(fill_report(order.id, "10"))
    restarted = live.restarted()
    assert restarted.ledger.orders[order.id].status is OrderStatus.FILLED
    assert restarted.handle(ExpireOrders(now=US_CLOSE)).reply == []
