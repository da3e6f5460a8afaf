"""``ordergate order ...``: submit, show, list, modify, cancel, cancel-all."""

from decimal import Decimal
from typing import Annotated, Any

import typer

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from

app = typer.Typer(help="Submit and manage orders.", no_args_is_help=True)


def _show(data: Any, as_json: bool) -> None:
    if as_json:
        render.emit_json(data)
    else:
        render.print_order(data)


@app.command()
def submit(
    ctx: typer.Context,
    symbol: str, side: Annotated[str, typer.Argument(help="buy or sell")], qty: Decimal,
    type: Annotated[str, typer.Option("--type", "-t", help="market, limit, stop, stop_limit")] = "market",
    limit: Annotated[Decimal | None, typer.Option(help="limit price")] = None,
    stop: Annotated[Decimal | None, typer.Option(help="stop (trigger) price")] = None,
    tif: Annotated[str, typer.Option(help="day, gtc, ioc, fok, gtd")] = "day",
    expire_at: Annotated[str | None, typer.Option(help="expiry for gtd, ISO 8601 with timezone")] = None,
    account: Annotated[str, typer.Option(help="account id")] = "PAPER",
    client_order_id: Annotated[str | None, typer.Option(help="your id, unique per account")] = None,
    route: Annotated[str | None, typer.Option(help="best_execution, lowest_cost, fastest, round_robin or a venue "
                                              "id (default: the account's default route)")] = None,
    extended_hours: Annotated[bool, typer.Option("--extended-hours", help="may also trade in the pre-market and "
                                                 "after hours (Alpaca; limit orders, day or gtc)")] = False,
    as_json: Json = False,
) -> None:
    """Submit an order, e.g. `ordergate order submit AAPL buy 10 --type limit --limit 230.5`."""
    body = {"account": account, "symbol": symbol, "side": side, "type": type, "qty": str(qty),
            "limit_price": _str(limit), "stop_price": _str(stop), "time_in_force": tif, "expire_at": expire_at,
            "client_order_id": client_order_id, "route": route, "extended_hours": extended_hours or None}
    _show(api_from(ctx).call("POST", "/api/v1/orders/", json={k: v for k, v in body.items() if v is not None}),
          as_json)


@app.command()
def show(ctx: typer.Context, order_id: str, as_json: Json = False) -> None:
    """Show one order."""
    _show(api_from(ctx).call("GET", f"/api/v1/orders/{order_id}"), as_json)


@app.command("list")
def list_orders(
    ctx: typer.Context,
    status: Annotated[list[str] | None, typer.Option(help="filter by status (repeatable)")] = None,
    symbol: Annotated[str | None, typer.Option()] = None,
    account: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
    as_json: Json = False,
) -> None:
    """List orders, newest first."""
    params: dict[str, Any] = {"status": status or [], "symbol": symbol, "account": account, "limit": limit,
                              "cursor": cursor}
    page = api_from(ctx).call("GET", "/api/v1/orders/", params={k: v for k, v in params.items() if v})
    if as_json:
        render.emit_json(page)
        return
    render.print_orders(page["items"])
    if page["next_cursor"]:
        print(f"more: --cursor {page['next_cursor']}")


@app.command()
def modify(
    ctx: typer.Context, order_id: str,
    qty: Annotated[Decimal | None, typer.Option()] = None,
    limit: Annotated[Decimal | None, typer.Option()] = None,
    stop: Annotated[Decimal | None, typer.Option()] = None,
    tif: Annotated[str | None, typer.Option()] = None,
    as_json: Json = False,
) -> None:
    """Cancel-replace a working order with new quantity, prices or time in force."""
    body = {"qty": _str(qty), "limit_price": _str(limit), "stop_price": _str(stop), "time_in_force": tif}
    _show(api_from(ctx).call("PATCH", f"/api/v1/orders/{order_id}",
                             json={k: v for k, v in body.items() if v is not None}), as_json)


@app.command()
def cancel(
    ctx: typer.Context, order_id: str,
    reason: Annotated[str, typer.Option(help="why")] = "requested from CLI", as_json: Json = False,
) -> None:
    """Cancel a working order."""
    _show(api_from(ctx).call("DELETE", f"/api/v1/orders/{order_id}", params={"reason": reason}), as_json)


@app.command("cancel-all")
def cancel_all(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option()] = None,
    symbol: Annotated[str | None, typer.Option()] = None,
    reason: Annotated[str, typer.Option()] = "cancel all from CLI",
    as_json: Json = False,
) -> None:
    """Cancel every working order, optionally of one account and/or symbol."""
    body = {"account": account, "symbol": symbol, "reason": reason}
    result = api_from(ctx).call("POST", "/api/v1/orders/cancel-all",
                                json={k: v for k, v in body.items() if v is not None})
    if as_json:
        render.emit_json(result)
    else:
        print(f"cancel requested for {result['count']} order(s)")


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
