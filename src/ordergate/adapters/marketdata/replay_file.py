"""The recorded market data file: a CSV of snapshots, book updates, trades and quotes, read as events.

Columns: ``ts,symbol,kind,side,price,size,seq[,order_id]``; the format is described in docs/marketdata.md.
Consecutive ``snapshot`` rows of one symbol with the same ts and seq form one snapshot. Bad rows are
skipped and reported with their line number and field; they never stop a replay.
"""

import contextlib
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import structlog

from ordergate.domain.book import check_price, check_size
from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketEvent, MarketKind

log = structlog.get_logger(__name__)
COLUMNS = ("ts", "symbol", "kind", "side", "price", "size", "seq")
_SIDES = {"buy": Side.BUY, "bid": Side.BUY, "b": Side.BUY, "sell": Side.SELL, "ask": Side.SELL, "s": Side.SELL}
MAX_ERRORS_KEPT = 100


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
    line: int = 0  # the file line of the latest row read


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


@dataclass(frozen=True)
class FileIndex:
    """What a file holds, from one pass before the replay: its symbols and where their snapshots end."""

    symbols: frozenset[Symbol]
    last_snapshot_line: dict[Symbol, int]  # the line of each symbol's last readable snapshot row
    span: timedelta = timedelta()  # from the first readable time to the latest one in the file

    def snapshot_after(self, symbol: Symbol, line: int) -> bool:
        """Return whether a readable snapshot row of ``symbol`` comes after file line ``line``."""
        return self.last_snapshot_line.get(symbol, 0) > line


def scan_file(path: Path) -> FileIndex:
    """Index a file in one cheap pass (only snapshot rows and times are parsed, silently); a bad header raises."""
    found: set[str] = set()
    last_snapshot: dict[Symbol, int] = {}
    first: datetime | None = None
    newest: datetime | None = None
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        _check_header(reader.fieldnames)
        for row in reader:
            found.add((row.get("symbol") or "").strip())
            with contextlib.suppress(ReplayError):
                ts = _ts(row.get("ts"), reader.line_num)
                first = ts if first is None else first
                newest = ts if newest is None or ts > newest else newest
            if (row.get("kind") or "").strip().lower() == MarketKind.SNAPSHOT:
                # an unreadable snapshot row is skipped by the replay: it resynchronises nothing
                with contextlib.suppress(ReplayError):
                    last_snapshot[parse_row(row, reader.line_num).symbol] = reader.line_num
    symbols = frozenset(Symbol(s) for s in found if 0 < len(s) <= 64 and s.isprintable())
    span = newest - first if newest is not None and first is not None else timedelta()
    return FileIndex(symbols, last_snapshot, span)


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
            result.line = reader.line_num
            try:
                event = parse_row(row, reader.line_num)
            except ReplayError as exc:
                record_error(result, exc)
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


def record_error(result: ReplayResult, exc: ReplayError) -> None:
    """Count a skipped row or event in ``result`` (keeping the first ones) and log the first ten."""
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
