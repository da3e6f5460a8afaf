"""The CLI's rendering: readable order details, tables that never cut, --json on every command."""

from typing import Any

import pytest
import typer
from rich.console import Console

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.main import app
from ordergate.entrypoints.cli.tables import Column, fitted

ORDER = {
    "id": "mx4q40xb-000002", "account": "PAPER", "symbol": "SPY", "side": "buy", "type": "limit", "qty": "3",
    "limit_price": "100.00", "stop_price": None, "time_in_force": "gtc", "status": "pending_replace",
    "filled_qty": "0", "avg_fill_price": None, "reject_reasons": [], "flags": ["late_fill", "inferred"],
    "pending_replace": {"qty": "20", "limit_price": "101.50", "stop_price": None, "time_in_force": "gtc"},
}


def test_order_with_pending_replace_when_shown_then_new_terms_read_as_words(
        capsys: pytest.CaptureFixture[str]) -> None:
    render.print_order(ORDER)

    shown = capsys.readouterr().out
    assert "pending_replace  qty 20, limit 101.50, tif gtc" in shown
    assert "flags            late_fill, inferred" in shown
    assert "{" not in shown and "None" not in shown


def test_table_when_terminal_too_narrow_then_least_important_columns_go_first_and_values_stay_whole() -> None:
    console = Console(width=40, force_terminal=True, color_system=None)
    columns = (Column("id"), Column("name", 2), Column("note", 1), Column("qty", numeric=True))
    rows = [["ord-000000000001", "a long instrument name", "short", "100"]]

    table = fitted(console, "t", columns, rows)
    with console.capture() as captured:
        console.print(table)

    text = captured.get()
    assert [c.header for c in table.columns] == ["id", "note", "qty"]
    assert "ord-000000000001" in text and "…" not in text
    assert all(len(line) <= 40 for line in text.splitlines())


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group of commands (typer's own click types)
            found += _commands(command, f"{prefix}{name} ")
        else:
            found.append((f"{prefix}{name}", command))
    return found


def test_every_command_but_serve_when_listed_then_offers_json() -> None:
    root = typer.main.get_command(app)

    commands = _commands(root)
    missing = [name for name, command in commands
               if name not in ("serve", "watch") and not any("--json" in p.opts for p in command.params)]

    assert len(commands) > 15 and "db check" in dict(commands)
    assert missing == []
