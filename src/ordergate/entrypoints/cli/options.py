"""Options shared by the client commands: where the server is and which key to use."""

from typing import Annotated

import typer

from ordergate.entrypoints.cli.client import DEFAULT_URL, Api, find_api_key

Json = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


def api_from(ctx: typer.Context) -> Api:
    """Return an API client from the root options (``--url``, ``--api-key``) or the environment."""
    params = ctx.find_root().params
    return Api(params.get("url") or DEFAULT_URL, find_api_key(params.get("api_key")))
