"""The real ``ordergate db ...`` commands, run as subprocesses on SQLite and PostgreSQL databases."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select, text

from ordergate.adapters.store import tables as t
from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.migrate import current_revision, head_revision
from tests.integration.booking import book, set_limits_twice


def ordergate(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``ordergate ARGS`` with ORDERGATE_DATABASE_URL set to ``url`` (and no other ordergate setting)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERGATE_")}
    env.update({"ORDERGATE_DATABASE_URL": url, "ORDERGATE_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"})
    return subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


def url_of(trading: Any) -> str:
    """Return the URL of the database a Trading fixture journals to (password and all)."""
    return str(trading.journal.engine.url.render_as_string(hide_password=False))


def corrupt_position(engine: Engine) -> None:
    """Set ACC's AAPL position to a quantity its fills do not add up to, with plain SQL."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE positions SET qty = '999' WHERE account = 'ACC' AND symbol = 'AAPL'"))


def test_db_upgrade_when_database_empty_then_creates_the_schema(db_url: str, tmp_path: Path) -> None:
    result = ordergate(db_url, tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert f"database at revision {head_revision(db_url)}" in result.stdout
    assert current_revision(db_url) == head_revision(db_url)
    engine = make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(t.metadata.tables) <= tables


def test_db_check_when_schema_not_upgraded_then_exits_2_telling_to_upgrade(db_url: str, tmp_path: Path) -> None:
    result = ordergate(db_url, tmp_path, "db", "check")
    assert result.returncode == 2
    assert "run `ordergate db upgrade` first" in result.stderr
    assert current_revision(db_url) is None


def test_db_check_when_invariants_hold_then_exits_0(trading: Any, tmp_path: Path) -> None:
    book(trading)
    set_limits_twice(trading)
    result = ordergate(url_of(trading), tmp_path, "db", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "all invariants hold"


def test_db_check_when_position_row_corrupted_then_exits_1_with_a_readable_report(trading: Any,
                                                                                  tmp_path: Path) -> None:
    book(trading)
    corrupt_position(trading.journal.engine)
    result = ordergate(url_of(trading), tmp_path, "db", "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "2 problem(s):"
    assert "  position ACC/AAPL: qty 999 but its fills sum to 13" in lines
    assert any(line.startswith("  projection differs from the journal: positions ACC/AAPL: qty is") for line in lines)
    assert "Traceback" not in result.stderr


def test_db_rebuild_when_position_corrupted_then_repairs_it_reporting_the_difference(trading: Any,
                                                                                       tmp_path: Path) -> None:
    book(trading)
    corrupt_position(trading.journal.engine)
    url = url_of(trading)
    result = ordergate(url, tmp_path, "db", "rebuild")
    assert result.returncode == 0, result.stderr
    assert "  positions ACC/AAPL: qty is Decimal('999'), journal says Decimal('13')" in result.stdout
    assert "1 difference(s) found and repaired" in result.stdout
    assert ordergate(url, tmp_path, "db", "check").returncode == 0
    with trading.journal.engine.connect() as conn:
        assert conn.execute(select(t.positions.c.qty)).scalar_one() == 13


def test_db_rebuild_when_limit_tables_emptied_then_restores_them(trading: Any, tmp_path: Path) -> None:
    set_limits_twice(trading)
    with trading.journal.engine.begin() as conn:
        conn.execute(t.risk_limits.delete())
    result = ordergate(url_of(trading), tmp_path, "db", "rebuild")
    assert result.returncode == 0, result.stderr
    assert "  risk_limits ACC: missing (the journal has it)" in result.stdout
    assert "2 difference(s) found and repaired" in result.stdout
    with trading.journal.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.risk_limits)).scalar_one() == 2


def test_db_rebuild_when_journal_has_trades_then_prints_each_accounts_rebuilt_risk_usage(trading: Any,
                                                                                         tmp_path: Path) -> None:
    book(trading)
    result = ordergate(url_of(trading), tmp_path, "db", "rebuild", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "projections match the journal" in result.stdout
    assert "risk usage, rebuilt from the journal (no stored copy: the server rebuilds it at every start):" in (
        result.stdout)
    assert ("  ACC: trading day ending 2026-03-03T00:00:00+00:00 (over: the server starts the next day at zero): "
            "3 order(s), 3 trade(s), volume 13, notional 2990.00 USD, realized loss 1.5 USD; 1 open order(s), "
            "working notional 1610.00 USD") in result.stdout.splitlines()


def test_db_archive_when_date_given_then_moves_closed_orders_and_check_still_passes(trading: Any,
                                                                                    tmp_path: Path) -> None:
    ids = book(trading)
    url = url_of(trading)
    result = ordergate(url, tmp_path, "db", "archive", "--before", "2026-03-03")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("archived 2 order(s), ")
    assert "2 fill(s) done before 2026-03-03T00:00:00+00:00" in result.stdout
    with trading.journal.engine.connect() as conn:
        assert set(conn.execute(select(t.orders.c.id)).scalars()) == {ids["working"]}
    assert ordergate(url, tmp_path, "db", "check").returncode == 0


@pytest.mark.parametrize("before", ["garbage", "2026-13-01", "31/01/2026", ""])
def test_db_archive_when_date_bad_then_exits_2_naming_the_option_without_traceback(
    trading: Any, tmp_path: Path, before: str,
) -> None:
    book(trading)
    result = ordergate(url_of(trading), tmp_path, "db", "archive", "--before", before)
    assert result.returncode == 2
    assert "--before: expected a date like 2026-01-31 or an ISO 8601 time" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    with trading.journal.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.orders_archive)).scalar_one() == 0


@pytest.mark.parametrize("command", ["upgrade", "check", "rebuild"])
def test_db_command_when_a_setting_does_not_parse_then_exits_2_naming_it_without_traceback(
    tmp_path: Path, command: str,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERGATE_")}
    env.update({"ORDERGATE_DATA_DIR": str(tmp_path / "data"), "ORDERGATE_RISK__DEFAULTS": "{not json"})
    result = subprocess.run([sys.executable, "-m", "ordergate.entrypoints.cli", "db", command], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "bad setting" in result.stderr and "risk" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "data" / "ordergate.db").exists()
