"""Orders, positions and accounts as tables that never cut an id, or raw JSON for scripts."""

from decimal import Decimal
from typing import Any

import orjson
from rich.console import Console

from ordergate.entrypoints.cli.tables import Cell, Column, show, show_fields

out = Console()

_STATUS_STYLE = {"filled": "green", "partially_filled": "cyan", "canceled": "dim", "rejected": "red",
                 "expired": "dim", "pending_new": "yellow", "pending_cancel": "yellow", "pending_replace": "yellow"}
_SIDE_STYLE = {"buy": "blue", "sell": "red"}

ORDER_COLUMNS = (
    Column("id"), Column("symbol"), Column("side"), Column("qty", 2, numeric=True),
    Column("type", 4), Column("limit", 3, numeric=True), Column("stop", 6, numeric=True), Column("tif", 7),
    Column("status"), Column("filled", 1, numeric=True), Column("avg price", 5, numeric=True),
    Column("account", 8),
)


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def emit_json(data: Any) -> None:
    """Print data as indented JSON (decimals as exact strings)."""
    print(orjson.dumps(data, default=_default, option=orjson.OPT_INDENT_2).decode())


def order_row(o: dict[str, Any]) -> list[str | Cell]:
    """Return one order's cells in ORDER_COLUMNS order."""
    return [o["id"], o["symbol"], Cell(o["side"], _SIDE_STYLE.get(o["side"], "")), o["qty"], o["type"],
            o["limit_price"] or "", o["stop_price"] or "", o["time_in_force"],
            Cell(o["status"], _STATUS_STYLE.get(o["status"], "")), o["filled_qty"], o["avg_fill_price"] or "",
            o["account"]]


def print_orders(orders: list[dict[str, Any]], console: Console | None = None) -> None:
    """Print a table of orders."""
    show(console or out, "Orders", ORDER_COLUMNS, [order_row(o) for o in orders])


def describe_replace(pending: dict[str, Any]) -> str:
    """Return a pending replace's new terms as words, e.g. ``qty 20, limit 101.50, tif gtc``."""
    names = {"qty": "qty", "limit_price": "limit", "stop_price": "stop", "time_in_force": "tif"}
    return ", ".join(f"{names.get(k, k)} {v}" for k, v in pending.items() if v is not None)


def _field_text(key: str, value: Any) -> str:
    if key == "reject_reasons":
        return "; ".join(f"{r['rule']}: {r['message']}" for r in value)
    if key == "pending_replace" and isinstance(value, dict):
        return describe_replace(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def print_order(o: dict[str, Any]) -> None:
    """Print one order's fields, one per line."""
    fields = [(key, _field_text(key, value)) for key, value in o.items() if value not in (None, [], "")]
    show_fields(out, f"Order {o['id']}", fields)


POSITION_COLUMNS = (
    Column("symbol"), Column("qty", numeric=True), Column("avg cost", 3, numeric=True),
    Column("mark", 2, numeric=True), Column("market value", 4, numeric=True), Column("realized", 5, numeric=True),
    Column("unrealized", 1, numeric=True), Column("commission", 6, numeric=True), Column("account", 7),
)


def _pnl(value: str | None) -> Cell:
    text = value or "-"
    return Cell(text, "red" if text.startswith("-") and text != "-" else "green" if text not in ("-", "0") else "")


def position_row(p: dict[str, Any]) -> list[str | Cell]:
    """Return one position's cells in POSITION_COLUMNS order."""
    return [p["symbol"], p["qty"], p["avg_cost"], p["mark_price"] or "-", p["market_value"] or "-",
            _pnl(p["realized_pnl"]), _pnl(p["unrealized_pnl"]), p["commission"], p["account"]]


def print_positions(positions: list[dict[str, Any]], console: Console | None = None) -> None:
    """Print a table of positions."""
    show(console or out, "Positions", POSITION_COLUMNS, [position_row(p) for p in positions])


def print_account(a: dict[str, Any]) -> None:
    """Print one account's balances per currency."""
    columns = (Column("currency"), Column("cash", numeric=True), Column("reserved", 3, numeric=True),
               Column("buying power", numeric=True), Column("positions value", 2, numeric=True),
               Column("equity", 1, numeric=True), Column("commission", 4, numeric=True))
    rows = [[currency, b["cash"], b["reserved"], b["buying_power"], b["positions_value"], b["equity"],
             b["commission"]] for currency, b in a["balances"].items()]
    details = ["CLOSED"] if a.get("closed") else []
    details += ["margin" if a["margin"] else "cash", f"{a['working_orders']} working orders"]
    details += [f"venues {', '.join(a['venues'])}"] if a.get("venues") else []
    name = f" {a['name']}" if a.get("name") else ""
    title = f"Account {a['id']}{name} ({', '.join(details)})"
    show(out, title, columns, rows)
