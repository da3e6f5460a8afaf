"""Part of the composition root: the fold (the ledger and everything subscribed to it), built and restored.

Everything that listens to the ledger is wired before the state is loaded, so that a replay (or a snapshot
restore, which hands each state part its own state) brings all of it back. A snapshot whose restored fold
disagrees with the committed projections is skipped: the fold is built afresh and the next one tried.
"""

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine

from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.snapshot_restore import Discarded, Restored, disagreements, restore
from ordergate.adapters.store.snapshots import SqlSnapshots
from ordergate.collector import collector_paused
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
