"""Statistics and bars from a hand-made replay file (two days, two exchanges, late prints), each checked
against values computed from the file itself in plain Python (tests/integration/replay_expect.py)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.marketdata.replay import ReplayFeed
from ordergate.domain.bars import INTERVALS
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub
from tests.fakes.clock import FakeClock
from tests.integration.replay_expect import (
    TWO_DAYS,
    bars,
    in_hours,
    latest,
    local_date,
    prints,
    rows,
    sessions,
)

INSTRUMENTS = load_instruments()
END = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def replayed() -> MarketDataHub:
    """Replay the two-day file into a hub that knows the instruments' exchanges."""
    return replayed_file(TWO_DAYS)


def replayed_file(path: Path) -> MarketDataHub:
    hub = MarketDataHub(FakeClock(END), stale_after=30, instruments=INSTRUMENTS)
    feed = ReplayFeed(path, hub)
    feed.run_sync()
    assert feed.result.error_count == 0
    return hub


@pytest.mark.parametrize("interval", list(INTERVALS))
@pytest.mark.parametrize("symbol", ["AAPL", "RELIANCE"])
def test_bars_from_a_file_with_late_prints_equal_the_prints_grouped_by_exchange_time(symbol: str, interval: str,
                                                                                     ) -> None:
    instrument = INSTRUMENTS[Symbol(symbol)]
    expected = bars(instrument, prints(TWO_DAYS, symbol), INTERVALS[interval])
    got = replayed().bars(Symbol(symbol), interval, 1000)
    assert [(b.start_time, b.open, b.high, b.low, b.close, b.volume, b.trades) for b in got] == [
        (e.start, e.open, e.high, e.low, e.close, e.volume, e.trades) for e in expected]


def test_the_file_has_the_late_prints_these_tests_are_about() -> None:
    for symbol in ("AAPL", "RELIANCE"):
        tape = prints(TWO_DAYS, symbol)
        late = [p for i, p in enumerate(tape) if any(q.ts > p.ts for q in tape[:i])]
        assert len(late) >= 2


def first_rows_of(path: Path, out: Path, symbol: str, last_day: date) -> Path:
    """Write the rows of ``path`` that arrive before the symbol's first print of a later exchange day."""
    instrument = INSTRUMENTS[Symbol(symbol)]
    later = [p.arrival for p in prints(path, symbol) if local_date(instrument, p) > last_day]
    kept = rows(path)[:min(later)] if later else rows(path)
    out.write_text(",".join(kept[0]) + "\n" + "\n".join(",".join(r.values()) for r in kept) + "\n")
    return out


@pytest.mark.parametrize("day", [date(2026, 3, 2), date(2026, 3, 3)])
@pytest.mark.parametrize("symbol", ["AAPL", "RELIANCE"])
def test_session_stats_follow_the_exchange_day_and_hours_with_late_prints(symbol: str, day: date,
                                                                          tmp_path: Path) -> None:
    path = first_rows_of(TWO_DAYS, tmp_path / "upto.csv", symbol, day)
    instrument = INSTRUMENTS[Symbol(symbol)]
    tape = prints(path, symbol)
    expected = sessions(instrument, tape)
    stats = replayed_file(path).stats(Symbol(symbol))
    assert stats is not None
    got, want = stats.trades, expected[day]
    assert got.session == day == max(expected)
    assert (got.open, got.high, got.low, got.volume, got.notional, got.trade_count) == (
        want.open, want.high, want.low, want.volume, want.notional, want.count)
    assert got.vwap == want.notional / want.volume
    assert got.last_price == latest(tape).price
    previous = [d for d in expected if d < day]
    assert got.previous_close == (expected[max(previous)].close if previous else None)
    reference = got.previous_close if got.previous_close is not None else want.open
    assert got.change == latest(tape).price - reference


def test_the_file_has_out_of_hours_prints_that_must_not_open_or_close_a_day() -> None:
    for symbol in ("AAPL", "RELIANCE"):
        instrument = INSTRUMENTS[Symbol(symbol)]
        tape = prints(TWO_DAYS, symbol)
        by_day = sessions(instrument, tape)
        assert len(by_day) == 2
        outside = [p for p in tape if not in_hours(instrument, p)]
        assert outside and all(p.price not in (s.open, s.close) for p in outside for s in by_day.values())
