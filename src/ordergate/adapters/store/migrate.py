"""Run Alembic migrations programmatically: the only way ordergate's schema is made or changed."""

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ordergate.adapters.store.database import make_engine, normalize_url, secure_sqlite_file


def alembic_config(url: str) -> Config:
    """Return an Alembic Config for the packaged migrations and the given database."""
    store = resources.files("ordergate.adapters.store")
    ini = Path(str(store.joinpath("alembic.ini")))
    config = Config(str(ini))
    config.set_main_option("script_location", str(ini.parent / "migrations"))
    # ConfigParser interpolates "%": a percent-encoded password must be doubled to survive.
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


class SchemaNotCurrent(RuntimeError):
    """The database's schema is not the one this version of ordergate needs (and migrating is off)."""


def upgrade_to_head(url: str) -> None:
    """Bring the database's schema up to the newest migration."""
    secure_sqlite_file(url)  # before Alembic's own engine creates the file with the umask's permissions
    command.upgrade(alembic_config(url), "head")


def current_revision(url: str) -> str | None:
    """Return the database's schema revision (None for an empty database)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision(url: str) -> str | None:
    """Return the newest revision the packaged migrations know."""
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def require_head(url: str) -> None:
    """Raise SchemaNotCurrent, saying what to do, unless the database is at the newest migration."""
    current, head = current_revision(url), head_revision(url)
    if current != head:
        found = current or "none (an empty database)"
        raise SchemaNotCurrent(f"database schema revision is {found}, this version needs {head}: run "
                               "`ordergate db upgrade`, or leave ORDERGATE_MIGRATE_ON_START on")
