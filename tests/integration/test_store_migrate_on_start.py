"""``serve`` makes the schema only when migrate_on_start is on (ORDERGATE_MIGRATE_ON_START), on both databases."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from ordergate.adapters.store.database import make_engine
from ordergate.adapters.store.migrate import current_revision
from tests.e2e.server import free_port


def test_serve_when_migrate_on_start_disabled_then_does_not_create_the_schema(db_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERGATE_")}
    env.update({"ORDERGATE_DATABASE_URL": db_url, "ORDERGATE_DATA_DIR": str(tmp_path / "data"),
                "ORDERGATE_MIGRATE_ON_START": "false", "ORDERGATE_ADMIN_KEY": "no-migrate-key-0123456789"})
    server = subprocess.Popen([sys.executable, "-m", "ordergate.entrypoints.cli", "serve", "--port", str(free_port())],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = server.communicate(timeout=60)  # with no schema to read the journal from, it cannot start
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    engine = make_engine(db_url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert tables == []
    assert current_revision(db_url) is None
    assert server.returncode == 2
    assert "cannot start: database schema revision is none (an empty database)" in stderr
    assert "ordergate db upgrade" in stderr and "Traceback" not in stderr
