"""``ordergate db upgrade|rebuild|check|archive``: operate the database with the server's own settings."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from ordergate.entrypoints.cli.options import Json
from ordergate.entrypoints.cli.render import emit_json
from ordergate.entrypoints.cli.settings import load_settings

if TYPE_CHECKING:  # the settings and the store are imported by the commands that use them: the CLI starts faster
    from ordergate.adapters.store.rebuild import Rebuilt
    from ordergate.config import Settings

app = typer.Typer(help="Database: migrations, rebuild and checks of the projections, retention.",
                  no_args_is_help=True)
out = Console()
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option(help="data directory [env ORDERGATE_DATA_DIR]")]
DatabaseUrl = Annotated[str | None, typer.Option(help="database URL [env ORDERGATE_DATABASE_URL]")]


def _settings(data_dir: Path | None, database_url: str | None) -> "Settings":
    """Return the same Settings ``serve`` would use, with these flags on top."""
    return load_settings({"data_dir": data_dir, "database_url": database_url})


def _url(settings: "Settings") -> str:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.resolved_database_url()


@contextmanager
def _sole_writer(url: str, command: str) -> Iterator[None]:
    """Hold the database's writer lock while the command writes, or exit 2 if a server (or another) holds it."""
    from ordergate.adapters.store.writer_lock import WriterLockHeld, writer_lock_for

    lock = writer_lock_for(url)
    try:
        lock.hold()
    except WriterLockHeld as e:
        err.print(f"[red]cannot {command}:[/] {escape(str(e))}", soft_wrap=True)
        raise typer.Exit(2) from e
    try:
        yield
    finally:
        lock.release()


def _engine(settings: "Settings") -> Any:
    from ordergate.adapters.store.database import make_engine
    from ordergate.adapters.store.migrate import current_revision, head_revision

    url = _url(settings)
    if current_revision(url) != head_revision(url):
        err.print("[red]the database schema is not up to date:[/] run `ordergate db upgrade` first")
        raise typer.Exit(2)
    return make_engine(url)


@app.command()
def upgrade(data_dir: DataDir = None, database_url: DatabaseUrl = None, as_json: Json = False) -> None:
    """Create or migrate the schema to the newest version (serve does this at start unless told not to)."""
    from ordergate.adapters.store.migrate import current_revision, upgrade_to_head

    url = _url(_settings(data_dir, database_url))
    with _sole_writer(url, "upgrade"):
        upgrade_to_head(url)
    if as_json:
        emit_json({"revision": current_revision(url)})
        return
    out.print(f"database at revision {current_revision(url)}")


@app.command()
def rebuild(
    data_dir: DataDir = None, database_url: DatabaseUrl = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report differences, change nothing")] = False,
    as_json: Json = False,
) -> None:
    """Rebuild orders, fills, positions, accounts and risk limits from the journal, reporting what differed.

    Also replay risk usage as the server does at start and print each account's. Refused while a server
    runs on the database (it writes the same tables), unless --dry-run.
    """
    from ordergate.adapters.store.rebuild import RiskSetup
    from ordergate.adapters.store.rebuild import rebuild as run_rebuild
    from ordergate.domain.risk.usage_state import TradingDay

    settings = _settings(data_dir, database_url)
    engine = _engine(settings)
    risk = RiskSetup(settings.risk.limits(), TradingDay(settings.risk.trading_day_timezone))
    try:
        if dry_run:  # reads only: may run beside a server
            rebuilt = run_rebuild(engine, write=False, risk=risk)
        else:
            with _sole_writer(_url(settings), "rebuild"):
                rebuilt = run_rebuild(engine, write=True, risk=risk)
    finally:
        engine.dispose()
    if as_json:
        emit_json({"dry_run": dry_run, "differences": rebuilt.differences,
                   "usage": [asdict(summary) for summary in rebuilt.usage], "flattening": rebuilt.flattening})
        return
    _print_rebuilt(rebuilt, dry_run)


def _print_rebuilt(rebuilt: "Rebuilt", dry_run: bool) -> None:
    """Print the differences a rebuild found, then each account's rebuilt risk usage."""
    for line in rebuilt.differences:
        out.print(f"  {line}", markup=False, soft_wrap=True)
    found = len(rebuilt.differences)
    verb = "found (nothing changed: --dry-run)" if dry_run else "found and repaired"
    out.print(f"{found} difference(s) {verb}" if found else "projections match the journal")
    out.print("risk usage, rebuilt from the journal (no stored copy: the server rebuilds it at every start):",
              soft_wrap=True)
    now = datetime.now(UTC)
    for summary in rebuilt.usage:
        out.print(f"  {summary.describe(now)}", markup=False, soft_wrap=True)
    for flatten in rebuilt.flattening:
        going = "still flattening (a server carries on at start)" if flatten["state"] == "working" else (
            "flatten gave up: finish with `ordergate risk flatten`")
        out.print(f"  {flatten['account']} {flatten['symbol']}: {going}, {flatten['remaining']} held after "
                  f"{flatten['orders_sent']} order(s)", markup=False, soft_wrap=True)


@app.command()
def check(data_dir: DataDir = None, database_url: DatabaseUrl = None, as_json: Json = False) -> None:
    """Verify invariants (positions and cash = fills, no overfill, projections = journal, the newest snapshot =
    a full replay); exit 1 if broken."""
    from ordergate.adapters.store.check import check as run_check
    from ordergate.bootstrap import fold_builder

    settings = _settings(data_dir, database_url)
    engine = _engine(settings)
    build = fold_builder(settings, engine)
    try:
        problems = run_check(engine, lambda: build().ledger)
    finally:
        engine.dispose()
    if as_json:
        emit_json({"ok": not problems, "problems": problems})
        if problems:
            raise typer.Exit(1)
        return
    if problems:
        err.print(f"[red]{len(problems)} problem(s):[/]")
        for line in problems:
            err.print(f"  {line}", markup=False, soft_wrap=True)
        raise typer.Exit(1)
    out.print("all invariants hold")


def parse_before(value: str) -> datetime:
    """Return the cut-off: a date (midnight UTC) or an ISO 8601 time (UTC unless it says otherwise)."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as e:
        raise typer.BadParameter(f"--before: expected a date like 2026-01-31 or an ISO 8601 time, got {value!r}") from e
    if len(value.strip()) == 10:
        moment = datetime.combine(moment.date(), time(0))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
def archive(
    before: Annotated[str, typer.Option(help="archive orders done before this date/time (UTC unless given)")],
    data_dir: DataDir = None, database_url: DatabaseUrl = None, as_json: Json = False,
) -> None:
    """Move closed orders done before DATE, with their events and fills, to the archive tables."""
    from ordergate.adapters.store.archive import archive as run_archive

    cutoff = parse_before(before)
    settings = _settings(data_dir, database_url)
    engine = _engine(settings)
    try:
        with _sole_writer(_url(settings), "archive"):
            moved = run_archive(engine, cutoff, datetime.now(UTC))
    finally:
        engine.dispose()
    if as_json:
        emit_json({"before": cutoff, **asdict(moved)})
        return
    out.print(f"archived {moved.orders} order(s), {moved.events} event(s), {moved.fills} fill(s) "
              f"done before {cutoff.isoformat()}")
