"""One instance of a cluster on PostgreSQL: the engine leader or a hot standby, and the moves between them.

Whoever holds the database's writer lock leads: it raises the leader epoch (which fences every earlier
leader's commits), catches its ledger up with the journal's tail, reconciles with the venues and starts the
engine. The others are standbys: they follow the journal into their own ledger (reads are served from
committed state), try for the lock every ``cluster.lock_poll`` seconds, and take over when it comes free.
A leader checks as often that its lock's session still answers; when it does not, or a commit finds a
newer epoch, it stops trading and comes back as a standby, rebuilt from the journal.
"""

import asyncio
import contextlib
import socket
from collections.abc import Callable
from datetime import datetime

import structlog

from ordergate.adapters.store.leadership import SqlLeaderStore
from ordergate.adapters.store.migrate import current_revision, head_revision
from ordergate.adapters.store.writer_lock import WriterLock, writer_lock_for
from ordergate.bootstrap import Container, StreamFactory, activate, build, deactivate, stop, unshare
from ordergate.config import Settings
from ordergate.domain.events import Event
from ordergate.service.cluster import ClusterStatus, Fenced, LeaderRecord, Member, NodeRole, cluster_status
from ordergate.service.follower import JournalFollower

log = structlog.get_logger(__name__)
STALE_BEATS = 3  # heartbeats an instance may miss before the cluster view says it is gone


def advertised_address(settings: Settings) -> str:
    """Return the base URL other instances reach this one at."""
    if settings.cluster.advertise_url:
        return settings.cluster.advertise_url.rstrip("/")
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else socket.gethostname()
    scheme = "https" if settings.ssl_certfile is not None else "http"
    return f"{scheme}://{host}:{settings.port}"


def instance_name(settings: Settings) -> str:
    """Return this instance's name in the cluster."""
    return settings.cluster.instance or f"{socket.gethostname()}:{settings.port}"


def schema_ready(url: str) -> bool:
    """Return whether the database is at the newest migration (a standby waits for the leader to migrate)."""
    try:
        return current_revision(url) == head_revision(url)
    except Exception:
        return False


class Node:
    """Run one instance: lead or follow, take over, step down. ``on_container`` hears of each new container."""

    def __init__(self, settings: Settings, stream: StreamFactory | None,
                 on_container: Callable[[Container], None]) -> None:
        self.settings = settings
        self.url = settings.resolved_database_url()
        self.instance = instance_name(settings)
        self.address = advertised_address(settings)
        self.role = NodeRole.STANDBY
        self.epoch = 0
        self.leader = LeaderRecord(0, "", "", None)
        self.container: Container | None = None
        self._stream = stream
        self._on_container = on_container
        self._lock: WriterLock = writer_lock_for(self.url)
        self._follower: JournalFollower | None = None
        self._store: SqlLeaderStore | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._moving = asyncio.Lock()
        self.lag = 0  # journal events committed that this instance has not applied (as of its last heartbeat)

    @property
    def applied_seq(self) -> int:
        """Return the sequence number of the last journal event this instance's ledger holds."""
        return self.container.engine.ledger.last_seq if self.container is not None else 0

    @property
    def following(self) -> bool:
        """Return whether this instance follows the journal (a standby's job)."""
        return self._follower is not None and self._follower.running

    def leader_address(self) -> str | None:
        """Return the leader's base URL as last heard (None when none is known, or this instance leads)."""
        leader = self.leader
        if self.role is NodeRole.LEADER or not leader.address or leader.instance == self.instance:
            return None
        return leader.address

    async def refresh_leader(self) -> str | None:
        """Read the leader from the database now; return its base URL as ``leader_address`` does."""
        if self._store is not None:
            with contextlib.suppress(Exception):  # the database unreachable: what was last heard stands
                self.leader = await asyncio.to_thread(self._store.leader)
        return self.leader_address()

    async def start(self) -> Container:
        """Become the leader if the lock is free, else a standby; return the container built."""
        while True:
            if await asyncio.to_thread(self._lock.try_acquire):
                await self._become(writes=True)
                await self._lead()
                break
            if await asyncio.to_thread(schema_ready, self.url):
                await self._become(writes=False)
                break
            await asyncio.sleep(self.settings.cluster.lock_poll)
        self._tasks = [asyncio.create_task(self._watch()), asyncio.create_task(self._beat())]
        assert self.container is not None
        return self.container

    async def stop(self) -> None:
        """Stop watching, following and trading; let the lock go."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        if self._follower is not None:
            await self._follower.stop()
        if self.container is not None:
            await stop(self.container)
        self._lock.release()

    async def _become(self, writes: bool) -> None:
        """Build a container (replaying the journal) and follow the journal from where it ends."""
        container = await build(self.settings, self.url, self._stream, writes=writes)
        self.container = container
        self._store = SqlLeaderStore(container.db_engine)
        self.leader = await asyncio.to_thread(self._store.leader)
        self._follower = JournalFollower(container.journal, container.engine.ledger,  # type: ignore[arg-type]
                                         self._followed, self.settings.cluster.follow_interval)
        self._follower.start()
        self._gauges(container)
        self._on_container(container)
        log.info("standby" if not writes else "elected", instance=self.instance, applied_seq=self.applied_seq)

    def _gauges(self, container: Container) -> None:
        metrics = container.metrics
        metrics.gauge("ordergate_cluster_leader", "1 while this instance leads the engine, 0 while it stands by",
                      lambda: float(self.role is NodeRole.LEADER))
        metrics.gauge("ordergate_cluster_epoch", "The leader epoch this instance knows", lambda: self.leader.epoch)
        metrics.gauge("ordergate_cluster_lag_events", "Journal events committed that this instance has not "
                      "applied yet (at its last heartbeat)", lambda: self.lag)

    async def status(self) -> ClusterStatus:
        """Return the cluster as the database records it: the leader, every instance, their lag."""
        store = self._store
        assert store is not None and self.container is not None
        leader, members, last_seq = await asyncio.to_thread(
            lambda: (store.leader(), store.members(), store.last_seq()))
        return cluster_status(self.instance, self.role, leader, last_seq, members, self._now(),
                              STALE_BEATS * self.settings.cluster.heartbeat)

    def _followed(self, events: list[Event]) -> None:
        container = self.container
        if container is None:
            return
        container.loop.followed(container.engine.ledger.last_seq)
        if container.stream is not None:  # shared only if its leader did not (see entrypoints/stream_relay.py)
            container.stream.follow(events)

    async def _lead(self) -> None:
        """Take over: raise the epoch, apply the journal's tail, start the engine, the venues, reconciliation."""
        container, follower, store = self.container, self._follower, self._store
        assert container is not None and follower is not None and store is not None
        await follower.stop()
        now = self._now()
        # Waits for a commit of the previous leader in flight: none of its epoch can land after this.
        self.epoch = await asyncio.to_thread(store.claim, self.instance, self.address, now)
        assert container.journal is not None and container.ids is not None
        container.journal.epoch = self.epoch
        tail = await follower.catch_up()
        container.ids.renew(now)
        container.writer_lock = self._lock
        self.role = NodeRole.LEADER
        self.leader = LeaderRecord(self.epoch, self.instance, self.address, now)
        await activate(container)
        log.warning("leader", instance=self.instance, epoch=self.epoch, tail_events=tail,
                    applied_seq=self.applied_seq)

    async def _step_down(self, why: str) -> None:
        """Stop trading and come back as a standby, rebuilt from the journal (memory may hold uncommitted events)."""
        log.critical("leadership_lost", instance=self.instance, epoch=self.epoch, reason=why)
        self.role = NodeRole.STANDBY
        old = self.container
        if old is not None:
            old.writer_lock = None
            with contextlib.suppress(Exception):
                await deactivate(old)
            with contextlib.suppress(Exception):
                await unshare(old)  # its stream's clients reconnect, to the new container's stream
            old.db_engine.dispose()
        self._lock.release()
        while True:
            try:
                await self._become(writes=False)
                return
            except Exception as e:  # the database is needed to rebuild: wait for it
                log.warning("standby_rebuild_failed", instance=self.instance, error=str(e))
                await asyncio.sleep(self.settings.cluster.lock_poll)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.settings.cluster.lock_poll)
            try:
                async with self._moving:
                    await self._check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("cluster_watch_failed", instance=self.instance, role=self.role.value)

    async def _check(self) -> None:
        if self.role is NodeRole.STANDBY:
            if await asyncio.to_thread(self._lock.try_acquire):
                try:
                    await self._lead()
                except Exception as e:  # e.g. the database went away mid-takeover: let another instance try
                    await self._step_down(f"takeover failed: {e}")
            return
        container = self.container
        failure = container.loop.failure if container is not None else None
        if failure is not None:  # fenced, or a failed commit or a halt: memory is ahead of the journal
            await self._step_down(str(failure) if isinstance(failure, Fenced) else f"engine stopped: {failure}")
        elif not await asyncio.to_thread(self._lock.alive):
            await self._step_down("the writer lock's database session was lost")

    async def _beat(self) -> None:
        while True:
            try:
                await self._beat_once()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                log.warning("cluster_heartbeat_failed", instance=self.instance, error=str(e))
            await asyncio.sleep(self.settings.cluster.heartbeat)

    async def _beat_once(self) -> None:
        store = self._store
        if store is None:
            return
        epoch = self.epoch if self.role is NodeRole.LEADER else self.leader.epoch  # the epoch it leads, or follows
        member = Member(self.instance, self.address, self.role, epoch, self.applied_seq, self._now())
        await asyncio.to_thread(store.beat, member)
        self.leader = await asyncio.to_thread(store.leader)
        self.lag = max(0, await asyncio.to_thread(store.last_seq) - self.applied_seq)
        if self.role is NodeRole.STANDBY and self.container is not None:
            await asyncio.to_thread(self.container.keys.reload)  # keys the leader made or revoked since

    def _now(self) -> datetime:
        assert self.container is not None and self.container.clock is not None
        return self.container.clock.now()

