"""Test databases: SQLite files by default, fresh PostgreSQL databases when asked.

``ORDERGATE_TEST_DB=postgres`` runs the tests that need a database against the PostgreSQL service
(``ORDERGATE_TEST_PG_URL``, default 127.0.0.1:5432 as user postgres). Each test gets an empty database
of its own. Without the service the tests skip with the reason, except in CI (``CI`` set), where a
missing service is a failure.

A database lives as long as the fixture (or test) that asked for it: a test's until the test ends, a
module-scoped fixture's until the module's tests end (tests/conftest.py calls ``recycle_databases``).
Then, if nothing is connected to it any more, it is emptied (its schema dropped and made again) and handed
to the next test that asks: much cheaper than CREATE and DROP DATABASE, as DROP DATABASE waits for a
checkpoint. A database asked for at a wider scope, or still in use, is dropped at the end of the session
with every other database this process made.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

PG_ADMIN_URL = os.environ.get("ORDERGATE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_created: list[str] = []  # every database this process made
_in_use: list[tuple[str, str]] = []  # (database, scope of the fixture or test that asked for it)
_empty: list[str] = []  # emptied, ready to hand out again
_scopes: list[str] = ["function"]  # the scope of the fixture being set up now (a test's own body: function)
_made = [0]


@contextmanager
def asked_within(scope: str) -> Iterator[None]:
    """Say that databases asked for in this block belong to a fixture of ``scope`` (tests/conftest.py)."""
    _scopes.append(scope)
    try:
        yield
    finally:
        _scopes.pop()


def databases_made() -> int:
    """Return how many databases this process has created (not counting the ones handed out again)."""
    return _made[0]


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


def _url_of(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def new_postgres_database() -> str:
    """Return the URL of an empty database of this test's own (plain postgresql://, as a user would give it)."""
    require_postgres()
    if _empty:
        name = _empty.pop()
    else:
        name = f"og_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        _created.append(name)
        _made[0] += 1
    _in_use.append((name, _scopes[-1]))
    return _url_of(name)


def _connections_to(name: str) -> int:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                           (name,)).fetchone()
    return int(row[0]) if row else 0


def _empty_database(name: str) -> None:
    """Drop everything in the database (the schema ordergate uses) and make the schema as new again."""
    with psycopg.connect(_url_of(name), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
        conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")


def recycle_databases(scope: str) -> None:
    """Empty the databases asked for within ``scope`` that nothing is connected to, for the next tests.

    Called as each test and each module ends, once their servers and engines are gone; a database still in
    use is left alone, to be dropped at the end of the session.
    """
    done = [entry for entry in _in_use if entry[1] == scope]
    for entry in done:
        _in_use.remove(entry)
        name = entry[0]
        try:
            if _connections_to(name) == 0:
                _empty_database(name)
                _empty.append(name)
        except psycopg.Error:
            pass  # someone connected after all: dropped at the end of the session instead


def drop_created_databases() -> None:
    """Drop every database this session made."""
    if not _created:
        return
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for name in _created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _created.clear()
    _in_use.clear()
    _empty.clear()


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
