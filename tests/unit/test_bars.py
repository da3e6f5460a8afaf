"""OHLCV bars at 1 s, 1 m, 5 m and 1 h, checked against grouping the same trades directly."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ordergate.domain.bars import INTERVALS, Bars, BarSeries
from ordergate.domain.errors import ValidationFailed

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def make_trades(count: int = 500) -> list[tuple[Decimal, Decimal, datetime]]:
    rng = random.Random(11)
    ts = T0
    out = []
    for _ in range(count):
        ts += timedelta(milliseconds=rng.randrange(0, 20_000))
        out.append((Decimal(rng.randrange(1_000, 1_100)) / 10, Decimal(rng.randrange(1, 50)), ts))
    return out


@pytest.mark.parametrize("interval", list(INTERVALS))
def test_bars_equal_trades_grouped_by_interval(interval: str) -> None:
    trades = make_trades()
    bars = Bars(maxlen=100_000)
    for price, size, ts in trades:
        bars.add(price, size, ts)
    seconds = INTERVALS[interval]
    groups: dict[int, list[tuple[Decimal, Decimal]]] = {}
    for price, size, ts in trades:
        epoch = int((ts - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
        groups.setdefault(epoch - epoch % seconds, []).append((price, size))
    got = bars.last(interval, 100_000)
    assert [b.start for b in got] == sorted(groups)
    for bar in got:
        group = groups[bar.start]
        assert (bar.open, bar.close) == (group[0][0], group[-1][0])
        assert bar.high == max(p for p, _ in group) and bar.low == min(p for p, _ in group)
        assert bar.volume == sum(s for _, s in group)
        assert bar.notional == sum(p * s for p, s in group)
        assert bar.trades == len(group)
        assert bar.start_time.timestamp() == bar.start


def test_bars_keep_only_the_newest_maxlen() -> None:
    series = BarSeries(interval=1, maxlen=10)
    for i in range(100):
        series.add(Decimal(i + 1), Decimal(1), T0 + timedelta(seconds=i))
    kept = series.last(1000)
    assert len(kept) == 10
    assert [b.close for b in kept] == [Decimal(i + 1) for i in range(90, 100)]
    assert [b.close for b in series.last(3)] == [Decimal(98), Decimal(99), Decimal(100)]
    assert series.last(0) == []


def test_late_trade_folds_into_its_bar_and_opens_it_when_earliest_but_never_moves_a_later_close() -> None:
    series = BarSeries(interval=60)
    series.add(Decimal("10"), Decimal(1), T0 + timedelta(seconds=30))
    series.add(Decimal("11"), Decimal(1), T0 + timedelta(seconds=90))
    series.add(Decimal("15"), Decimal(2), T0 + timedelta(seconds=10))
    first, second = series.last(10)
    assert (first.open, first.high, first.close, first.volume) == (Decimal(15), Decimal(15), Decimal(10), Decimal(3))
    assert (second.open, second.close) == (Decimal(11), Decimal(11))


def test_prints_in_one_second_close_by_event_time_then_by_arrival() -> None:
    series = BarSeries(interval=1)
    series.add(Decimal("10"), Decimal(1), T0 + timedelta(milliseconds=300))
    series.add(Decimal("9"), Decimal(1), T0 + timedelta(milliseconds=100))  # same second, earlier: not the close
    series.add(Decimal("12"), Decimal(1), T0 + timedelta(milliseconds=700))
    series.add(Decimal("13"), Decimal(1), T0 + timedelta(milliseconds=700))  # same time, later arrival: the close
    (bar,) = series.last(10)
    assert (bar.open, bar.close, bar.high, bar.low) == (Decimal(9), Decimal(13), Decimal(13), Decimal(9))


def test_bars_with_unknown_interval_then_rejects_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Bars().last("2m", 10)
    assert caught.value.field == "interval"
