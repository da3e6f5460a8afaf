"""One writer per database: a lock the server (and every writing ``db`` command) holds while it may write.

Two engines writing one journal would each believe their in-memory state is the truth, and their
commits would interleave or fail. So a process that writes takes the database's writer lock first and
holds it for its whole life:

* PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a dedicated connection of its own,
  outside the pool, in autocommit (no transaction stays open). Advisory locks are scoped to one
  database, so several ordergate databases on one PostgreSQL server do not interfere. The lock goes
  when the connection goes, so a crashed process never leaves it behind.
* SQLite: an exclusive ``flock`` on a lock file beside the database file (``<file>.writer.lock``). The
  kernel drops it when the process ends, however it ends; the file stays and holds the holder's pid.

``try_acquire`` answers at once (a server that finds the lock taken refuses to start); ``acquire``
waits until the holder lets go (what a standby needs to take over).
"""

import contextlib
import fcntl
import os
import socket
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from ordergate.adapters.store.database import normalize_url, pg_connect_args

# The advisory lock's key: one fixed 64-bit number for "the ordergate writer" (the bytes of "ordrgate").
ADVISORY_KEY = int.from_bytes(b"ordrgate", "big")
LOCK_FILE_SUFFIX = ".writer.lock"
APPLICATION_PREFIX = "ordergate writer "  # the lock's session names its holder (pg_stat_activity)


class WriterLockHeld(RuntimeError):
    """Another process holds the database's writer lock."""


def shown_url(url: str) -> str:
    """Return the database URL as it may be shown: without its password."""
    try:
        return make_url(url.strip()).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: the settings check reports that; show nothing secret meanwhile
        return "<unparsable database URL>"


def _me() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}"


class WriterLock(ABC):
    """The lock that makes one process the only writer of a database."""

    def __init__(self, url: str) -> None:
        self.url = url

    @abstractmethod
    def try_acquire(self) -> bool:
        """Take the lock if it is free and return True; return False at once if another process holds it."""

    @abstractmethod
    def acquire(self) -> None:
        """Take the lock, waiting as long as another process holds it."""

    @abstractmethod
    def release(self) -> None:
        """Let the lock go (nothing happens if this process does not hold it)."""

    @abstractmethod
    def holder(self) -> str | None:
        """Return who holds the lock as far as the database can tell (e.g. ``pid 12 on host``), or None."""

    @property
    @abstractmethod
    def held(self) -> bool:
        """Return whether this process holds the lock."""

    def alive(self) -> bool:
        """Return whether this process still holds the lock (a lost database session loses it)."""
        return self.held

    def hold(self) -> Self:
        """Take the lock now or raise WriterLockHeld, naming the database and the holder if known."""
        if self.try_acquire():
            return self
        who = self.holder()
        raise WriterLockHeld(
            f"another ordergate process{f' ({who})' if who else ''} holds the database {shown_url(self.url)}: "
            "only one may write it at a time; stop that one first"
        )

    def __enter__(self) -> Self:
        return self.hold()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


class FileWriterLock(WriterLock):
    """An exclusive ``flock`` on ``<database file>.writer.lock``, for a SQLite database."""

    def __init__(self, url: str, path: Path) -> None:
        super().__init__(url)
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Return whether this process holds the lock."""
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free and return True; return False at once if another process holds it."""
        return self._lock(fcntl.LOCK_EX | fcntl.LOCK_NB)

    def acquire(self) -> None:
        """Take the lock, waiting as long as another process holds it."""
        self._lock(fcntl.LOCK_EX)

    def _lock(self, how: int) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, how)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, _me().encode() + b"\n")  # only for the message a second process shows
        self._fd = fd
        return True

    def release(self) -> None:
        """Let the lock go (nothing happens if this process does not hold it)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def holder(self) -> str | None:
        """Return the holder written in the lock file, or None."""
        try:
            return self.path.read_text().strip() or None
        except OSError:
            return None


class AdvisoryWriterLock(WriterLock):
    """A PostgreSQL session advisory lock, held on a dedicated autocommit connection."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._engine: Engine | None = None
        self._conn: Connection | None = None

    @property
    def held(self) -> bool:
        """Return whether this process holds the lock."""
        return self._conn is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free and return True; return False at once if another process holds it."""
        return self._lock(wait=False)

    def acquire(self) -> None:
        """Take the lock, waiting as long as another process holds it."""
        self._lock(wait=True)

    def _lock(self, wait: bool) -> bool:
        if self._conn is not None:
            return True
        engine = self._make_engine()
        try:
            conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            if wait:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            got = wait or bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                            {"key": ADVISORY_KEY}).scalar_one())
        except BaseException:
            engine.dispose()
            raise
        if not got:
            conn.close()
            engine.dispose()
            return False
        self._engine, self._conn = engine, conn
        return True

    def alive(self) -> bool:
        """Ask the lock's session whether it still answers; if it does not, the lock is gone: let it go."""
        conn = self._conn
        if conn is None:
            return False
        try:
            conn.execute(text("SELECT 1"))
        except Exception:
            self.release()
            return False
        return True

    def _make_engine(self) -> Engine:
        # Its own connection, never pooled: the lock lives exactly as long as this one session.
        args: dict[str, Any] = {**pg_connect_args(self.url),
                                "application_name": f"{APPLICATION_PREFIX}{_me()}"[:63]}
        return create_engine(normalize_url(self.url), poolclass=NullPool, connect_args=args)

    def release(self) -> None:
        """Let the lock go (nothing happens if this process does not hold it)."""
        conn, engine = self._conn, self._engine
        self._conn = self._engine = None
        if conn is not None:
            with contextlib.suppress(Exception):  # a lost connection has let the lock go already
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            with contextlib.suppress(Exception):
                conn.close()
        if engine is not None:
            engine.dispose()

    def holder(self) -> str | None:
        """Return the holder named by the lock session's application name, or None if it cannot be seen."""
        engine = self._make_engine()
        try:
            with engine.connect() as conn:
                row = conn.execute(text(
                    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON "
                    "a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid "
                    "FROM pg_database WHERE datname = current_database()) AND l.classid = :hi AND "
                    "l.objid = :lo AND l.objsubid = 1"
                ), {"hi": ADVISORY_KEY >> 32, "lo": ADVISORY_KEY & 0xFFFFFFFF}).first()
        except Exception:  # naming the holder is a courtesy: the refusal stands without it
            return None
        finally:
            engine.dispose()
        name = row[0] if row is not None else None
        return str(name).removeprefix(APPLICATION_PREFIX) if name else None


class NoWriterLock(WriterLock):
    """For an in-memory SQLite database: no other process can open it, so there is nothing to lock."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._held = False

    @property
    def held(self) -> bool:
        """Return whether this process holds the lock."""
        return self._held

    def try_acquire(self) -> bool:
        """Take the lock (always free)."""
        self._held = True
        return True

    def acquire(self) -> None:
        """Take the lock (always free)."""
        self._held = True

    def release(self) -> None:
        """Let the lock go."""
        self._held = False

    def holder(self) -> str | None:
        """Return None: nobody else can hold it."""
        return None


def writer_lock_for(url: str) -> WriterLock:
    """Return the (not yet taken) writer lock for the database at ``url``."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "postgresql":
        return AdvisoryWriterLock(url)
    database = parsed.database or ""
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return NoWriterLock(url)
    path = Path(database.removeprefix("file:")).absolute()
    return FileWriterLock(url, path.with_name(path.name + LOCK_FILE_SUFFIX))


def hold_writer_lock(url: str) -> WriterLock:
    """Take the database's writer lock now, or raise WriterLockHeld saying who holds it."""
    return writer_lock_for(url).hold()
