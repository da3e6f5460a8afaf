"""UpstoxMarketFeed against the fake: authorize, subscribe, protobuf from the SDK's own schema decoded by ours."""

from datetime import datetime
from decimal import Decimal

from ordergate.adapters.venues.upstox.marketdata import UpstoxMarketFeed, subscriptions
from ordergate.domain.ids import Symbol
from ordergate.service.ports import FeedState
from tests.fakes.upstox.harness import Harness
from tests.fakes.upstox.market_feed import apply_request

D = Decimal
RELIANCE, NIFTY = Symbol("RELIANCE"), Symbol("NIFTY")
KEYS = {RELIANCE: "NSE_EQ|INE002A01018", NIFTY: "NSE_INDEX|Nifty 50"}


class RecordingSink:
    """A MarketDataSink that keeps what it was given."""

    def __init__(self) -> None:
        self.books: list[tuple[Symbol, list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]] = []
        self.trades: list[tuple[Symbol, Decimal, Decimal]] = []

    def on_book(self, symbol: Symbol, bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]],
                ts: datetime) -> None:
        self.books.append((symbol, list(bids), list(asks)))

    def on_trade(self, symbol: Symbol, price: Decimal, qty: Decimal, ts: datetime) -> None:
        self.trades.append((symbol, price, qty))



async def _feed(h: Harness, mode: str = "full") -> tuple[UpstoxMarketFeed, RecordingSink]:
    sink = RecordingSink()
    config = h.venue.config.model_copy(update={"feed_mode": mode})
    feed = UpstoxMarketFeed(config, h.venue.http, KEYS, sink, h.clock)
    await feed.start()
    await h.until(lambda: feed.state() is FeedState.LIVE)
    return feed, sink


async def test_full_mode_gives_five_level_books_and_the_last_trade_exactly(h: Harness) -> None:
    feed, sink = await _feed(h)
    try:
        await h.until(lambda: any(s == RELIANCE for s, _, _ in sink.books))
        _symbol, bids, asks = next(b for b in sink.books if b[0] == RELIANCE)
        assert bids[0] == (D("1299.95"), D(100)) and asks[0] == (D("1300.05"), D(100))
        assert len(bids) == len(asks) == 5
        assert (RELIANCE, D("1300.0"), D(10)) in sink.trades
        assert (NIFTY, D("24000.0"), D(10)) in sink.trades  # an index: indexFF, last price only
        assert feed.market_status["NSE_EQ"] == "NORMAL_OPEN"
        h.server.fake.exchange.set_price(KEYS[RELIANCE], D("1301.15"))
        await h.until(lambda: (RELIANCE, D("1301.15"), D(10)) in sink.trades)
    finally:
        await feed.stop()
    assert feed.state() is FeedState.STOPPED


async def test_full_d30_mode_gives_thirty_level_books(h: Harness) -> None:
    feed, sink = await _feed(h, "full_d30")
    try:
        await h.until(lambda: any(s == RELIANCE for s, _, _ in sink.books))
        _symbol, bids, asks = next(b for b in sink.books if b[0] == RELIANCE)
        assert len(bids) == len(asks) == 30
        assert bids[-1] == (D("1298.50"), D(3000)) and asks[-1] == (D("1301.50"), D(3000))
        assert (NIFTY, D("24000.0"), D(10)) in sink.trades
    finally:
        await feed.stop()


def test_full_d30_when_more_instruments_than_its_cap_then_the_rest_go_in_full() -> None:
    keys = [f"NSE_EQ|K{n:03d}" for n in range(60)]
    assert subscriptions("full_d30", keys) == [("full_d30", keys[:50]), ("full", keys[50:])]
    assert subscriptions("full_d30", keys[:3]) == [("full_d30", keys[:3])]
    assert subscriptions("full", keys) == [("full", keys)]
    assert subscriptions("ltpc", []) == []


def test_fake_feed_serves_a_mode_no_more_keys_than_its_cap() -> None:
    subs: dict[str, str] = {}
    request = {"method": "sub", "data": {"mode": "full_d30", "instrumentKeys": list(KEYS.values())}}
    assert apply_request(subs, request, {"full_d30": 1}) == {KEYS[RELIANCE]: "full_d30"}
    assert subs == {KEYS[RELIANCE]: "full_d30"}


async def test_ltpc_mode_gives_trades_only(h: Harness) -> None:
    feed, sink = await _feed(h, "ltpc")
    try:
        await h.until(lambda: any(s == RELIANCE for s, _, _ in sink.trades))
        assert sink.books == []
    finally:
        await feed.stop()


async def test_snapshot_comes_from_the_rest_quote(h: Harness) -> None:
    h.server.fake.feed_tick_seconds = 0  # a quiet feed: only REST can refresh the book
    feed, sink = await _feed(h, "ltpc")
    try:
        assert feed.request_snapshot(RELIANCE) and not feed.request_snapshot(Symbol("AAPL"))
        await h.until(lambda: bool(sink.books))
        assert sink.books[0][1][0] == (D("1299.95"), D(100))
    finally:
        await feed.stop()


async def test_a_dropped_feed_reconnects_with_a_new_one_time_url(h: Harness) -> None:
    feed, _sink = await _feed(h)
    try:
        h.server.fake.drop_market_feeds()
        await h.until(lambda: feed.connects >= 2 and feed.state() is FeedState.LIVE)
    finally:
        await feed.stop()
