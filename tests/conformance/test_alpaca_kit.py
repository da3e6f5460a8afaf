"""The kit's invariants with a broker adapter: the real AlpacaVenue against the fake Alpaca as the venue.

The fake fills in small executions, replaces by a new order, sends trade updates twice or swaps
neighbours (then its last update may never come: the status pass at the end asks Alpaca over REST).
"""

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.alpaca.venue import AlpacaVenue
from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import ClientOrderId, OrderId, Symbol
from ordergate.service.submit import SubmitResult
from tests.conformance.alpaca_truth import AlpacaTruth
from tests.conformance.harness import KitRun, finish, start_kit
from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.integration.alpaca_harness import eventually, fake_config
from tests.unit.builders import ACCOUNT

D = Decimal
S = OrderStatus


@pytest.fixture
async def fake() -> AsyncIterator[FakeAlpacaServer]:
    """The fake Alpaca, AAPL quoted 100 / 100.10, filling 2 shares at a time."""
    async with FakeAlpacaServer() as server:
        server.broker.set_quote(FakeQuote("AAPL", D("100"), D("100.10")))
        server.broker.faults.update({"fill_chunk": "2"})
        yield server


@pytest.fixture
async def kit(fake: FakeAlpacaServer, tmp_path: Path) -> AsyncIterator[KitRun]:
    """The engine routing every order to an AlpacaVenue on the fake, judged by the fake's truth."""
    clock = SystemClock()
    venue = AlpacaVenue(fake_config(fake), load_instruments(), clock)
    ledger_of: list[KitRun] = []

    def order_id_of(client_order_id: str) -> OrderId | None:
        return ledger_of[0].ledger.by_client_id.get((ACCOUNT, ClientOrderId(client_order_id)))

    run = await start_kit(tmp_path, cash="100000", venue=venue, clock=clock,
                          truth=AlpacaTruth(fake.broker, ACCOUNT, order_id_of))
    ledger_of.append(run)
    await eventually(venue.is_ready)
    yield run
    await run.close()


async def submit(kit: KitRun, side: Side, qty: str, limit: str | None = None) -> OrderId:
    """Submit an AAPL order (good till canceled) through the engine; return its id."""
    result: SubmitResult = await kit.loop.execute(cmds.SubmitOrder(
        account=ACCOUNT, symbol=Symbol("AAPL"), side=side, type=OrderType.LIMIT if limit else OrderType.MARKET,
        qty=D(qty), limit_price=D(limit) if limit else None, tif=TimeInForce.GTC))
    assert not result.order.denials, result.order.reason
    return result.order.id


async def settled(kit: KitRun, fake: FakeAlpacaServer) -> list[str]:
    """Wait until Alpaca has every order and holds none open, settle (the status pass), check; return the problems."""
    known = fake.broker.by_client_id
    await eventually(lambda: all(o.client_order_id in known for o in kit.ledger.orders.values())
                     and not fake.broker.open_orders())
    return await finish(kit)


async def test_alpaca_when_updates_come_twice_then_the_books_match_alpaca(kit: KitRun, fake: FakeAlpacaServer) -> None:
    fake.broker.faults.duplicate_events = True
    bought = await submit(kit, Side.BUY, "5")
    resting = await submit(kit, Side.BUY, "3", "99.00")
    await eventually(lambda: kit.ledger.orders[resting].status is S.NEW)
    await kit.loop.execute(cmds.ReplaceOrder(order_id=resting, qty=D(4), limit_price=D("99.50")))
    await eventually(lambda: kit.ledger.orders[resting].status is not S.PENDING_REPLACE)
    await kit.loop.execute(cmds.CancelOrder(order_id=resting))
    sold = await submit(kit, Side.SELL, "2", "100.00")
    assert await settled(kit, fake) == []
    orders = kit.ledger.orders
    assert [orders[i].status for i in (bought, resting, sold)] == [S.FILLED, S.CANCELED, S.FILLED]
    assert orders[resting].qty == D(4) and orders[resting].limit_price == D("99.50")


async def test_alpaca_when_updates_come_swapped_then_the_books_match_alpaca(
    kit: KitRun, fake: FakeAlpacaServer,
) -> None:
    fake.broker.faults.reorder_events = True  # the first fill overtakes the ``new`` event
    bought = await submit(kit, Side.BUY, "5")
    assert await settled(kit, fake) == []
    assert kit.ledger.orders[bought].status is S.FILLED
