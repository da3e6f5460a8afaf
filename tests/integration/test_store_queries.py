"""SqlReadModel: fills with slippage, paging by opaque cursors, the audit trail, API keys; hostile input."""

import base64
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import create_engine

from ordergate.adapters.store.cursor import InvalidCursor, decode_cursor, encode_cursor
from ordergate.adapters.store.queries import SqlReadModel, slippage
from ordergate.domain.enums import OrderStatus, Side
from ordergate.domain.errors import ValidationFailed
from tests.unit.builders import T0, buy, fill_report, status_report

D = Decimal


def filled_order(trading: Any, qty: str, *fills: str, side: Side = Side.BUY) -> str:
    order_id = trading.reply(buy(qty=qty, side=side)).order.id
    trading.run(status_report(order_id, OrderStatus.NEW))
    for n, price in enumerate(fills):
        trading.clock.advance(1)
        trading.run(fill_report(order_id, "1", price, fill_id=f"{order_id}-{n}", commission="0.10"))
    return str(order_id)


@pytest.fixture
def read_model(trading: Any) -> SqlReadModel:
    return SqlReadModel(trading.journal.engine)


def test_order_fills_when_buy_paid_more_than_arrival_then_positive_slippage(trading: Any,
                                                                          read_model: SqlReadModel) -> None:
    order_id = filled_order(trading, "2", "230.23", "229.77")  # arrival price 230.00
    fills = read_model.order_fills(order_id)
    assert [(f["price"], f["slippage"], f["slippage_bps"]) for f in fills] == [
        ("230.23", "0.23", "10.00"), ("229.77", "-0.23", "-10.00")]
    assert fills[0]["commission"] == "0.10" and fills[0]["arrival_price"] == "230.00"


def test_slippage_when_sell_got_less_than_arrival_then_positive() -> None:
    assert slippage("sell", D("99"), D("100")) == (D("1"), D("100.00"))
    assert slippage("buy", D("99"), None) == (None, None)


def test_order_fills_when_order_unknown_then_empty(read_model: SqlReadModel) -> None:
    assert read_model.order_fills("nope") == []


def test_list_fills_when_paged_then_newest_first_without_gaps_or_repeats(trading: Any,
                                                                         read_model: SqlReadModel) -> None:
    filled_order(trading, "5", *["230.00"] * 5)
    seen: list[str] = []
    cursor = None
    while True:
        items, cursor = read_model.list_fills(limit=2, cursor=cursor)
        seen += [f["fill_id"] for f in items]
        if cursor is None:
            break
    assert seen == [f"o-1-{n}" for n in reversed(range(5))]


def test_list_fills_when_filtered_then_only_matching(trading: Any, read_model: SqlReadModel) -> None:
    filled_order(trading, "1", "230.00")
    assert len(read_model.list_fills(symbol="AAPL")[0]) == 1
    assert read_model.list_fills(symbol="MSFT") == ([], None)
    assert read_model.list_fills(account="OTHER") == ([], None)


HOSTILE_CURSORS = ["", "!!!", "x" * 201, "' OR 1=1 --", base64.urlsafe_b64encode(b"og1:-5").decode(),
                   base64.urlsafe_b64encode(b"og1:99999999999999999999").decode(),
                   base64.urlsafe_b64encode(b"other:1").decode(), "\x00\xff", "b2cxOjA"]


@pytest.mark.parametrize("cursor", HOSTILE_CURSORS)
def test_list_fills_when_cursor_is_not_ours_then_value_error_naming_cursor(read_model: SqlReadModel,
                                                                          cursor: str) -> None:
    with pytest.raises(ValueError, match="cursor"):
        read_model.list_fills(cursor=cursor)


@pytest.mark.parametrize("cursor", HOSTILE_CURSORS)
def test_audit_when_cursor_is_not_ours_then_validation_error_naming_cursor(read_model: SqlReadModel,
                                                                          cursor: str) -> None:
    with pytest.raises(InvalidCursor) as info:
        read_model.audit(cursor=cursor)
    assert info.value.field == "cursor"


@pytest.mark.parametrize("limit", [0, -1, 1001, True])
def test_list_when_limit_out_of_range_then_error_naming_limit(read_model: SqlReadModel, limit: int) -> None:
    with pytest.raises(ValidationFailed, match="limit"):
        read_model.list_fills(limit=limit)


def test_cursor_roundtrip() -> None:
    assert decode_cursor(encode_cursor(12345)) == 12345


def test_order_events_when_asked_then_the_orders_journal_in_order_with_causes(trading: Any,
                                                                             read_model: SqlReadModel) -> None:
    order_id = filled_order(trading, "1", "230.00")
    events = read_model.order_events(order_id)
    assert [e["type"] for e in events] == ["OrderSubmitted", "OrderAccepted", "OrderFilled"]
    assert events[0]["caused_by"] == "system"
    assert events[2]["payload"]["price"] == "230.00" and "seq" not in events[2]["payload"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


def test_audit_when_paged_from_since_then_oldest_first_and_complete(trading: Any, read_model: SqlReadModel) -> None:
    filled_order(trading, "3", "230.00", "230.00", "230.00")
    everything, _ = read_model.audit(limit=1000)
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))
    later, _ = read_model.audit(since=T0 + timedelta(seconds=2), limit=1000)
    assert later and all(e["ts"] >= (T0 + timedelta(seconds=2)).isoformat() for e in later)
    assert len(later) < len(everything)
    pages, cursor = [], None
    while True:
        items, cursor = read_model.audit(limit=2, cursor=cursor, account="ACC")
        pages += items
        if cursor is None:
            break
    assert pages == [e for e in everything if e["account"] == "ACC"]


def test_audit_when_since_is_naive_then_taken_as_utc(trading: Any, read_model: SqlReadModel) -> None:
    assert read_model.audit(since=T0.replace(tzinfo=None))[0] == read_model.audit(since=T0)[0]


def test_ping_when_database_answers_then_true_else_false(read_model: SqlReadModel) -> None:
    assert read_model.ping() is True
    assert SqlReadModel(create_engine("sqlite:////nonexistent-dir/x.db")).ping() is False
