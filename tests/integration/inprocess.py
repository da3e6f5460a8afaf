"""The real app and container in the test's own process and event loop, served through httpx's ASGI transport.

For what an end-to-end test cannot reach from outside: a component taken down on purpose, or the
ordinary submit route behind the app's hot path.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from ordergate.bootstrap import Container, stop
from ordergate.config import Settings
from ordergate.entrypoints.api.app import OrdergateApp, create_app, start_for_api

KEY = "in-process-admin-key-0123456789"


@dataclass
class Served:
    """A started container and the app built on it."""

    container: Container
    app: OrdergateApp

    def client(self, hot_path: bool = True) -> httpx.AsyncClient:
        """Return an authenticated client; ``hot_path=False`` sends every request past the submit hot path."""
        app = self.app if hot_path else self._ordinary
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ordergate.test",
                                 headers={"Authorization": f"Bearer {KEY}"})

    async def _ordinary(self, scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(self.app, scope, receive, send)


@asynccontextmanager
async def served(data_dir: Path, **more: Any) -> AsyncIterator[Served]:
    """Start everything on a SQLite file in ``data_dir``, run the app's lifespan, and stop it all after.

    ``more``: other settings, e.g. ``api={"protect_metrics": True}``.
    """
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'ordergate.db'}",
                        admin_key=KEY, **more)
    container = await start_for_api(settings)
    app = create_app(settings, container)
    try:
        async with app.router.lifespan_context(app):
            yield Served(container, app)
    finally:
        await stop(container)
