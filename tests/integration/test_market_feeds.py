"""Market data feeds behind one port: the replay and the paper market, and paper trading on a replay."""

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.marketdata import replay_feed_from, sample_file
from ordergate.adapters.marketdata.replay import ReplayFeed, read_events
from ordergate.adapters.venues.paper.exchange import PaperExchange
from ordergate.adapters.venues.paper.feed import PaperMarketFeed
from ordergate.adapters.venues.paper.follow import PaperFollower
from ordergate.config import MarketDataConfig, PaperConfig
from ordergate.domain.enums import Side
from ordergate.domain.errors import ValidationFailed
from ordergate.domain.ids import Symbol, VenueId
from ordergate.domain.reports import FillReport, Report
from ordergate.service.marketdata import MarketDataHub, MarketEvent, MarketKind
from ordergate.service.ports import FeedState, MarketDataFeed
from tests.fakes.clock import FakeClock
from tests.unit.test_paper_exchange import vo

D = Decimal
AAPL, RELIANCE = Symbol("AAPL"), Symbol("RELIANCE")


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def sample_price_range(symbol: Symbol) -> tuple[Decimal, Decimal]:
    prices = [p for e in read_events(sample_file()) if e.symbol == symbol
              for p in [e.price, *(lv[0] for lv in e.bids + e.asks)] if p is not None]
    return min(prices), max(prices)


def exchange_on(hub: MarketDataHub, clock: FakeClock) -> tuple[PaperExchange, list[Report]]:
    exchange = PaperExchange(VenueId("paper"), PaperConfig(), load_instruments(), clock, hub)
    reports: list[Report] = []
    exchange.emit = reports.append
    return exchange, reports


def test_replay_and_paper_feeds_when_checked_against_the_port_then_both_are_market_data_feeds() -> None:
    hub = MarketDataHub(FakeClock(), stale_after=30)
    feeds: list[MarketDataFeed] = [ReplayFeed(sample_file(), hub),
                                   PaperMarketFeed(exchange_on(hub, FakeClock())[0], 0.01)]
    assert [(f.name, f.state()) for f in feeds] == [("replay", FeedState.IDLE), ("paper", FeedState.IDLE)]
    assert feeds[0].symbols() == {AAPL, RELIANCE}


async def test_replay_feed_when_started_then_live_and_finished_at_the_end_and_stop_is_idempotent() -> None:
    hub = MarketDataHub(FakeClock(), stale_after=30)
    feed = ReplayFeed(sample_file(), hub, speed=0)
    await feed.start()
    await feed.start()  # a second start does not start a second replay
    assert feed.state() is FeedState.LIVE
    await until(lambda: feed.state() is FeedState.FINISHED)
    assert feed.state().healthy and feed.result.error_count == 0 and hub.has(AAPL)
    await feed.stop()
    await feed.stop()
    assert feed.state() is FeedState.STOPPED and not feed.state().healthy


async def test_replay_feed_when_looping_and_stopped_then_stopped() -> None:
    hub, clock = MarketDataHub(FakeClock(), stale_after=30), FakeClock()
    feed = ReplayFeed(sample_file(), hub, speed=0, clock=clock, rebase=True, loop=True)
    await feed.start()
    await until(lambda: feed.result.events > 5000)  # went round at least once
    assert feed.state() is FeedState.LIVE
    await feed.stop()
    assert feed.state() is FeedState.STOPPED


async def test_replay_feed_when_file_vanishes_mid_run_then_failed_not_healthy(tmp_path: Path) -> None:
    path = tmp_path / "gone.csv"
    path.write_text(sample_file().read_text())
    feed = ReplayFeed(path, MarketDataHub(FakeClock(), stale_after=30), speed=0)
    path.unlink()
    await feed.start()
    await until(lambda: feed.state() is not FeedState.LIVE)
    assert feed.state() is FeedState.FAILED and not feed.state().healthy


async def test_paper_feed_when_started_then_ticks_the_markets_and_stops_cleanly() -> None:
    hub, clock = MarketDataHub(FakeClock(), stale_after=30), FakeClock()
    exchange, _ = exchange_on(hub, clock)
    exchange.open()
    feed = PaperMarketFeed(exchange, 0.001)
    await feed.start()
    assert feed.state() is FeedState.LIVE and feed.symbols() == frozenset(load_instruments())
    await until(lambda: len(hub.trades(AAPL)) > 0)
    await feed.stop()
    assert feed.state() is FeedState.STOPPED


@pytest.mark.parametrize(("content", "rule"), [(None, "exists"), ("a,b,c\n1,2,3\n", "format"),
                                               (b"\xff\xfe\x00bad", "format")])
def test_replay_feed_from_when_file_missing_or_malformed_then_names_the_setting(
        tmp_path: Path, content: str | bytes | None, rule: str) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content or b"")
    config = MarketDataConfig(replay_file=path)
    if content is None:
        path.unlink()  # gone between reading the settings and starting the feed
    hub = MarketDataHub(FakeClock(), stale_after=30)
    with pytest.raises(ValidationFailed) as failure:
        replay_feed_from(config, hub, FakeClock())
    assert failure.value.field == "marketdata.replay_file" and failure.value.rule == rule


def test_sample_replayed_through_follower_when_user_buys_then_fills_inside_the_replayed_range() -> None:
    clock = FakeClock()
    hub = MarketDataHub(clock, stale_after=30)
    exchange, reports = exchange_on(hub, clock)
    exchange.follow([AAPL, RELIANCE], hub)
    exchange.open()
    feed = ReplayFeed(sample_file(), PaperFollower(hub, exchange), clock=clock, rebase=True)
    feed.run_sync()
    assert feed.result.error_count == 0
    book = hub.book(AAPL)
    assert book is not None and not book.crossed
    bids, asks = book.depth(PaperConfig().depth_levels)
    paper = exchange.markets[AAPL].book
    assert paper.best_bid() == bids[0][0] and paper.best_ask() == asks[0][0]
    low, high = sample_price_range(AAPL)
    exchange.submit(vo(qty="100"))
    fills = [r for r in reports if isinstance(r, FillReport)]
    assert sum(f.qty for f in fills) == D(100)
    assert all(low <= f.price <= high for f in fills) and fills[0].price == asks[0][0]
    assert hub.trades(AAPL)[0].price == fills[-1].price  # the user's own execution prints on the hub


@pytest.mark.parametrize("loss", ["gap", "crossed"])
def test_paper_feed_when_the_hub_asks_for_a_snapshot_then_publishes_the_symbol_book_at_once(loss: str) -> None:
    clock = FakeClock()
    hub = MarketDataHub(clock, stale_after=30)
    exchange, _ = exchange_on(hub, clock)
    feed = PaperMarketFeed(exchange, 0.01)
    hub.attach_feed(feed)
    exchange.open()
    paper = exchange.markets[AAPL].book
    best_ask = paper.best_ask()
    assert best_ask is not None
    if loss == "gap":  # a sequenced source writing into a paper-led book loses seq 6
        hub.apply(MarketEvent(MarketKind.ADD, AAPL, clock.now(), Side.BUY, best_ask - 5, D(1), seq=5))
        hub.apply(MarketEvent(MarketKind.ADD, AAPL, clock.now(), Side.BUY, best_ask - 6, D(1), seq=7))
    else:
        hub.apply(MarketEvent(MarketKind.ADD, AAPL, clock.now(), Side.BUY, best_ask + 1, D(1)))
    book = hub.book(AAPL)
    assert book is not None and not book.needs_snapshot and not book.crossed
    levels = PaperConfig().depth_levels
    assert book.depth() == (paper.depth(Side.BUY, levels), paper.depth(Side.SELL, levels))
    assert hub.snapshot_requests(AAPL) == 1 and hub.snapshot_requests(RELIANCE) == 0


def test_paper_feed_when_asked_for_a_symbol_a_replay_leads_then_declines() -> None:
    clock = FakeClock()
    hub = MarketDataHub(clock, stale_after=30)
    exchange, _ = exchange_on(hub, clock)
    exchange.follow([RELIANCE], hub)
    feed = PaperMarketFeed(exchange, 0.01)
    assert RELIANCE not in feed.symbols()
    assert not feed.request_snapshot(RELIANCE) and not feed.request_snapshot(Symbol("NOPE"))
    assert not hub.has(RELIANCE)
