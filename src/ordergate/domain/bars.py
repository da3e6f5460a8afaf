"""OHLCV bars at fixed intervals (1 s, 1 m, 5 m, 1 h), kept in bounded deques.

Bars are sparse: an interval without trades has no bar. Bars are laid from the session open of the
instrument's exchange on each print's local day (09:15, 10:15... for a 09:15 open), before and after the
session alike; without a calendar, from UTC midnight. Only the newest ``maxlen`` bars of each interval are
kept. Prints may arrive late (out of event-time order): each goes into the bar of its own time, and a
bar's open and close are chosen by event time, ties by arrival, so the arrival order of distinct times
never matters.
"""

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ordergate.domain.errors import ValidationFailed
from ordergate.domain.session_day import SessionCalendar, SessionDay, SessionDays
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
    open_ts: datetime  # the event time of the print that made the open (the earliest so far)
    close_ts: datetime  # and of the close (the latest so far)

    @property
    def start_time(self) -> datetime:
        """Return the bar's start as a UTC datetime."""
        return _EPOCH + timedelta(seconds=self.start)

    @classmethod
    def first(cls, start: int, price: Decimal, size: Decimal, ts: datetime) -> "Bar":
        """Return a bar holding one trade."""
        return cls(start, price, price, price, price, size, price * size, 1, ts, ts)

    def add(self, price: Decimal, size: Decimal, ts: datetime) -> None:
        """Fold one trade in: the open is the earliest print by event time (the first to arrive among equal
        times), the close the latest (the last to arrive among equal times), as in the session statistics."""
        self.fold(price, size, ts, price * size)

    def fold(self, price: Decimal, size: Decimal, ts: datetime, notional: Decimal) -> None:
        """Fold one trade in as ``add`` does, its notional (price x size) worked out by the caller."""
        if price > self.high:
            self.high = price
        elif price < self.low:
            self.low = price
        if ts < self.open_ts:
            self.open, self.open_ts = price, ts
        if ts >= self.close_ts:
            self.close, self.close_ts = price, ts
        self.volume += size
        self.notional += notional
        self.trades += 1


class BarSeries:
    """Bars of one interval, oldest first, at most ``maxlen`` of them."""

    def __init__(self, interval: int, maxlen: int = 1000) -> None:
        self.interval = interval
        self._bars: deque[Bar] = deque(maxlen=maxlen)

    def add(self, price: Decimal, size: Decimal, ts: datetime, anchor: int = 0) -> None:
        """Fold one trade into its bar (bars start at ``anchor`` plus whole intervals), opening one if new."""
        seconds = epoch_seconds(ts)
        self.add_at(price, size, ts, seconds - (seconds - anchor) % self.interval, price * size)

    def add_at(self, price: Decimal, size: Decimal, ts: datetime, start: int, notional: Decimal) -> None:
        """Fold one trade into the bar that starts at ``start`` (on this series' grid), its notional worked out."""
        bars = self._bars
        if bars:
            last = bars[-1]
            if last.start == start:
                last.fold(price, size, ts, notional)
                return
            if start < last.start:
                self._add_late(start, price, size, ts)
                return
        bars.append(Bar(start, price, price, price, price, size, notional, 1, ts, ts))

    def last(self, limit: int) -> list[Bar]:
        """Return up to ``limit`` newest bars, oldest first."""
        if limit <= 0:
            return []
        bars = self._bars
        return list(bars)[-limit:] if limit < len(bars) else list(bars)

    def __len__(self) -> int:
        return len(self._bars)

    def _add_late(self, start: int, price: Decimal, size: Decimal, ts: datetime) -> None:
        # A trade reported after newer ones: fold it into its bar if kept; older than the history is dropped.
        bars = self._bars
        for i in range(len(bars) - 1, -1, -1):
            if bars[i].start == start:
                bars[i].add(price, size, ts)
                return
            if bars[i].start < start:
                if len(bars) < (bars.maxlen or 0):
                    bars.insert(i + 1, Bar.first(start, price, size, ts))
                return
        if len(bars) < (bars.maxlen or 0):  # older than every kept bar, and there is room for it
            bars.appendleft(Bar.first(start, price, size, ts))


class Bars:
    """The bar series of one instrument at every supported interval."""

    def __init__(self, maxlen: int = 1000, calendar: SessionCalendar | None = None) -> None:
        self.series = {name: BarSeries(seconds, maxlen) for name, seconds in INTERVALS.items()}
        self.calendar = calendar if calendar is not None else SessionDays()
        self._grids = tuple((series, series.interval) for series in self.series.values())
        self._day: SessionDay | None = None  # the day whose anchor was last worked out, and that anchor
        self._anchor = 0

    def add(self, price: Decimal, size: Decimal, ts: datetime) -> None:
        """Fold one trade into every interval."""
        self.add_print(price, size, ts, self.calendar(ts), epoch_seconds(ts), price * size)

    def add_print(self, price: Decimal, size: Decimal, ts: datetime, day: SessionDay, seconds: int,
                  notional: Decimal) -> None:
        """Fold one trade into every interval, given its session ``day`` (this calendar's), ``epoch_seconds``
        and notional: the market data hub works them out once per print."""
        if day is not self._day:
            self._day, self._anchor = day, day.anchor
        since = seconds - self._anchor
        for series, interval in self._grids:
            series.add_at(price, size, ts, seconds - since % interval, notional)

    def last(self, interval: str, limit: int) -> list[Bar]:
        """Return up to ``limit`` newest bars of ``interval`` (one of INTERVALS), oldest first."""
        series = self.series.get(interval)
        if series is None:
            raise ValidationFailed("interval", "one_of", f"must be one of {', '.join(INTERVALS)}, got {interval!r}")
        return series.last(limit)
