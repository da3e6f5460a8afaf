"""Run the real engine (OrderEngine, EngineLoop, SqlJournal on SQLite) against the ScriptableVenue.

``run_schedule`` plays a schedule step by step (the engine settles after each), checks that no cash
account reserves more than its cash after every step, lets everything settle (the venue answers what
waits, a status pass tells the engine what was dropped), then checks the final invariants, the store
check and a restart. Every broken invariant is a readable line in ``KitRun.problems``.
"""

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine

from ordergate.adapters.instruments_file import load_instruments
from ordergate.adapters.store.check import check as store_check
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.journal import SqlJournal
from ordergate.config import EngineConfig
from ordergate.domain import commands as cmds
from ordergate.domain.events import Event
from ordergate.domain.ids import AccountId, OrderId
from ordergate.domain.ledger import Ledger
from ordergate.domain.order import Order
from ordergate.domain.reports import FillReport, OrderStatusReport, Report
from ordergate.domain.risk.limits import RiskLimits
from ordergate.service.background import BackgroundWork
from ordergate.service.engine import OrderEngine, snapshot
from ordergate.service.engine_loop import EngineLoop
from ordergate.service.ports import Clock, Venue
from ordergate.service.reconcile import Reconciler
from ordergate.service.risk_gate import RiskGate
from tests.conformance import schedule as sc
from tests.conformance.invariants import books_match_fills, orders_match_venue, reserved_within_cash, same_state
from tests.conformance.steps import StepRunner
from tests.conformance.store import fresh_store
from tests.conformance.truth import VenueTruth
from tests.conformance.venue import DEFAULT_REFERENCE, ScriptableVenue
from tests.fakes.clock import FakeClock
from tests.fakes.prices import FixedPrices
from tests.unit.builders import ACCOUNT, T0, Counter

E = TypeVar("E", bound=Event)
SETTLE_ROUNDS = 4
CHASE_ROUNDS = 4  # the engine re-asks and re-sends with backoff: time moves on by doubling steps
TIMING = EngineConfig()


class _NoSink:
    def publish(self, events: Iterable[Event]) -> None:
        """Drop published events: the journal keeps them."""


@dataclass
class KitRun:
    """A running engine over a SQLite journal, its scriptable venue, and what the run found."""

    loop: EngineLoop
    venue: Venue  # the ScriptableVenue, or a broker adapter against its fake
    clock: Clock  # a FakeClock lets settling move time on to chase lost requests
    db: Engine
    journal: SqlJournal
    truth: VenueTruth | None = None  # what the venue says happened (None: the venue is its own oracle)
    ids: dict[int, OrderId] = field(default_factory=dict)  # schedule index -> the engine's order id
    refused: list[str] = field(default_factory=list)  # client steps the engine refused, and why
    unreserved: set[AccountId] = field(default_factory=set)  # accounts that took a fill no reservation covered
    problems: list[str] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # the journal, as the final check read it

    @property
    def scriptable(self) -> ScriptableVenue:
        """Return the venue as the kit's ScriptableVenue (schedules script only that one)."""
        assert isinstance(self.venue, ScriptableVenue), "schedules need the ScriptableVenue"
        return self.venue

    @property
    def oracle(self) -> VenueTruth:
        """Return what the venue says happened."""
        if self.truth is not None:
            return self.truth
        assert isinstance(self.venue, ScriptableVenue), "a broker adapter's run needs its fake's truth"
        return self.venue

    @property
    def ledger(self) -> Ledger:
        """Return the engine's state."""
        return self.loop.engine.ledger

    def order(self, i: int) -> Order:
        """Return the engine's order for schedule index ``i``."""
        return self.ledger.orders[self.ids[i]]

    def journaled(self, i: int, kind: type[E]) -> list[E]:
        """Return the journal's events of one type for order ``i`` (read by the final check)."""
        return [e for e in self.events if isinstance(e, kind) and getattr(e, "order_id", None) == self.ids[i]]

    async def barrier(self) -> None:
        """Return once every message queued so far is handled and committed (a no-op command behind them)."""
        await self.loop.execute(cmds.ExpireOrders(now=self.clock.now(), requested_by="kit"))

    async def send(self, reports: Iterable[Report]) -> None:
        """Deliver reports to the engine past the outbox, then wait until they are committed."""
        for report in reports:
            self.note_delivery(report)
            if isinstance(self.venue, ScriptableVenue):
                self.venue.send(report)
            else:
                self.loop.report(report)
        await self.barrier()

    def note_delivery(self, report: Report) -> None:
        """Remember an account that gets a fill for an order the engine has closed (a late fill, or a status
        whose cumulative quantity runs ahead of a closed order's): no reservation covers what it costs."""
        order = self.ledger.orders.get(report.order_id)
        if order is None or not order.status.is_terminal:
            return
        ahead = isinstance(report, OrderStatusReport) and (report.filled_qty or 0) > order.filled_qty
        if isinstance(report, FillReport) or ahead:
            self.unreserved.add(order.account)

    def check_step(self, label: str) -> None:
        """Record any cash account reserving more than its cash now."""
        self.problems += [f"after {label}: {p}" for p in reserved_within_cash(self.ledger, self.unreserved)]

    async def settle(self) -> None:
        """Let the venue answer everything and deliver what waits; tell the engine what was dropped (status
        answers); then let time pass so the engine chases what is still pending (lost requests)."""
        await self._answer_and_deliver()
        dropped = self.venue.dropped if isinstance(self.venue, ScriptableVenue) else []
        asked = {r.order_id for r in dropped} | set(self.ledger.open_orders)
        for order_id in sorted(asked):
            order = self.ledger.orders.get(order_id)
            if order is not None and order.venue == self.venue.id:
                await self.send(await self.venue.status(snapshot(order)))
        chaser = BackgroundWork(self.loop, {self.venue.id: self.venue}, self.clock, TIMING)
        for n in range(CHASE_ROUNDS):
            if not isinstance(self.clock, FakeClock) or not any(
                    o.status.is_pending for o in self.ledger.open_orders.values()):
                break
            self.clock.advance(TIMING.stuck_after * 2**n + 1)
            await chaser.chase_stuck()
            await self.barrier()
            await self._answer_and_deliver()
        self.check_step("settling")

    async def _answer_and_deliver(self) -> None:
        venue = self.venue
        if not isinstance(venue, ScriptableVenue):
            return  # a broker's fake answers on its own
        for _ in range(SETTLE_ROUNDS):
            venue.answer_everything()
            if not venue.outbox:
                return
            reports, venue.outbox = venue.outbox, []
            await self.send(reports)

    async def restart(self) -> None:
        """Stop the engine gracefully and start a new one from the journal; it reconciles with the venue at
        start, as the server does (reports still in the venue's outbox reach the new engine later)."""
        await self.loop.stop()
        self.loop = await _start_engine(self.journal, self.venue, self.clock)
        await Reconciler(self.loop, {self.venue.id: self.venue}, self.clock).run_all("start")
        await self.barrier()

    async def quiesce(self) -> None:
        """Stop the venue (a broker's fake may still be sending duplicates), then let the engine commit all."""
        await self.venue.stop()
        await self.barrier()

    def check_final(self) -> None:
        """Record every final invariant broken: venue truth, books, reservations, store check, restart."""
        self.events = events = list(self.journal.read_events())
        seqs = [e.seq for e in events]
        if seqs != list(range(1, len(seqs) + 1)):
            self.problems.append(f"journal sequence has gaps: {len(seqs)} events, last seq {seqs[-1:]}")
        if self.ledger.last_seq != (seqs[-1] if seqs else 0):
            self.problems.append(f"memory at seq {self.ledger.last_seq}, journal at {seqs[-1:]}")
        if not self.loop.running:
            self.problems.append(f"the engine stopped: {self.loop.failure}")
        self.problems += orders_match_venue(self.ledger, self.oracle, self.venue.id)
        self.problems += books_match_fills(self.ledger, events, self.oracle)
        self.problems += [f"db check: {p}" for p in store_check(self.db)]
        rebuilt = Ledger()
        rebuilt.replay(events)
        self.problems += [f"restart: {p}" for p in same_state(self.ledger, rebuilt)]

    async def close(self) -> None:
        """Stop the engine and the venue; close the database."""
        with contextlib.suppress(Exception):
            await self.loop.stop()
        with contextlib.suppress(Exception):
            await self.venue.stop()
        self.db.dispose()


async def start_kit(directory: Path, cash: str = "20000", commission: str = "0", venue: Venue | None = None,
                    truth: VenueTruth | None = None, clock: Clock | None = None,
                    cumulative_in_events: bool = True) -> KitRun:
    """Start an engine on a fresh SQLite store with account ACC (a cash account: buying power enforced).

    Orders go to ``venue`` (a broker adapter, with its fake's ``truth``), else to a new ScriptableVenue.
    """
    clock = clock or FakeClock(T0)
    venue = venue or ScriptableVenue(clock, commission=Decimal(commission), cumulative_in_events=cumulative_in_events)
    db = make_engine(fresh_store(directory))
    journal = SqlJournal(db)
    loop = await _start_engine(journal, venue, clock)
    await loop.execute(cmds.OpenAccount(account=ACCOUNT, balances={"USD": Decimal(cash)}))
    return KitRun(loop, venue, clock, db, journal, truth)


async def _start_engine(journal: SqlJournal, venue: Venue, clock: Clock) -> EngineLoop:
    """Build the engine as the server does (risk gate, engine, replay of the journal, loop, reconciler), start
    it and point the venue at it; return the loop."""
    prices = FixedPrices(dict(DEFAULT_REFERENCE))
    ledger, instruments = Ledger(), load_instruments()
    risk = RiskGate(ledger, instruments, prices, clock, RiskLimits(enforce_buying_power=True, allow_short=True))
    ids = Counter()
    engine = OrderEngine(ledger, instruments, prices, clock, venue.id, ids, risk=risk)
    ledger.replay(journal.read_events())  # subscribed first: risk usage and expiry timers rebuild with it
    ids.n = len(ledger.orders)  # a restarted engine makes fresh ids
    loop = EngineLoop(engine, journal, {venue.id: venue}, _NoSink())
    Reconciler(loop, {venue.id: venue}, clock)  # listens for reconnects, as the server's does
    await venue.start(loop.report)
    await loop.start()
    return loop


async def play(run: KitRun, schedule: sc.Schedule, steps: Iterable[sc.Step] | None = None) -> None:
    """Play a schedule's steps (or ``steps`` of it), checking reservations after each."""
    runner = StepRunner(run, schedule)
    for n, step in enumerate(schedule.steps if steps is None else steps):
        await runner.play(step)
        run.check_step(f"step {n} {step}")


async def finish(run: KitRun) -> list[str]:
    """Settle and check the final invariants; return every problem the run found."""
    await run.settle()
    await run.quiesce()
    run.check_final()
    return run.problems


async def run_schedule(schedule: sc.Schedule, directory: Path, commission: str = "0") -> KitRun:
    """Play a schedule against a fresh engine, settle, check everything; return the stopped run."""
    run = await start_kit(directory, str(schedule.cash), commission,
                          cumulative_in_events=schedule.cumulative_in_events)
    try:
        await play(run, schedule)
        await finish(run)
    finally:
        await run.close()
    return run
