"""The kit's invariants with a broker adapter: the real UpstoxVenue against the fake Upstox as the venue.

The fake fills in parts, modifies in place, sends order updates twice or holds one back behind the next,
and loses the answer to a place; the status pass at the end asks Upstox over REST by tag.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from ordergate.adapters.clock import SystemClock
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.venues.upstox.venue import UpstoxVenue
from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import OrderId, Symbol
from ordergate.service.submit import SubmitResult
from tests.conformance.harness import KitRun, finish, start_kit
from tests.fakes.upstox import FakeUpstox, FakeUpstoxServer
from tests.fakes.upstox.fault_run import SYMBOLS
from tests.fakes.upstox.fixtures import TOKEN
from tests.fakes.upstox.harness import fast_config
from tests.fakes.upstox.truth import UpstoxTruth
from tests.unit.builders import ACCOUNT

D = Decimal
S = OrderStatus


async def eventually(check: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until ``check()`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.fixture
async def fake() -> AsyncIterator[FakeUpstoxServer]:
    """The fake Upstox, RELIANCE at 1300, filling in two trades."""
    server = FakeUpstoxServer(FakeUpstox(fill_parts=2))
    server.fake.issue_token(TOKEN)
    with server:
        yield server


@pytest.fixture
async def kit(fake: FakeUpstoxServer, tmp_path: Path) -> AsyncIterator[KitRun]:
    """The engine routing every order to an UpstoxVenue on the fake, judged by the fake's truth."""
    clock = SystemClock()
    venue = UpstoxVenue(fast_config(fake, amo="never"), tmp_path, load_instruments(), clock)  # wall clock
    run = await start_kit(tmp_path, cash="0", venue=venue, clock=clock,
                          truth=UpstoxTruth(fake.fake.exchange, ACCOUNT, SYMBOLS))
    await run.loop.execute(cmds.AdjustCash(account=ACCOUNT, currency="INR", amount=D("10000000"), reason="kit"))
    await eventually(lambda: venue.stream.connected)
    yield run
    await run.close()


async def submit(kit: KitRun, side: Side, qty: str, limit: str) -> OrderId:
    """Submit a RELIANCE day limit order through the engine; return its id."""
    result: SubmitResult = await kit.loop.execute(cmds.SubmitOrder(
        account=ACCOUNT, symbol=Symbol("RELIANCE"), side=side, type=OrderType.LIMIT, qty=D(qty),
        limit_price=D(limit), tif=TimeInForce.DAY))
    assert not result.order.denials, result.order.reason
    return result.order.id


async def settled(kit: KitRun, fake: FakeUpstoxServer) -> list[str]:
    """Wait until Upstox has every order and holds none open, settle (the status pass), check."""
    exchange = fake.fake.exchange
    await eventually(lambda: all(exchange.by_tag(o) for o in kit.ledger.orders)
                     and all(o.terminal for o in exchange.orders.values()))
    exchange.hub.flush()
    await asyncio.sleep(0.3)  # the last updates reach the engine
    return await finish(kit)


async def test_upstox_when_updates_come_twice_or_late_then_the_books_match_upstox(
    kit: KitRun, fake: FakeUpstoxServer,
) -> None:
    fake.fake.faults.update(duplicate_chance=0.5, reorder_chance=0.3, seed=4)
    bought = await submit(kit, Side.BUY, "5", "1310.00")
    resting = await submit(kit, Side.BUY, "3", "1290.00")
    await eventually(lambda: kit.ledger.orders[resting].status is S.NEW)
    await kit.loop.execute(cmds.ReplaceOrder(order_id=resting, qty=D(4), limit_price=D("1291.00")))
    await eventually(lambda: kit.ledger.orders[resting].status is not S.PENDING_REPLACE)
    await kit.loop.execute(cmds.CancelOrder(order_id=resting))
    sold = await submit(kit, Side.SELL, "2", "1290.00")
    assert await settled(kit, fake) == []
    orders = kit.ledger.orders
    assert [orders[i].status for i in (bought, resting, sold)] == [S.FILLED, S.CANCELED, S.FILLED]
    assert orders[resting].qty == D(4) and orders[resting].limit_price == D("1291.00")


async def test_upstox_when_answers_are_lost_or_refused_then_one_order_each_and_the_books_match(
    kit: KitRun, fake: FakeUpstoxServer,
) -> None:
    fake.fake.faults.update(lost_place_answers=1, hang_seconds=1.5, http_429=1, http_5xx=1)
    ids = [await submit(kit, Side.BUY, "2", "1310.00") for _ in range(3)]
    assert await settled(kit, fake) == []
    assert all(len(fake.fake.exchange.by_tag(i)) == 1 for i in ids)
    assert {kit.ledger.orders[i].status for i in ids} == {S.FILLED}
