"""A fault run: the real engine (OrderEngine, EngineLoop, SqlJournal on SQLite) trading through UpstoxVenue
against the fake Upstox with every fault knob on, then settled and checked with the conformance kit's
invariants: no duplicate order at Upstox (by tag), every order where Upstox says, books equal to the fills
on both sides, a clean store check, and a restart (journal replay) equal to the live state.
"""

import asyncio
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.store.check import check as store_check
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.venues.upstox.venue import UpstoxVenue
from ordergate.config import EngineConfig
from ordergate.domain import commands as cmds
from ordergate.domain.enums import OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, OrderId, Symbol
from ordergate.domain.ledger import Ledger
from ordergate.domain.risk.limits import RiskLimits
from ordergate.service.background import BackgroundWork
from ordergate.service.engine import OrderEngine, snapshot
from ordergate.service.engine_loop import EngineLoop
from ordergate.service.risk_gate import RiskGate
from ordergate.service.submit import SubmitResult
from tests.conformance.invariants import books_match_fills, orders_match_venue, same_state
from tests.conformance.store import fresh_store
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices
from tests.fakes.upstox.harness import MORNING, fast_config
from tests.fakes.upstox.server import FakeUpstoxServer
from tests.fakes.upstox.truth import UpstoxTruth
from tests.unit.builders import Counter

ACCOUNT = AccountId("IN1")
SYMBOLS = {"NSE_EQ|INE002A01018": Symbol("RELIANCE"), "NSE_EQ|INE009A01021": Symbol("INFY"),
           "NSE_EQ|INE467B01029": Symbol("TCS")}
PRICES = {Symbol("RELIANCE"): Decimal("1300.00"), Symbol("INFY"): Decimal("1600.00"),
          Symbol("TCS"): Decimal("3500.00")}
EVERY_KNOB = {"lost_place_chance": 0.05, "http_429_chance": 0.05, "http_5xx_chance": 0.05, "timeout_chance": 0.02,
              "duplicate_chance": 0.1, "reorder_chance": 0.1, "drop_stream_after": 97, "hang_seconds": 1.2}


class _NoSink:
    def publish(self, events: Any) -> None:
        """Drop published events: the journal keeps them."""


@dataclass
class FaultRun:
    """What a fault run did and found."""

    orders: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)


async def _until_quiet(venue: UpstoxVenue, server: FakeUpstoxServer, rounds: int = 5) -> None:
    quiet = 0
    while quiet < rounds:
        server.fake.exchange.hub.flush()
        await asyncio.sleep(0.1)
        quiet = quiet + 1 if not venue._tasks else 0


async def _scenario(loop: EngineLoop, server: FakeUpstoxServer, rng: random.Random, limit: asyncio.Semaphore) -> None:
    async with limit:
        symbol = rng.choice(list(PRICES))
        side = rng.choice([Side.BUY, Side.SELL])
        market = rng.random() < 0.4
        away = Decimal("-50") if side is Side.BUY else Decimal("50")
        reply = await loop.execute(cmds.SubmitOrder(
            account=ACCOUNT, symbol=symbol, side=side, type=OrderType.MARKET if market else OrderType.LIMIT,
            qty=Decimal(rng.randint(1, 9)), limit_price=None if market else PRICES[symbol] + away,
            tif=TimeInForce.DAY, requested_by="fault-run"))
        assert isinstance(reply, SubmitResult)
        order_id = reply.order.id
        if market:
            return
        await asyncio.sleep(rng.uniform(0.05, 0.4))
        action = rng.choice(["cancel", "modify", "partial", "fill", "leave"])
        at_fake = server.fake.exchange.by_tag(order_id)
        if action in ("partial", "fill") and at_fake and not at_fake[0].terminal:
            left = at_fake[0].quantity - at_fake[0].filled_quantity
            qty = left if action == "fill" or left == 1 else rng.randint(1, left - 1)
            try:
                server.fake.exchange.fill(at_fake[0].order_id, qty)
            except ValueError:
                return  # already done at Upstox
            await asyncio.sleep(0.1)
        if action in ("modify",):
            order = loop.engine.ledger.orders[order_id]
            await _safely(loop, cmds.ReplaceOrder(order_id=order_id, qty=order.qty + 1,
                                                  limit_price=(order.limit_price or Decimal(0)) + away / 10,
                                                  requested_by="fault-run"))
            await asyncio.sleep(0.2)
        if action in ("cancel", "modify", "partial"):
            await _safely(loop, cmds.CancelOrder(order_id=order_id, requested_by="fault-run"))


async def _safely(loop: EngineLoop, command: Any) -> None:
    try:
        await loop.execute(command)
    except Exception:  # refused (the order is done or busy): what a client would see, not a failure
        return


async def _settle(loop: EngineLoop, venue: UpstoxVenue, server: FakeUpstoxServer, clock: FakeClock) -> None:
    server.fake.faults.update(lost_place_chance=0.0, http_429_chance=0.0, http_5xx_chance=0.0, timeout_chance=0.0,
                              duplicate_chance=0.0, reorder_chance=0.0, drop_stream_after=None)
    await _until_quiet(venue, server)
    ledger = loop.engine.ledger
    for order in list(ledger.open_orders.values()):
        for report in await venue.status(snapshot(order)):
            loop.report(report)
    await loop.execute(cmds.ExpireOrders(now=clock.now(), requested_by="fault-run"))
    chaser = BackgroundWork(loop, {venue.id: venue}, clock, EngineConfig())
    for n in range(4):
        if not any(o.status.is_pending for o in ledger.open_orders.values()):
            break
        clock.advance(EngineConfig().stuck_after * 2**n + 1)
        await chaser.chase_stuck()
        await _until_quiet(venue, server)
        await loop.execute(cmds.ExpireOrders(now=clock.now(), requested_by="fault-run"))


async def fault_run(directory: Path, orders: int, seed: int = 1, concurrency: int = 20) -> FaultRun:
    """Trade ``orders`` orders through UpstoxVenue against the fake with every knob on; settle; check."""
    started = time.perf_counter()
    result = FaultRun(orders=orders)
    with FakeUpstoxServer() as server:
        server.fake.issue_token("fault-run-token")
        server.fake.faults.update(seed=seed, **EVERY_KNOB)
        clock = FakeClock(MORNING)
        instruments = load_instruments()
        venue = UpstoxVenue(fast_config(server, access_token="fault-run-token"), directory, instruments, clock)
        ledger = Ledger()
        prices = FixedPrices(dict(PRICES))
        risk = RiskGate(ledger, instruments, prices, clock, RiskLimits(allow_short=True))
        engine = OrderEngine(ledger, instruments, prices, clock, venue.id, Counter(), risk=risk)
        db = make_engine(fresh_store(directory))
        journal = SqlJournal(db)
        loop = EngineLoop(engine, journal, {venue.id: venue}, _NoSink())
        await venue.start(loop.report)
        await loop.start()
        try:
            await loop.execute(cmds.OpenAccount(account=ACCOUNT, balances={"INR": Decimal("100000000")}))
            rng = random.Random(seed)
            limit = asyncio.Semaphore(concurrency)
            await asyncio.gather(*(_scenario(loop, server, random.Random(rng.random()), limit)
                                   for _ in range(orders)))
            await _settle(loop, venue, server, clock)
            truth = UpstoxTruth(server.fake.exchange, ACCOUNT, SYMBOLS)
            events = list(journal.read_events())
            result.duplicates = truth.duplicates()
            result.problems += orders_match_venue(ledger, truth)
            result.problems += books_match_fills(ledger, events, truth)
            result.problems += [f"db check: {p}" for p in store_check(db)]
            rebuilt = Ledger()
            rebuilt.replay(events)
            result.problems += [f"restart: {p}" for p in same_state(ledger, rebuilt)]
            missing = [o for o in ledger.orders if not server.fake.exchange.by_tag(OrderId(o))
                       and not ledger.orders[o].status.is_terminal]
            result.problems += [f"order {o}: open here, unknown at upstox" for o in missing]
            result.stats = {"lookups": venue.actions.lookups, "resends": venue.actions.resends,
                            "retries": venue.http.retries, "stale_updates": venue.applier.stale,
                            "stream_connects": venue.stream.connects, "upstox_orders": len(server.fake.exchange.orders),
                            "trades": len(server.fake.exchange.trades)}
        finally:
            await loop.stop()
            await venue.stop()
            db.dispose()
    result.seconds = time.perf_counter() - started
    return result
