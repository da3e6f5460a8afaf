"""``ordergate book SYMBOL`` (a price ladder) and ``ordergate quote SYMBOL``."""

from typing import Annotated, Any
from urllib.parse import quote as urlquote

import typer

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from
from ordergate.entrypoints.cli.tables import Cell, Column, show


def book(
    ctx: typer.Context, symbol: Annotated[str, typer.Argument(help="instrument, e.g. AAPL")],
    depth: Annotated[int, typer.Option(min=1, max=1000, help="levels per side")] = 10, as_json: Json = False,
) -> None:
    """Show the order book as a ladder: asks above, bids below, best prices in the middle."""
    data = api_from(ctx).call("GET", f"/api/v1/marketdata/{urlquote(symbol, safe='')}/book", params={"depth": depth})
    if as_json:
        render.emit_json(data)
        return
    show_ladder(data)


def quote(ctx: typer.Context, symbol: Annotated[str, typer.Argument(help="instrument, e.g. AAPL")],
          as_json: Json = False) -> None:
    """Show the best bid and ask, the mid and the last price."""
    data = api_from(ctx).call("GET", f"/api/v1/marketdata/{urlquote(symbol, safe='')}/quote")
    if as_json:
        render.emit_json(data)
        return
    columns = (Column("bid size", 2, numeric=True), Column("bid", numeric=True), Column("ask", numeric=True),
               Column("ask size", 3, numeric=True), Column("mid", 4, numeric=True), Column("last", 1, numeric=True),
               Column("time", 5, numeric=True))
    row = [_text(data[k]) for k in ("bid_size", "bid", "ask", "ask_size", "mid", "last", "ts")]
    show(render.out, f"{data['symbol']} quote" + (" (stale)" if data["stale"] else ""), columns, [row])


def show_ladder(data: dict[str, Any]) -> None:
    """Print a book answer as a ladder: asks highest first, then bids highest first."""
    flags = []
    if data["stale"]:
        flags.append("stale")
    if data["needs_snapshot"]:
        flags.append(f"needs snapshot: {data['snapshot_reason']}")
    title = f"{data['symbol']} book" + (f" ({'; '.join(flags)})" if flags else "")
    columns = (Column("bid size", numeric=True), Column("price", numeric=True), Column("ask size", numeric=True))
    rows: list[list[str | Cell]] = [["", Cell(level["price"], "red"), level["size"]]
                                    for level in reversed(data["asks"])]
    rows += [[level["size"], Cell(level["price"], "green"), ""] for level in data["bids"]]
    show(render.out, title, columns, rows, caption=f"spread {_text(data['spread'])}  mid {_text(data['mid'])}")


def _text(value: object) -> str:
    return "-" if value is None else str(value)
