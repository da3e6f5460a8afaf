"""Part of the composition root: the fold (the ledger and everything subscribed to it), built and restored.

Everything that listens to the ledger is wired before the state is loaded, so that a replay (or a snapshot
restore, which hands each state part its own state) brings all of it back. A snapshot whose restored fold
disagrees with the committed projections is skipped: the fold is built afresh and the next one tried.
"""

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine

from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.snapshot_restore import Discarded, Restored, disagreements, restore
from ordergate.adapters.store.snapshots import SqlSnapshots
from ordergate.domain.ledger import Ledger
from ordergate.service.engine import OrderEngine
from ordergate.service.ids import OrderIdGenerator
from ordergate.service.order_stats import OrderStats
from ordergate.service.risk_gate import RiskGate
from ordergate.service.route_log import RouteLog
from ordergate.service.router import Router
from ordergate.service.venue_stats import VenueStats
from ordergate.service.views import Views

log = structlog.get_logger(__name__)


@dataclass
class Fold:
    """The ledger and the objects that fold its events."""

    ledger: Ledger
    risk: RiskGate
    venue_stats: VenueStats
    router: Router
    engine: OrderEngine
    views: Views
    order_stats: OrderStats
    routes: RouteLog | None  # only when some instrument is routed among venues
    ids: OrderIdGenerator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic GC while a fold is built, then freeze what it built out of later collections.

    The fold makes millions of long-lived objects and no cycles: the collector's full passes over a growing
    heap would cost more than the fold itself. What it built lives as long as the process: frozen before
    collecting again, or the first young collection would scan all of it at once.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def restore_fold(build: Callable[[], Fold], journal: SqlJournal, snapshots: SqlSnapshots,
                 db: Engine) -> tuple[Fold, Restored]:
    """Build the fold and restore it from the newest usable snapshot and the journal's tail (or the journal)."""
    skip: list[int] = []
    with collector_paused():
        while True:
            fold = build()
            try:
                restored = restore(journal, snapshots, fold.ledger, skip)
            except Discarded as e:
                log.warning("snapshot_ignored", snapshot=e.snapshot_id, seq=e.seq, reason=e.reason)
                skip.append(e.snapshot_id)
                continue
            if restored.snapshot_id is None:
                return fold, restored
            found = disagreements(db, fold.ledger)
            if not found:
                return fold, restored
            log.warning("snapshot_ignored", snapshot=restored.snapshot_id, seq=restored.snapshot_seq,
                        reason="the fold disagrees with the committed projections", differences=found[:5])
            skip.append(restored.snapshot_id)
