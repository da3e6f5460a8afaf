"""SqlLeaderStore: the leader epoch row and the members' heartbeats, in PostgreSQL (see service/cluster.py)."""

from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from ordergate.adapters.store import tables as t
from ordergate.service.cluster import Fenced, LeaderRecord, Member, NodeRole

# Read under a share lock: a new leader's claim (an UPDATE of this row) waits until the commit ends.
_EPOCH_FOR_COMMIT = text("SELECT epoch FROM cluster_leader WHERE id = 1 FOR SHARE")


def check_epoch(conn: Connection, epoch: int) -> None:
    """Raise Fenced unless ``epoch`` is still the leader epoch; hold the row until the transaction ends."""
    current = conn.execute(_EPOCH_FOR_COMMIT).scalar()
    if current != epoch:
        raise Fenced(f"leader epoch is {current}, this instance leads epoch {epoch}: another instance took over")


class SqlLeaderStore:
    """The LeaderStore port on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, instance: str, address: str, now: datetime) -> int:
        """Raise the epoch and record this instance as the leader; return the new epoch."""
        with self.engine.begin() as conn:
            epoch = conn.execute(
                update(t.cluster_leader).where(t.cluster_leader.c.id == 1)
                .values(epoch=t.cluster_leader.c.epoch + 1, instance=instance, address=address, since=now)
                .returning(t.cluster_leader.c.epoch)
            ).scalar_one()
        return int(epoch)

    def leader(self) -> LeaderRecord:
        """Return the leader the database records."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.cluster_leader).where(t.cluster_leader.c.id == 1)).one()
        return LeaderRecord(int(row.epoch), row.instance, row.address, row.since)

    def beat(self, member: Member) -> None:
        """Record (insert or update) one instance's heartbeat."""
        values = {"instance": member.instance, "address": member.address, "role": member.role.value,
                  "epoch": member.epoch, "applied_seq": member.applied_seq, "seen_at": member.seen_at}
        statement = insert(t.cluster_members).values(**values)
        with self.engine.begin() as conn:
            conn.execute(statement.on_conflict_do_update(index_elements=["instance"], set_=values))

    def members(self) -> list[Member]:
        """Return every instance's last heartbeat, by instance name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.cluster_members).order_by(t.cluster_members.c.instance)).all()
        return [Member(r.instance, r.address, NodeRole(r.role), int(r.epoch), int(r.applied_seq), r.seen_at)
                for r in rows]

    def last_seq(self) -> int:
        """Return the highest journal sequence number committed (archived events included)."""
        with self.engine.connect() as conn:
            live = conn.execute(select(func.max(t.events.c.seq))).scalar()
            archived = conn.execute(select(func.max(t.events_archive.c.seq))).scalar()
        return max(live or 0, archived or 0)
