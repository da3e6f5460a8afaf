"""Make sample market data files: a random-walk book with sequenced updates and trades, deterministic by seed.

Run ``python -m ordergate.adapters.marketdata.generator OUT.csv`` to remake the shipped sample.
Each step moves the mid by at most one tick, then writes the difference from the previous book as
deletes first, then changes, then adds: so the book is never crossed between two rows.
"""

import argparse
import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

Row = tuple[str, str, str, str, str, str, str]
HEADER = ("ts", "symbol", "kind", "side", "price", "size", "seq")


@dataclass(frozen=True)
class SampleInstrument:
    """How to draw one instrument's data."""

    symbol: str
    mid: Decimal
    tick: Decimal
    lot: int


DEFAULT_INSTRUMENTS = (
    SampleInstrument("AAPL", Decimal("230.00"), Decimal("0.01"), 100),
    SampleInstrument("RELIANCE", Decimal("1300.00"), Decimal("0.05"), 10),
)
START = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


class _Walker:
    """One instrument's evolving book, in integer ticks."""

    def __init__(self, spec: SampleInstrument, rng: random.Random, levels: int) -> None:
        self.spec, self.rng, self.levels = spec, rng, levels
        self.mid_ticks = int(spec.mid / spec.tick)
        self.seq = 0
        self.book: dict[str, dict[int, int]] = {"buy": {}, "sell": {}}
        self.book = self._next_book(change_prob=1.0)

    def snapshot(self, ts: str) -> Iterator[Row]:
        self.seq += 1
        for side in ("buy", "sell"):
            for ticks, size in sorted(self.book[side].items(), reverse=side == "buy"):
                yield self._row(ts, "snapshot", side, ticks, size)

    def step(self, ts: str) -> Iterator[Row]:
        self.mid_ticks += self.rng.choice((-1, 0, 0, 1))
        new = self._next_book(change_prob=0.15)
        for action in ("delete", "change", "add"):
            for side in ("buy", "sell"):
                old_side, new_side = self.book[side], new[side]
                for ticks in sorted(old_side.keys() | new_side.keys()):
                    if _action(old_side.get(ticks), new_side.get(ticks)) == action:
                        self.seq += 1
                        yield self._row(ts, action, side, ticks, new_side.get(ticks, 0))
        self.book = new
        if self.rng.random() < 0.35:
            side = self.rng.choice(("buy", "sell"))
            best = max(self.book["buy"]) if side == "sell" else min(self.book["sell"])
            yield self._row(ts, "trade", side, best, self.spec.lot * self.rng.randint(1, 5), seq="")

    def _next_book(self, change_prob: float) -> dict[str, dict[int, int]]:
        book: dict[str, dict[int, int]] = {"buy": {}, "sell": {}}
        for i in range(self.levels):
            for side, ticks in (("buy", self.mid_ticks - 1 - i), ("sell", self.mid_ticks + 1 + i)):
                old = self.book[side].get(ticks)
                keep = old is not None and self.rng.random() >= change_prob
                book[side][ticks] = old if keep and old is not None else self.spec.lot * self.rng.randint(1, 30)
        return book

    def _row(self, ts: str, kind: str, side: str, ticks: int, size: int, seq: str | None = None) -> Row:
        price = self.spec.tick * ticks
        return (ts, self.spec.symbol, kind, side, str(price), str(size), str(self.seq) if seq is None else seq)


def _action(old: int | None, new: int | None) -> str | None:
    if old is None:
        return "add" if new is not None else None
    if new is None:
        return "delete"
    return "change" if old != new else None


def generate(seed: int = 42, steps: int = 400, levels: int = 10, snapshot_every: int = 150,
             instruments: tuple[SampleInstrument, ...] = DEFAULT_INSTRUMENTS,
             start: datetime = START) -> Iterator[Row]:
    """Yield the rows of a sample file: snapshots, then interleaved updates and trades per instrument."""
    rng = random.Random(seed)
    walkers = [_Walker(spec, rng, levels) for spec in instruments]
    ts = start
    for walker in walkers:
        yield from walker.snapshot(_iso(ts))
    for step in range(1, steps + 1):
        ts += timedelta(milliseconds=rng.randrange(200, 1500))
        for walker in walkers:
            stamp = _iso(ts)
            yield from walker.snapshot(stamp) if step % snapshot_every == 0 else walker.step(stamp)


def write(path: Path, rows: Iterator[Row]) -> int:
    """Write rows under the header; return how many rows were written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def main() -> None:
    """Write a sample file (command line)."""
    parser = argparse.ArgumentParser(description="Write a sample market data CSV for replay.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    count = write(args.out, generate(seed=args.seed, steps=args.steps))
    print(f"wrote {count} rows to {args.out}")


if __name__ == "__main__":
    main()
