"""The fake Upstox ASGI app: one port standing in for both the API host and the order (HFT) host."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.upstox import (
    control,
    market_feed,
    portfolio_stream,
    routes_account,
    routes_gtt,
    routes_login,
    routes_market,
    routes_orders,
)
from tests.fakes.upstox.broker import FakeUpstox
from tests.fakes.upstox.envelopes import error


async def _unsupported(request: Request) -> Response:
    return error(404, "UDAPI10000", "This request is not supported by Upstox API")


def build_app(fake: FakeUpstox) -> Starlette:
    """Return the app serving ``fake``."""
    app = Starlette(routes=[
        *routes_orders.routes, *routes_gtt.routes, *routes_account.routes, *routes_market.routes, *routes_login.routes,
        *portfolio_stream.routes, *market_feed.routes, *control.routes,
        Route("/{path:path}", _unsupported, methods=["GET", "POST", "PUT", "DELETE"]),
    ])
    app.state.fake = fake
    return app
