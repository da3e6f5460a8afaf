"""Rich tables for orders, positions and accounts, or raw JSON for scripts."""

from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

out = Console()

_STATUS_STYLE = {"filled": "green", "partially_filled": "cyan", "canceled": "dim", "rejected": "red",
                 "expired": "dim", "pending_new": "yellow", "pending_cancel": "yellow", "pending_replace": "yellow"}


def emit_json(data: Any) -> None:
    """Print data as indented JSON."""
    print(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def orders_table(orders: list[dict[str, Any]]) -> Table:
    """Return a table of orders."""
    table = Table(title="Orders")
    for column in ("id", "account", "symbol", "side", "type", "qty", "limit", "stop", "tif", "status",
                   "filled", "avg price"):
        numeric = column in ("qty", "limit", "stop", "filled", "avg price")
        table.add_column(column, justify="right" if numeric else "left")
    for o in orders:
        style = _STATUS_STYLE.get(o["status"], "")
        table.add_row(o["id"], o["account"], o["symbol"], o["side"], o["type"], o["qty"], o["limit_price"] or "",
                      o["stop_price"] or "", o["time_in_force"], f"[{style}]{o['status']}[/]" if style else o["status"],
                      o["filled_qty"], o["avg_fill_price"] or "")
    return table


def order_detail(o: dict[str, Any]) -> Table:
    """Return a two-column table of one order's fields."""
    table = Table(title=f"Order {o['id']}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in o.items():
        if key == "reject_reasons":
            value = "; ".join(f"{r['rule']}: {r['message']}" for r in value) or None
        if value not in (None, [], ""):
            table.add_row(key, str(value))
    return table


def positions_table(positions: list[dict[str, Any]]) -> Table:
    """Return a table of positions."""
    table = Table(title="Positions")
    for column in ("account", "symbol", "qty", "avg cost", "mark", "market value", "realized", "unrealized",
                   "commission"):
        table.add_column(column, justify="left" if column in ("account", "symbol") else "right")
    for p in positions:
        table.add_row(p["account"], p["symbol"], p["qty"], p["avg_cost"], p["mark_price"] or "-",
                      p["market_value"] or "-", p["realized_pnl"], p["unrealized_pnl"], p["commission"])
    return table


def account_table(a: dict[str, Any]) -> Table:
    """Return a table of one account's balances per currency."""
    table = Table(title=f"Account {a['id']} ({'margin' if a['margin'] else 'cash'}, "
                        f"{a['working_orders']} working orders)")
    for column in ("currency", "cash", "reserved", "buying power", "positions value", "equity", "commission"):
        table.add_column(column, justify="left" if column == "currency" else "right")
    for currency, b in a["balances"].items():
        table.add_row(currency, b["cash"], b["reserved"], b["buying_power"], b["positions_value"], b["equity"],
                      b["commission"])
    return table
