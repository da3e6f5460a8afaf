"""Start from a snapshot: load the newest valid one into a fresh, wired ledger and replay the journal after it.

A snapshot is ignored, with a warning naming why, when its sequence number is beyond the journal's end, its
checksum does not match its body, its schema is not this version's, it does not decode into the state parts
this wiring keeps, or (``disagreements``, once restored and the tail replayed) the fold it gives differs
from the projections the journal's writer committed: balances, positions, the number of orders and every
open order. Then the next older one is tried, and at last the whole journal is replayed.
"""

from collections.abc import Collection
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine, func, select

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.journal import SqlJournal
from ordergate.adapters.store.rebuild import Projection, differences
from ordergate.adapters.store.rows import balance_rows, position_row
from ordergate.adapters.store.snapshot_codec import FoldCopy, SnapshotRefused, decode, orders_of
from ordergate.adapters.store.snapshots import SnapshotInfo, SqlSnapshots, checksum
from ordergate.domain.enums import OrderStatus
from ordergate.domain.ledger import Ledger
from ordergate.domain.ledger_state import restore_ledger

log = structlog.get_logger(__name__)
OPEN = [s.value for s in OrderStatus if not s.is_terminal]


@dataclass(frozen=True, slots=True)
class Restored:
    """How a ledger was rebuilt: from which snapshot (None: the whole journal), and how many events replayed."""

    snapshot_id: int | None
    snapshot_seq: int
    replayed: int


class Discarded(Exception):
    """A snapshot turned out unusable after the ledger was partly filled from it: build a fresh fold, skip it."""

    def __init__(self, snapshot_id: int, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.snapshot_id, self.seq, self.reason = snapshot_id, seq, reason


def restore(journal: SqlJournal, snapshots: SqlSnapshots, ledger: Ledger, skip: Collection[int] = ()) -> Restored:
    """Restore the newest usable snapshot not in ``skip`` into the fresh ``ledger``, then replay the tail.

    With none usable, replay the whole journal. Raise Discarded if one fails once the ledger was touched.
    The caller checks ``disagreements`` afterwards.
    """
    end = journal.last_seq()
    for info in snapshots.newest_first():
        if info.id in skip:
            continue
        try:
            copy = load(snapshots, info, end, ledger)
        except SnapshotRefused as e:
            log.warning("snapshot_ignored", snapshot=info.id, seq=info.seq, reason=str(e))
            continue
        try:
            apply(copy, ledger)
        except SnapshotRefused as e:
            raise Discarded(info.id, info.seq, str(e)) from e
        return Restored(info.id, info.seq, ledger.replay(journal.read_events(after_seq=copy.seq)))
    return Restored(None, 0, ledger.replay(journal.read_events()))


def load(snapshots: SqlSnapshots, info: SnapshotInfo, journal_end: int, ledger: Ledger) -> FoldCopy:
    """Read and check one snapshot for ``ledger``'s wiring; raise SnapshotRefused naming what is wrong."""
    if info.seq > journal_end:
        raise SnapshotRefused(f"seq: {info.seq} is beyond the journal's last event {journal_end}")
    body = snapshots.body(info.id)
    if checksum(body) != info.checksum:
        raise SnapshotRefused("checksum: the body does not match its checksum")
    copy = decode(body, ledger.state_parts)
    if copy.seq != info.seq:
        raise SnapshotRefused(f"seq: stored as {info.seq}, the body says {copy.seq}")
    return copy


def apply(copy: FoldCopy, ledger: Ledger) -> None:
    """Restore a decoded snapshot into a fresh ledger and its state parts (the ledger first: parts read it)."""
    restore_ledger(ledger, copy.ledger, orders_of(copy))
    for name, part in ledger.state_parts.items():
        part.restore_state(copy.parts[name])


def disagreements(engine: Engine, ledger: Ledger, limit: int = 20) -> list[str]:
    """Return where the ledger differs from the committed projections (empty when it agrees)."""
    want, have = Projection(), Projection()
    want.add(t.balances, (b for a in ledger.accounts.values() for b in balance_rows(a)))
    want.add(t.positions, (position_row(p) for p in ledger.positions.values()))
    o = t.orders.c
    with engine.connect() as conn:
        have.add(t.balances, (tuple(r) for r in conn.execute(select(t.balances))))
        have.add(t.positions, (tuple(r) for r in conn.execute(select(t.positions))))
        stored = (conn.execute(select(func.count()).select_from(t.orders)).scalar_one()
                  + conn.execute(select(func.count()).select_from(t.orders_archive)).scalar_one())
        working = {r.id: (r.status, r.filled_qty) for r in conn.execute(
            select(o.id, o.status, o.filled_qty).where(o.status.in_(OPEN)))}
    found = differences(want, have, limit)
    held = len(ledger.orders) + ledger.ended.total()  # in memory, and those that left it
    if stored != held:
        found.append(f"orders: {held} in the fold, {stored} stored")
    mine = {order.id: (order.status.value, order.filled_qty) for order in ledger.open_orders.values()}
    if mine != working:
        wrong = sorted(set(mine.items()) ^ set(working.items()), key=str)[:limit]
        found.append(f"open orders differ: {', '.join(str(w) for w in wrong)}")
    return found
