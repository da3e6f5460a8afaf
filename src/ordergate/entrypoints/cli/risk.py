"""``ordergate risk ...``: pre-trade limits (set, unset), metrics, trading states, the kill switch, flatten."""

from typing import Annotated, Any

import orjson
import typer

from ordergate.entrypoints.cli import render
from ordergate.entrypoints.cli.client import err
from ordergate.entrypoints.cli.options import Json, api_from
from ordergate.entrypoints.cli.tables import Column, show

app = typer.Typer(help="Pre-trade risk limits and the kill switch.", no_args_is_help=True)

Account = Annotated[str, typer.Argument(help="account id, or 'default' for the firm's defaults")]


@app.command("limits")
def limits(ctx: typer.Context, account: Account = "default", as_json: Json = False) -> None:
    """Show the limits in force (null/- = off) and which ones the account overrides."""
    data = api_from(ctx).call("GET", f"/api/v1/risk/limits/{account}")
    _show_limits(data, as_json)


@app.command("set")
def set_limits(
    ctx: typer.Context, account: Account,
    assignments: Annotated[list[str], typer.Argument(help="name=value pairs; value 'null' switches a limit off, "
                                                     "lists are comma-separated, e.g. restricted_symbols=AAPL,TSLA")],
    as_json: Json = False,
) -> None:
    """Change some limits of an account (or 'default'); the others keep their values."""
    data = api_from(ctx).call("PUT", f"/api/v1/risk/limits/{account}", json=parse_assignments(assignments))
    _show_limits(data, as_json)


@app.command("unset")
def unset_limit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="the limit to take back to the default, e.g. max_order_qty")],
    account: Annotated[str | None, typer.Option(help="account whose override goes (default: the firm's change "
                                                     "goes back to the settings' value)")] = None,
    as_json: Json = False,
) -> None:
    """Take one limit back to the default: an account's to the firm's, the firm's to the settings'."""
    data = api_from(ctx).call("DELETE", f"/api/v1/risk/limits/{account or 'default'}/{name}")
    _show_limits(data, as_json)


@app.command("metrics")
def metrics(ctx: typer.Context, as_json: Json = False) -> None:
    """Show each account's usage of its limits, denials by rule and trading state."""
    data = api_from(ctx).call("GET", "/api/v1/orders/risk/metrics")
    if as_json:
        render.emit_json(data)
        return
    denials = ", ".join(f"{rule} {count}" for rule, count in data["denials_by_rule"].items()) or "none"
    print(f"firm trading state: {data['firm_trading_state']}; denials by rule: {denials}")
    columns = (Column("limit"), Column("used", numeric=True), Column("max", numeric=True))
    for account, m in data["accounts"].items():
        rows = [[name, _text(usage["used"]), _text(usage["limit"])] for name, usage in m["usage"].items()]
        show(render.out, f"Account {account} ({m['trading_state']})", columns, rows)


@app.command("kill")
def kill(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="why (kept in the audit trail)")],
    account: Annotated[str | None, typer.Option(help="account to halt (default: every account)")] = None,
    flatten: Annotated[bool, typer.Option("--flatten", help="also close positions with market orders")] = False,
    as_json: Json = False,
) -> None:
    """Pull the kill switch: halt trading, cancel every working order, optionally flatten."""
    data = api_from(ctx).call("POST", "/api/v1/risk/kill-switch",
                              json={"account": account, "reason": reason, "flatten": flatten})
    _show_switch(data, as_json)


@app.command("flatten")
def flatten(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="account whose positions to close")],
    reason: Annotated[str, typer.Option(help="why (kept in the audit trail)")],
    as_json: Json = False,
) -> None:
    """Close an account's positions with market orders even while halted (finishing a kill switch's flatten)."""
    data = api_from(ctx).call("POST", "/api/v1/risk/flatten", json={"account": account, "reason": reason})
    _show_switch(data, as_json)


@app.command("resume")
def resume(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="why trading resumes")] = "resumed",
    account: Annotated[str | None, typer.Option(help="account to resume (default: the whole firm)")] = None,
    as_json: Json = False,
) -> None:
    """Set an account (or the firm) back to active trading."""
    data = api_from(ctx).call("POST", "/api/v1/risk/resume", json={"account": account, "reason": reason})
    _show_switch(data, as_json)


@app.command("state")
def state(
    ctx: typer.Context,
    new_state: Annotated[str, typer.Argument(metavar="STATE", help="active, reducing (only orders that shrink a "
                                                                    "position) or halted")],
    reason: Annotated[str, typer.Option(help="why (kept in the audit trail)")],
    account: Annotated[str | None, typer.Option(help="account to set (default: the whole firm)")] = None,
    as_json: Json = False,
) -> None:
    """Set the trading state of an account (or the firm); working orders are left as they are."""
    data = api_from(ctx).call("POST", "/api/v1/risk/trading-state",
                              json={"account": account, "state": new_state, "reason": reason})
    if as_json:
        render.emit_json(data)
        return
    scope = data["account"] or "the firm"
    render.out.print(f"{scope}: trading {data['trading_state']} ({data['reason']}, by {data['by']}); "
                     f"in force: {data['effective_trading_state']}")


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """Return limit changes from ``name=value`` words (JSON values allowed; 'null' switches off)."""
    changes: dict[str, Any] = {}
    for word in assignments:
        name, sep, text = word.partition("=")
        if not sep or not name:
            err.print(f"[red]bad assignment {word!r}:[/] write name=value, e.g. max_order_qty=500")
            raise typer.Exit(2)
        changes[name.strip()] = _value(name.strip(), text.strip())
    return changes


def _value(name: str, text: str) -> Any:
    if text in ("null", "none", "off", ""):
        return None
    if text in ("true", "false"):
        return text == "true"
    if name.endswith("_symbols"):
        return [s for s in text.split(",") if s]
    if text.startswith("{"):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            err.print(f"[red]{name}:[/] not valid JSON: {text}")
            raise typer.Exit(2) from None
    return text  # numbers go as strings: exact decimals, checked by the server


def _show_limits(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        render.emit_json(data)
        return
    columns = (Column("limit"), Column("value", numeric=True, wrap=True), Column("source", 1))
    rows = [[name, _text(value), "account" if name in data["overrides"] else "default"]
            for name, value in data["limits"].items()]
    show(render.out, f"Risk limits: {data['account']}", columns, rows)


def _text(value: Any) -> str:
    """Return a limit's value as text: '-' when off, lists comma-joined (as `risk set` takes them)."""
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    return str(value)


def _show_switch(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        render.emit_json(data)
        return
    scope = data["account"] or "every account"
    render.out.print(f"{scope}: trading {data['trading_state']} ({data['reason']}, by {data['by']}); "
                     f"canceled {len(data['canceled'])} orders, {len(data['flatten_orders'])} flattening orders")
    for account, symbols in (data.get("flatten_remaining") or {}).items():
        for symbol, left in symbols.items():
            still = "still flattening" if left["working"] else "flatten gave up: run ordergate risk flatten"
            render.out.print(f"[yellow]{account} {symbol}: {left['remaining']} left ({still})[/]")
