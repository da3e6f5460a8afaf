"""Test databases: SQLite files by default, fresh PostgreSQL databases when asked.

``ORDERGATE_TEST_DB=postgres`` runs the tests that need a database against the PostgreSQL service
(``ORDERGATE_TEST_PG_URL``, default 127.0.0.1:5432 as user postgres). Each test gets a database of its
own, dropped at the end of the session. Without the service the tests skip with the reason, except in
CI (``CI`` set), where a missing service is a failure.
"""

import os
import uuid
from pathlib import Path

import psycopg
import pytest

PG_ADMIN_URL = os.environ.get("ORDERGATE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_created: list[str] = []


def wants_postgres() -> bool:
    """Return whether this run uses PostgreSQL for the server and store tests."""
    return os.environ.get("ORDERGATE_TEST_DB", "sqlite").lower() == "postgres"


def postgres_problem() -> str | None:
    """Return why PostgreSQL can't be used, or None if it answers."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as e:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {e}"
    return None


def require_postgres() -> None:
    """Skip the test without PostgreSQL (fail in CI, where .ci/run must have started it)."""
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(problem)
    pytest.skip(problem)


def new_postgres_database() -> str:
    """Create an empty database and return its URL (plain postgresql://, as a user would give it)."""
    require_postgres()
    name = f"og_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _created.append(name)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_created_databases() -> None:
    """Drop every database this session made."""
    if not _created:
        return
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for name in _created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _created.clear()


def database_url_for(data_dir: Path) -> str | None:
    """Return the database URL a test server in ``data_dir`` should use (None: its SQLite default).

    The same data directory gets the same database, so a restarted server finds its data.
    """
    if not wants_postgres():
        return None
    marker = data_dir / "pg-database-url"
    if marker.exists():
        return marker.read_text().strip()
    url = new_postgres_database()
    marker.write_text(url)
    return url
