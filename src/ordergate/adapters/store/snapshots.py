"""SqlSnapshots: snapshot bodies in the ``snapshots`` table, with the journal position each covers."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, desc, func, select

from ordergate.adapters.store import tables as t

KEEP = 2  # the newest snapshots kept: if the newest cannot be used, the one before it still saves a full replay


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """One stored snapshot, without its body."""

    id: int
    seq: int
    schema_version: int
    created_at: datetime
    checksum: str
    size: int


def checksum(body: bytes) -> str:
    """Return the checksum stored beside a body (sha256, hex)."""
    return hashlib.sha256(body).hexdigest()


class SqlSnapshots:
    """Save, list and read snapshots of the fold."""

    def __init__(self, engine: Engine, keep: int = KEEP) -> None:
        self.engine = engine
        self.keep = keep

    def save(self, seq: int, schema_version: int, body: bytes, now: datetime) -> int:
        """Store a snapshot, drop all but the newest ``keep``; return its id."""
        with self.engine.begin() as conn:
            new_id: int = conn.execute(t.snapshots.insert().values(
                seq=seq, schema_version=schema_version, created_at=now, checksum=checksum(body), size=len(body),
                body=body,
            ).returning(t.snapshots.c.id)).scalar_one()
            kept = select(t.snapshots.c.id).order_by(desc(t.snapshots.c.id)).limit(self.keep)
            conn.execute(delete(t.snapshots).where(t.snapshots.c.id.not_in(kept.scalar_subquery())))
        return new_id

    def newest_first(self) -> Iterator[SnapshotInfo]:
        """Yield the stored snapshots, newest first, without their bodies."""
        c = t.snapshots.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.id, c.seq, c.schema_version, c.created_at, c.checksum, c.size)
                                .order_by(desc(c.id))).all()
        for row in rows:
            yield SnapshotInfo(*row)

    def body(self, snapshot_id: int) -> bytes:
        """Return a snapshot's body."""
        with self.engine.connect() as conn:
            body: bytes = conn.execute(select(t.snapshots.c.body).where(t.snapshots.c.id == snapshot_id)).scalar_one()
        return bytes(body)

    def count(self) -> int:
        """Return how many snapshots are stored."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.snapshots)).scalar_one())
