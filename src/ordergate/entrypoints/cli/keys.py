"""``ordergate keys create|list|revoke|rotate``: API keys with a role and the accounts they may touch."""

from typing import Annotated, Any

import typer
from rich.table import Table

from ordergate.domain.access import Role
from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from

app = typer.Typer(help="API keys: who may read, trade, manage risk or administer, and for which accounts.",
                  no_args_is_help=True)
KeyId = Annotated[str, typer.Argument(help="the key's id (see `ordergate keys list`)")]


@app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[Role, typer.Option(help="viewer: read; trader: read and trade; risk: limits, trading "
                                            "states, kill switch; admin: everything")],
    name: Annotated[str, typer.Option(help="who or what holds the key")],
    account: Annotated[list[str] | None, typer.Option(help="an account the key may touch (repeat for more; "
                                                           "none: every account)")] = None,
    as_json: Json = False,
) -> None:
    """Make a key and print its secret: it is shown this once, only its hash is kept."""
    key = api_from(ctx).call("POST", "/api/v1/keys/", json={"name": name, "role": role.value, "accounts": account})
    _show_new(key, as_json)


@app.command("list")
def list_keys(
    ctx: typer.Context,
    revoked: Annotated[bool, typer.Option("--revoked", help="list revoked keys too")] = False,
    as_json: Json = False,
) -> None:
    """List the keys (never their secrets)."""
    keys = api_from(ctx).call("GET", "/api/v1/keys/", params={"include_revoked": revoked})
    if as_json:
        render.emit_json(keys)
        return
    table = Table("id", "name", "role", "accounts", "created", "by", "revoked")
    for k in keys:
        table.add_row(k["id"], k["name"], k["role"], ", ".join(k["accounts"]) if k["accounts"] else "all",
                      k["created_at"][:19], k["created_by"], (k["revoked_at"] or "")[:19])
    render.out.print(table)


@app.command("revoke")
def revoke(ctx: typer.Context, key_id: KeyId, as_json: Json = False) -> None:
    """Revoke a key: it stops working at once."""
    key = api_from(ctx).call("DELETE", f"/api/v1/keys/{key_id}")
    if as_json:
        render.emit_json(key)
        return
    render.out.print(f"revoked {key['id']} ({key['name']}, {key['role']})")


@app.command("rotate")
def rotate(ctx: typer.Context, key_id: KeyId, as_json: Json = False) -> None:
    """Replace a key by a new one with the same name, role and accounts; print the new secret once."""
    _show_new(api_from(ctx).call("POST", f"/api/v1/keys/{key_id}/rotate"), as_json)


def _show_new(key: dict[str, Any], as_json: bool) -> None:
    if as_json:
        render.emit_json(key)
        return
    scope = ", ".join(key["accounts"]) if key["accounts"] else "every account"
    render.out.print(f"key {key['id']} for {key['name']}: role {key['role']}, {scope}\n"
                     f"secret (shown once, keep it now):\n    {key['secret']}")
