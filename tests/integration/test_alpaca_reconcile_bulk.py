"""Reconciling with Alpaca at scale: open orders page past 500, and the status of hundreds of orders comes
from a few listing requests (Alpaca allows 200 a minute), the same as asking order by order."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ordergate.adapters.venues.alpaca.venue import AlpacaVenue
from ordergate.domain.enums import OrderStatus, OrderType
from ordergate.domain.reports import FillReport, OrderStatusReport, ReplaceReport
from ordergate.service.ports import VenueOrder
from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.integration.alpaca_harness import Collected, order, started_venue

D = Decimal


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    """The fake with AAPL quoted 100 / 100.10 and room for a thousand resting orders."""
    async with FakeAlpacaServer() as server:
        server.broker.cash = D(10_000_000)
        server.broker.set_quote(FakeQuote("AAPL", D("100"), D("100.10")))
        yield server


@pytest.fixture
async def venue(fake: FakeAlpacaServer) -> AsyncIterator[AlpacaVenue]:
    venue = await started_venue(fake, Collected())
    yield venue
    await venue.stop()


def _rest(fake: FakeAlpacaServer, n: int, **terms: Any) -> VenueOrder:
    """Place order ``n`` at the fake directly (as if sent before a restart); return ours for it."""
    body = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit", "time_in_force": "gtc",
            "limit_price": "50", "client_order_id": f"c-{n}", **terms}
    fake.broker.submit(body)
    limit = terms.get("limit_price", "50")
    kind = OrderType.MARKET if terms.get("type") == "market" else OrderType.LIMIT
    sent = order(n, "1", type=kind, limit=None if kind is OrderType.MARKET else limit)
    sent.created_at = datetime.now(UTC)
    return sent


def _requests(fake: FakeAlpacaServer) -> int:
    return len(fake.app.state.gate.requests)


async def _settled(fake: FakeAlpacaServer) -> None:
    for _ in range(200):
        if all(o.status != "accepted" for o in fake.broker.orders.values()):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the fake did not acknowledge every order")


async def test_open_orders_when_more_than_500_then_every_page_is_read(
        venue: AlpacaVenue, fake: FakeAlpacaServer) -> None:
    for n in range(1, 1204):
        _rest(fake, n)
    await _settled(fake)
    before = _requests(fake)
    working = await venue.open_orders()
    assert len(working) == 1203 and {w.client_order_id for w in working} == {f"c-{n}" for n in range(1, 1204)}
    assert _requests(fake) - before == 3  # 500 + 500 + 203


async def test_statuses_of_600_orders_then_a_few_requests_and_the_same_answers_as_one_by_one(
        venue: AlpacaVenue, fake: FakeAlpacaServer) -> None:
    ids = itertools.count(1)
    resting = [_rest(fake, next(ids)) for _ in range(596)]
    filled = _rest(fake, next(ids), type="market", limit_price=None)
    replaced = _rest(fake, next(ids))
    await _settled(fake)
    fake.broker.replace(fake.broker.by_client_order_id(replaced.client_order_id).id, {"qty": "2"})
    never_sent = order(9999, "1", type=OrderType.LIMIT, limit="50")
    never_sent.created_at = datetime.now(UTC)
    await _settled(fake)
    asked = [*resting, filled, replaced, never_sent]
    before = _requests(fake)
    answers = await venue.statuses(asked)
    assert _requests(fake) - before <= 5  # two pages of orders, a page of fills, one look-up (never sent)
    assert answers[never_sent.order_id] == []
    assert {type(r) for r in answers[filled.order_id]} == {FillReport, OrderStatusReport}
    assert [type(r) for r in answers[replaced.order_id]][:1] == [ReplaceReport]
    for sent in (resting[0], resting[-1], filled, replaced):
        one_by_one = await venue.status(sent)
        assert _comparable(answers[sent.order_id]) == _comparable(one_by_one)
    statuses = {r.status for o in resting for r in answers[o.order_id] if isinstance(r, OrderStatusReport)}
    assert statuses == {OrderStatus.NEW}


def _comparable(reports: list[Any] | Any) -> list[tuple[Any, ...]]:
    return [(type(r).__name__, getattr(r, "status", None), getattr(r, "fill_id", None), getattr(r, "qty", None),
             getattr(r, "venue_order_id", None)) for r in reports]
