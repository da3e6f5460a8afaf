"""OHLCV bars at fixed intervals (1 s, 1 m, 5 m, 1 h), kept in bounded deques.

Bars are sparse: an interval without trades has no bar. A bar starts at a whole multiple of its
interval since the Unix epoch (UTC). Only the newest ``maxlen`` bars of each interval are kept.
"""

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.trade_stats import epoch_seconds

INTERVALS: dict[str, int] = {"1s": 1, "1m": 60, "5m": 300, "1h": 3600}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class Bar:
    """One interval's open, high, low, close, volume, notional and trade count."""

    start: int  # seconds since the epoch
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    notional: Decimal
    trades: int

    @property
    def start_time(self) -> datetime:
        """Return the bar's start as a UTC datetime."""
        return _EPOCH + timedelta(seconds=self.start)

    def add(self, price: Decimal, size: Decimal, is_latest: bool) -> None:
        """Fold one trade in; only the latest trade in time moves the close."""
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        if is_latest:
            self.close = price
        self.volume += size
        self.notional += price * size
        self.trades += 1


class BarSeries:
    """Bars of one interval, oldest first, at most ``maxlen`` of them."""

    def __init__(self, interval: int, maxlen: int = 1000) -> None:
        self.interval = interval
        self._bars: deque[Bar] = deque(maxlen=maxlen)
        self._last_ts: int | None = None

    def add(self, price: Decimal, size: Decimal, ts: datetime) -> None:
        """Fold one trade into its bar, opening a new bar when it starts a new interval."""
        seconds = epoch_seconds(ts)
        start = seconds - seconds % self.interval
        bars = self._bars
        latest = self._last_ts is None or seconds >= self._last_ts
        if latest:
            self._last_ts = seconds
        if bars and bars[-1].start == start:
            bars[-1].add(price, size, latest)
        elif not bars or start > bars[-1].start:
            bars.append(Bar(start, price, price, price, price, size, price * size, 1))
        else:
            self._add_late(start, price, size)

    def last(self, limit: int) -> list[Bar]:
        """Return up to ``limit`` newest bars, oldest first."""
        if limit <= 0:
            return []
        bars = self._bars
        return list(bars)[-limit:] if limit < len(bars) else list(bars)

    def __len__(self) -> int:
        return len(self._bars)

    def _add_late(self, start: int, price: Decimal, size: Decimal) -> None:
        # A trade reported after newer ones: fold it into its bar if kept; older than the history is dropped.
        bars = self._bars
        for i in range(len(bars) - 1, -1, -1):
            if bars[i].start == start:
                bars[i].add(price, size, False)
                return
            if bars[i].start < start:
                if len(bars) < (bars.maxlen or 0):
                    bars.insert(i + 1, Bar(start, price, price, price, price, size, price * size, 1))
                return


class Bars:
    """The bar series of one instrument at every supported interval."""

    def __init__(self, maxlen: int = 1000) -> None:
        self.series = {name: BarSeries(seconds, maxlen) for name, seconds in INTERVALS.items()}

    def add(self, price: Decimal, size: Decimal, ts: datetime) -> None:
        """Fold one trade into every interval."""
        for series in self.series.values():
            series.add(price, size, ts)

    def last(self, interval: str, limit: int) -> list[Bar]:
        """Return up to ``limit`` newest bars of ``interval`` (one of INTERVALS), oldest first."""
        series = self.series.get(interval)
        if series is None:
            raise ValidationFailed("interval", "one_of", f"must be one of {', '.join(INTERVALS)}, got {interval!r}")
        return series.last(limit)
