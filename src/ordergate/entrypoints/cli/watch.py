"""``ordergate watch``: live orders and positions in the terminal, refreshed from the server."""

import time
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.live import Live

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.client import Api
from ordergate.entrypoints.cli.options import api_from
from ordergate.entrypoints.cli.tables import fitted

_OPEN = ("pending_new", "new", "partially_filled", "pending_cancel", "pending_replace")


def watch(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option(help="only this account")] = None,
    interval: Annotated[float, typer.Option(min=0.2, max=60, help="seconds between refreshes")] = 1.0,
    times: Annotated[int, typer.Option(min=0, help="stop after this many refreshes (0: until Ctrl-C)")] = 0,
    recent: Annotated[int, typer.Option(min=0, max=200, help="also show this many recent done orders")] = 10,
) -> None:
    """Show working orders (and the latest done ones) and positions, refreshed live until Ctrl-C."""
    api = api_from(ctx)
    count = 0
    if not render.out.is_terminal:  # a pipe gets plain snapshots, one per refresh
        while True:
            orders, positions = _snapshot(api, account, recent)
            render.print_orders(orders)
            render.print_positions(positions)
            count += 1
            if times and count >= times:
                return
            time.sleep(interval)
    try:
        with Live(console=render.out, auto_refresh=False, screen=False) as live:
            while True:
                live.update(_frame(*_snapshot(api, account, recent)), refresh=True)
                count += 1
                if times and count >= times:
                    return
                time.sleep(interval)
    except KeyboardInterrupt:
        return


def _snapshot(api: Api, account: str | None, recent: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the working orders then the latest done ones, and the positions."""
    scope = {"account": account} if account else {}
    working = api.call("GET", "/api/v1/orders/", params={**scope, "status": list(_OPEN), "limit": 200})["items"]
    done = api.call("GET", "/api/v1/orders/", params={**scope, "limit": recent})["items"] if recent else []
    seen = {o["id"] for o in working}
    orders = working + [o for o in done if o["id"] not in seen and o["status"] not in _OPEN]
    return orders, api.call("GET", "/api/v1/positions/", params=scope)


def _frame(orders: list[dict[str, Any]], positions: list[dict[str, Any]]) -> Group:
    console = render.out
    stamp = time.strftime("%H:%M:%S")
    return Group(
        fitted(console, f"Orders ({stamp}, Ctrl-C to stop)", render.ORDER_COLUMNS,
               [render.order_row(o) for o in orders]),
        fitted(console, "Positions", render.POSITION_COLUMNS, [render.position_row(p) for p in positions]),
    )
