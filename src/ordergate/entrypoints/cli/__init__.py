"""The ordergate command line: operator and trader commands (typer + rich)."""

from ordergate.entrypoints.cli.main import app, main

__all__ = ["app", "main"]
