"""A book that missed updates describes what it holds: its ``seq`` is the last one applied."""

from decimal import Decimal

from ordergate.adapters.marketdata.replay import ReplayFeed
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub
from tests.fakes.clock import FakeClock
from tests.integration.replay_expect import TWO_DAYS, applied_seq, rows


def test_book_after_a_gap_when_no_snapshot_follows_then_seq_is_the_last_applied_and_seen_seq_the_newest() -> None:
    hub = MarketDataHub(FakeClock(), stale_after=30)
    ReplayFeed(TWO_DAYS, hub).run_sync()
    book = hub.book(Symbol("AAPL"))
    assert book is not None and book.needs_snapshot and book.snapshot_reason == "gap"
    expected_seq, expected_seen = applied_seq(TWO_DAYS, "AAPL")
    assert (book.seq, book.seen_seq) == (expected_seq, expected_seen)
    assert expected_seq is not None and expected_seen is not None and expected_seen > expected_seq + 1
    # the level the skipped update would have added is not there: the contents are those of book.seq
    skipped = [r for r in rows(TWO_DAYS) if r["symbol"] == "AAPL" and r["seq"] == str(expected_seen)]
    assert skipped and all(book.asks.size_at(Decimal(r["price"])) == 0 for r in skipped)


def test_book_after_a_gap_when_a_snapshot_follows_then_seq_resumes_from_it() -> None:
    hub = MarketDataHub(FakeClock(), stale_after=30)
    ReplayFeed(TWO_DAYS, hub).run_sync()
    book = hub.book(Symbol("RELIANCE"))
    assert book is not None and not book.needs_snapshot
    assert (book.seq, book.seen_seq) == applied_seq(TWO_DAYS, "RELIANCE")
    assert book.seen_seq is None
