"""Replaying recorded files into the hub: the shipped sample, determinism, bad rows, paced replay."""

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ordergate.adapters.marketdata import sample_file
from ordergate.adapters.marketdata.generator import generate, write
from ordergate.adapters.marketdata.replay import ReplayError, ReplayFeed, read_events
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub, MarketEvent, MarketKind
from tests.fakes.clock import FakeClock

HEADER = "ts,symbol,kind,side,price,size,seq\n"
END_OF_SAMPLE = datetime(2026, 3, 2, 14, 40, tzinfo=UTC)


def replayed(path: Path) -> tuple[MarketDataHub, ReplayFeed]:
    hub = MarketDataHub(clock=FakeClock(END_OF_SAMPLE), stale_after=30)
    feed = ReplayFeed(path, hub)
    feed.run_sync()
    return hub, feed


def fingerprint(hub: MarketDataHub) -> dict[str, object]:
    out: dict[str, object] = {}
    for symbol in sorted(hub.symbols()):
        book = hub.book(symbol)
        assert book is not None
        out[symbol] = (book.depth(), book.seq, hub.stats(symbol), hub.trades(symbol, 1000),
                       [hub.bars(symbol, i, 1000) for i in ("1s", "1m", "5m", "1h")])
    return out


def test_sample_file_is_small_and_holds_two_instruments() -> None:
    path = sample_file()
    assert path.stat().st_size <= 300_000
    assert {e.symbol for e in read_events(path)} == {"AAPL", "RELIANCE"}


def test_sample_replay_applies_every_row_with_a_sound_book() -> None:
    hub, feed = replayed(sample_file())
    assert feed.result.error_count == 0
    assert feed.result.applied == feed.result.events > 0
    for symbol in (Symbol("AAPL"), Symbol("RELIANCE")):
        book = hub.book(symbol)
        assert book is not None and not book.needs_snapshot and not book.crossed
        assert len(book.bids) == len(book.asks) == 10
        stats = hub.stats(symbol)
        assert stats is not None and stats.trades.trade_count > 0 and stats.trades.vwap is not None


def test_sample_replay_gives_the_same_book_and_stats_on_every_run() -> None:
    first, _ = replayed(sample_file())
    second, _ = replayed(sample_file())
    assert fingerprint(first) == fingerprint(second)


def test_shipped_sample_is_what_the_generator_makes(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.csv"
    write(fresh, generate())
    assert fresh.read_bytes() == sample_file().read_bytes()


def test_replayed_book_equals_the_last_snapshot_plus_updates(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text(HEADER + "\n".join([
        "2026-03-02T14:30:00Z,AAPL,snapshot,buy,100.00,5,1",
        "2026-03-02T14:30:00Z,AAPL,snapshot,sell,100.10,7,1",
        "2026-03-02T14:30:01Z,AAPL,add,buy,100.05,2,2",
        "2026-03-02T14:30:02Z,AAPL,change,sell,100.10,3,3",
        "2026-03-02T14:30:03Z,AAPL,delete,buy,100.00,,4",
        "2026-03-02T14:30:04Z,AAPL,trade,buy,100.10,3,",
    ]) + "\n")
    hub, feed = replayed(path)
    book = hub.book(Symbol("AAPL"))
    assert book is not None
    assert book.depth() == ([(Decimal("100.05"), Decimal("2"))], [(Decimal("100.10"), Decimal("3"))])
    assert hub.reference_price(Symbol("AAPL")) == Decimal("100.10")
    assert feed.result.applied == 5


def test_bad_rows_are_skipped_and_reported_with_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n".join([
        "2026-03-02T14:30:00Z,AAPL,snapshot,buy,100.00,5,1",
        "yesterday,AAPL,add,buy,100.05,2,2",
        "2026-03-02T14:30:01Z,AAPL,explode,buy,100.05,2,2",
        "2026-03-02T14:30:01Z,AAPL,add,up,100.05,2,2",
        "2026-03-02T14:30:01Z,AAPL,add,buy,-5,2,2",
        "2026-03-02T14:30:01Z,AAPL,add,buy,abc,2,2",
        "2026-03-02T14:30:01Z,AAPL,add,buy,100.05,NaN,2",
        "2026-03-02T14:30:01Z,AAPL,add,buy,100.05,2,-2",
        "2026-03-02T14:30:01Z,,add,buy,100.05,2,2",
        "2026-03-02T14:30:01Z,AAPL,add,,100.05,2,2",
        "2026-03-02T14:30:01Z,AAPL,add,buy,100.05,2,2",
    ]) + "\n")
    hub, feed = replayed(path)
    got = [(e.line, e.field) for e in feed.result.errors]
    assert got == [(3, "ts"), (4, "kind"), (5, "side"), (6, "price"), (7, "price"), (8, "size"), (9, "seq"),
                   (10, "symbol"), (11, "side")]
    assert hub.book(Symbol("AAPL")).depth()[0] == [  # type: ignore[union-attr]
        (Decimal("100.05"), Decimal("2")), (Decimal("100.00"), Decimal("5"))]


def test_file_without_the_columns_then_names_the_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "nohdr.csv"
    path.write_text("time,sym\n1,2\n")
    with pytest.raises(ReplayError) as caught:
        list(read_events(path))
    assert caught.value.field == "ts"


def test_gap_in_the_file_flags_the_book_until_the_next_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text(HEADER + "\n".join([
        "2026-03-02T14:30:00Z,AAPL,snapshot,buy,100.00,5,1",
        "2026-03-02T14:30:01Z,AAPL,add,buy,100.05,2,3",
    ]) + "\n")
    hub, _ = replayed(path)
    assert hub.needs_snapshot(Symbol("AAPL"))


async def test_paced_replay_with_rebase_ends_with_the_same_book_at_clock_time() -> None:
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    hub = MarketDataHub(clock=clock, stale_after=30)
    await ReplayFeed(sample_file(), hub, speed=100_000, clock=clock, rebase=True).run()
    reference, _ = replayed(sample_file())
    for symbol in ("AAPL", "RELIANCE"):
        assert hub.book(Symbol(symbol)).depth() == reference.book(Symbol(symbol)).depth()  # type: ignore[union-attr]
    first = next(read_events(sample_file()))
    assert first.kind is MarketKind.SNAPSHOT
    quote = hub.quote(Symbol("AAPL"))
    assert quote is not None and quote.ts >= clock.now()


class Probe:
    """A replay target that applies each event to the hub, then notes (seq, needs_snapshot, stale) of it."""

    def __init__(self, hub: MarketDataHub) -> None:
        self.hub = hub
        self.seen: list[tuple[int | None, bool, bool]] = []

    def apply(self, event: MarketEvent) -> bool:
        changed = self.hub.apply(event)
        self.seen.append((event.seq, self.hub.needs_snapshot(event.symbol), self.hub.is_stale(event.symbol)))
        return changed


class Logged:
    """Stands in for a module's logger and keeps (level, event) of each line."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, event: str, **fields: object) -> None:
        self.lines.append(("info", event))

    def warning(self, event: str, **fields: object) -> None:
        self.lines.append(("warning", event))

    def error(self, event: str, **fields: object) -> None:
        self.lines.append(("error", event))


def gapped_replay(tmp_path: Path, rows: list[str], monkeypatch: pytest.MonkeyPatch, *, loop: bool = False,
                  ) -> tuple[MarketDataHub, ReplayFeed, Probe, Logged]:
    path = tmp_path / "gap.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n")
    clock = FakeClock(datetime(2026, 3, 2, 14, 30, 5, tzinfo=UTC))  # the file's own time: fresh by age
    hub = MarketDataHub(clock=clock, stale_after=30)
    probe, logged = Probe(hub), Logged()
    monkeypatch.setattr("ordergate.adapters.marketdata.replay.log", logged)
    feed = ReplayFeed(path, probe, clock=clock, rebase=loop, loop=loop)
    hub.attach_feed(feed)
    return hub, feed, probe, logged


GAP_ROWS = [
    "2026-03-02T14:30:00Z,AAPL,snapshot,buy,100.00,5,1",
    "2026-03-02T14:30:00Z,AAPL,snapshot,sell,100.10,7,1",
    "2026-03-02T14:30:01Z,AAPL,add,buy,100.05,2,2",
    "2026-03-02T14:30:02Z,AAPL,add,buy,100.06,1,4",
    "2026-03-02T14:30:03Z,AAPL,change,sell,100.10,3,5",
]


def test_replay_with_a_gap_when_a_snapshot_follows_then_resyncs_there_without_going_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub, feed, probe, logged = gapped_replay(tmp_path, [
        *GAP_ROWS,
        "2026-03-02T14:30:04Z,AAPL,snapshot,buy,100.01,8,6",
        "2026-03-02T14:30:04Z,AAPL,snapshot,sell,100.09,4,6",
        "2026-03-02T14:30:05Z,AAPL,add,buy,100.02,1,7",
    ], monkeypatch)
    feed.run_sync()
    assert probe.seen == [(1, False, False), (2, False, False), (4, True, False), (5, True, False),
                          (6, False, False), (7, False, False)]
    book = hub.book(Symbol("AAPL"))
    assert book is not None and book.depth() == (
        [(Decimal("100.02"), Decimal("1")), (Decimal("100.01"), Decimal("8"))], [(Decimal("100.09"), Decimal("4"))])
    assert hub.snapshot_requests(Symbol("AAPL")) == 1
    assert logged.lines == [("info", "replay_resyncs_at_next_snapshot")]


def test_replay_with_a_gap_when_no_snapshot_follows_then_warns_once_and_the_book_is_stale(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub, feed, probe, logged = gapped_replay(tmp_path, GAP_ROWS, monkeypatch)
    feed.run_sync()
    assert probe.seen[-2:] == [(4, True, True), (5, True, True)]
    assert hub.is_stale(Symbol("AAPL")) and hub.book(Symbol("AAPL")).depth()[1] == [  # type: ignore[union-attr]
        (Decimal("100.10"), Decimal("7"))]  # the change after the gap was held back
    feed.run_sync()  # played again: the first snapshot heals the book, the same gap breaks it again
    assert probe.seen[4] == (1, False, False)
    assert hub.snapshot_requests(Symbol("AAPL")) == 2
    assert logged.lines == [("warning", "replay_has_no_snapshot_ahead")]


async def test_looping_replay_with_a_gap_after_its_last_snapshot_then_resyncs_on_the_next_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub, feed, probe, logged = gapped_replay(tmp_path, GAP_ROWS, monkeypatch, loop=True)
    await feed.start()
    deadline = asyncio.get_running_loop().time() + 5
    while hub.snapshot_requests(Symbol("AAPL")) < 3:
        assert asyncio.get_running_loop().time() < deadline, "the replay did not go round"
        await asyncio.sleep(0.01)
    await feed.stop()
    assert (1, False, False) in probe.seen[4:]  # a later pass's snapshot healed the book
    assert not any(stale for _, _, stale in probe.seen)
    assert set(logged.lines) == {("info", "replay_resyncs_at_next_snapshot")}
