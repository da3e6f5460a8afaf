"""Cancel, replace, cancel-all and expiry of DAY and GTD orders through the engine."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ordergate.domain.commands import CancelAllOrders, CancelOrder, ExpireOrders, ReplaceOrder, SetTradingState
from ordergate.domain.enums import OrderStatus, OrderType, TimeInForce, TradingState
from ordergate.domain.errors import OrderStateConflict, UnknownAccount, UnknownOrder, ValidationFailed
from ordergate.domain.events import OrderPendingCancel, OrderPendingReplace
from ordergate.domain.ids import AccountId, OrderId, Symbol
from ordergate.domain.order import Order
from ordergate.service.engine import OrderEngine
from ordergate.service.outcome import VenueAction
from tests.fakes.clock import FakeClock
from tests.unit.builders import ACCOUNT, buy, fill_report, make_engine, replace_report, status_report

D = Decimal
S = OrderStatus
US_CLOSE = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)  # 16:00 in New York (EST) on the test's Monday


def _working(engine: OrderEngine, qty: str = "100", **kwargs: object) -> Order:
    order: Order = engine.handle(buy(qty, **kwargs)).reply.order  # type: ignore[arg-type]
    engine.handle(status_report(order.id, S.NEW))
    return order


def test_cancel_when_working_then_pending_cancel_and_cancel_request(engine: OrderEngine) -> None:
    order = _working(engine)
    outcome = engine.handle(CancelOrder(order_id=order.id, reason="changed my mind", requested_by="alice"))
    assert [type(e) for e in outcome.events] == [OrderPendingCancel]
    assert outcome.events[0].caused_by == "alice"
    assert [(r.action, r.order.order_id) for r in outcome.requests] == [(VenueAction.CANCEL, order.id)]
    assert (order.status, order.reason) == (S.PENDING_CANCEL, "changed my mind")


def test_cancel_when_filled_then_too_late_and_nothing_changes(engine: OrderEngine) -> None:
    order = _working(engine, "10")
    engine.handle(fill_report(order.id, "10"))
    seq = engine.ledger.last_seq
    with pytest.raises(OrderStateConflict, match="too late to cancel") as caught:
        engine.handle(CancelOrder(order_id=order.id))
    assert caught.value.code == "too_late"
    assert (order.status, engine.ledger.last_seq) == (S.FILLED, seq)


def test_cancel_when_already_pending_cancel_then_conflict(engine: OrderEngine) -> None:
    order = _working(engine)
    engine.handle(CancelOrder(order_id=order.id))
    with pytest.raises(OrderStateConflict, match="already pending_cancel"):
        engine.handle(CancelOrder(order_id=order.id))


def test_cancel_when_order_unknown_then_unknown_order(engine: OrderEngine) -> None:
    with pytest.raises(UnknownOrder):
        engine.handle(CancelOrder(order_id=OrderId("missing")))


def test_replace_when_working_then_pending_replace_with_old_and_new_terms_sent(engine: OrderEngine) -> None:
    order = _working(engine, "100", limit="230.00")
    outcome = engine.handle(ReplaceOrder(order_id=order.id, qty=D("120"), limit_price=D("229.50")))
    assert [type(e) for e in outcome.events] == [OrderPendingReplace]
    [request] = outcome.requests
    assert request.action is VenueAction.REPLACE and request.new is not None
    assert (request.order.qty, request.order.limit_price) == (D("100"), D("230.00"))
    assert (request.new.qty, request.new.limit_price) == (D("120"), D("229.50"))
    assert order.status is S.PENDING_REPLACE
    assert order.qty == D("100")  # terms change only when the venue confirms


def test_replace_when_fields_omitted_then_current_terms_kept(engine: OrderEngine) -> None:
    order = _working(engine, "100", limit="230.00")
    request = engine.handle(ReplaceOrder(order_id=order.id, limit_price=D("231.00"))).requests[0]
    assert request.new is not None and (request.new.qty, request.new.tif) == (D("100"), TimeInForce.DAY)


def test_replace_when_pending_new_then_conflict(engine: OrderEngine) -> None:
    order = engine.handle(buy()).reply.order
    with pytest.raises(OrderStateConflict, match="pending new"):
        engine.handle(ReplaceOrder(order_id=order.id, qty=D("5")))


@pytest.mark.parametrize(("cmd_terms", "field", "rule"), [
    ({"qty": D("-1")}, "qty", "positive"),
    ({"limit_price": D("230.001")}, "limit_price", "tick_size"),
    ({"stop_price": D("229.00")}, "stop_price", "not_allowed"),
    ({"tif": TimeInForce.IOC}, "time_in_force", "replace_tif"),
    ({"tif": TimeInForce.GTD}, "expire_at", "required"),
])
def test_replace_when_terms_invalid_then_error_names_field_and_rule_and_order_unchanged(
    engine: OrderEngine, cmd_terms: dict[str, object], field: str, rule: str,
) -> None:
    order = _working(engine, "100", limit="230.00")
    seq = engine.ledger.last_seq
    with pytest.raises(ValidationFailed) as caught:
        engine.handle(ReplaceOrder(order_id=order.id, **cmd_terms))  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert (order.status, order.qty, engine.ledger.last_seq) == (S.NEW, D("100"), seq)


def test_cancel_all_when_filtered_by_symbol_then_only_matching_open_orders(engine: OrderEngine) -> None:
    aapl = _working(engine)
    msft = _working(engine, symbol="MSFT", limit="420.00")
    done = _working(engine, "1")
    engine.handle(fill_report(done.id, "1"))
    result = engine.handle(CancelAllOrders(symbol=Symbol("AAPL"))).reply
    assert result.order_ids == [aapl.id]
    assert (aapl.status, msft.status) == (S.PENDING_CANCEL, S.NEW)


def test_cancel_all_when_account_given_then_skips_pending_cancel_and_other_accounts(engine: OrderEngine) -> None:
    first, second = _working(engine), _working(engine)
    engine.handle(CancelOrder(order_id=first.id))
    outcome = engine.handle(CancelAllOrders(account=ACCOUNT))
    assert outcome.reply.order_ids == [second.id]
    assert len(outcome.requests) == 1


def test_cancel_all_when_account_unknown_then_refused(engine: OrderEngine) -> None:
    with pytest.raises(UnknownAccount):
        engine.handle(CancelAllOrders(account=AccountId("GHOST")))


def test_expire_when_day_order_before_session_close_then_nothing(engine: OrderEngine) -> None:
    _working(engine)
    assert engine.handle(ExpireOrders(now=US_CLOSE - timedelta(seconds=1))).reply == []


def test_expire_when_day_order_at_session_close_then_canceled_at_venue_and_recorded_expired(
    engine: OrderEngine,
) -> None:
    order = _working(engine)
    outcome = engine.handle(ExpireOrders(now=US_CLOSE))
    assert outcome.reply == [order.id]
    assert [r.action for r in outcome.requests] == [VenueAction.CANCEL]
    assert order.status is S.PENDING_CANCEL and order.expiring
    engine.handle(status_report(order.id, S.CANCELED))
    assert (order.status, order.reason) == (S.EXPIRED, "time in force day ended")


def test_expire_when_gtd_time_comes_then_expires_and_gtc_stays(engine: OrderEngine, clock: FakeClock) -> None:
    at = clock.now() + timedelta(minutes=30)
    gtd = _working(engine, tif=TimeInForce.GTD, expire_at=at)
    gtc = _working(engine, tif=TimeInForce.GTC)
    assert engine.handle(ExpireOrders(now=at)).reply == [gtd.id]
    assert engine.handle(ExpireOrders(now=at + timedelta(days=30))).reply == []
    assert gtc.status is S.NEW


def test_expire_when_gtd_replaced_to_later_time_then_old_expiry_ignored(engine: OrderEngine, clock: FakeClock) -> None:
    first = clock.now() + timedelta(minutes=10)
    later = clock.now() + timedelta(hours=2)
    order = _working(engine, tif=TimeInForce.GTD, expire_at=first)
    engine.handle(ReplaceOrder(order_id=order.id, tif=TimeInForce.GTD, expire_at=later))
    engine.handle(replace_report(order, "100", "230.00", TimeInForce.GTD, later))
    assert engine.handle(ExpireOrders(now=first)).reply == []
    assert engine.handle(ExpireOrders(now=later)).reply == [order.id]


def test_expire_when_day_order_on_friday_evening_then_waits_for_next_close(clock: FakeClock) -> None:
    clock.set(datetime(2026, 3, 6, 22, 0, tzinfo=UTC))  # Friday, after the US close
    engine = make_engine(clock)
    order = _working(engine, type=OrderType.LIMIT)
    assert engine.handle(ExpireOrders(now=datetime(2026, 3, 8, 12, 0, tzinfo=UTC))).reply == []
    assert engine.handle(ExpireOrders(now=datetime(2026, 3, 9, 20, 0, tzinfo=UTC))).reply == [order.id]


def test_set_trading_state_when_account_unknown_then_refused(engine: OrderEngine) -> None:
    with pytest.raises(UnknownAccount):
        engine.handle(SetTradingState(account=AccountId("GHOST"), state=TradingState.HALTED, reason="x"))


def test_set_trading_state_when_firm_then_applies_to_every_account(engine: OrderEngine) -> None:
    engine.handle(SetTradingState(account=None, state=TradingState.REDUCING, reason="kill", requested_by="ops"))
    assert engine.ledger.trading_state(ACCOUNT) is TradingState.REDUCING
    assert engine.ledger.trading_state(AccountId("OTHER")) is TradingState.REDUCING
