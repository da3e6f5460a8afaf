"""Session-wide test setup."""

from collections.abc import Iterator

import pytest

from tests.databases import drop_created_databases


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_databases() -> Iterator[None]:
    """Drop the PostgreSQL databases the tests made, once they are all done."""
    yield
    drop_created_databases()
