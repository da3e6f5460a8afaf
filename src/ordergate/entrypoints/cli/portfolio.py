"""``ordergate positions|account|instruments``."""

from typing import Annotated

import typer
from rich.table import Table

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from


def positions(
    ctx: typer.Context, account: Annotated[str | None, typer.Option()] = None, as_json: Json = False,
) -> None:
    """Show positions with average cost, market value and P&L."""
    data = api_from(ctx).call("GET", "/api/v1/positions/", params={"account": account} if account else {})
    if as_json:
        render.emit_json(data)
    else:
        render.out.print(render.positions_table(data))


def account(ctx: typer.Context, account_id: Annotated[str, typer.Argument()] = "PAPER", as_json: Json = False) -> None:
    """Show an account: cash, reserved, buying power and equity per currency."""
    data = api_from(ctx).call("GET", f"/api/v1/accounts/{account_id}")
    if as_json:
        render.emit_json(data)
    else:
        render.out.print(render.account_table(data))


def instruments(ctx: typer.Context, as_json: Json = False) -> None:
    """List tradable instruments."""
    data = api_from(ctx).call("GET", "/api/v1/instruments/")
    if as_json:
        render.emit_json(data)
        return
    table = Table(title="Instruments")
    for column in ("symbol", "name", "currency", "tick", "lot", "exchange"):
        table.add_column(column)
    for i in data:
        table.add_row(i["symbol"], i["name"], i["currency"], i["tick_size"], i["lot_size"], i["exchange"])
    render.out.print(table)
