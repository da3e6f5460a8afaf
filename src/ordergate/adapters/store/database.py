"""Engines for SQLite and PostgreSQL, set up for durable, concurrent use."""

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalize_url(url: str) -> str:
    """Return the SQLAlchemy URL to use: plain ``postgresql://`` (or ``postgres://``) gets the psycopg driver.

    Raise ValueError naming the problem for a URL that is not SQLite or PostgreSQL.
    """
    url = url.strip()
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    try:
        parsed = make_url(url)
    except Exception as e:
        raise ValueError(f"database_url: not a database URL ({e})") from e
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"database_url: unsupported database {parsed.get_backend_name()!r}; "
                         "use sqlite:///path or postgresql://user@host:port/db")
    return url


def make_engine(url: str) -> Engine:
    """Create an engine: SQLite in WAL mode with full fsync and foreign keys on; PostgreSQL via psycopg."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; FULL makes each commit survive power loss.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def is_sqlite(engine: Engine) -> bool:
    """Return whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"
