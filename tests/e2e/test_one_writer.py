"""One writer per database: a second server, or a writing ``db`` command, refuses while a server runs on it.

Runs on SQLite, and on PostgreSQL with ``ORDERGATE_TEST_DB=postgres`` (as ``make test`` runs the e2e tests).
The refusals share one server (a refused writer changes nothing); the tests that stop their server keep their own.
"""

import subprocess
import sys

import pytest

from ordergate.adapters.store.writer_lock import shown_url
from tests.databases import database_url_for, wants_postgres
from tests.e2e.helpers import submit, wait_for_status
from tests.e2e.server import Server, free_port

pytestmark = pytest.mark.e2e


def _ordergate(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``ordergate ARGS`` with the server's own settings (same data dir, same database)."""
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=server.env(),
                          capture_output=True, text=True, timeout=120)


def _database(server: Server) -> str:
    return shown_url(database_url_for(server.data_dir) or f"sqlite:///{(server.data_dir / 'ordergate.db').resolve()}")


@pytest.mark.skipif(wants_postgres(), reason="on PostgreSQL a second server joins as a standby (test_cluster.py)")
def test_serve_when_another_server_runs_on_the_database_then_exits_2_and_the_first_keeps_working(
    shared_server: Server,
) -> None:
    server = shared_server
    second = _ordergate(server, "serve", "--port", str(free_port()))

    message = " ".join(second.stderr.split())
    assert second.returncode == 2, second.stderr + second.stdout
    assert message.startswith(f"cannot start: another ordergate process (pid {server.process.pid} on "), message
    assert f"holds the database {_database(server)}: only one may write it at a time" in message
    assert "Traceback" not in second.stderr + second.stdout
    with server.client() as c:
        order = submit(c, qty="4").json()
        assert wait_for_status(c, order["id"], {"filled"})["filled_qty"] == "4"


def test_serve_when_the_first_server_stopped_then_a_new_one_starts_on_its_data(server: Server) -> None:
    with server.client() as c:
        order_id = submit(c, qty="3").json()["id"]
        wait_for_status(c, order_id, {"filled"})
    server.stop()

    successor = Server(server.data_dir).start()
    try:
        with successor.client() as c:
            assert c.get(f"/api/v1/orders/{order_id}").json()["status"] == "filled"
            assert submit(c, qty="1").status_code == 201
    finally:
        successor.stop()


@pytest.mark.parametrize(("args", "verb"), [
    (["db", "rebuild"], "rebuild"),
    (["db", "upgrade"], "upgrade"),
    (["db", "archive", "--before", "2026-01-01"], "archive"),
])
def test_writing_db_command_when_a_server_runs_on_the_database_then_exits_2_changing_nothing(
    shared_server: Server, args: list[str], verb: str,
) -> None:
    server = shared_server
    result = _ordergate(server, *args)

    message = " ".join(result.stderr.split())
    assert result.returncode == 2, result.stderr + result.stdout
    assert message.startswith(f"cannot {verb}: another ordergate process (pid {server.process.pid} on "), message
    assert _database(server) in message
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_reading_db_commands_when_a_server_runs_then_run_and_rebuild_runs_once_it_stopped(server: Server) -> None:
    with server.client() as c:
        wait_for_status(c, submit(c, qty="2").json()["id"], {"filled"})

    check = _ordergate(server, "db", "check")
    dry_run = _ordergate(server, "db", "rebuild", "--dry-run")
    server.stop()
    rebuild = _ordergate(server, "db", "rebuild")

    assert (check.returncode, check.stdout.strip()) == (0, "all invariants hold"), check.stderr
    assert dry_run.returncode == 0, dry_run.stderr
    assert "projections match the journal" in dry_run.stdout
    assert rebuild.returncode == 0, rebuild.stderr
    assert "projections match the journal" in rebuild.stdout
