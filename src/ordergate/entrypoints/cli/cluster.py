"""``ordergate cluster status``: the instances, which one leads under which epoch, how far each is behind."""

from typing import Any

import typer

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from
from ordergate.entrypoints.cli.tables import Cell, Column, show

app = typer.Typer(help="Several instances on one PostgreSQL: the leader and its standbys.", no_args_is_help=True)
_ROLE_STYLE = {"leader": "green", "single": "green", "standby": "cyan"}
COLUMNS = (
    Column("instance"), Column("role"), Column("epoch", 2, numeric=True), Column("applied seq", 3, numeric=True),
    Column("lag", numeric=True), Column("alive"), Column("address", 1), Column("seen at", 4),
)


@app.command("status")
def status(ctx: typer.Context, as_json: Json = False) -> None:
    """Show each instance's role, the leader epoch and each one's replication lag (events behind)."""
    data = api_from(ctx).call("GET", "/api/v1/cluster")
    if as_json:
        render.emit_json(data)
        return
    show(render.out, "Cluster", COLUMNS, [instance_row(i) for i in data["instances"]], caption=_caption(data))


def instance_row(i: dict[str, Any]) -> list[str | Cell]:
    """Return one instance's cells in COLUMNS order."""
    return [i["instance"], Cell(i["role"], _ROLE_STYLE.get(i["role"], "")), str(i["epoch"]), str(i["applied_seq"]),
            str(i["lag"]), Cell("yes" if i["alive"] else "no", "" if i["alive"] else "red"), i["address"],
            str(i["seen_at"])]


def _caption(data: dict[str, Any]) -> str:
    leader = data["leader"]
    if leader is None:
        return f"one instance ({data['role']}); journal at seq {data['last_seq']}"
    return (f"leader {leader['instance']} at {leader['address']}, epoch {leader['epoch']}; "
            f"journal at seq {data['last_seq']}; answered by {data['instance']}")
