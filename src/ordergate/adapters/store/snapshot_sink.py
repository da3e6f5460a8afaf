"""The snapshotter's sink on the database: copy the fold with the codec, encode and save it in ``snapshots``."""

from ordergate.adapters.store.snapshot_codec import SCHEMA_VERSION, FoldCopy, encode, take
from ordergate.adapters.store.snapshots import SqlSnapshots
from ordergate.domain.ledger import Ledger
from ordergate.service.ports import Clock


class SqlSnapshotSink:
    """Take fold copies and store them as snapshots (``write`` runs on a worker thread)."""

    def __init__(self, snapshots: SqlSnapshots, clock: Clock) -> None:
        self._snapshots = snapshots
        self._clock = clock

    def take(self, ledger: Ledger) -> FoldCopy:
        """Copy the fold (between messages)."""
        return take(ledger)

    def write(self, copy: FoldCopy) -> int:
        """Encode and save a copy; return its size in bytes."""
        body = encode(copy)
        self._snapshots.save(copy.seq, SCHEMA_VERSION, body, self._clock.now())
        return len(body)
