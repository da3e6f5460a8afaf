"""``ordergate venues``: each venue's state, fees and what the router learned of it; ``--route`` for an order."""

from typing import Annotated, Any

import typer

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from
from ordergate.entrypoints.cli.tables import Cell, Column, show

_STATE_STYLE = {"ready": "green", "degraded": "yellow", "down": "red"}
VENUE_COLUMNS = (
    Column("venue"), Column("state"), Column("fee/share", 4, numeric=True), Column("fee bps", 6, numeric=True),
    Column("ack p50 ms", 1, numeric=True), Column("ack p99 ms", 3, numeric=True), Column("fill rate", 2, numeric=True),
    Column("reject rate", 2, numeric=True), Column("slippage bps", 5, numeric=True),
    Column("orders today", 1, numeric=True), Column("notional today", 7, numeric=True), Column("symbols", 8),
)
ROUTE_COLUMNS = (
    Column("venue"), Column("state"), Column("fillable", numeric=True), Column("avg price", 1, numeric=True),
    Column("fees", 2, numeric=True), Column("all-in", numeric=True), Column("ack ms", 3, numeric=True),
    Column("note", 4),
)
CHILD_COLUMNS = (
    Column("child order", 3), Column("venue"), Column("type", 4), Column("qty", numeric=True),
    Column("limit", 2, numeric=True), Column("status"), Column("filled", numeric=True),
    Column("avg price", 1, numeric=True), Column("reason", 5, wrap=True),
)


def venues(
    ctx: typer.Context,
    route: Annotated[str | None, typer.Option("--route", help="show why this order id went where it did")] = None,
    as_json: Json = False,
) -> None:
    """List venues with their state, fees and live statistics (or, with --route ID, one order's routing)."""
    api = api_from(ctx)
    data = api.call("GET", f"/api/v1/orders/{route}/route") if route else api.call("GET", "/api/v1/venues/")
    if as_json:
        render.emit_json(data)
    elif route:
        print_route(data)
    else:
        show(render.out, "Venues", VENUE_COLUMNS, [venue_row(v) for v in data["venues"]])


def venue_row(v: dict[str, Any]) -> list[str | Cell]:
    """Return one venue's cells in VENUE_COLUMNS order."""
    s = v["stats"]
    return [v["id"], Cell(v["state"], _STATE_STYLE.get(v["state"], "")), v["fees"]["per_share"], v["fees"]["bps"],
            _num(s["ack_latency_ms"]["p50"]), _num(s["ack_latency_ms"]["p99"]), _num(s["fill_rate"]),
            _num(s["reject_rate"]), s["avg_slippage_bps"], str(s["orders_today"]), s["notional_today"],
            ",".join(v["symbols"])]


def print_route(data: dict[str, Any]) -> None:
    """Print one order's routing decision: the policy, each candidate's scored inputs, and the child orders."""
    policy = data["policy"] or "none (its instrument trades at one venue)"
    render.out.print(f"order {data['order_id']} went to {data['venue']}; policy: {policy}", soft_wrap=True)
    if data["candidates"]:
        rows = [[c["venue"], Cell(c["health"], _STATE_STYLE.get(c["health"], "")), c["fillable"],
                 c["avg_price"] or "", c["fees"], c["all_in"] or "", _num(c["ack_latency_ms"]), c["note"]]
                for c in data["candidates"]]
        show(render.out, "Candidates (chosen first)", ROUTE_COLUMNS, rows)
    children = data.get("children") or []
    if children:
        rows = [[c["id"], c["venue"], f"{c['type']} {c['time_in_force']}", c["qty"], c["limit_price"] or "",
                 c["status"], c["filled_qty"], c["avg_fill_price"] or "", c["reason"] or ""] for c in children]
        show(render.out, "Child orders at venues", CHILD_COLUMNS, rows)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
