"""Engines for SQLite and PostgreSQL, set up for durable, concurrent use."""

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 10_000
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_SECRET_PARAMS = ("pass", "secret", "token", "key")  # query parameters whose values never reach a log
# TCP keepalives on both ends of every PostgreSQL connection: a peer that vanished (a killed host, a cut
# network) is noticed in seconds rather than the kernel's two hours, so a lost leader's writer lock and its
# open transaction go in time for a standby to take over within seconds.
_SERVER_KEEPALIVES = "-c tcp_keepalives_idle=1 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=2"
PG_KEEPALIVES: dict[str, object] = {
    "keepalives": 1, "keepalives_idle": 1, "keepalives_interval": 1, "keepalives_count": 2,
    "tcp_user_timeout": 3000, "options": f"{_SERVER_KEEPALIVES} -c tcp_user_timeout=3000",
}


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


def redact_url(url: str) -> str:
    """Return a database URL fit for a log: no password, in the credentials or in the query string."""
    base, sep, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    if "@" in rest:
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            rest = f"{creds.split(':', 1)[0]}:***@{host}"
    if sep:
        pairs = [(k, "***" if any(word in k.lower() for word in _SECRET_PARAMS) else v)
                 for k, v in parse_qsl(query, keep_blank_values=True)]
        query = urlencode(pairs, safe="*")
    return f"{scheme}://{rest}{sep}{query}" if rest or scheme else url


def make_private_dir(path: Path) -> None:
    """Create the data directory if needed and make it its owner's only (0700): it holds the database and keys."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)


def secure_sqlite_file(url: str) -> None:
    """Make a SQLite database file readable by its owner only (0600), creating it empty if it is missing.

    SQLite gives its -wal and -shm files the database file's permissions, so they follow.
    """
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    if path.parent.is_dir():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            if part.exists():
                part.chmod(PRIVATE_FILE)


def make_engine(url: str) -> Engine:
    """Create an engine: SQLite in WAL mode with full fsync and foreign keys on; PostgreSQL via psycopg."""
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        secure_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8, connect_args=pg_connect_args(url))


def pg_connect_args(url: str) -> dict[str, object]:
    """Return the keepalive settings for a PostgreSQL connection, leaving out any the URL sets itself."""
    given = make_url(normalize_url(url)).query
    return {name: value for name, value in PG_KEEPALIVES.items() if name not in given}


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
