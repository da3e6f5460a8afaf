"""``ordergate positions|instruments``."""

from typing import Annotated

import typer

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from
from ordergate.entrypoints.cli.tables import Column, show


def positions(
    ctx: typer.Context, account: Annotated[str | None, typer.Option()] = None, as_json: Json = False,
) -> None:
    """Show positions with average cost, market value and P&L."""
    data = api_from(ctx).call("GET", "/api/v1/positions/", params={"account": account} if account else {})
    if as_json:
        render.emit_json(data)
    else:
        render.print_positions(data)


def instruments(ctx: typer.Context, as_json: Json = False) -> None:
    """List tradable instruments."""
    data = api_from(ctx).call("GET", "/api/v1/instruments/")
    if as_json:
        render.emit_json(data)
        return
    columns = (Column("symbol"), Column("name", 2), Column("currency"), Column("tick", numeric=True),
               Column("lot", numeric=True), Column("exchange", 1))
    rows = [[i["symbol"], i["name"], i["currency"], i["tick_size"], i["lot_size"], i["exchange"]] for i in data]
    show(render.out, "Instruments", columns, rows)
