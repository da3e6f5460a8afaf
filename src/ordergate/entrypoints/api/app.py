"""The FastAPI application factory: routes, error handlers, and the container built at start-up."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.types import Message, Receive, Scope, Send

from ordergate import __version__
from ordergate.adapters.store.writer_lock import WriterLock
from ordergate.bootstrap import Container, start, stop
from ordergate.config import Settings
from ordergate.entrypoints import ws
from ordergate.entrypoints.api import errors
from ordergate.entrypoints.api.routes import audit, marketdata, orders, portfolio, reconciliation, risk, system
from ordergate.entrypoints.api.schemas import OrderCreate
from ordergate.entrypoints.web import STATIC_DIR

MAX_FAST_BODY = 64 * 1024  # a real order is well under 1 KiB; anything bigger takes the ordinary route


class OrdergateApp(FastAPI):
    """FastAPI, with ``POST /api/v1/orders/`` answered without FastAPI's per-request machinery when it can be.

    The hot path takes only what is plainly valid: a known API key and a JSON body that the route's own
    pydantic model accepts. Anything else (no or a wrong key, malformed JSON, an invalid field, a huge
    body, another content type) is replayed to the ordinary route, so its answers stay exactly FastAPI's.
    Errors from the engine go to the app's own exception handlers, as on the ordinary route.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection: the submit hot path, or FastAPI."""
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == orders.SUBMIT_PATH:
            await self._submit(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _submit(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = await _read_body(receive)
        if read is None:
            return  # the client left before sending its body: nobody to answer
        body, more = read
        container = getattr(self.state, "container", None)
        who = _principal(scope, container) if container is not None and not more else None
        order = _order(scope, body) if who is not None else None
        if order is None or container is None or who is None:
            await super().__call__(scope, _replay(body, more, receive), send)
            return
        try:
            response = await orders.submit(container, order, who)
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            response = await handler(Request(scope, receive), exc)
        await response(scope, receive, send)

    def _handler_for(self, exc: Exception) -> Any:
        for kind in type(exc).__mro__:
            if kind in self.exception_handlers:
                return self.exception_handlers[kind]
        return None


async def _read_body(receive: Receive) -> tuple[bytes, bool] | None:
    """Return the body read so far and whether more follows (past MAX_FAST_BODY), or None on disconnect."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_FAST_BODY:
            return b"".join(chunks), True


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """Return a receive that gives back the body already read, then continues with the connection's own."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": more}

    return replay


def _principal(scope: Scope, container: Container) -> str | None:
    """Return who holds the bearer key presented, read as FastAPI's HTTPBearer reads it, or None."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            token = token.strip()
            return container.api_keys.principal(token) if token and scheme.lower() == "bearer" else None
    return None


def _order(scope: Scope, body: bytes) -> OrderCreate | None:
    """Return the order when the body is JSON that OrderCreate accepts (as FastAPI would validate it)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            if value.split(b";", 1)[0].strip().lower() != b"application/json":
                return None
            try:
                return OrderCreate.model_validate(orjson.loads(body))
            except ValueError:  # malformed JSON or an invalid field: the ordinary route explains which
                return None
    return None


def create_app(settings: Settings, container: Container | None = None,
               writer_lock: WriterLock | None = None) -> OrdergateApp:
    """Build the app; it wires and starts everything in its lifespan (or uses a given container).

    ``writer_lock``: the database's writer lock, already held, for the container the lifespan builds.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = await start(settings, writer_lock) if owned else container
        if app.state.container.generated_admin_key:
            _announce_key(app.state.container.generated_admin_key, settings)
        try:
            yield
        finally:
            if owned:
                await stop(app.state.container)

    app = OrdergateApp(
        title="ordergate", version=__version__, lifespan=lifespan,
        description="Order management: validate, risk-check, route, follow and account for every order. "
                    "Authenticate with `Authorization: Bearer <API key>`.",
    )
    errors.install(app)
    for router in (risk.router, audit.router, orders.router, portfolio.router, system.router, marketdata.router,
                   reconciliation.router, ws.router):
        app.include_router(router)
    app.mount("/blotter", StaticFiles(directory=STATIC_DIR, html=True), name="blotter")
    app.add_api_route("/", _blotter_page, methods=["GET"], include_in_schema=False)
    return app


async def _blotter_page() -> FileResponse:
    """Serve the blotter at the root: what a person opening the server's address wants."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


def _announce_key(key: str, settings: Settings) -> None:
    """Show the generated admin key once, at first start (it is stored only as a hash)."""
    print(f"\nordergate admin API key (shown once, also saved to {settings.data_dir / 'admin.key'}):\n"
          f"    {key}\nUse it as: Authorization: Bearer <key>\n", flush=True)
