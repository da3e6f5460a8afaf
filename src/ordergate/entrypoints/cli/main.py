"""The ``ordergate`` command: serve, and trader commands that talk to a running server."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ordergate.entrypoints.cli import (
    accounts,
    cluster,
    db,
    keys,
    marketdata,
    orders,
    portfolio,
    risk,
    venue,
    venues,
    watch,
)
from ordergate.entrypoints.cli.client import DEFAULT_URL, err
from ordergate.entrypoints.cli.settings import bad_settings_exit

app = typer.Typer(help="ordergate: an order management system.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(orders.app, name="order")
app.add_typer(db.app, name="db")
app.add_typer(risk.app, name="risk")
app.add_typer(venue.app, name="venue")
app.add_typer(keys.app, name="keys")
app.command("positions")(portfolio.positions)
app.add_typer(accounts.app, name="account")
app.add_typer(cluster.app, name="cluster")
app.command("instruments")(portfolio.instruments)
app.command("book")(marketdata.book)
app.command("quote")(marketdata.quote)
app.command("watch")(watch.watch)
app.command("venues")(venues.venues)


@app.callback()
def _root(
    url: Annotated[str, typer.Option(envvar="ORDERGATE_URL", help="server to talk to")] = DEFAULT_URL,
    api_key: Annotated[str | None, typer.Option(envvar="ORDERGATE_API_KEY", help="API key (default: "
                                                "ORDERGATE_ADMIN_KEY or <data dir>/admin.key)")] = None,
) -> None:
    """Options for every command that talks to a server."""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on [env ORDERGATE_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on [env ORDERGATE_PORT]")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="data directory [env ORDERGATE_DATA_DIR]")] = None,
    database_url: Annotated[str | None, typer.Option(help="database URL [env ORDERGATE_DATABASE_URL]")] = None,
    ssl_certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM): serve HTTPS and WSS "
                                                           "[env ORDERGATE_SSL_CERTFILE]")] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM) [env ORDERGATE_SSL_KEYFILE]")] = None,
    api_workers: Annotated[int | None, typer.Option(help="front worker processes that speak HTTP for the "
                                                         "engine process (0: one process) "
                                                         "[env ORDERGATE_API__WORKERS]")] = None,
) -> None:
    """Run the server: REST API, WebSocket stream, blotter, paper exchange."""
    from ordergate.collector import collector_paused

    with collector_paused():  # the server's modules live as long as it does: no collections while importing them
        from ordergate.entrypoints.serve import run

    flags = {"host": host, "port": port, "data_dir": data_dir, "database_url": database_url,
             "ssl_certfile": ssl_certfile, "ssl_keyfile": ssl_keyfile,
             "api": {"workers": api_workers} if api_workers is not None else None}
    from ordergate.adapters.store.migrate import SchemaNotCurrent
    from ordergate.adapters.store.writer_lock import WriterLockHeld

    with bad_settings_exit():
        try:
            run({k: v for k, v in flags.items() if v is not None})
        except (SchemaNotCurrent, WriterLockHeld) as e:
            err.print(f"[red]cannot start:[/] {escape(str(e))}", soft_wrap=True)
            raise typer.Exit(2) from e


def main() -> None:
    """Run the CLI."""
    app()
