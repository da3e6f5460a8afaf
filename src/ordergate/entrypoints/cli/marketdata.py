"""``ordergate book SYMBOL`` (a price ladder) and ``ordergate quote SYMBOL``."""

from typing import Annotated, Any
from urllib.parse import quote as urlquote

import typer
from rich.table import Table

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from


def book(
    ctx: typer.Context, symbol: Annotated[str, typer.Argument(help="instrument, e.g. AAPL")],
    depth: Annotated[int, typer.Option(min=1, max=1000, help="levels per side")] = 10, as_json: Json = False,
) -> None:
    """Show the order book as a ladder: asks above, bids below, best prices in the middle."""
    data = api_from(ctx).call("GET", f"/api/v1/marketdata/{urlquote(symbol, safe='')}/book", params={"depth": depth})
    if as_json:
        render.emit_json(data)
        return
    render.out.print(ladder_table(data))


def quote(ctx: typer.Context, symbol: Annotated[str, typer.Argument(help="instrument, e.g. AAPL")],
          as_json: Json = False) -> None:
    """Show the best bid and ask, the mid and the last price."""
    data = api_from(ctx).call("GET", f"/api/v1/marketdata/{urlquote(symbol, safe='')}/quote")
    if as_json:
        render.emit_json(data)
        return
    table = Table(title=f"{data['symbol']} quote" + (" [red](stale)[/]" if data["stale"] else ""))
    for column in ("bid size", "bid", "ask", "ask size", "mid", "last", "time"):
        table.add_column(column, justify="right")
    table.add_row(*(_text(data[k]) for k in ("bid_size", "bid", "ask", "ask_size", "mid", "last", "ts")))
    render.out.print(table)


def ladder_table(data: dict[str, Any]) -> Table:
    """Return a rich ladder of a book answer: asks highest first, then bids highest first."""
    flags = []
    if data["stale"]:
        flags.append("stale")
    if data["needs_snapshot"]:
        flags.append(f"needs snapshot: {data['snapshot_reason']}")
    title = f"{data['symbol']} book" + (f" [red]({'; '.join(flags)})[/]" if flags else "")
    table = Table(title=title, caption=f"spread {_text(data['spread'])}  mid {_text(data['mid'])}")
    for column in ("bid size", "price", "ask size"):
        table.add_column(column, justify="right")
    for level in reversed(data["asks"]):
        table.add_row("", f"[red]{level['price']}[/]", level["size"])
    for level in data["bids"]:
        table.add_row(level["size"], f"[green]{level['price']}[/]", "")
    return table


def _text(value: object) -> str:
    return "-" if value is None else str(value)
