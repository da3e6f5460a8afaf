"""Trade statistics, each checked against a direct computation over the same trades."""

import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ordergate.domain.trade_stats import RollingSum, TradeStats, epoch_seconds

DAY1 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def make_trades(seed: int, count: int, start: datetime, spacing: int = 7) -> list[tuple[Decimal, Decimal, datetime]]:
    rng = random.Random(seed)
    return [
        (Decimal(rng.randrange(9_000, 11_000)) / 100, Decimal(rng.randrange(1, 500)),
         start + timedelta(seconds=i * spacing))
        for i in range(count)
    ]


def fed(trades: list[tuple[Decimal, Decimal, datetime]], window: int = 300) -> TradeStats:
    stats = TradeStats(vwap_window=window)
    for price, size, ts in trades:
        stats.add(price, size, ts)
    return stats


@pytest.fixture
def trades() -> list[tuple[Decimal, Decimal, datetime]]:
    return make_trades(seed=3, count=400, start=DAY1)


def test_last_open_high_low_count_volume_and_notional(trades: list[tuple[Decimal, Decimal, datetime]]) -> None:
    snap = fed(trades).snapshot(trades[-1][2])
    assert snap.last_price == trades[-1][0] and snap.last_size == trades[-1][1]
    assert snap.last_ts == trades[-1][2]
    assert snap.open == trades[0][0]
    assert snap.high == max(p for p, _, _ in trades)
    assert snap.low == min(p for p, _, _ in trades)
    assert snap.trade_count == len(trades)
    assert snap.volume == sum(s for _, s, _ in trades)
    assert snap.notional == sum(p * s for p, s, _ in trades)


def test_session_vwap_is_notional_over_volume(trades: list[tuple[Decimal, Decimal, datetime]]) -> None:
    snap = fed(trades).snapshot(trades[-1][2])
    assert snap.vwap == sum(p * s for p, s, _ in trades) / sum(s for _, s, _ in trades)


def test_rolling_vwap_covers_only_the_window(trades: list[tuple[Decimal, Decimal, datetime]]) -> None:
    now = trades[-1][2] + timedelta(seconds=30)
    inside = [(p, s) for p, s, ts in trades if ts >= now - timedelta(seconds=300)]
    snap = fed(trades, window=300).snapshot(now)
    assert snap.rolling_vwap == sum(p * s for p, s in inside) / sum(s for _, s in inside)


def test_rolling_vwap_when_window_is_empty_then_none(trades: list[tuple[Decimal, Decimal, datetime]]) -> None:
    snap = fed(trades).snapshot(trades[-1][2] + timedelta(hours=1))
    assert snap.rolling_vwap is None


def test_change_against_first_price_when_no_previous_close(trades: list[tuple[Decimal, Decimal, datetime]]) -> None:
    snap = fed(trades).snapshot(trades[-1][2])
    assert snap.previous_close is None
    assert snap.change == trades[-1][0] - trades[0][0]
    assert snap.change_pct == (trades[-1][0] - trades[0][0]) * 100 / trades[0][0]


def test_new_day_starts_a_session_and_change_is_against_previous_close() -> None:
    day1 = make_trades(seed=1, count=50, start=DAY1)
    day2 = make_trades(seed=2, count=40, start=DAY1 + timedelta(days=1))
    snap = fed(day1 + day2).snapshot(day2[-1][2])
    close = day1[-1][0]
    assert snap.previous_close == close
    assert snap.open == day2[0][0]
    assert snap.trade_count == len(day2)
    assert snap.volume == sum(s for _, s, _ in day2)
    assert snap.high == max(p for p, _, _ in day2)
    assert snap.change == day2[-1][0] - close
    assert snap.change_pct == (day2[-1][0] - close) * 100 / close


def test_rolling_24h_volume_and_notional_span_sessions() -> None:
    # minute-aligned trades, so the one-minute buckets of the 24 h window are exact
    trades = make_trades(seed=5, count=600, start=DAY1, spacing=180)
    now = trades[-1][2]
    inside = [(p, s) for p, s, ts in trades if ts >= now - timedelta(hours=24)]
    snap = fed(trades).snapshot(now)
    assert snap.volume_24h == sum(s for _, s in inside)
    assert snap.notional_24h == sum(p * s for p, s in inside)
    assert snap.volume_24h < sum(s for _, s, _ in trades)


def test_late_trade_counts_in_volume_but_does_not_move_last() -> None:
    stats = TradeStats()
    stats.add(Decimal("10"), Decimal("1"), DAY1 + timedelta(seconds=10))
    stats.add(Decimal("12"), Decimal("2"), DAY1)
    snap = stats.snapshot(DAY1 + timedelta(seconds=10))
    assert snap.last_price == Decimal("10")
    assert snap.volume == Decimal("3") and snap.high == Decimal("12")
    assert snap.rolling_vwap == Decimal("34") / 3


def test_empty_stats_have_no_prices_and_zero_volume() -> None:
    snap = TradeStats().snapshot(DAY1)
    assert (snap.last_price, snap.vwap, snap.change, snap.change_pct) == (None, None, None, None)
    assert snap.volume == 0 and snap.trade_count == 0 and snap.volume_24h == 0


def test_rolling_sum_memory_is_bounded_by_window_over_bucket() -> None:
    window = RollingSum(window=60, bucket=1)
    for second in range(10_000):
        window.add(second, Decimal(1), Decimal(2))
    assert len(window) <= 61
    assert window.qty == 61 and window.notional == 122


def test_late_print_earlier_than_the_open_becomes_the_open_and_a_tie_closes_by_arrival() -> None:
    stats = TradeStats()
    stats.add(Decimal("10"), Decimal("1"), DAY1 + timedelta(seconds=10))
    stats.add(Decimal("9"), Decimal("1"), DAY1 + timedelta(seconds=5))  # late: earlier than the open
    stats.add(Decimal("11"), Decimal("1"), DAY1 + timedelta(seconds=10))  # same time, arrives later: the last
    snap = stats.snapshot(DAY1 + timedelta(seconds=10))
    assert (snap.open, snap.last_price) == (Decimal("9"), Decimal("11"))


def test_late_print_of_the_previous_session_after_its_close_corrects_the_previous_close() -> None:
    stats = TradeStats()
    stats.add(Decimal("10"), Decimal("1"), DAY1)
    stats.add(Decimal("20"), Decimal("1"), DAY1 + timedelta(days=1))
    stats.add(Decimal("12"), Decimal("1"), DAY1 + timedelta(seconds=1))  # day 1's true close, arriving late
    stats.add(Decimal("11"), Decimal("1"), DAY1 - timedelta(seconds=1))  # earlier than day 1's close: no change
    snap = stats.snapshot(DAY1 + timedelta(days=1))
    assert snap.previous_close == Decimal("12") and snap.change == Decimal("8")
    assert snap.trade_count == 1 and snap.volume_24h == 3  # the print before day 1 14:00 is out of the 24 h


@pytest.mark.parametrize("ts", [
    datetime(1970, 1, 1, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),  # before the epoch: the floor, not toward zero
    datetime(1960, 6, 1, 12, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 2, 9, 15, 0, 999_999, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 3, 2, 14, 0, 0, 500_000, tzinfo=timezone(timedelta(hours=-5))),
])
def test_epoch_seconds_when_any_aware_time_then_the_floor_of_its_exact_seconds_since_the_epoch(ts: datetime) -> None:
    micros = (ts - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)  # exact, an int
    assert epoch_seconds(ts) == micros // 1_000_000
