"""Replaying recorded files into the hub: the shipped sample, determinism, bad rows, paced replay."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from ordergate.adapters.marketdata import sample_file
from ordergate.adapters.marketdata.generator import generate, write
from ordergate.adapters.marketdata.replay import ReplayError, ReplayFeed, read_events
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub, MarketKind
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
