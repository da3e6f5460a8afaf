"""Alembic makes the schema: upgrading an empty database gives exactly the tables the code expects."""

from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text

from ordergate.adapters.store.database import make_engine, normalize_url
from ordergate.adapters.store.migrate import alembic_config, current_revision, head_revision, upgrade_to_head
from ordergate.adapters.store.tables import metadata, positions


def test_upgrade_of_empty_database_when_compared_with_models_then_no_drift(db_url: str) -> None:
    upgrade_to_head(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            drift = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    finally:
        engine.dispose()
    assert drift == []


def test_upgrade_when_run_twice_then_stays_at_head_and_keeps_tables(db_url: str) -> None:
    upgrade_to_head(db_url)
    upgrade_to_head(db_url)
    assert current_revision(db_url) == head_revision(db_url) == "0008"
    engine = make_engine(db_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"events", "orders", "fills", "positions", "accounts", "balances", "risk_limits",
            "risk_limit_changes", "api_keys", "events_archive", "orders_archive", "fills_archive",
            "snapshots"} <= tables


def test_upgrade_to_0004_when_positions_exist_then_their_cost_basis_is_qty_times_avg_cost(db_url: str) -> None:
    command.upgrade(alembic_config(db_url), "0003")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO accounts (id, margin, updated_seq) VALUES ('ACC', false, 1)"))
            conn.execute(text(
                "INSERT INTO positions (account, symbol, currency, qty, avg_cost, realized_pnl, commission, "
                "bought_qty, sold_qty, fill_count) VALUES ('ACC', 'AAPL', 'USD', '-3', '10.005', '0', '0', "
                "'0', '3', 2)"))
        upgrade_to_head(db_url)
        with engine.connect() as conn:
            basis = conn.execute(select(positions.c.cost_basis)).scalar_one()
    finally:
        engine.dispose()
    assert basis == Decimal("-30.015")


def test_empty_database_when_not_upgraded_then_has_no_revision(db_url: str) -> None:
    assert current_revision(db_url) is None


def test_orders_have_the_indexes_the_api_queries_use(db_engine: Engine) -> None:
    indexes = {tuple(ix["column_names"]) for ix in inspect(db_engine).get_indexes("orders")}
    uniques = {tuple(u["column_names"]) for u in inspect(db_engine).get_unique_constraints("orders")}
    assert {("account", "status"), ("symbol",), ("created_at",)} <= indexes
    assert ("account", "client_order_id") in uniques | indexes


def test_sqlite_engine_when_connected_then_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() > 0
    finally:
        engine.dispose()


@pytest.mark.parametrize(("given", "expected"), [
    ("postgresql://postgres@127.0.0.1:5432/db", "postgresql+psycopg://postgres@127.0.0.1:5432/db"),
    ("postgres://u:p%40ss@h/db", "postgresql+psycopg://u:p%40ss@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_normalize_url_when_plain_postgres_then_picks_psycopg(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


@pytest.mark.parametrize("bad", ["mysql://root@localhost/db", "not a url", ""])
def test_normalize_url_when_not_sqlite_or_postgres_then_names_the_setting(bad: str) -> None:
    with pytest.raises(ValueError, match="database_url"):
        normalize_url(bad)
