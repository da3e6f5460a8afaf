"""The quote cache in Redis: what the leader's feeds see, a standby serves."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from ordergate.adapters.shared.link import RedisLink, redis_link
from ordergate.adapters.shared.quotes import RedisQuoteCache
from ordergate.domain.ids import Symbol
from ordergate.service.marketdata import MarketDataHub
from tests.fakes.clock import FakeClock
from tests.redis_service import delete_keys, new_prefix, require_redis

AAPL = Symbol("AAPL")


@pytest.fixture
async def link() -> AsyncIterator[RedisLink]:
    url, prefix = require_redis(), new_prefix()
    made = redis_link(url, prefix, 1000, 1.0)
    yield made
    await made.close()
    delete_keys(prefix)


async def test_quotes_when_the_leader_writes_then_a_standby_serves_the_same_quote_last_trade_and_freshness(
        link: RedisLink) -> None:
    clock = FakeClock()
    leader_hub, standby_hub = MarketDataHub(clock, stale_after=5), MarketDataHub(clock, stale_after=5)
    leader, standby = RedisQuoteCache(link, leader_hub, lambda: True), RedisQuoteCache(link, standby_hub, lambda: False)
    leader_hub.on_book(AAPL, [(Decimal("189.50"), Decimal("300"))], [(Decimal("189.55"), Decimal("200"))], clock.now())
    leader_hub.on_trade(AAPL, Decimal("189.52"), Decimal("100"), clock.now())

    assert await leader.write() == 1
    assert await standby.read() == 1

    quote, served = leader_hub.quote(AAPL), standby_hub.quote(AAPL)
    assert served is not None and quote is not None
    assert (served.bid, served.bid_size, served.ask, served.ask_size, served.ts) == \
        (quote.bid, quote.bid_size, quote.ask, quote.ask_size, quote.ts)
    assert standby_hub.reference_price(AAPL) == Decimal("189.52") and not standby_hub.is_stale(AAPL)


async def test_quotes_when_nothing_changed_then_nothing_written_or_applied_again_and_a_newer_quote_is(
        link: RedisLink) -> None:
    clock = FakeClock()
    leader_hub, standby_hub = MarketDataHub(clock, stale_after=5), MarketDataHub(clock, stale_after=5)
    leader, standby = RedisQuoteCache(link, leader_hub, lambda: True), RedisQuoteCache(link, standby_hub, lambda: False)
    leader_hub.on_book(AAPL, [(Decimal("10"), Decimal("1"))], [], clock.now())
    await leader.write()
    await standby.read()

    assert (await leader.write(), await standby.read()) == (0, 0)
    clock.advance(1)
    leader_hub.on_book(AAPL, [(Decimal("11"), Decimal("2"))], [(Decimal("12"), Decimal("3"))], clock.now())
    await leader.write()
    assert await standby.read() == 1
    served = standby_hub.quote(AAPL)
    assert served is not None and (served.bid, served.ask) == (Decimal("11"), Decimal("12"))
