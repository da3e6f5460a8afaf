"""Several instances on one database: who leads the engine, under which epoch, and how far each has read.

Exactly one instance (the leader) runs the engine and writes the journal; the others (standbys) follow
the journal into their own ledger and take over when the leader goes. The leader is whoever holds the
database's writer lock; taking it, the new leader raises the leader epoch, and every journal commit checks
that epoch in its own transaction (fencing), so a leader that lost its lock can never commit again.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class NodeRole(StrEnum):
    """What an instance does: runs the engine alone, leads several, or follows the leader."""

    SINGLE = "single"  # one instance (SQLite): today's behaviour, no cluster
    LEADER = "leader"
    STANDBY = "standby"


class Fenced(RuntimeError):
    """A commit found another leader's epoch: this instance is no longer the leader and must not write."""


@dataclass(frozen=True, slots=True)
class LeaderRecord:
    """The current leader as the database records it (epoch 0 and no instance before the first leader)."""

    epoch: int
    instance: str
    address: str
    since: datetime | None


@dataclass(frozen=True, slots=True)
class Member:
    """One instance's last word: its role, the epoch it knows, how far it has applied the journal."""

    instance: str
    address: str
    role: NodeRole
    epoch: int
    applied_seq: int
    seen_at: datetime


class LeaderStore(Protocol):
    """Where the leader epoch and the members' heartbeats are kept (the database)."""

    def claim(self, instance: str, address: str, now: datetime) -> int:
        """Raise the epoch and record this instance as the leader; return the new epoch.

        Waits for a commit of the previous leader that is in flight (it holds the epoch row), so that
        no commit of the previous epoch can land after this returns.
        """
        ...

    def leader(self) -> LeaderRecord:
        """Return the leader the database records."""
        ...

    def beat(self, member: Member) -> None:
        """Record (insert or update) one instance's heartbeat."""
        ...

    def members(self) -> list[Member]:
        """Return every instance's last heartbeat, oldest instance name first."""
        ...

    def last_seq(self) -> int:
        """Return the highest journal sequence number committed."""
        ...


@dataclass(frozen=True, slots=True)
class MemberStatus:
    """One instance as ``GET /api/v1/cluster`` shows it: its last word, how far behind, whether it still beats."""

    member: Member
    lag: int  # journal events committed that it has not applied yet
    alive: bool  # heard from within the staleness window


@dataclass(frozen=True, slots=True)
class ClusterStatus:
    """The cluster as one instance sees it."""

    instance: str
    role: NodeRole
    leader: LeaderRecord | None
    last_seq: int  # the highest journal sequence number committed
    members: list[MemberStatus]


def cluster_status(me: str, role: NodeRole, leader: LeaderRecord | None, last_seq: int, members: list[Member],
                   now: datetime, stale_after: float) -> ClusterStatus:
    """Put together what ``GET /api/v1/cluster`` shows: each member's lag and whether it is alive."""
    shown = [MemberStatus(m, max(0, last_seq - m.applied_seq), (now - m.seen_at).total_seconds() <= stale_after)
             for m in members]
    return ClusterStatus(me, role, leader, last_seq, shown)
