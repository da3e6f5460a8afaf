"""A fault run: many orders through the whole server (in process) to the fake Alpaca with every fault knob
on, then a comparison of the two sides: duplicate orders at Alpaca, final states, positions and cash.

Used by a short test in the suite and by bench/alpaca_faults.py for the long run.
"""

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from ordergate.bootstrap import stop
from ordergate.config import Settings
from ordergate.entrypoints.api.app import create_app, start_for_api
from tests.fakes.alpaca import FakeAlpacaServer
from tests.fakes.alpaca.book import FakeQuote
from tests.fakes.alpaca.model import FakeOrder
from tests.fakes.alpaca.server import KEY_ID, SECRET_KEY

KEY = "alpaca-fault-run-admin-key-0123"
FINAL = {"filled": "filled", "canceled": "canceled", "rejected": "rejected", "expired": "expired"}


@dataclass
class FaultRun:
    """What happened: counts of each side's outcome and of every disagreement."""

    orders: int = 0
    duplicates_at_alpaca: int = 0
    state_mismatches: list[str] = field(default_factory=list)
    filled_qty_mismatches: list[str] = field(default_factory=list)
    position_ours: str = ""
    position_alpaca: str = ""
    cash_change_ours: str = ""
    cash_change_alpaca: str = ""
    faults_armed: Counter[str] = field(default_factory=Counter)
    our_states: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def figures(self) -> dict[str, Any]:
        """Return the figures as one JSON-able object (mismatch lists cut to their first few)."""
        return {
            "orders": self.orders, "duplicates_at_alpaca": self.duplicates_at_alpaca,
            "state_mismatches": len(self.state_mismatches), "state_mismatch_examples": self.state_mismatches[:5],
            "filled_qty_mismatches": len(self.filled_qty_mismatches),
            "position_ours": self.position_ours, "position_alpaca": self.position_alpaca,
            "cash_change_ours": self.cash_change_ours, "cash_change_alpaca": self.cash_change_alpaca,
            "faults_armed": dict(self.faults_armed), "our_states": dict(self.our_states),
            "seconds": round(self.seconds, 1),
        }


def settings_for(fake: FakeAlpacaServer, data_dir: Path) -> Settings:
    """Return settings routing AAPL to the fake with short timeouts and a budget the run cannot exhaust."""
    alpaca = {"key_id": KEY_ID, "secret_key": SECRET_KEY, "base_url": fake.base_url, "data_url": fake.base_url,
              "data_stream_url": fake.data_stream_url("iex"), "timeout": 1.0, "backoff_initial": 0.02,
              "backoff_max": 0.3, "requests_per_minute": 10_000, "max_attempts": 8}
    return Settings(_env_file=None, data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'ordergate.db'}",
                    admin_key=KEY, routes={"AAPL": "alpaca"}, venues={"alpaca": alpaca},  # type: ignore[arg-type]
                    engine={"stuck_after": 1.0, "monitor_interval": 0.5})  # type: ignore[arg-type]


async def run(n: int, data_dir: Path, seed: int = 7, stream_drops: bool = True, settle: float = 60.0) -> FaultRun:
    """Send ``n`` orders with faults on; let both sides settle (``settle`` seconds at most); compare them."""
    rng = random.Random(seed)
    result = FaultRun(orders=n)
    started = time.monotonic()
    async with FakeAlpacaServer() as fake:
        broker = fake.broker
        broker.cash = Decimal(10_000_000)
        broker.faults.update({"rate_limit": 1_000_000, "fill_chunk": "2", "duplicate_events": True,
                              "reorder_events": True, "stream_delay": 0.001, "hang_seconds": 1.5})
        broker.set_quote(FakeQuote("AAPL", Decimal("100.00"), Decimal("100.10"), Decimal(50), Decimal(50)))
        container = await start_for_api(settings_for(fake, data_dir))
        app = create_app(container.settings, container)
        try:
            async with app.router.lifespan_context(app), httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://ordergate.test",
                    headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as client:
                cash_before = await _cash(client)
                chaos = asyncio.create_task(_chaos(fake, rng, result, stream_drops))
                ids = await _trade(client, n, rng, fake if stream_drops else None, result)
                chaos.cancel()
                broker.faults.update({"duplicate_events": False, "reorder_events": False, "stream_delay": 0.0,
                                      "http_5xx": 0, "http_429": 0, "hang_requests": 0, "drop_create_answer": 0,
                                      "hang_create_answer": 0})
                await _settle(container, broker, ids, settle)
                _compare(container, broker, ids, result)
                position = [p for p in (await client.get("/api/v1/orders/positions/current")).json()
                            if p["symbol"] == "AAPL"]
                result.position_ours = position[0]["qty"] if position else "0"
                result.cash_change_ours = str(await _cash(client) - cash_before)
        finally:
            await stop(container)
        alpaca_position = broker.positions.get("AAPL")
        result.position_alpaca = str(alpaca_position.qty if alpaca_position else 0)
        result.cash_change_alpaca = str(broker.cash - Decimal(10_000_000))
        counts = Counter(o.client_order_id for o in broker.orders.values() if o.replaces is None)
        result.duplicates_at_alpaca = sum(c - 1 for c in counts.values() if c > 1)
    result.seconds = time.monotonic() - started
    return result


async def _cash(client: httpx.AsyncClient) -> Decimal:
    account = (await client.get("/api/v1/accounts/PAPER")).json()
    return Decimal(account["balances"]["USD"]["cash"])


async def _chaos(fake: FakeAlpacaServer, rng: random.Random, result: FaultRun, stream_drops: bool) -> None:
    """Arm a random fault every few milliseconds, move the market, and drop the streams now and then."""
    knobs = ["http_5xx", "http_429", "hang_requests", "drop_create_answer", "hang_create_answer"]
    faults, ticks = fake.broker.faults, 0
    while True:
        await asyncio.sleep(0.02)
        ticks += 1
        if rng.random() < 0.3:
            knob = rng.choice(knobs)
            setattr(faults, knob, getattr(faults, knob) + 1)
            result.faults_armed[knob] += 1
        if ticks % 5 == 0:
            bid = Decimal("99.80") + Decimal(rng.randint(0, 40)) / 100
            fake.broker.set_quote(FakeQuote("AAPL", bid, bid + Decimal("0.10"), Decimal(50), Decimal(50)))
        if stream_drops and ticks % 50 == 0:
            await fake.app.state.trades.drop_all()
            await fake.app.state.data.drop_all()
            result.faults_armed["stream_drop"] += 1


async def _trade(client: httpx.AsyncClient, n: int, rng: random.Random, drop: FakeAlpacaServer | None,
                 result: FaultRun) -> list[str]:
    """Submit ``n`` orders of five kinds, 10 at a time; cancel or modify some of the resting ones; drop the
    streams once halfway (``drop``), whatever the chaos timer does, so that every run has a drop."""
    ids: list[str] = []

    async def one(i: int) -> None:
        kind = i % 5
        side = "buy" if rng.random() < 0.6 else "sell"
        body: dict[str, Any] = {"account": "PAPER", "symbol": "AAPL", "side": side, "qty": str(rng.randint(1, 5)),
                                "type": "market", "client_order_id": f"fr-{i}"}
        if kind >= 2:
            price = Decimal("99.95") + Decimal(rng.randint(-20, 20)) / 100
            body.update(type="limit", limit_price=str(price), time_in_force="ioc" if kind == 4 else "gtc")
        answer = await client.post("/api/v1/orders/", json=body)
        if answer.status_code not in (200, 201):
            return
        order_id = answer.json()["id"]
        ids.append(order_id)
        if kind in (2, 3):
            await asyncio.sleep(rng.uniform(0.05, 0.3))
            if kind == 2:
                await client.delete(f"/api/v1/orders/{order_id}")
            else:
                await client.patch(f"/api/v1/orders/{order_id}", json={"qty": str(rng.randint(5, 8))})

    for batch in range(0, n, 10):
        if drop is not None and batch == n // 20 * 10:
            await drop.app.state.trades.drop_all()
            result.faults_armed["stream_drop"] += 1
        await asyncio.gather(*(one(i) for i in range(batch, min(batch + 10, n))))
    return ids


async def _settle(container: Any, broker: Any, ids: list[str], timeout: float = 60.0) -> None:
    """Wait until every order agrees with Alpaca (or ``timeout``); cancel what still works at both ends."""
    deadline = time.monotonic() + timeout / 2
    while time.monotonic() < deadline and _disagreeing(container, broker, ids):
        await asyncio.sleep(0.25)
    for _ in range(3):  # leave nothing working (a replacement may appear after a sweep): final states compare
        for order in broker.open_orders():
            if order.status != "pending_replace":
                broker.cancel(order.id)
        await asyncio.sleep(0.2)
    deadline = time.monotonic() + timeout / 2
    while time.monotonic() < deadline and _disagreeing(container, broker, ids):
        await asyncio.sleep(0.25)


def _alpaca_final(broker: Any, client_order_id: str) -> tuple[str, Decimal] | None:
    """Return the chain's status and total filled at the fake for one of our orders, None if it has none."""
    order: FakeOrder | None = broker.by_client_id.get(client_order_id)
    if order is None:
        return None
    filled = order.filled_qty
    while order.replaced_by is not None:
        order = broker.orders[order.replaced_by]
        filled += order.filled_qty
    return FINAL.get(order.status, "open"), filled


def _disagreeing(container: Any, broker: Any, ids: list[str]) -> int:
    orders = container.engine.ledger.orders
    count = 0
    for order_id in ids:
        ours = orders[order_id]
        theirs = _alpaca_final(broker, ours.client_order_id)
        ours_state = FINAL.get(ours.status.value, "open")
        if theirs is None:
            count += ours_state != "rejected"
        elif (ours_state, ours.filled_qty) != theirs:
            count += 1
    return count


def _compare(container: Any, broker: Any, ids: list[str], result: FaultRun) -> None:
    orders = container.engine.ledger.orders
    for order_id in ids:
        ours = orders[order_id]
        result.our_states[ours.status.value] += 1
        theirs = _alpaca_final(broker, ours.client_order_id)
        ours_state = FINAL.get(ours.status.value, "open")
        if theirs is None:
            if ours_state != "rejected":
                result.state_mismatches.append(f"{order_id}: ours {ours.status.value}, none at alpaca")
            continue
        if ours_state != theirs[0]:
            result.state_mismatches.append(f"{order_id}: ours {ours.status.value}, alpaca {theirs[0]}")
        if ours.filled_qty != theirs[1]:
            result.filled_qty_mismatches.append(f"{order_id}: ours {ours.filled_qty}, alpaca {theirs[1]}")
