"""AlpacaMarketFeed against the fake Alpaca's data stream and latest-quote endpoint, into the real hub."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from pydantic import SecretStr

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.venues.alpaca.marketdata import AlpacaMarketFeed
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.ports import FeedState
from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.integration.alpaca_harness import eventually, fake_config

D = Decimal
AAPL = Symbol("AAPL")


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    """The fake on a free port, AAPL quoted 100 / 100.10 before anyone connects."""
    async with FakeAlpacaServer() as server:
        server.broker.set_quote(FakeQuote("AAPL", D("100"), D("100.10"), D(300), D(200)))
        yield server


@pytest.fixture
def hub() -> MarketDataHub:
    """The real market data hub."""
    return MarketDataHub(clock=SystemClock(), stale_after=30)


@pytest.fixture
async def feed(fake: FakeAlpacaServer, hub: MarketDataHub) -> AsyncIterator[AlpacaMarketFeed]:
    """The feed leading AAPL, started."""
    feed = AlpacaMarketFeed(fake_config(fake), {AAPL: "AAPL"}, hub, SystemClock())
    await feed.start()
    yield feed
    await feed.stop()


async def test_feed_when_connected_then_book_from_latest_quote_snapshot(
        feed: AlpacaMarketFeed, hub: MarketDataHub) -> None:
    await eventually(lambda: hub.quote(AAPL) is not None)
    quote = hub.quote(AAPL)
    assert quote is not None and (quote.bid, quote.bid_size, quote.ask, quote.ask_size) == (
        D("100"), D(300), D("100.1"), D(200))
    assert feed.state() is FeedState.LIVE


async def test_quotes_and_trades_on_the_stream_then_in_the_hub_as_exact_decimals(
        feed: AlpacaMarketFeed, hub: MarketDataHub, fake: FakeAlpacaServer) -> None:
    await eventually(lambda: any(s.subs["quotes"] for s in fake.app.state.data.sessions))
    fake.broker.set_quote(FakeQuote("AAPL", D("101.37"), D("101.39"), D(5), D(7)))
    await eventually(lambda: (q := hub.quote(AAPL)) is not None and q.bid == D("101.37"))
    fake.broker.fill(fake.broker.submit({"symbol": "AAPL", "qty": "3", "side": "sell", "type": "limit",
                                         "limit_price": "500", "time_in_force": "day"}), D(3), D("101.37"))
    await eventually(lambda: hub.trades(AAPL))
    [trade] = hub.trades(AAPL)
    assert (trade.price, trade.size) == (D("101.37"), D(3))


async def test_stream_dropped_then_reconnects_resubscribes_and_snapshots_again(
        feed: AlpacaMarketFeed, hub: MarketDataHub, fake: FakeAlpacaServer) -> None:
    await eventually(lambda: feed.connects == 1 and fake.app.state.data.sessions)
    await fake.app.state.data.drop_all()
    await eventually(lambda: feed.connects == 2 and feed.state() is FeedState.LIVE)
    assert feed.request_snapshot(AAPL) and not feed.request_snapshot(Symbol("MSFT"))


async def test_wrong_keys_then_refused_for_good_and_failed(fake: FakeAlpacaServer, hub: MarketDataHub) -> None:
    feed = AlpacaMarketFeed(fake_config(fake, secret_key=SecretStr("wrong")), {AAPL: "AAPL"}, hub, SystemClock())
    await feed.start()
    try:
        await eventually(lambda: feed._fatal)
        assert feed.state() is FeedState.FAILED and hub.quote(AAPL) is None
    finally:
        await feed.stop()
