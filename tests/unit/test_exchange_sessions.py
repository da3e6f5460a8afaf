"""Exchange days and hours from an instrument's timezone and session times."""

from datetime import UTC, date, datetime

from ordergate.adapters.instruments_file import load_instruments
from ordergate.domain.ids import Symbol
from ordergate.service.sessions import day_order_expiry, exchange_days, session_day

INSTRUMENTS = load_instruments()


def test_nse_day_runs_from_local_midnight_with_hours_from_0915_to_1530_ist() -> None:
    day = session_day(INSTRUMENTS[Symbol("RELIANCE")], datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    assert day.day == date(2026, 3, 3)  # 01:30 IST on the 3rd
    assert (day.start, day.opens, day.closes, day.end) == (
        datetime(2026, 3, 2, 18, 30, tzinfo=UTC), datetime(2026, 3, 3, 3, 45, tzinfo=UTC),
        datetime(2026, 3, 3, 10, 0, tzinfo=UTC), datetime(2026, 3, 3, 18, 30, tzinfo=UTC))
    assert not day.in_hours(datetime(2026, 3, 3, 3, 35, tzinfo=UTC))  # 09:05 IST, pre-open
    assert day.in_hours(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))  # 15:30 IST, the close itself


def test_us_hours_follow_daylight_saving() -> None:
    days = exchange_days(INSTRUMENTS[Symbol("AAPL")])
    assert days(datetime(2026, 3, 6, 15, 0, tzinfo=UTC)).opens == datetime(2026, 3, 6, 14, 30, tzinfo=UTC)  # EST
    assert days(datetime(2026, 3, 9, 15, 0, tzinfo=UTC)).opens == datetime(2026, 3, 9, 13, 30, tzinfo=UTC)  # EDT
    after_hours = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)  # 20:30 EDT on the 9th
    assert days(after_hours).day == date(2026, 3, 9) and not days(after_hours).in_hours(after_hours)


def test_day_order_expiry_still_at_the_exchange_close() -> None:
    placed = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert day_order_expiry(INSTRUMENTS[Symbol("RELIANCE")], placed) == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
