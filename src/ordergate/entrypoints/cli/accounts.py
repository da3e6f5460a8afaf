"""``ordergate account [show] ID | open | deposit | withdraw | close``: see and manage accounts."""

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.options import Json, api_from

AccountId = Annotated[str, typer.Argument(help="account id")]
Amount = Annotated[str, typer.Argument(help="amount, a decimal, e.g. 2500.00")]
Reason = Annotated[str, typer.Option(help="why: kept in the journal")]


class _ShowByDefault(TyperGroup):
    """``ordergate account`` and ``ordergate account ID`` still show an account, as before there were subcommands."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        """Put ``show`` in front of arguments that name no subcommand."""
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=_ShowByDefault, help="See and manage accounts (opening and cash need an admin key).")


@app.command("show")
def show(ctx: typer.Context, account_id: AccountId = "PAPER", as_json: Json = False) -> None:
    """Show an account: cash, reserved, buying power and equity per currency."""
    _print(api_from(ctx).call("GET", f"/api/v1/accounts/{account_id}"), as_json)


@app.command("open")
def open_account(
    ctx: typer.Context, account_id: AccountId,
    cash: Annotated[list[str] | None, typer.Option(help="opening cash as CUR=AMOUNT, e.g. USD=100000 (repeat)")] = None,
    margin: Annotated[bool, typer.Option(help="may borrow: short sales and buying past cash")] = False,
    name: Annotated[str, typer.Option(help="a readable name")] = "",
    venue: Annotated[list[str] | None, typer.Option(help="a venue it may trade at (repeat; none: any)")] = None,
    as_json: Json = False,
) -> None:
    """Open an account with opening cash."""
    balances: dict[str, str] = {}
    for item in cash or []:
        currency, sep, amount = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: write CUR=AMOUNT, e.g. USD=100000", param_hint="--cash")
        balances[currency.strip().upper()] = amount.strip()
    body = {"id": account_id, "name": name, "balances": balances, "margin": margin, "venues": venue or []}
    _print(api_from(ctx).call("POST", "/api/v1/accounts/", json=body), as_json)


@app.command("deposit")
def deposit(ctx: typer.Context, account_id: AccountId, currency: str, amount: Amount, reason: Reason = "deposit",
            as_json: Json = False) -> None:
    """Add cash to an account."""
    _cash(ctx, account_id, currency, amount, reason, as_json)


@app.command("withdraw")
def withdraw(ctx: typer.Context, account_id: AccountId, currency: str, amount: Amount, reason: Reason = "withdrawal",
             as_json: Json = False) -> None:
    """Take cash out of an account (at most what working orders do not hold)."""
    _cash(ctx, account_id, currency, "-" + amount.lstrip("+"), reason, as_json)


@app.command("close")
def close(ctx: typer.Context, account_id: AccountId, reason: Reason = "closed", as_json: Json = False) -> None:
    """Close an account with no positions and no working orders (it keeps its cash and history)."""
    _print(api_from(ctx).call("POST", f"/api/v1/accounts/{account_id}/close", json={"reason": reason}), as_json)


def _cash(ctx: typer.Context, account_id: str, currency: str, amount: str, reason: str, as_json: bool) -> None:
    body = {"currency": currency.upper(), "amount": amount, "reason": reason}
    _print(api_from(ctx).call("POST", f"/api/v1/accounts/{account_id}/cash", json=body), as_json)


def _print(data: Any, as_json: bool) -> None:
    if as_json:
        render.emit_json(data)
    else:
        render.print_account(data)
