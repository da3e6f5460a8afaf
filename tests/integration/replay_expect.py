"""Expected market statistics computed straight from a replay file, independently of the hub.

Plain Python over the CSV rows: local dates and wall-clock session hours through zoneinfo and datetime
arithmetic (the hub works in epoch seconds with cached session days), and every "first" / "last" chosen
by sorting on (event time, arrival index) rather than folding prints one by one.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from ordergate.domain.instruments import Instrument

DATA = Path(__file__).parent / "data"
TWO_DAYS = DATA / "two_days_two_exchanges.csv"


@dataclass(frozen=True)
class Print:
    """One trade row: when it happened, when it arrived (row index), price and size."""

    ts: datetime
    arrival: int
    price: Decimal
    size: Decimal


def rows(path: Path) -> list[dict[str, str]]:
    """Return the file's rows in file (arrival) order."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def when(text: str) -> datetime:
    """Parse a row's time the plain way."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def prints(path: Path, symbol: str) -> list[Print]:
    """Return the symbol's trades in arrival order."""
    return [Print(when(r["ts"]), i, Decimal(r["price"]), Decimal(r["size"]))
            for i, r in enumerate(rows(path)) if r["symbol"] == symbol and r["kind"] == "trade"]


def earliest(group: list[Print]) -> Print:
    """The open: the earliest print by event time, the first to arrive among equal times."""
    return sorted(group, key=lambda p: (p.ts, p.arrival))[0]


def latest(group: list[Print]) -> Print:
    """The close: the latest print by event time, the last to arrive among equal times."""
    return sorted(group, key=lambda p: (p.ts, p.arrival))[-1]


def _hhmm(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def local_date(instrument: Instrument, p: Print) -> date:
    """The exchange's calendar date of a print."""
    return p.ts.astimezone(ZoneInfo(instrument.timezone)).date()


def in_hours(instrument: Instrument, p: Print) -> bool:
    """Whether a print falls in the exchange's regular hours (open to close, both included)."""
    local = p.ts.astimezone(ZoneInfo(instrument.timezone))
    start = datetime.combine(local.date(), _hhmm(instrument.session_open), local.tzinfo)
    end = datetime.combine(local.date(), _hhmm(instrument.session_close), local.tzinfo)
    return start <= local <= end


@dataclass(frozen=True)
class Session:
    """One exchange day's figures."""

    open: Decimal
    close: Decimal
    high: Decimal
    low: Decimal
    volume: Decimal
    notional: Decimal
    count: int


def sessions(instrument: Instrument, all_prints: list[Print]) -> dict[date, Session]:
    """Each exchange date's session: open/close from its regular-hours prints (all prints if none)."""
    by_day: dict[date, list[Print]] = defaultdict(list)
    for p in all_prints:
        by_day[local_date(instrument, p)].append(p)
    out = {}
    for day, group in by_day.items():
        regular = [p for p in group if in_hours(instrument, p)] or group
        out[day] = Session(
            open=earliest(regular).price, close=latest(regular).price,
            high=max(p.price for p in group), low=min(p.price for p in group),
            volume=sum((p.size for p in group), Decimal(0)),
            notional=sum((p.price * p.size for p in group), Decimal(0)), count=len(group),
        )
    return out


@dataclass(frozen=True)
class ExpectedBar:
    """One bar as the hub should report it."""

    start: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    trades: int


def bars(instrument: Instrument, all_prints: list[Print], seconds: int) -> list[ExpectedBar]:
    """Bars of ``seconds`` laid from the exchange's session open on each print's local date."""
    zone, step = ZoneInfo(instrument.timezone), timedelta(seconds=seconds)
    groups: dict[datetime, list[Print]] = defaultdict(list)
    for p in all_prints:
        local = p.ts.astimezone(zone)
        anchor = datetime.combine(local.date(), _hhmm(instrument.session_open), zone)
        count = (local - anchor) // step  # floor, also before the open
        groups[(anchor + count * step).astimezone(UTC)].append(p)
    return [
        ExpectedBar(start, earliest(g).price, max(p.price for p in g), min(p.price for p in g), latest(g).price,
                    sum((p.size for p in g), Decimal(0)), len(g))
        for start, g in sorted(groups.items())
    ]


def applied_seq(path: Path, symbol: str) -> tuple[int | None, int | None]:
    """Return (last applied seq, newest seq seen past a gap) of a symbol's book after the whole file."""
    applied: int | None = None
    seen: int | None = None
    snapshot_seq: str | None = None
    for r in rows(path):
        if r["symbol"] != symbol or not r["seq"]:
            continue
        seq = int(r["seq"])
        if r["kind"] == "snapshot":
            if r["seq"] != snapshot_seq:  # rows of one snapshot share a seq
                applied, seen, snapshot_seq = seq, None, r["seq"]
            continue
        snapshot_seq = None
        if seen is None and applied is not None and seq == applied + 1:
            applied = seq
        elif applied is not None and seq > applied:
            seen = seq if seen is None else max(seen, seq)
    return applied, seen
