"""Statistics over the trades of one instrument: last, session OHLC and VWAP, change, volume windows.

A session is one calendar day of the instrument's exchange (its local date; without a calendar, the UTC
day): the first print of a later day closes the previous session, whose close becomes the previous close.
Open and close are taken from the prints in regular hours when there are any (so a pre-open or
after-hours print is never the open, the close or the previous close of a day that traded in hours);
high, low, volume, notional, VWAP and trade count cover every print of the day. Rolling windows keep per-bucket sums
(1 s buckets for the VWAP window, 1 min buckets for 24 h), so memory is bounded by window / bucket and
each trade is O(1) amortised; a window is exact to its bucket size.
"""

from collections import deque
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from ordergate.domain.session_day import SessionCalendar, SessionDay, SessionDays

_ZERO = Decimal(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_seconds(ts: datetime) -> int:
    """Return whole seconds since the Unix epoch (exact, no float) of a timezone-aware time."""
    since = ts - _EPOCH  # a timedelta keeps seconds and microseconds non-negative: this is the floor
    return since.days * 86_400 + since.seconds


class _Bucket:
    __slots__ = ("notional", "qty", "start")

    def __init__(self, start: int) -> None:
        self.start, self.qty, self.notional = start, _ZERO, _ZERO


class RollingSum:
    """Volume and notional of the trades in the last ``window`` seconds, at ``bucket``-second resolution."""

    __slots__ = ("_buckets", "bucket", "notional", "qty", "window")

    def __init__(self, window: int, bucket: int = 1) -> None:
        self.window, self.bucket = window, bucket
        self._buckets: deque[_Bucket] = deque()  # oldest first
        self.qty = _ZERO
        self.notional = _ZERO

    def add(self, ts_seconds: int, qty: Decimal, notional: Decimal) -> None:
        """Count one trade at ``ts_seconds`` (a late trade goes into its own bucket if that is still kept)."""
        start = ts_seconds - ts_seconds % self.bucket
        buckets = self._buckets
        if buckets and buckets[-1].start == start:
            entry = buckets[-1]
        elif not buckets or start > buckets[-1].start:
            entry = _Bucket(start)
            buckets.append(entry)
        else:
            entry = self._late_bucket(start)
        entry.qty += qty
        entry.notional += notional
        self.qty += qty
        self.notional += notional
        self.evict(ts_seconds)  # keeps memory bounded even when nobody reads

    def evict(self, now_seconds: int) -> None:
        """Drop buckets that start before ``now - window``."""
        buckets, horizon = self._buckets, now_seconds - self.window
        while buckets and buckets[0].start < horizon:
            old = buckets.popleft()
            self.qty -= old.qty
            self.notional -= old.notional

    def vwap(self) -> Decimal | None:
        """Return notional / volume over the window, or None when no trade is in it."""
        return self.notional / self.qty if self.qty else None

    def __len__(self) -> int:
        return len(self._buckets)

    def _late_bucket(self, start: int) -> _Bucket:
        # Late trades are rare; a linear scan from the newest end finds or inserts their bucket.
        buckets = self._buckets
        for i in range(len(buckets) - 1, -1, -1):
            if buckets[i].start == start:
                return buckets[i]
            if buckets[i].start < start:
                buckets.insert(i + 1, entry := _Bucket(start))
                return entry
        buckets.appendleft(entry := _Bucket(start))
        return entry


@dataclass(slots=True, frozen=True)
class StatsSnapshot:
    """The statistics of one instrument at one moment."""

    last_price: Decimal | None
    last_size: Decimal | None
    last_ts: datetime | None
    open: Decimal | None
    high: Decimal | None
    low: Decimal | None
    previous_close: Decimal | None
    change: Decimal | None
    change_pct: Decimal | None
    vwap: Decimal | None
    rolling_vwap: Decimal | None
    volume: Decimal
    notional: Decimal
    volume_24h: Decimal
    notional_24h: Decimal
    trade_count: int
    session: date | None = None  # the exchange's local date the session figures are for


class TradeStats:
    """Accumulate trades of one instrument and answer statistics over them.

    Prints may arrive late (out of event-time order). One rule picks the open and the close, here and in
    the bars: the open is the earliest print by event time (the first to arrive among equal times), the
    close and the last price the latest (the last to arrive among equal times). A late print of the
    previous session can still correct that session's close, hence the previous close.
    """

    def __init__(self, vwap_window: int = 300, calendar: SessionCalendar | None = None) -> None:
        self.calendar = calendar if calendar is not None else SessionDays()
        self.last_price: Decimal | None = None
        self.last_size: Decimal | None = None
        self.last_ts: datetime | None = None
        self.session: date | None = None
        self.previous_session: date | None = None
        self.previous_close: Decimal | None = None
        self.previous_close_ts: datetime | None = None
        self.previous_close_in_hours = False
        self.open: Decimal | None = None
        self.open_ts: datetime | None = None
        self.open_in_hours = False
        self.close: Decimal | None = None
        self.close_ts: datetime | None = None
        self.close_in_hours = False
        self.high: Decimal | None = None
        self.low: Decimal | None = None
        self.volume = _ZERO
        self.notional = _ZERO
        self.trade_count = 0
        self.window = RollingSum(vwap_window, 1)
        self.day = RollingSum(86_400, 60)

    def add(self, price: Decimal, size: Decimal, ts: datetime) -> None:
        """Count one trade (prices and sizes are checked by the caller)."""
        self.add_print(price, size, ts, self.calendar(ts), epoch_seconds(ts), price * size)

    def add_print(self, price: Decimal, size: Decimal, ts: datetime, day: SessionDay, seconds: int,
                  notional: Decimal) -> None:
        """Count one trade whose session ``day`` (this calendar's), ``epoch_seconds`` and notional (price x
        size) the caller has worked out already: the market data hub works them out once per print."""
        session, in_hours = day.day, day.opens <= ts <= day.closes
        if self.session is None or session > self.session:
            self._new_session(session)
        elif session < self.session:
            self._late_for_closed_session(session, price, ts, in_hours)
            self._add_windows(seconds, size, notional)
            return
        if self.last_ts is None or ts >= self.last_ts:
            self.last_price, self.last_size, self.last_ts = price, size, ts
        high, low = self.high, self.low
        if high is None or low is None:
            self.high = self.low = price
        elif price > high:  # as max(high, price): an equal price keeps the high it had
            self.high = price
        elif price < low:
            self.low = price
        if _opens(self.open_ts, self.open_in_hours, ts, in_hours):
            self.open, self.open_ts, self.open_in_hours = price, ts, in_hours
        if _closes(self.close_ts, self.close_in_hours, ts, in_hours):
            self.close, self.close_ts, self.close_in_hours = price, ts, in_hours
        self.volume += size
        self.notional += notional
        self.trade_count += 1
        self._add_windows(seconds, size, notional)

    def snapshot(self, now: datetime) -> StatsSnapshot:
        """Return the statistics as of ``now`` (which ages the rolling windows)."""
        now_s = epoch_seconds(now)
        self.window.evict(now_s)
        self.day.evict(now_s)
        reference = self.previous_close if self.previous_close is not None else self.open
        change = change_pct = None
        if self.last_price is not None and reference is not None:
            change = self.last_price - reference
            change_pct = change * 100 / reference
        return StatsSnapshot(
            last_price=self.last_price, last_size=self.last_size, last_ts=self.last_ts, open=self.open,
            high=self.high, low=self.low, previous_close=self.previous_close, change=change,
            change_pct=change_pct, vwap=self.notional / self.volume if self.volume else None,
            rolling_vwap=self.window.vwap(), volume=self.volume, notional=self.notional,
            volume_24h=self.day.qty, notional_24h=self.day.notional, trade_count=self.trade_count,
            session=self.session,
        )

    def _new_session(self, session: date) -> None:
        if self.session is not None:
            self.previous_session = self.session
            self.previous_close, self.previous_close_ts = self.close, self.close_ts
            self.previous_close_in_hours = self.close_in_hours
        self.session = session
        self.open = self.high = self.low = self.close = None
        self.open_ts = self.close_ts = None
        self.open_in_hours = self.close_in_hours = False
        self.volume = self.notional = _ZERO
        self.trade_count = 0

    def _late_for_closed_session(self, session: date, price: Decimal, ts: datetime, in_hours: bool) -> None:
        # Only the previous session's close is kept; a print that closes it by the same rule corrects it.
        if session == self.previous_session and _closes(self.previous_close_ts, self.previous_close_in_hours,
                                                        ts, in_hours):
            self.previous_close, self.previous_close_ts, self.previous_close_in_hours = price, ts, in_hours

    def _add_windows(self, seconds: int, size: Decimal, notional: Decimal) -> None:
        self.window.add(seconds, size, notional)
        self.day.add(seconds, size, notional)


def _opens(open_ts: datetime | None, open_in_hours: bool, ts: datetime, in_hours: bool) -> bool:
    """Return whether a print replaces the open: in hours beats out of hours, then earlier event time wins."""
    if open_ts is None or in_hours != open_in_hours:
        return open_ts is None or in_hours
    return ts < open_ts  # among equal times the first to arrive stays


def _closes(close_ts: datetime | None, close_in_hours: bool, ts: datetime, in_hours: bool) -> bool:
    """Return whether a print replaces the close: in hours beats out of hours, then later event time wins."""
    if close_ts is None or in_hours != close_in_hours:
        return close_ts is None or in_hours
    return ts >= close_ts  # among equal times the last to arrive wins
