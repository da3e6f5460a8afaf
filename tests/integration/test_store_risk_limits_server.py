"""The running server writes the risk-limit projections as it journals limit changes, on both databases."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.risk_limits import SqlRiskLimits
from tests.databases import new_postgres_database
from tests.e2e.server import Server

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """A real server on a database of its own: a SQLite file, then a fresh PostgreSQL database."""
    url = f"sqlite:///{tmp_path / 'ordergate.db'}" if request.param == "sqlite" else new_postgres_database()
    srv = Server(tmp_path, env_extra={"ORDERGATE_DATABASE_URL": url}).start()
    yield srv
    srv.stop()


def test_limits_put_over_http_when_committed_then_stored_with_who_and_db_check_passes(server: Server) -> None:
    with server.client() as client:
        assert client.put("/api/v1/risk/limits/default", json={"max_order_qty": "5000"}).status_code == 200
        assert client.put("/api/v1/risk/limits/PAPER", json={"max_daily_orders": 100}).status_code == 200
        assert client.put("/api/v1/risk/limits/PAPER", json={"max_open_orders": 7}).status_code == 200
    engine = make_engine(server.env()["ORDERGATE_DATABASE_URL"])
    try:
        repo = SqlRiskLimits(engine)
        stored, changes = repo.load_all(), repo.changes("PAPER")
    finally:
        engine.dispose()
    assert stored == {"default": {"max_order_qty": "5000"}, "PAPER": {"max_daily_orders": 100, "max_open_orders": 7}}
    assert [(c["changed_by"], c["new"]) for c in changes] == [("admin", {"max_open_orders": 7}),
                                                              ("admin", {"max_daily_orders": 100})]
    checked = subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", "db", "check"], env=server.env(),
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
