"""Order terms against an instrument: every failure names the field and the rule."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.enums import OrderType, TimeInForce
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol
from ordergate.domain.validation import check_order_terms

D = Decimal
NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
AAPL = load_instruments()[Symbol("AAPL")]
RELIANCE = load_instruments()[Symbol("RELIANCE")]
M, L, ST, SL = OrderType.MARKET, OrderType.LIMIT, OrderType.STOP, OrderType.STOP_LIMIT


def _check(order_type: OrderType = L, qty: str = "10", limit: str | None = "230.00", stop: str | None = None,
           tif: TimeInForce = TimeInForce.DAY, expire_at: datetime | None = None, instrument: object = AAPL) -> None:
    check_order_terms(order_type, D(qty), None if limit is None else D(limit), None if stop is None else D(stop),
                      tif, expire_at, instrument, NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(("order_type", "limit", "stop"), [
    (M, None, None), (L, "230.01", None), (ST, None, "229.99"), (SL, "231.00", "230.50"),
])
def test_terms_when_prices_match_order_type_then_accepted(order_type: OrderType, limit: str | None,
                                                           stop: str | None) -> None:
    _check(order_type, limit=limit, stop=stop)


@pytest.mark.parametrize(("kwargs", "field", "rule"), [
    ({"qty": "0"}, "qty", "positive"),
    ({"qty": "-5"}, "qty", "positive"),
    ({"qty": "NaN"}, "qty", "positive"),
    ({"qty": "Infinity"}, "qty", "positive"),
    ({"qty": "1e13"}, "qty", "max_value"),
    ({"qty": "1.5"}, "qty", "lot_size"),
    ({"order_type": L, "limit": None}, "limit_price", "required"),
    ({"order_type": M, "limit": "230.00"}, "limit_price", "not_allowed"),
    ({"order_type": ST, "limit": None, "stop": None}, "stop_price", "required"),
    ({"order_type": L, "stop": "229.00"}, "stop_price", "not_allowed"),
    ({"order_type": SL, "limit": "231.00", "stop": None}, "stop_price", "required"),
    ({"limit": "230.005"}, "limit_price", "tick_size"),
    ({"limit": "0"}, "limit_price", "positive"),
    ({"limit": "-1.00"}, "limit_price", "positive"),
    ({"limit": "sNaN"}, "limit_price", "positive"),
    ({"limit": "1e13"}, "limit_price", "max_value"),
    ({"order_type": ST, "limit": None, "stop": "229.999"}, "stop_price", "tick_size"),
    ({"instrument": RELIANCE, "limit": "1300.03"}, "limit_price", "tick_size"),
    ({"qty": "1e12", "limit": "1e12"}, "qty", "max_notional"),
    ({"qty": "1000001", "limit": "1000000000.00"}, "qty", "max_notional"),
    ({"order_type": ST, "qty": "2000", "limit": None, "stop": "999999999999.99"}, "qty", "max_notional"),
    ({"order_type": SL, "qty": "1001", "limit": "1.00", "stop": "1000000000000"}, "qty", "max_notional"),
    ({"tif": TimeInForce.GTD}, "expire_at", "required"),
    ({"tif": TimeInForce.GTD, "expire_at": datetime(2026, 3, 3, 12, 0)}, "expire_at", "timezone"),
    ({"tif": TimeInForce.GTD, "expire_at": NOW}, "expire_at", "future"),
    ({"tif": TimeInForce.GTD, "expire_at": NOW - timedelta(days=1)}, "expire_at", "future"),
    ({"tif": TimeInForce.DAY, "expire_at": NOW + timedelta(hours=1)}, "expire_at", "not_allowed"),
])
def test_terms_when_rule_broken_then_error_names_field_and_rule(kwargs: dict[str, object], field: str,
                                                                rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _check(**kwargs)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.rule) == (field, rule)
    assert str(caught.value).startswith(f"{field}: ")


def test_terms_when_gtd_with_future_expiry_then_accepted() -> None:
    _check(tif=TimeInForce.GTD, expire_at=NOW + timedelta(minutes=1))


def test_terms_when_reliance_on_its_tick_then_accepted() -> None:
    _check(instrument=RELIANCE, limit="1300.05")


def test_terms_when_worth_exactly_the_largest_notional_then_accepted() -> None:
    _check(qty="1000000", limit="1000000000.00")


def test_terms_when_notional_too_large_then_message_shows_the_product() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _check(qty="1e12", limit="1e12")
    assert str(caught.value) == ("qty: qty x limit_price must be at most 1000000000000000, "
                                 "got 1000000000000 x 1000000000000 = 1000000000000000000000000")
