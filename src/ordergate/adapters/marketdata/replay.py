"""Replay a recorded market data CSV into a hub, as fast as possible or at (scaled) real speed.

Columns: ``ts,symbol,kind,side,price,size,seq[,order_id]``; the format is described in docs/marketdata.md.
Consecutive ``snapshot`` rows of one symbol with the same ts and seq form one snapshot. Bad rows are
skipped and reported with their line number and field; they never stop a replay.
"""

import asyncio
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol

import structlog

from ordergate.domain.book import check_price, check_size
from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketEvent, MarketKind
from ordergate.service.ports import Clock, FeedState

log = structlog.get_logger(__name__)
COLUMNS = ("ts", "symbol", "kind", "side", "price", "size", "seq")
_SIDES = {"buy": Side.BUY, "bid": Side.BUY, "b": Side.BUY, "sell": Side.SELL, "ask": Side.SELL, "s": Side.SELL}
MAX_ERRORS_KEPT = 100


class MarketTarget(Protocol):
    """Where replayed events go (MarketDataHub is one)."""

    def apply(self, event: MarketEvent) -> bool:
        """Apply one event; return whether it changed anything."""
        ...


class ReplayError(ValueError):
    """A row of the file is wrong: names the line, the field and the rule."""

    def __init__(self, line: int, field: str, message: str) -> None:
        super().__init__(f"line {line}: {field}: {message}")
        self.line, self.field, self.message = line, field, message


@dataclass
class ReplayResult:
    """What a replay did."""

    rows: int = 0
    events: int = 0
    applied: int = 0
    errors: list[ReplayError] = field(default_factory=list)
    error_count: int = 0


def parse_row(row: dict[str, str | None], line: int) -> MarketEvent:
    """Turn one CSV row into an event (a snapshot row carries its one level in bids or asks)."""
    try:
        kind = MarketKind((row.get("kind") or "").strip().lower())
    except ValueError:
        raise ReplayError(line, "kind", f"must be one of {', '.join(k.value for k in MarketKind)}") from None
    symbol = (row.get("symbol") or "").strip()
    if not symbol or len(symbol) > 64 or not symbol.isprintable():
        raise ReplayError(line, "symbol", "must be 1 to 64 printable characters")
    event = MarketEvent(kind, Symbol(symbol), _ts(row.get("ts"), line))
    event.seq = _seq(row.get("seq"), line)
    event.order_id = (row.get("order_id") or "").strip() or None
    side_text = (row.get("side") or "").strip().lower()
    if side_text:
        if side_text not in _SIDES:
            raise ReplayError(line, "side", "must be buy or sell (or bid / ask)")
        event.side = _SIDES[side_text]
    event.price = _decimal(row.get("price"), line, "price")
    event.size = _decimal(row.get("size"), line, "size")
    try:
        if event.price is not None:
            check_price(event.price)
        if event.size is not None:
            check_size(event.size)
    except ValidationFailed as exc:
        raise ReplayError(line, exc.field, exc.message) from None
    for name in _required(event):
        if getattr(event, name) is None:
            raise ReplayError(line, name, f"is required for a {kind.value} row")
    if kind is MarketKind.SNAPSHOT and event.price is not None:
        (event.bids if event.side is Side.BUY else event.asks).append((event.price, event.size))  # type: ignore[arg-type]
    return event


def _required(event: MarketEvent) -> tuple[str, ...]:
    """Return the fields a row of this kind must fill (a snapshot row without a price is an empty book)."""
    kind, l3 = event.kind, event.order_id is not None
    if kind is MarketKind.TRADE:
        return ("price", "size")
    if kind is MarketKind.SNAPSHOT:
        return ("side", "size") if event.price is not None else ()
    if kind is MarketKind.DELETE:
        return () if l3 else ("side", "price")
    if kind is MarketKind.CHANGE and l3:
        return ("size",)
    return ("side", "price", "size")


def scan_symbols(path: Path) -> frozenset[Symbol]:
    """Return the symbols a file's rows name (one cheap pass over one column); a bad header raises."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        _check_header(reader.fieldnames)
        found = {(row.get("symbol") or "").strip() for row in reader}
    return frozenset(Symbol(s) for s in found if 0 < len(s) <= 64 and s.isprintable())


def _check_header(fieldnames: object) -> None:
    missing = [c for c in COLUMNS if c not in (fieldnames or ())]  # type: ignore[operator]
    if missing:
        raise ReplayError(1, missing[0], f"header must name the columns {','.join(COLUMNS)}[,order_id]")


def read_events(path: Path, result: ReplayResult | None = None) -> Iterator[MarketEvent]:
    """Yield the file's events in order, grouping snapshot rows; bad rows are counted in ``result``."""
    result = result if result is not None else ReplayResult()
    pending: MarketEvent | None = None
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        _check_header(reader.fieldnames)
        for row in reader:
            result.rows += 1
            try:
                event = parse_row(row, reader.line_num)
            except ReplayError as exc:
                _record(result, exc)
                continue
            if pending is not None and _same_snapshot(pending, event):
                pending.bids.extend(event.bids)
                pending.asks.extend(event.asks)
                continue
            if pending is not None:
                yield pending
                pending = None
            if event.kind is MarketKind.SNAPSHOT:
                pending = event
            else:
                yield event
    if pending is not None:
        yield pending


class ReplayFeed:
    """Drive a target from a recorded file (a ``MarketDataFeed``).

    ``speed`` 0 replays as fast as possible; 1 at the recorded pace; 10 ten times faster. With ``rebase``
    the timestamps are shifted so the first event happens now (by ``clock``), which keeps a live server's
    staleness checks and rolling windows meaningful; ``loop`` starts over at the end (rebased again).
    """

    def __init__(self, path: Path, target: MarketTarget, *, speed: float = 0.0, clock: Clock | None = None,
                 rebase: bool = False, loop: bool = False) -> None:
        if speed < 0:
            raise ValidationFailed("speed", "non_negative", "must be 0 (as fast as possible) or more")
        if rebase and clock is None:
            raise ValidationFailed("clock", "required", "is required to rebase timestamps")
        self.path, self.target, self.speed = path, target, speed
        self.clock, self.rebase, self.loop = clock, rebase, loop
        self.result = ReplayResult()
        self.name = "replay"
        self._task: asyncio.Task[ReplayResult] | None = None
        self._stopped = False
        self._symbols: frozenset[Symbol] | None = None

    def run_sync(self) -> ReplayResult:
        """Replay the whole file once, as fast as possible, ignoring ``speed``."""
        shift = None
        for event in read_events(self.path, self.result):
            shift = self._shift(event, shift)
            self._deliver(event)
        return self.result

    async def run(self) -> ReplayResult:
        """Replay at the configured speed (once, or forever with ``loop``)."""
        while True:
            shift, first, started = None, None, asyncio.get_running_loop().time()
            for count, event in enumerate(read_events(self.path, self.result)):
                if first is None:
                    first = event.ts
                shift = self._shift(event, shift)
                if self.speed > 0:
                    due = (event.ts - (first + (shift or timedelta()))).total_seconds() / self.speed
                    wait = started + due - asyncio.get_running_loop().time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                elif count % 1000 == 999:
                    await asyncio.sleep(0)  # let the server breathe during a flat-out replay
                self._deliver(event)
            if not self.loop:
                return self.result

    async def start(self) -> None:
        """Run in the background on the running event loop (nothing happens if already running)."""
        if self._task is None or self._task.done():
            self._stopped = False
            self._task = asyncio.get_running_loop().create_task(self.run(), name="replay-feed")
            self._task.add_done_callback(_log_failure)

    async def stop(self) -> None:
        """Stop a background replay (nothing happens if none runs)."""
        task, self._task = self._task, None
        if task is not None:
            self._stopped = True
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def state(self) -> FeedState:
        """Return LIVE while replaying, FINISHED after the end of a file played once, FAILED on an error."""
        task = self._task
        if task is None:
            return FeedState.STOPPED if self._stopped else FeedState.IDLE
        if not task.done():
            return FeedState.LIVE
        if task.cancelled():
            return FeedState.STOPPED
        return FeedState.FAILED if task.exception() is not None else FeedState.FINISHED

    def symbols(self) -> frozenset[Symbol]:
        """Return the symbols the file covers (read once, then remembered)."""
        if self._symbols is None:
            self._symbols = scan_symbols(self.path)
        return self._symbols

    def _shift(self, event: MarketEvent, shift: timedelta | None) -> timedelta | None:
        if not self.rebase or self.clock is None:
            return None
        if shift is None:
            shift = self.clock.now() - event.ts
        event.ts += shift
        return shift

    def _deliver(self, event: MarketEvent) -> None:
        self.result.events += 1
        try:
            if self.target.apply(event):
                self.result.applied += 1
        except ValidationFailed as exc:
            _record(self.result, ReplayError(0, exc.field, f"{exc.message} (event {self.result.events})"))


def _log_failure(task: "asyncio.Task[ReplayResult]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("replay_failed", error=str(task.exception()))


def _record(result: ReplayResult, exc: ReplayError) -> None:
    result.error_count += 1
    if len(result.errors) < MAX_ERRORS_KEPT:
        result.errors.append(exc)
    if result.error_count <= 10:
        log.warning("replay_row_skipped", error=str(exc))


def _same_snapshot(pending: MarketEvent, event: MarketEvent) -> bool:
    return (event.kind is MarketKind.SNAPSHOT and event.symbol == pending.symbol
            and event.seq == pending.seq and event.ts == pending.ts)


def _ts(text: str | None, line: int) -> datetime:
    raw = (text or "").strip()
    try:
        ts = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ReplayError(line, "ts", "must be an ISO 8601 time, e.g. 2026-03-02T14:30:00.250Z") from None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _seq(text: str | None, line: int) -> int | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise ReplayError(line, "seq", "must be a whole number of at least 0, or empty")
    return int(raw)


def _decimal(text: str | None, line: int, name: str) -> Decimal | None:
    raw = (text or "").strip()
    if not raw:
        return None
    if len(raw) > 40:
        raise ReplayError(line, name, "is too long")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise ReplayError(line, name, f"must be a decimal number, got {raw[:20]!r}") from None
