"""Settings for the commands that run on this machine (``serve``, ``db``): bad values are a clear exit 2.

pydantic and the settings are imported when such a command runs, not when the CLI starts: the commands that
talk to a server never need them (a third of the CLI's start-up time).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from ordergate.entrypoints.cli.client import err

if TYPE_CHECKING:
    from ordergate.config import Settings


@contextmanager
def bad_settings_exit() -> Iterator[None]:
    """Turn a setting that is invalid, or does not even parse, into a message naming it and exit code 2."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        yield
    except ValidationError as e:
        for problem in e.errors():
            field = ".".join(str(p) for p in problem["loc"])
            err.print(f"[red]bad setting {escape(field)}:[/] {escape(problem['msg'])}")
        raise typer.Exit(2) from e
    except SettingsError as e:  # e.g. malformed JSON for a nested section
        cause = f": {e.__cause__}" if e.__cause__ is not None else ""
        err.print(f"[red]bad setting:[/] {escape(str(e) + cause)}")
        raise typer.Exit(2) from e


def load_settings(flags: dict[str, Any]) -> "Settings":
    """Return the Settings ``serve`` uses (flags over environment over .env), or exit 2 naming a bad one."""
    from ordergate.config import Settings

    with bad_settings_exit():
        settings = Settings(**{k: v for k, v in flags.items() if v is not None})
    return settings
