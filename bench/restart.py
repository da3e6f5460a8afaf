"""Restart with a large journal: time from process start-up work to "serving" (bootstrap.start returning).

A journal of ``--events`` events (default 1,000,000) is made once by the real OrderEngine writing through
the real SqlJournal on SQLite (group commits of a few hundred events), then cached in the temp directory,
keyed by its size. The mix: 100 accounts (USD and INR cash), the 7 shipped instruments, limit and market
orders, acknowledgements, partial and full fills, cancels (requested and confirmed), venue rejects, risk
denials and a few risk limit changes; a few hundred orders stay working at the end. The clock moves 20 ms
per read, so the journal spans several trading days (daily risk counters roll over during replay).

Timed, each on a fresh copy of the cached database, the whole start first:
  * ``start``, before and after in the same run: the whole ``bootstrap.start`` (migration check, replay,
    venue, engine loop, default account, API keys, background work) until it returns, i.e. until the server
    could answer; first on the journal alone (a full replay), then, after a clean stop (which writes a
    snapshot of the fold: its size and how long its copy held the engine are printed), from that snapshot
    and the journal after it. The second start's fold must equal the fold the first one stopped with;
  * ``read_decode``: ``SqlJournal.read_events`` alone (read + decode of every event);
  * ``replay``: ``bootstrap.replay`` into a Ledger with everything ``bootstrap.start`` subscribes to it
    (risk gate, order engine, order statistics).
The replay run checks that the rebuilt ledger matches the ledger that wrote the journal (orders, positions, cash).

Run:  .venv/bin/python bench/restart.py [--events N] [--rebuild]
"""

import argparse
import asyncio
import gc
import json
import logging
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import structlog

import machine  # beside this file: the machine speed printed with the figures
from ordergate import bootstrap
from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.migrate import upgrade_to_head
from ordergate.adapters.store.snapshot_check import compare
from ordergate.adapters.store.snapshot_codec import take
from ordergate.config import Settings
from ordergate.domain.commands import CancelOrder, OpenAccount, SetRiskLimits, SubmitOrder
from ordergate.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from ordergate.domain.ids import AccountId, FillId, Symbol, VenueId, VenueOrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.reports import FillReport, OrderStatusReport
from ordergate.domain.risk.usage_state import TradingDay
from ordergate.service.engine import OrderEngine
from ordergate.service.ids import OrderIdGenerator
from ordergate.service.order_stats import OrderStats
from ordergate.service.outcome import Outcome
from ordergate.service.ports import CommitBatch, Quote
from ordergate.service.risk_gate import RiskGate

T0 = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
PAPER = VenueId("paper")
ACCOUNTS = [AccountId(f"ACC{i:03d}") for i in range(100)]
BATCH_EVENTS = 400  # events per group commit while building
WORKING = 400  # orders kept in flight while building (and left working at the end)
PRICES = {"AAPL": "230.00", "MSFT": "420.00", "NVDA": "120.00", "SPY": "580.00", "RELIANCE": "2900.00",
          "INFY": "1800.00", "TCS": "4100.00"}


class StepClock:
    """A clock that moves 20 ms each time it is read: deterministic, and spans days over a big journal."""

    def __init__(self) -> None:
        self.ticks = 0

    def now(self) -> datetime:
        """Return the next instant."""
        self.ticks += 1
        return T0 + timedelta(milliseconds=20 * self.ticks)


class FixedPrices:
    """Each symbol at its fixed price, never stale."""

    def quote(self, symbol: Symbol) -> Quote | None:
        """Return a quote at the fixed price."""
        price = Decimal(PRICES[symbol])
        return Quote(symbol, price, Decimal(100), price, Decimal(100), T0)

    def reference_price(self, symbol: Symbol) -> Decimal | None:
        """Return the fixed price."""
        return Decimal(PRICES[symbol])

    def is_stale(self, symbol: Symbol, now: datetime | None = None) -> bool:
        """Return False: the price never ages."""
        return False


class Builder:
    """Drive the real engine through order lifecycles and write every event through the real journal."""

    def __init__(self, journal: SqlJournal, seed: int = 7) -> None:
        self.clock = StepClock()
        self.engine = OrderEngine(Ledger(), load_instruments(), FixedPrices(), self.clock, PAPER,
                                  OrderIdGenerator(T0))
        self.journal = journal
        self.rng = random.Random(seed)
        self.symbols = [Symbol(s) for s in PRICES]
        self.pending: list[Outcome] = []
        self.events = 0
        self.fills = 0
        self.working: list[list[Any]] = []  # [order id, remaining steps]

    def run(self, target: int) -> None:
        """Make events until about ``target`` are journaled."""
        for account in ACCOUNTS:
            self._do(OpenAccount(account=account, balances={"USD": Decimal("1e12"), "INR": Decimal("1e13")}))
        self._do(SetRiskLimits(account=None, changes={"max_order_qty": "5000"}, requested_by="bench"))
        while self.events + self._pending_events() < target:
            if len(self.working) < WORKING:
                self._submit()
            else:
                self._step(self.rng.randrange(len(self.working)))
            if self._pending_events() >= BATCH_EVENTS:
                self._commit()
        self._commit()

    def _pending_events(self) -> int:
        return sum(len(o.events) for o in self.pending)

    def _do(self, message: object) -> Outcome:
        outcome = self.engine.handle(message)
        self.pending.append(outcome)
        return outcome

    def _commit(self) -> None:
        changes = self.engine.ledger.take_changes()
        events = [e for o in self.pending for e in o.events]
        batch = CommitBatch(events, list(changes.orders.values()), list(changes.positions.values()),
                            list(changes.accounts.values()))
        self.journal.commit(self.journal.prepare(batch))
        self.events += len(events)
        self.pending = []

    def _submit(self) -> None:
        rng = self.rng
        symbol = rng.choice(self.symbols)
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        qty = Decimal(rng.choice((1, 5, 10, 50, 100, 250)) if rng.random() > 0.01 else 9000)  # 1%: denied
        price = Decimal(PRICES[symbol])
        if rng.random() < 0.7:
            limit = price + Decimal(rng.randint(-20, 20)) * Decimal("0.05")
            cmd = SubmitOrder(account=rng.choice(ACCOUNTS), symbol=symbol, side=side, type=OrderType.LIMIT,
                              qty=qty, limit_price=limit, tif=rng.choice((TimeInForce.DAY, TimeInForce.GTC)))
        else:
            cmd = SubmitOrder(account=rng.choice(ACCOUNTS), symbol=symbol, side=side, type=OrderType.MARKET,
                              qty=qty, tif=TimeInForce.DAY)
        outcome = self._do(cmd)
        order = outcome.reply.order
        if order.status is OrderStatus.PENDING_NEW:
            self.working.append([order.id, self._plan(qty)])

    def _plan(self, qty: Decimal) -> list[tuple[str, Decimal]]:
        """Return the rest of an order's life: ack, then fills / a cancel / a venue reject."""
        roll = self.rng.random()
        if roll < 0.04:
            return [("reject", qty)]
        if roll < 0.50:
            return [("ack", qty), ("fill", qty)]
        half = max(Decimal(1), (qty / 2).to_integral_value())
        if roll < 0.75 and half < qty:
            return [("ack", qty), ("fill", half), ("fill", qty - half)]
        if roll < 0.88 and half < qty:
            return [("ack", qty), ("fill", half), ("cancel", qty), ("canceled", qty)]
        return [("ack", qty), ("cancel", qty), ("canceled", qty)]

    def _step(self, index: int) -> None:
        order_id, plan = self.working[index]
        kind, qty = plan.pop(0)
        if not plan:
            self.working[index] = self.working[-1]
            self.working.pop()
        now = self.clock.now()
        if kind == "ack":
            self._report(OrderStatusReport(order_id=order_id, venue=PAPER, ts=now, status=OrderStatus.NEW,
                                           venue_order_id=VenueOrderId("v" + order_id)))
        elif kind == "reject":
            self._report(OrderStatusReport(order_id=order_id, venue=PAPER, ts=now, status=OrderStatus.REJECTED,
                                           reason="venue closed"))
        elif kind == "fill":
            self.fills += 1
            price = Decimal(PRICES[self.engine.ledger.orders[order_id].symbol])
            self._report(FillReport(order_id=order_id, venue=PAPER, ts=now, fill_id=FillId(f"f{self.fills}"),
                                    qty=qty, price=price, commission=Decimal("0.35")))
        elif kind == "cancel":
            self._do(CancelOrder(order_id=order_id, reason="trader", requested_by="bench"))
        else:
            self._report(OrderStatusReport(order_id=order_id, venue=PAPER, ts=now, status=OrderStatus.CANCELED))

    def _report(self, report: object) -> None:
        self._do(report)


def cached_journal(events: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """Return the cached database of about ``events`` events (building it first if needed) and its summary."""
    folder = Path(tempfile.gettempdir()) / f"ordergate-restart-{events}"
    db, summary_file = folder / "ordergate.db", folder / "summary.json"
    if summary_file.exists() and not rebuild:
        return db, json.loads(summary_file.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    url = f"sqlite:///{db}"
    upgrade_to_head(url)
    journal = SqlJournal(make_engine(url))
    started = time.perf_counter()
    builder = Builder(journal)
    builder.run(events)
    journal.engine.dispose()
    summary = {"events": builder.events, "build_s": round(time.perf_counter() - started, 1),
               "fingerprint": fingerprint(builder.engine.ledger)}
    summary_file.write_text(json.dumps(summary))
    return db, summary


def fingerprint(ledger: Ledger) -> dict[str, Any]:
    """Return totals that any correct rebuild of the ledger reproduces exactly."""
    statuses: dict[str, int] = {}
    for order in ledger.orders.values():
        statuses[order.status.value] = statuses.get(order.status.value, 0) + 1
    positions = sum((p.qty * 7 + p.realized_pnl + p.commission for p in ledger.positions.values()), Decimal(0))
    cash = sum((b.cash + b.reserved for a in ledger.accounts.values() for b in a.balances.values()), Decimal(0))
    return {"orders": len(ledger.orders), "open": len(ledger.open_orders), "statuses": statuses,
            "positions": str(positions), "cash": str(cash), "last_seq": ledger.last_seq}


def fresh_copy(db: Path, into: Path) -> Path:
    """Copy the cached database into a fresh data directory (a start appends to its journal)."""
    into.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, into / "ordergate.db")
    return into


def time_read_decode(db: Path) -> tuple[float, int]:
    """Return the seconds to read and decode every event, and the count."""
    journal = SqlJournal(make_engine(f"sqlite:///{db}"))
    started = time.perf_counter()
    count = sum(1 for _ in journal.read_events())
    took = time.perf_counter() - started
    journal.engine.dispose()
    return took, count


def time_replay(db: Path) -> tuple[float, Ledger]:
    """Return the seconds of ``bootstrap.replay`` into a ledger wired as ``bootstrap.start`` wires it."""
    journal = SqlJournal(make_engine(f"sqlite:///{db}"))
    ledger = Ledger()
    clock = StepClock()
    risk = RiskGate(ledger, load_instruments(), FixedPrices(), clock, None, TradingDay())
    OrderEngine(ledger, load_instruments(), FixedPrices(), clock, PAPER, OrderIdGenerator(T0), risk=risk)
    OrderStats(ledger)
    started = time.perf_counter()
    bootstrap.replay(journal, ledger)
    took = time.perf_counter() - started
    journal.engine.dispose()
    return took, ledger


async def _restart_twice(data_dir: Path) -> dict[str, Any]:
    """Start on the journal alone (a full replay), stop cleanly (which writes a snapshot), start again from it.

    Return both times to serving, what the snapshot cost and whether the second start's fold equals the first's.
    """
    settings = Settings(data_dir=data_dir, admin_key="restart-bench-admin-key", log_level="warning")
    started = time.perf_counter()
    container = await bootstrap.start(settings)
    full_s = time.perf_counter() - started
    started = time.perf_counter()
    await bootstrap.stop(container)
    stop_s = time.perf_counter() - started
    snapshotter = container.snapshotter
    assert snapshotter is not None and snapshotter.written == 1, "the clean stop wrote no snapshot"
    copy_s, size = snapshotter.last_copy_seconds, snapshotter.last_size
    at_stop = take(container.engine.ledger)
    del container, snapshotter
    _release()
    started = time.perf_counter()
    container = await bootstrap.start(settings)
    snapshot_s = time.perf_counter() - started
    differences = compare(at_stop, take(container.engine.ledger))
    await bootstrap.stop(container)
    _release()
    if differences:
        sys.exit(f"the start from the snapshot differs from the fold it was taken from: {differences}")
    return {"full_s": full_s, "snapshot_s": snapshot_s, "stop_s": stop_s, "copy_s": copy_s, "snapshot_bytes": size}


def main() -> None:
    """Build (or reuse) the journal, time the restart paths and print the figures, JSON last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="make the journal again even if cached")
    args = parser.parse_args()
    # reconciliation re-sends the working orders in the background: its warnings are not the figures
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    print(f"rerun: .venv/bin/python bench/restart.py --events {args.events}", flush=True)
    db, summary = cached_journal(args.events, args.rebuild)
    print(f"journal: {summary['events']:,} events in {db} (built in {summary['build_s']} s)", flush=True)
    want = summary["fingerprint"]
    with tempfile.TemporaryDirectory() as tmp:
        # the whole start first, in a process that has built nothing yet (as a real restart is)
        starts = asyncio.run(_restart_twice(fresh_copy(db, Path(tmp) / "c")))
        start_s = starts["snapshot_s"]
        print(f"bootstrap.start until serving, before (the whole journal replayed): {starts['full_s']:.2f} s",
              flush=True)
        print(f"clean stop writing the snapshot: {starts['stop_s']:.2f} s ({starts['snapshot_bytes'] / 1e6:.1f} MB; "
              f"the copy held the engine {1000 * starts['copy_s']:.0f} ms)", flush=True)
        print(f"bootstrap.start until serving, after (newest snapshot + the journal's tail): {start_s:.2f} s",
              flush=True)
        read_s, count = time_read_decode(fresh_copy(db, Path(tmp) / "a") / "ordergate.db")
        print(f"read + decode: {read_s:.2f} s ({1e6 * read_s / count:.2f} us/event)", flush=True)
        replay_s, ledger = time_replay(fresh_copy(db, Path(tmp) / "b") / "ordergate.db")
        _check(fingerprint(ledger), want, "replay")
        print(f"replay (read + decode + apply): {replay_s:.2f} s ({1e6 * replay_s / count:.2f} us/event)", flush=True)
    target = 3.0
    print(f"target serving <= {target} s: {'met' if start_s <= target else 'NOT met'}")
    print(json.dumps({
        "benchmark": "restart", "date": datetime.now(UTC).date().isoformat(), "python": platform.python_version(),
        "events": count, "read_decode_s": round(read_s, 2), "read_decode_us_per_event": round(1e6 * read_s / count, 2),
        "replay_s": round(replay_s, 2), "replay_us_per_event": round(1e6 * replay_s / count, 2),
        "start_to_serving_s": round(start_s, 2), "start_full_replay_s": round(starts["full_s"], 2),
        "speedup": round(starts["full_s"] / start_s, 1), "stop_with_snapshot_s": round(starts["stop_s"], 2),
        "snapshot_copy_ms": round(1000 * starts["copy_s"]), "snapshot_mb": round(starts["snapshot_bytes"] / 1e6, 1),
        "target_s": target, "load_average": os.getloadavg()[0],
        "orders": want["orders"], "open_orders": want["open"], "machine": machine.speed(),
    }))


def _release() -> None:
    """Free what a timed run built (``bootstrap.replay`` freezes it out of the collector; it has cycles)."""
    gc.unfreeze()
    gc.collect()


def _check(got: dict[str, Any], want: dict[str, Any], what: str) -> None:
    if got != want:
        sys.exit(f"{what}: the rebuilt ledger differs from the one that wrote the journal: {got} != {want}")


if __name__ == "__main__":
    main()
