"""Durable writes through SqlJournal: orders/s with group commit vs one commit per order.

Each order makes three events (submitted, acknowledged, filled) and touches its order, its account and
a position, as in the server. Batches hold the submits of new orders and the acks and fills of the
previous batch's orders, the mix the engine loop hands to one group commit. Timed: prepare + commit
(what the journal writer does); the engine's own work is not counted.

Run:  .venv/bin/python bench/persistence.py [--orders N] [--batch B] [--pg-url URL]
"""

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

import machine  # beside this file: the machine speed printed with the figures
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.migrate import upgrade_to_head
from ordergate.domain.commands import OpenAccount, SubmitOrder
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, FillId, OrderId, Symbol, VenueId, VenueOrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import FillReport, OrderStatusReport
from ordergate.service.engine import OrderEngine
from ordergate.service.outcome import Outcome
from ordergate.service.ports import CommitBatch, Quote

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
PRICE = Decimal("230.00")
SYMBOLS = [Symbol("AAPL"), Symbol("MSFT"), Symbol("SPY")]


class Clock:
    """A clock that moves one microsecond each time it is read, so every event has its own time."""

    def __init__(self) -> None:
        self._ticks = 0

    def now(self) -> datetime:
        """Return the next microsecond."""
        self._ticks += 1
        return T0 + timedelta(microseconds=self._ticks)


class Prices:
    """Every symbol at one price."""

    def quote(self, symbol: Symbol) -> Quote | None:
        """Return a quote at the fixed price."""
        return Quote(symbol, PRICE, Decimal(100), PRICE, Decimal(100), T0)

    def reference_price(self, symbol: Symbol) -> Decimal | None:
        """Return the fixed price."""
        return PRICE

    def is_stale(self, symbol: Symbol, now: datetime | None = None) -> bool:
        """Return False: the price never ages."""
        return False


@dataclass
class Ids:
    """Order ids o-1, o-2, ..."""

    n: int = 0

    def __call__(self) -> OrderId:
        """Return the next id."""
        self.n += 1
        return OrderId(f"o-{self.n}")


class Workload:
    """An engine making realistic batches: new submits plus the acks and fills of the last batch."""

    def __init__(self) -> None:
        self.engine = OrderEngine(Ledger(), load_instruments(), Prices(), Clock(), VenueId("paper"), Ids())
        self._last: list[OrderId] = []
        self._fills = 0
        self.opening = self.engine.handle(OpenAccount(account=AccountId("BENCH"),
                                                      balances={"USD": Decimal("1e15")}))

    def batch(self, size: int, lifecycle: bool = True) -> CommitBatch:
        """Handle ``size`` submits and (``lifecycle``) the previous batch's acks and fills; return what to commit."""
        outcomes: list[Outcome] = []
        for order_id in self._last if lifecycle else []:
            outcomes.append(self.engine.handle(OrderStatusReport(
                order_id=order_id, venue=VenueId("paper"), ts=T0, status=OrderStatus.NEW,
                venue_order_id=VenueOrderId("v" + order_id))))
            self._fills += 1
            outcomes.append(self.engine.handle(FillReport(
                order_id=order_id, venue=VenueId("paper"), ts=T0, fill_id=FillId(f"f{self._fills}"),
                qty=Decimal(10), price=PRICE, commission=Decimal("0.05"))))
        self._last = []
        for i in range(size):
            outcome = self.engine.handle(SubmitOrder(
                account=AccountId("BENCH"), symbol=SYMBOLS[i % len(SYMBOLS)], side=Side.BUY, type=OrderType.LIMIT,
                qty=Decimal(10), limit_price=PRICE, tif=TimeInForce.GTC))
            self._last.append(outcome.reply.order.id)
            outcomes.append(outcome)
        return self.take(outcomes)

    def take(self, outcomes: list[Outcome]) -> CommitBatch:
        """Return the commit batch of some outcomes with the ledger's changes."""
        changes = self.engine.ledger.take_changes()
        events = [e for o in outcomes for e in o.events]
        return CommitBatch(events, list(changes.orders.values()), list(changes.positions.values()),
                           list(changes.accounts.values()))


def run(url: str, orders: int, batch: int, lifecycle: bool = True) -> dict[str, Any]:
    """Return orders/s through the journal at ``batch`` orders per commit.

    With ``lifecycle`` each order is submitted, acknowledged and filled (three events, two order writes,
    a fill, a position); without, only submitted (what must be durable before the API answers).
    """
    upgrade_to_head(url)
    journal = SqlJournal(make_engine(url))
    work = Workload()
    journal.commit(journal.prepare(work.take([work.opening])))
    spent, events, commits = 0.0, 0, 0
    sizes = [batch] * (orders // batch) + ([orders % batch] if orders % batch else []) + ([0] if lifecycle else [])
    for size in sizes:  # the last, empty one acks and fills the orders of the one before
        todo = work.batch(size, lifecycle)
        started = time.perf_counter()
        journal.commit(journal.prepare(todo))
        spent += time.perf_counter() - started
        events += len(todo.events)
        commits += 1
    journal.engine.dispose()
    done = work.engine.ledger.orders
    want = OrderStatus.FILLED if lifecycle else OrderStatus.PENDING_NEW
    assert all(o.status is want for o in done.values()), f"every order must be {want}"
    return {"orders_per_s": round(len(done) / spent), "events_per_s": round(events / spent),
            "orders": len(done), "orders_per_commit": batch, "commits": commits, "seconds": round(spent, 2),
            "events_per_order": round(events / len(done), 2)}


def fresh_pg(admin_url: str) -> str | None:
    """Create a scratch PostgreSQL database and return its URL, or None if PostgreSQL is not reachable."""
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS og_bench_persistence WITH (FORCE)")
            conn.execute("CREATE DATABASE og_bench_persistence")
    except psycopg.Error as e:
        print(f"PostgreSQL skipped: {e}", flush=True)
        return None
    return admin_url.rsplit("/", 1)[0] + "/og_bench_persistence"


def drop_pg(admin_url: str) -> None:
    """Drop the scratch database, if PostgreSQL is there."""
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute("DROP DATABASE IF EXISTS og_bench_persistence WITH (FORCE)")
    except psycopg.Error:
        pass


def main() -> None:
    """Run the benchmark on SQLite and PostgreSQL and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=256, help="orders per group commit")
    parser.add_argument("--single", type=int, default=500, help="orders for the one-commit-per-order baseline")
    parser.add_argument("--pg-url", default=PG_ADMIN, help="PostgreSQL maintenance database URL")
    args = parser.parse_args()
    print("rerun: .venv/bin/python bench/persistence.py " + " ".join(sys.argv[1:]), flush=True)
    figures: dict[str, Any] = {"bench": "persistence"}
    cases = (("group", args.orders, args.batch, True), ("group_submit_only", args.orders, args.batch, False),
             ("single", args.single, 1, True))
    with tempfile.TemporaryDirectory() as tmp:
        for case, n, b, lifecycle in cases:
            name = f"sqlite_{case}"
            figures[name] = run(f"sqlite:///{Path(tmp) / (name + '.db')}", n, b, lifecycle)
            print(f"{name}: {figures[name]}", flush=True)
    for case, n, b, lifecycle in cases:
        name, url = f"postgres_{case}", fresh_pg(args.pg_url)
        figures[name] = run(url, n, b, lifecycle) if url else "skipped: PostgreSQL not reachable"
        print(f"{name}: {figures[name]}", flush=True)
    drop_pg(args.pg_url)
    figures["machine"] = machine.speed()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
