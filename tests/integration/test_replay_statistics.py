"""Statistics and bars from a hand-made replay file (two days, two exchanges, late prints), each checked
against values computed from the file itself in plain Python (tests/integration/replay_expect.py)."""

from datetime import UTC, datetime

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.marketdata.replay import ReplayFeed
from ordergate.domain.bars import INTERVALS
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub
from tests.fakes.clock import FakeClock
from tests.integration.replay_expect import TWO_DAYS, bars, prints

INSTRUMENTS = load_instruments()
END = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def replayed() -> MarketDataHub:
    hub = MarketDataHub(FakeClock(END), stale_after=30)
    feed = ReplayFeed(TWO_DAYS, hub)
    feed.run_sync()
    assert feed.result.error_count == 0
    return hub


@pytest.mark.parametrize("interval", ["1s", "1m", "5m"])
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
