"""Reading Alpaca's statuses, numbers and times."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from alpaca.trading.enums import OrderStatus as SdkOrderStatus

from ordergate.adapters.venues.alpaca.parse import STATUS_TABLE, decimal, fill_id, our_status, timestamp
from ordergate.domain.enums import OrderStatus

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_status_table_covers_every_status_the_official_sdk_knows() -> None:
    assert {s.value for s in SdkOrderStatus} <= set(STATUS_TABLE)


def test_unknown_status_then_working_not_terminal() -> None:
    status = our_status("teleported", Decimal(0))
    assert status is OrderStatus.NEW and not status.is_terminal


@pytest.mark.parametrize(("alpaca", "filled", "ours"), [
    ("new", "0", OrderStatus.NEW), ("new", "3", OrderStatus.PARTIALLY_FILLED),
    ("done_for_day", "1", OrderStatus.PARTIALLY_FILLED), ("accepted", "0", OrderStatus.PENDING_NEW),
    ("filled", "5", OrderStatus.FILLED), ("canceled", "2", OrderStatus.CANCELED),
    ("expired", "0", OrderStatus.EXPIRED), ("rejected", "0", OrderStatus.REJECTED), ("replaced", "0", None),
])
def test_alpaca_status_when_read_then_ours(alpaca: str, filled: str, ours: OrderStatus | None) -> None:
    assert our_status(alpaca, Decimal(filled)) is ours


def test_timestamp_with_nanoseconds_and_z_then_microseconds_utc() -> None:
    assert timestamp("2026-12-01T14:30:05.123456789Z", T0) == datetime(2026, 12, 1, 14, 30, 5, 123456, tzinfo=UTC)
    assert timestamp("2026-12-01T10:30:05-04:00", T0) == datetime(2026, 12, 1, 14, 30, 5, tzinfo=UTC)


@pytest.mark.parametrize("hostile", [None, "", "yesterday", 12, "2026-13-45T99:00:00Z"])
def test_timestamp_unreadable_then_default(hostile: object) -> None:
    assert timestamp(hostile, T0) == T0


@pytest.mark.parametrize(("raw", "value"), [("1.50", Decimal("1.50")), (2, Decimal(2)), ("NaN", None),
                                            ("Infinity", None), ("abc", None), (None, None), (True, None)])
def test_decimal_string_or_number_then_decimal_or_none(raw: object, value: Decimal | None) -> None:
    assert decimal(raw) == value


def test_fill_id_same_for_equal_cumulative_quantities_written_differently() -> None:
    assert fill_id("abc", Decimal("3.0")) == fill_id("abc", Decimal("3")) == "abc:3"
