"""The hub asks the feed leading a symbol for a fresh snapshot when its book loses data: once per episode."""

from decimal import Decimal

import pytest

from ordergate.domain.enums import Side
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub, MarketEvent, MarketKind
from tests.fakes.clock import FakeClock
from tests.fakes.feed import FakeFeed

AAPL = Symbol("AAPL")
D = Decimal
BIDS, ASKS = [(D("10.0"), D("5"))], [(D("10.2"), D("7"))]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub(clock: FakeClock) -> MarketDataHub:
    return MarketDataHub(clock=clock, stale_after=30)


def snapshot(clock: FakeClock, seq: int, bids: list[tuple[Decimal, Decimal]] = BIDS,
             asks: list[tuple[Decimal, Decimal]] = ASKS) -> MarketEvent:
    return MarketEvent(MarketKind.SNAPSHOT, AAPL, clock.now(), seq=seq, bids=list(bids), asks=list(asks))


def add(clock: FakeClock, seq: int | None, price: str, size: str = "1", side: Side = Side.BUY,
        order_id: str | None = None) -> MarketEvent:
    return MarketEvent(MarketKind.ADD, AAPL, clock.now(), side, D(price), D(size), seq=seq, order_id=order_id)


def fed(hub: MarketDataHub, feed: FakeFeed, clock: FakeClock) -> FakeFeed:
    hub.attach_feed(feed)
    hub.apply(snapshot(clock, 1))
    return feed


def test_gap_when_a_feed_leads_the_symbol_then_it_is_asked_once_while_updates_are_held(
        hub: MarketDataHub, clock: FakeClock) -> None:
    feed = fed(hub, FakeFeed(["AAPL"]), clock)
    assert hub.apply(add(clock, 2, "10.1"))
    assert not hub.apply(add(clock, 4, "9.9"))  # seq 3 was lost
    for seq in (5, 6, 7):
        assert not hub.apply(add(clock, seq, f"9.{seq}"))
    assert feed.asked == [AAPL]
    assert hub.snapshot_requests(AAPL) == 1 and hub.snapshots.total == 1
    stats = hub.stats(AAPL)
    assert stats is not None and stats.snapshot_requests == 1
    assert hub.book(AAPL).depth()[0] == [(D("10.1"), D("1")), (D("10.0"), D("5"))]  # type: ignore[union-attr]


def test_snapshot_after_the_request_then_book_recovers_and_a_later_gap_asks_again(
        hub: MarketDataHub, clock: FakeClock) -> None:
    feed = fed(hub, FakeFeed(["AAPL"]), clock)
    hub.apply(add(clock, 3, "10.1"))
    hub.apply(snapshot(clock, 10, bids=[(D("10.05"), D("4"))]))
    assert not hub.needs_snapshot(AAPL)
    assert hub.apply(add(clock, 11, "10.06"))
    assert hub.quote(AAPL).bid == D("10.06")  # type: ignore[union-attr]
    hub.apply(add(clock, 13, "10.07"))
    assert feed.asked == [AAPL, AAPL] and hub.snapshot_requests(AAPL) == 2


@pytest.mark.parametrize(("update", "reason"), [
    (MarketEvent(MarketKind.ADD, AAPL, FakeClock().now(), Side.BUY, D("10.3"), D("1"), seq=2), "crossed"),
    (MarketEvent(MarketKind.DELETE, AAPL, FakeClock().now(), Side.SELL, D("10.9"), seq=2), "unknown level"),
    (MarketEvent(MarketKind.CHANGE, AAPL, FakeClock().now(), size=D("1"), seq=2, order_id="nope"), "unknown order"),
])
def test_update_that_breaks_a_sound_book_then_the_feed_is_asked_once(
        hub: MarketDataHub, clock: FakeClock, update: MarketEvent, reason: str) -> None:
    feed = fed(hub, FakeFeed(["AAPL"]), clock)
    hub.apply(update)
    hub.apply(add(clock, 3, "10.4"))  # still crossed, still the same episode
    book = hub.book(AAPL)
    assert book is not None and book.snapshot_reason == reason
    assert feed.asked == [AAPL]


def test_crossed_snapshot_then_nothing_is_asked_because_the_source_just_sent_it(
        hub: MarketDataHub, clock: FakeClock) -> None:
    feed = FakeFeed(["AAPL"])
    hub.attach_feed(feed)
    hub.apply(snapshot(clock, 1, bids=[(D("10.5"), D("1"))]))
    hub.on_book(AAPL, [(D("10.5"), D("1"))], ASKS, clock.now())
    assert hub.needs_snapshot(AAPL) and feed.asked == []


def test_feed_answering_at_once_then_the_book_is_sound_when_apply_returns(
        hub: MarketDataHub, clock: FakeClock) -> None:
    def publish(symbol: Symbol) -> bool:
        hub.on_book(symbol, [(D("10.01"), D("9"))], ASKS, clock.now())
        return True

    feed = fed(hub, FakeFeed(["AAPL"], answer=publish), clock)
    hub.apply(add(clock, 5, "10.1"))
    book = hub.book(AAPL)
    assert book is not None and not book.needs_snapshot and book.depth()[0] == [(D("10.01"), D("9"))]
    assert feed.asked == [AAPL] and not hub.is_stale(AAPL)


def test_feed_that_cannot_send_a_snapshot_then_stale_at_once_until_one_comes(
        hub: MarketDataHub, clock: FakeClock) -> None:
    fed(hub, FakeFeed(["AAPL"], answer=lambda symbol: False), clock)
    assert not hub.is_stale(AAPL)
    hub.apply(add(clock, 3, "10.1"))
    assert hub.is_stale(AAPL)
    stats = hub.stats(AAPL)
    assert stats is not None and stats.stale
    hub.apply(snapshot(clock, 9))
    assert not hub.is_stale(AAPL)


def test_feed_raising_on_the_request_then_the_hub_goes_on_and_marks_the_book_stale(
        hub: MarketDataHub, clock: FakeClock) -> None:
    def broken(symbol: Symbol) -> bool:
        raise ConnectionError("stream closed")

    feed = fed(hub, FakeFeed(["AAPL"], answer=broken), clock)
    assert not hub.apply(add(clock, 3, "10.1"))
    assert feed.asked == [AAPL] and hub.is_stale(AAPL)


def test_no_feed_leads_the_symbol_then_nothing_is_asked_and_only_age_makes_it_stale(
        hub: MarketDataHub, clock: FakeClock) -> None:
    other = fed(hub, FakeFeed(["MSFT"]), clock)
    hub.apply(add(clock, 3, "10.1"))
    assert hub.needs_snapshot(AAPL) and other.asked == [] and hub.snapshot_requests(AAPL) == 0
    assert not hub.is_stale(AAPL)
    clock.advance(31)
    assert hub.is_stale(AAPL)


def test_two_feeds_lead_the_symbol_then_the_one_attached_last_is_asked(
        hub: MarketDataHub, clock: FakeClock) -> None:
    first, last = FakeFeed(["AAPL", "MSFT"], name="paper"), FakeFeed(["AAPL"], name="replay")
    hub.attach_feed(first)
    hub.attach_feed(last)
    hub.attach_feed(first)  # attaching again changes nothing
    hub.apply(snapshot(clock, 1))
    hub.apply(add(clock, 3, "10.1"))
    assert (first.asked, last.asked) == ([], [AAPL])
