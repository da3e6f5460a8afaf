"""``ordergate venue login upstox``: get a broker access token and store it where the server reads it."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from ordergate.entrypoints.cli.options import Json
from ordergate.entrypoints.cli.render import emit_json
from ordergate.entrypoints.cli.settings import load_settings

app = typer.Typer(help="Broker venues: log in.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@app.command("login")
def login(
    venue: Annotated[str, typer.Argument(help="the venue to log in to: upstox")],
    code: Annotated[str | None, typer.Option(help="the authorization code (or the whole redirect URL); "
                                             "asked for when not given")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="data directory [env ORDERGATE_DATA_DIR]")] = None,
    as_json: Json = False,
) -> None:
    """Run Upstox's login: open the printed URL, allow the app, paste the code; the token is stored 0600.

    Upstox tokens die at 03:30 IST every day: run this each trading day. A running server picks the new
    token up within a second, without a restart.
    """
    from ordergate.adapters.venues.upstox.login import LoginFailed, code_from, exchange_code, login_url, new_state
    from ordergate.adapters.venues.upstox.token import next_expiry, write_token

    if venue != "upstox":
        err.print(f"[red]unknown venue {escape(venue)!r}:[/] only upstox has a login")
        raise typer.Exit(2)
    settings = load_settings({"data_dir": data_dir})
    config = settings.venues.upstox
    state = new_state()
    try:
        if code is None:
            out.print("Open this URL, log in and allow the app:")
            out.print(login_url(config, state), soft_wrap=True, markup=False)
            pasted = typer.prompt("Then paste the code (or the whole URL you were sent back to)")
            token = exchange_code(config, code_from(pasted, state))
        else:  # given up front: from a login started elsewhere, whose state we cannot know
            token = exchange_code(config, code_from(code, None))
    except LoginFailed as e:
        err.print(f"[red]login failed:[/] {escape(str(e))}", soft_wrap=True)
        raise typer.Exit(1) from None
    path = config.token_path(settings.data_dir)
    write_token(path, token)
    until = next_expiry(datetime.now(UTC))
    if as_json:
        emit_json({"venue": "upstox", "token_file": str(path), "valid_until": until.isoformat()})
    else:
        out.print(f"upstox token stored in {escape(str(path))} (valid until {until:%Y-%m-%d %H:%M} IST)",
                  soft_wrap=True)
