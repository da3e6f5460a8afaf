"""Run the server with uvicorn."""

from typing import Any

import uvicorn

from ordergate.config import Settings
from ordergate.entrypoints.api.app import create_app
from ordergate.entrypoints.logging_setup import configure_logging


def run(flags: dict[str, Any]) -> None:
    """Build settings (flags over environment over .env) and serve until interrupted."""
    settings = Settings(**flags)
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level,
        access_log=False, loop="auto", http="auto", ws="websockets-sansio", lifespan="on",
    )
