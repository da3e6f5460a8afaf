"""Benchmark the L2 order book: sequenced updates per second with a best bid/ask read after each, and read costs.

Run: .venv/bin/python bench/book.py [--updates 300000] [--repeat 5]

The book holds about 100 levels per side. The update stream is pre-built (Decimal prices and sizes, as a
feed parser would hand them over): about 70 % size changes of existing levels, 15 % new levels, 15 %
deletes, each with the next sequence number. Every update is followed by one (best bid, best ask) read.
For comparison, the same stream runs in the same process through a plain SortedDict book without
sequence, validation or crossing checks. Figures are medians over the repeats; the last line is JSON.
"""

import argparse
import json
import random
import statistics
import sys
import time
from decimal import Decimal

from sortedcontainers import SortedDict

import machine  # beside this file: the machine speed printed with the figures
from ordergate.domain.book import OrderBook
from ordergate.domain.enums import Side
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub

LEVELS = 100
TICK = Decimal("0.01")
MID = 20_000  # ticks: 200.00


class FixedClock:
    """A clock that never moves (reads of staleness cost the same either way)."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self._now = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)

    def now(self):  # type: ignore[no-untyped-def]
        return self._now


def make_stream(count: int, seed: int = 1) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]],
                                                    list[tuple[Side, Decimal, Decimal, int]]]:
    """Return a snapshot (bids, asks) and ``count`` updates that keep about LEVELS levels per side."""
    rng = random.Random(seed)
    prices = {t: TICK * t for t in range(MID - 3 * LEVELS, MID + 3 * LEVELS)}
    sizes = [Decimal(rng.randrange(1, 1000)) for _ in range(997)]
    live = {Side.BUY: set(range(MID - LEVELS, MID)), Side.SELL: set(range(MID + 1, MID + 1 + LEVELS))}
    bids = [(prices[t], sizes[t % 997]) for t in sorted(live[Side.BUY], reverse=True)]
    asks = [(prices[t], sizes[t % 997]) for t in sorted(live[Side.SELL])]
    span = {Side.BUY: (MID - 2 * LEVELS, MID), Side.SELL: (MID + 1, MID + 1 + 2 * LEVELS)}
    out = []
    for seq in range(1, count + 1):
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        levels = live[side]
        roll = rng.random()
        if roll < 0.15 or len(levels) < LEVELS // 2:
            ticks = rng.randrange(*span[side])
            levels.add(ticks)
            size = sizes[rng.randrange(997)]
        elif roll < 0.30 and len(levels) > LEVELS // 2:
            ticks = rng.choice(tuple(levels)) if seq % 64 == 0 else min(levels) if side is Side.SELL else max(levels)
            levels.discard(ticks)
            size = Decimal(0)
        else:
            ticks = rng.choice(tuple(levels)) if seq % 16 == 0 else _near_top(levels, side, rng)
            size = sizes[rng.randrange(997)]
        out.append((side, prices[ticks], size, seq))
    return bids, asks, out


def _near_top(levels: set[int], side: Side, rng: random.Random) -> int:
    top = max(levels) if side is Side.BUY else min(levels)
    step = -rng.randrange(0, 10) if side is Side.BUY else rng.randrange(0, 10)
    return top + step if top + step in levels else top


def run_book(bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]],
             stream: list[tuple[Side, Decimal, Decimal, int]]) -> float:
    book = OrderBook("AAPL")
    book.apply_snapshot(bids, asks, seq=0)
    update, top = book.update, book.top
    start = time.perf_counter()
    for side, price, size, seq in stream:
        update(side, price, size, seq)
        top()
    elapsed = time.perf_counter() - start
    assert not book.needs_snapshot, book.snapshot_reason
    return len(stream) / elapsed


def run_plain(bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]],
              stream: list[tuple[Side, Decimal, Decimal, int]]) -> float:
    sides = {Side.BUY: SortedDict(bids), Side.SELL: SortedDict(asks)}
    bid_side, ask_side = sides[Side.BUY], sides[Side.SELL]
    start = time.perf_counter()
    for side, price, size, _ in stream:
        levels = sides[side]
        if size:
            levels[price] = size
        else:
            levels.pop(price, None)
        _ = (bid_side.peekitem(-1)[0] if bid_side else None, ask_side.peekitem(0)[0] if ask_side else None)
    return len(stream) / (time.perf_counter() - start)


def read_cost_ns(fn, n: int = 1_000_000) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bids, asks, stream = make_stream(args.updates)
    ours_runs, plain_runs = [], []
    for _ in range(args.repeat):  # interleaved, so load from other processes hits both alike
        ours_runs.append(run_book(bids, asks, stream))
        plain_runs.append(run_plain(bids, asks, stream))
    ours, plain = statistics.median(ours_runs), statistics.median(plain_runs)
    book = OrderBook("AAPL")
    book.apply_snapshot(bids, asks, seq=0)
    hub = MarketDataHub(clock=FixedClock(), stale_after=30)
    now = FixedClock().now()
    hub.on_book(Symbol("AAPL"), bids[:10], asks[:10], now)
    figures = {
        "levels_per_side": LEVELS, "updates": args.updates, "repeat": args.repeat,
        "updates_per_s_with_top_read": round(ours),
        "plain_sorteddict_updates_per_s_same_run": round(plain),
        "ours_over_plain": round(ours / plain, 2),
        "best_run_updates_per_s": round(max(ours_runs)),
        "top_read_ns": round(read_cost_ns(book.top), 1),
        "best_bid_read_ns": round(read_cost_ns(book.best_bid), 1),
        "hub_reference_price_ns": round(read_cost_ns(lambda: hub.reference_price(Symbol("AAPL"))), 1),
        "hub_on_book_10_levels_us": round(read_cost_ns(lambda: hub.on_book(Symbol("AAPL"), bids[:10], asks[:10], now),
                                                       20_000) / 1000, 2),
        "target_updates_per_s": 1_000_000,
        "python": sys.version.split()[0],
    }
    print("rerun: .venv/bin/python bench/book.py --updates", args.updates, "--repeat", args.repeat)
    for key, value in figures.items():
        print(f"  {key:45} {value}")
    figures["machine"] = machine.speed()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
