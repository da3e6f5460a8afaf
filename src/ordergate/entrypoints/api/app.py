"""The FastAPI application factory: routes, error handlers, and the container built at start-up."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ordergate import __version__
from ordergate.bootstrap import Container, start, stop
from ordergate.config import Settings
from ordergate.entrypoints import ws
from ordergate.entrypoints.api import errors
from ordergate.entrypoints.api.routes import audit, marketdata, orders, portfolio, risk, system
from ordergate.entrypoints.web import STATIC_DIR


def create_app(settings: Settings, container: Container | None = None) -> FastAPI:
    """Build the app; it wires and starts everything in its lifespan (or uses a given container)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = await start(settings) if owned else container
        if app.state.container.generated_admin_key:
            _announce_key(app.state.container.generated_admin_key, settings)
        try:
            yield
        finally:
            if owned:
                await stop(app.state.container)

    app = FastAPI(
        title="ordergate", version=__version__, lifespan=lifespan,
        description="Order management: validate, risk-check, route, follow and account for every order. "
                    "Authenticate with `Authorization: Bearer <API key>`.",
    )
    errors.install(app)
    for router in (risk.router, audit.router, orders.router, portfolio.router, system.router, marketdata.router,
                   ws.router):
        app.include_router(router)
    app.mount("/blotter", StaticFiles(directory=STATIC_DIR, html=True), name="blotter")
    return app


def _announce_key(key: str, settings: Settings) -> None:
    """Show the generated admin key once, at first start (it is stored only as a hash)."""
    print(f"\nordergate admin API key (shown once, also saved to {settings.data_dir / 'admin.key'}):\n"
          f"    {key}\nUse it as: Authorization: Bearer <key>\n", flush=True)
