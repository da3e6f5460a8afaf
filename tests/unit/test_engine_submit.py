"""Submitting orders through the engine: validation, idempotency, reservations, risk denials."""

from datetime import timedelta
from decimal import Decimal

import pytest

from ordergate.domain.commands import OpenAccount, SetRiskLimits, SubmitOrder
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.errors import DuplicateClientOrderId, ValidationFailed
from ordergate.domain.events import OrderDenied, OrderSubmitted
from ordergate.domain.ids import AccountId
from ordergate.service.engine import OrderEngine
from ordergate.service.outcome import VenueAction
from ordergate.service.submit import SubmitResult
from tests.fakes.clock import FakeClock
from tests.unit.builders import ACCOUNT, buy, fill_report

D = Decimal


def _state(engine: OrderEngine) -> tuple[object, ...]:
    bal = engine.ledger.accounts[ACCOUNT].balance("USD")
    return len(engine.ledger.orders), engine.ledger.last_seq, bal.cash, bal.reserved


def test_submit_when_valid_then_pending_new_recorded_and_a_venue_request_queued(engine: OrderEngine) -> None:
    outcome = engine.handle(buy("10", "230.00"))
    result = outcome.reply
    assert isinstance(result, SubmitResult) and result.created
    assert result.order.status is OrderStatus.PENDING_NEW
    assert [type(e) for e in outcome.events] == [OrderSubmitted]
    assert [(r.action, r.order.order_id) for r in outcome.requests] == [(VenueAction.SUBMIT, result.order.id)]
    assert str(result.order.client_order_id) == str(result.order.id)  # none given: the order id stands in


def test_submit_when_limit_buy_then_reserves_qty_times_limit(engine: OrderEngine) -> None:
    engine.handle(buy("10", "200.00"))
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == D("2000.00")


def test_submit_when_market_buy_then_reserves_reference_plus_buffer(engine: OrderEngine) -> None:
    engine.handle(buy("10", None))
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == D("10") * D("230.00") * D("1.01")  # 1% buffer


def test_submit_when_sell_without_position_then_reserves_the_short(engine: OrderEngine) -> None:
    engine.handle(buy("10", "231.00", side=Side.SELL))
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == D("2310.00")


def test_submit_when_sell_covered_by_long_then_reserves_only_uncovered_part(engine: OrderEngine) -> None:
    order = engine.handle(buy("10", "230.00")).reply.order
    engine.handle(fill_report(order.id, "10"))
    engine.handle(buy("4", "240.00", side=Side.SELL))
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == 0
    engine.handle(buy("8", "240.00", side=Side.SELL))  # 6 long left uncovered by the first sell
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == D("2") * D("240.00")


def test_resubmit_when_same_client_order_id_and_terms_then_same_order_and_nothing_new(engine: OrderEngine) -> None:
    first = engine.handle(buy("10", client_order_id="abc")).reply
    before = _state(engine)
    again = engine.handle(buy("10", client_order_id="abc"))
    assert again.reply.order is first.order
    assert again.reply.created is False
    assert again.events == [] and again.requests == []
    assert _state(engine) == before


def test_resubmit_when_same_client_order_id_different_terms_then_duplicate_error(engine: OrderEngine) -> None:
    engine.handle(buy("10", client_order_id="abc"))
    before = _state(engine)
    with pytest.raises(DuplicateClientOrderId, match="abc"):
        engine.handle(buy("11", client_order_id="abc"))
    assert _state(engine) == before


def test_client_order_id_when_other_account_then_independent(engine: OrderEngine) -> None:
    engine.handle(OpenAccount(account=AccountId("B"), balances={"USD": D("1000")}))
    engine.handle(buy("1", client_order_id="abc"))
    other = SubmitOrder(account=AccountId("B"), symbol=buy().symbol, side=Side.BUY, type=OrderType.LIMIT,
                        qty=D("2"), limit_price=D("230.00"), client_order_id=buy(client_order_id="abc").client_order_id)
    assert engine.handle(other).reply.created


@pytest.mark.parametrize("client_order_id", ["x" * 129, "tab\there", "nl\n"])
def test_client_order_id_when_too_long_or_unprintable_then_refused(engine: OrderEngine, client_order_id: str) -> None:
    before = _state(engine)
    with pytest.raises(ValidationFailed) as caught:
        engine.handle(buy(client_order_id=client_order_id))
    assert caught.value.field == "client_order_id"
    assert _state(engine) == before


@pytest.mark.parametrize(("cmd", "field", "rule"), [
    (buy("0"), "qty", "positive"),
    (buy("10", "230.001"), "limit_price", "tick_size"),
    (buy("10", None, type=OrderType.LIMIT), "limit_price", "required"),
    (buy("10", None, type=OrderType.STOP), "stop_price", "required"),
    (buy("10", "230.00", type=OrderType.MARKET), "limit_price", "not_allowed"),
    (buy("10", tif=TimeInForce.GTD), "expire_at", "required"),
    (buy("10", symbol="NOPE"), "symbol", "known_instrument"),
])
def test_submit_when_terms_invalid_then_error_names_field_and_rule_and_nothing_changes(
    engine: OrderEngine, cmd: SubmitOrder, field: str, rule: str,
) -> None:
    before = _state(engine)
    with pytest.raises(ValidationFailed) as caught:
        engine.handle(cmd)
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert _state(engine) == before


def test_submit_when_gtd_expiry_in_past_then_refused(engine: OrderEngine, clock: FakeClock) -> None:
    with pytest.raises(ValidationFailed) as caught:
        engine.handle(buy(tif=TimeInForce.GTD, expire_at=clock.now() - timedelta(seconds=1)))
    assert (caught.value.field, caught.value.rule) == ("expire_at", "future")


def test_submit_when_unknown_account_then_validation_error_names_account_and_nothing_changes(
    engine: OrderEngine,
) -> None:
    cmd = buy()
    cmd.account = AccountId("GHOST")
    before = _state(engine)
    with pytest.raises(ValidationFailed) as caught:
        engine.handle(cmd)
    assert (caught.value.field, caught.value.rule) == ("account", "known_account")
    assert "GHOST" in caught.value.message
    assert _state(engine) == before and not engine.ledger.orders


def test_submit_when_risk_denies_then_recorded_rejected_with_reasons_and_not_sent(engine: OrderEngine) -> None:
    engine.handle(SetRiskLimits(account=ACCOUNT, changes={"max_order_qty": 5}))
    outcome = engine.handle(buy("10", client_order_id="r1"))
    order = outcome.reply.order
    assert [type(e) for e in outcome.events] == [OrderDenied]
    assert outcome.requests == []
    assert order.status is OrderStatus.REJECTED
    assert [d.rule for d in order.denials] == ["max_order_qty"]
    assert engine.ledger.accounts[ACCOUNT].balance("USD").reserved == 0
    assert engine.handle(buy("10", client_order_id="r1")).reply.order is order  # idempotent after denial too


def test_open_account_when_exists_then_nothing_emitted(engine: OrderEngine) -> None:
    assert engine.handle(OpenAccount(account=ACCOUNT, balances={"USD": D("5")})).events == []
    assert engine.ledger.accounts[ACCOUNT].balance("USD").cash == D("1000000")


def test_handle_when_message_unknown_then_type_error(engine: OrderEngine) -> None:
    with pytest.raises(TypeError):
        engine.handle(object())
