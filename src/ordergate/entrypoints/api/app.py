"""The FastAPI application factory: routes, error handlers, and the container built at start-up."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import msgspec
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import make_url
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from ordergate import __version__
from ordergate.adapters.store.database import normalize_url
from ordergate.adapters.store.writer_lock import WriterLock
from ordergate.bootstrap import Container, start, stop
from ordergate.config import Settings
from ordergate.domain.access import Caller
from ordergate.domain.ids import Symbol
from ordergate.domain.instruments import Instrument
from ordergate.entrypoints import ws
from ordergate.entrypoints.api import errors, gate
from ordergate.entrypoints.api.deps import CALLER, Public
from ordergate.entrypoints.api.exact_json import decode_fast
from ordergate.entrypoints.api.forward import LeaderForwarder
from ordergate.entrypoints.api.openapi_errors import document_errors
from ordergate.entrypoints.api.precision import Precision
from ordergate.entrypoints.api.routes import (
    accounts,
    audit,
    cluster,
    docs,
    keys,
    marketdata,
    orders,
    portfolio,
    reconciliation,
    risk,
    system,
    venues,
)
from ordergate.entrypoints.api.schemas import OrderCreate
from ordergate.entrypoints.api.serialize import use_precision
from ordergate.entrypoints.api.shared_limits import shared_buckets
from ordergate.entrypoints.stream_hub import StreamHub
from ordergate.entrypoints.web import STATIC_DIR
from ordergate.node import Node
from ordergate.service.cluster import NodeRole
from ordergate.service.marketdata import MarketDataHub
from ordergate.service.views import Views

if TYPE_CHECKING:  # Redis is imported only by a server that shares through it (see bootstrap.shared_redis)
    from ordergate.adapters.shared.link import RedisLink


class OrdergateApp(FastAPI):
    """FastAPI behind a gate (auth and body size first), with ``POST /api/v1/orders/`` answered on a hot path.

    The hot path takes only what is plainly valid: an authorized key and a JSON body that the route's own
    pydantic model accepts. Anything else (malformed JSON, an invalid field, another content type) is
    replayed to the ordinary route, so its answers stay exactly FastAPI's. Both use the route's one
    authorization rule. Errors go to the app's own exception handlers, as on the ordinary route.
    """

    _admission: gate.Admission | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection: refuse it at the gate, take the submit hot path, or hand it to FastAPI."""
        container: Container | None = getattr(self.state, "container", None)
        if scope["type"] != "http" or container is None:
            await super().__call__(scope, receive, send)
            return
        shared = shared_buckets(container, "http") if container.redis is not None else None
        if self._admission is None or self._admission.shared is not shared:
            self._admission = gate.Admission(container.settings.api, shared)
        forwards = scope["method"] in gate.BODY_METHODS and self._standby()
        caller, refusal = await self._admission.admit(scope, container.keys, counted=not forwards)  # leader counts
        if refusal is not None:
            await gate.answer(refusal, scope, receive, send)
            return
        scope[CALLER] = caller
        if scope["method"] not in gate.BODY_METHODS:
            await super().__call__(scope, receive, send)
            return
        if caller is None:
            await gate.answer(gate.unauthenticated(scope), scope, receive, send)
            return
        limit = container.settings.api.max_body_bytes
        if (gate.declared_length(scope) or 0) > limit:
            await gate.answer(gate.too_large(limit), scope, receive, send)
            return
        try:
            body = await gate.read_body(receive, limit)
        except gate.BodyTooLarge:
            await gate.answer(gate.too_large(limit), scope, receive, send)
            return
        if body is None:
            return  # the client left before sending its body: nobody to answer
        if forwards:
            await self.state.forwarder.forward(scope, body, send)  # commands are the leader's: answered as it answers
            return
        if scope["method"] == "POST" and scope["path"] == orders.SUBMIT_PATH:
            order = _order(scope, body)
            if order is not None:
                await self._submit(scope, receive, send, container, caller, order)
                return
        await super().__call__(scope, gate.replay(body, receive), send)

    async def _submit(self, scope: Scope, receive: Receive, send: Send, container: Container, caller: Caller,
                      order: OrderCreate) -> None:
        try:
            response = await orders.submit(container, order, orders.SUBMIT_RULE.authorize(caller))
        except Exception as exc:
            handler = self._handler_for(exc)
            if handler is None:
                raise
            response = await handler(Request(scope, receive), exc)
        await response(scope, receive, send)

    def _standby(self) -> bool:
        """Return whether this instance is a standby that forwards commands to the leader."""
        forwarder: LeaderForwarder | None = getattr(self.state, "forwarder", None)
        return forwarder is not None and self.state.node.role is NodeRole.STANDBY

    def _handler_for(self, exc: Exception) -> Any:
        for kind in type(exc).__mro__:
            if kind in self.exception_handlers:
                return self.exception_handlers[kind]
        return None


def _order(scope: Scope, body: bytes) -> OrderCreate | None:
    """Return the order when the body is JSON that OrderCreate accepts (as FastAPI would validate it)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            if value.split(b";", 1)[0].strip().lower() != b"application/json":
                return None
            try:
                return OrderCreate.model_validate(decode_fast(body))  # numbers exact, as on the ordinary route
            # malformed or absurdly nested JSON, or an invalid field: the ordinary route explains which
            except (ValueError, RecursionError, msgspec.DecodeError):
                return None
    return None


def create_app(settings: Settings, container: Container | None = None,
               writer_lock: WriterLock | None = None) -> OrdergateApp:
    """Build the app; it wires and starts everything in its lifespan (or uses a given container).

    ``writer_lock``: the database's writer lock, already held, for the container the lifespan builds.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if container is None and writer_lock is None and clustered(settings):
            async with run_node(app, settings):
                yield
            return
        owned = container is None
        app.state.container = await start_for_api(settings, writer_lock) if owned else container
        if app.state.container.generated_admin_key:
            _announce_key(app.state.container.generated_admin_key, settings)
        try:
            yield
        finally:
            if owned:
                await stop(app.state.container)

    app = OrdergateApp(
        title="ordergate", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None,
        description="Order management: validate, risk-check, route, follow and account for every order. "
                    "Authenticate with `Authorization: Bearer <API key>`.",
    )
    errors.install(app)
    for router in (risk.router, audit.router, orders.router, portfolio.router, system.router, marketdata.router,
                   reconciliation.router, accounts.router, keys.router, venues.router, cluster.router, ws.router,
                   docs.router):
        document_errors(router)
        app.include_router(router)
    app.mount("/blotter", StaticFiles(directory=STATIC_DIR, html=True), name="blotter")
    app.mount(docs.ASSETS_PATH, StaticFiles(directory=docs.assets_dir()), name="docs-assets")
    app.add_api_route("/", _blotter_page, methods=["GET"], include_in_schema=False)
    return app


async def _blotter_page(_: Public) -> FileResponse:
    """Serve the blotter at the root: what a person opening the server's address wants."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


def api_stream(views: Views, marketdata: MarketDataHub, instruments: Mapping[Symbol, Instrument],
               redis: "RedisLink | None" = None) -> StreamHub:
    """Make the API's event stream hub (shared through ``redis`` when given), and set how answers show
    numbers (both need the instruments)."""
    use_precision(Precision(instruments.values()))
    return StreamHub(views, marketdata, lambda s: s in instruments or marketdata.has(Symbol(s)), redis)


async def start_for_api(settings: Settings, writer_lock: WriterLock | None = None) -> Container:
    """Start everything with the API's stream hub: what an app serving the API needs (see bootstrap.start)."""
    return await start(settings, writer_lock, stream=api_stream)


def clustered(settings: Settings) -> bool:
    """Return whether the instance joins a cluster: on PostgreSQL, a leader or a standby (SQLite runs alone)."""
    return make_url(normalize_url(settings.resolved_database_url())).get_backend_name() == "postgresql"


@asynccontextmanager
async def run_node(app: FastAPI, settings: Settings) -> AsyncIterator[Node]:
    """Run this instance as the cluster's leader or a standby while the app serves."""

    def use(container: Container) -> None:
        app.state.container = container

    node = Node(settings, api_stream, use)
    app.state.node = node
    app.state.forwarder = LeaderForwarder(node, settings.cluster.forward_timeout, settings.ssl_certfile)
    container = await node.start()
    if container.generated_admin_key:
        _announce_key(container.generated_admin_key, settings)
    try:
        yield node
    finally:
        await node.stop()
        await app.state.forwarder.close()


def _announce_key(key: str, settings: Settings) -> None:
    """Show the generated admin key once, at first start (it is stored only as a hash)."""
    print(f"\nordergate admin API key (shown once, also saved to {settings.data_dir / 'admin.key'}):\n"
          f"    {key}\nUse it as: Authorization: Bearer <key>\n", flush=True)
