"""Replays at any speed keep the replayed times in step with the clock: rolling windows, staleness and
looping behave as for a live feed. Each expectation is computed from the file's rows in plain Python."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.marketdata.replay import ReplayFeed
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub, MarketEvent, MarketKind
from tests.fakes.clock import FakeClock
from tests.integration.replay_expect import prints

AAPL = Symbol("AAPL")
START = datetime(2030, 1, 7, 15, 0, tzinfo=UTC)  # a whole second, so one-second buckets are exact


def tape_file(path: Path, count: int, spacing_ms: int) -> Path:
    """Write a file of one snapshot and ``count`` prints ``spacing_ms`` apart with distinct prices."""
    t0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    lines = ["ts,symbol,kind,side,price,size,seq",
             f"{t0.isoformat()},AAPL,snapshot,buy,99.00,10,1", f"{t0.isoformat()},AAPL,snapshot,sell,101.00,10,1"]
    for i in range(count):
        ts = t0 + timedelta(milliseconds=i * spacing_ms)
        lines.append(f"{ts.isoformat()},AAPL,trade,buy,{100 + i % 7 + i / 100:.2f},{1 + i % 5},")
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_rolling_vwap_at_speed_covers_the_prints_replayed_within_the_window(tmp_path: Path) -> None:
    path = tape_file(tmp_path / "tape.csv", count=41, spacing_ms=50_000)  # 2,000 s of file time
    clock, speed, window = FakeClock(START), 1000.0, 1
    hub = MarketDataHub(clock, stale_after=30, vwap_window=window)
    await ReplayFeed(path, hub, speed=speed, clock=clock, rebase=True).run()  # about 2 s
    tape = prints(path, "AAPL")
    replayed_at = [START + (p.ts - tape[0].ts) / speed for p in tape]
    clock.set(replayed_at[-1])
    inside = [p for p, at in zip(tape, replayed_at, strict=True) if at >= replayed_at[-1] - timedelta(seconds=window)]
    stats = hub.stats(AAPL)
    assert stats is not None and 1 < len(inside) < len(tape)
    assert stats.trades.rolling_vwap == sum(p.price * p.size for p in inside) / sum(p.size for p in inside)
    assert stats.trades.last_ts == replayed_at[-1]


async def test_finished_replay_at_speed_goes_stale_after_stale_after(tmp_path: Path) -> None:
    path = tape_file(tmp_path / "tape.csv", count=11, spacing_ms=60_000)  # 10 minutes of file time
    clock, speed = FakeClock(START), 1000.0
    hub = MarketDataHub(clock, stale_after=30)
    feed = ReplayFeed(path, hub, speed=speed, clock=clock, rebase=True)
    await feed.run()
    tape = prints(path, "AAPL")
    ends_at = START + (tape[-1].ts - tape[0].ts) / speed
    clock.set(ends_at + timedelta(seconds=29))
    assert not hub.is_stale(AAPL)
    clock.set(ends_at + timedelta(seconds=31))
    assert hub.is_stale(AAPL)


def test_flat_out_rebased_replay_ends_now_and_goes_stale_after_stale_after(tmp_path: Path) -> None:
    path = tape_file(tmp_path / "tape.csv", count=11, spacing_ms=60_000)
    clock = FakeClock(START)
    hub = MarketDataHub(clock, stale_after=30)
    ReplayFeed(path, hub, clock=clock, rebase=True).run_sync()
    stats = hub.stats(AAPL)
    assert stats is not None and stats.trades.last_ts == START
    clock.advance(31)
    assert hub.is_stale(AAPL)


class Tape:
    """A replay target that applies each event to the hub and notes (price, time, hub's last) per print."""

    def __init__(self, hub: MarketDataHub) -> None:
        self.hub = hub
        self.seen: list[tuple[Decimal, datetime, Decimal | None]] = []

    def apply(self, event: MarketEvent) -> bool:
        changed = self.hub.apply(event)
        if event.kind is MarketKind.TRADE:
            stats = self.hub.stats(event.symbol)
            assert stats is not None and event.price is not None
            self.seen.append((event.price, event.ts, stats.trades.last_price))
        return changed


async def test_looping_replay_at_speed_moves_the_last_price_on_every_pass(tmp_path: Path) -> None:
    path = tape_file(tmp_path / "tape.csv", count=5, spacing_ms=1000)  # 4 s of file time, 40 ms at speed 100
    tape = Tape(MarketDataHub(SystemClock(), stale_after=30))
    feed = ReplayFeed(path, tape, speed=100, clock=SystemClock(), rebase=True, loop=True)
    await feed.start()
    for _ in range(500):
        if len(tape.seen) >= 3 * 5:
            break
        await asyncio.sleep(0.01)
    await feed.stop()
    assert len(tape.seen) >= 3 * 5
    assert all(last == price for price, _, last in tape.seen)  # each print is the newest when it arrives
    times = [ts for _, ts, _ in tape.seen]
    assert times == sorted(times)
    file_prices = [p.price for p in prints(path, "AAPL")]
    assert [price for price, _, _ in tape.seen[:15]] == file_prices * 3
    pass_length = (prints(path, "AAPL")[-1].ts - prints(path, "AAPL")[0].ts) / 100
    assert times[9] - times[5] == pass_length  # a pass's times are scaled for speed, the second one too
